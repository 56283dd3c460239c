import { defaultTextMapGetter, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { BridgeConfigError, describeDestinations, getInboundContext, LangSmithPropagator, resolveConfig } from '../src/index.js';

const env = (vars: Record<string, string>) => ({ env: vars });
const HEADERS = { 'langsmith-trace': '20261122T003148319001Z01a200aa-925f-7000-8000-02c54bd19234' };

describe('resolveConfig: where traces go (precedence: options > environment > defaults)', () => {
  it('with nothing configured: the local file and terminal trees (the embedded default)', () => {
    const c = resolveConfig(env({}));
    expect(c).toMatchObject({ otlp: undefined, langsmith: undefined, file: '.langsmith-otel/runs.jsonl', printTrees: true, project: 'default' });
    expect(c.serviceName).toBe('unknown_service:node');
    expect(describeDestinations(c)).toBe(
      'langsmith-otel-bridge: unknown_service:node → file .langsmith-otel/runs.jsonl + terminal trees; inbound context trusted from no caller (new roots)',
    );
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: /v1/traces is appended', () => {
    expect(resolveConfig(env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).otlp).toEqual({
      url: 'http://collector:4318/v1/traces',
      headers: {},
      protocol: 'http/protobuf',
      toLangSmith: false,
    });
  });

  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is and wins over the base URL', () => {
    const c = resolveConfig(env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' }));
    expect(c.otlp!.url).toBe('http://b:4318/custom');
  });

  it('fails fast on the doubled /v1/traces path, saying what to set', () => {
    expect(() => resolveConfig(env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://api.smith.langchain.com/otel/v1/traces' }))).toThrow(
      /ends in \/v1\/traces, but it is a base URL.*OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/,
    );
  });

  it("LangSmith's OTLP endpoint: only runs are sent (no collector to drop excluded spans), and an API key is required", () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://eu.api.smith.langchain.com/otel' };
    expect(() => resolveConfig(env(base))).toThrow(/OTEL_EXPORTER_OTLP_HEADERS=x-api-key=/);
    const c = resolveConfig(env({ ...base, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc,Langsmith-Project=my%20proj' }));
    expect(c.otlp).toEqual({
      url: 'https://eu.api.smith.langchain.com/otel/v1/traces',
      headers: { 'x-api-key': 'abc', 'Langsmith-Project': 'my proj' },
      protocol: 'http/protobuf',
      toLangSmith: true,
    });
  });

  it('LANGSMITH_API_KEY alone: direct ingest; with an OTLP endpoint too: OTLP only (the collector forwards)', () => {
    const direct = resolveConfig(env({ LANGSMITH_API_KEY: 'k', LANGSMITH_ENDPOINT: 'http://127.0.0.1:9', LANGSMITH_PROJECT: 'p' }));
    expect(direct.langsmith).toEqual({ apiKey: 'k', apiUrl: 'http://127.0.0.1:9', workspaceId: undefined });
    expect(direct.file).toBeUndefined();
    expect(describeDestinations(direct)).toContain('LangSmith http://127.0.0.1:9 (project p)');
    const both = resolveConfig(env({ LANGSMITH_API_KEY: 'k', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }));
    expect(both.langsmith).toBeUndefined();
    expect(both.otlp).toBeDefined();
    const explicit = resolveConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, langsmith: { apiKey: 'k' } });
    expect(explicit.langsmith?.apiKey).toBe('k');
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER=sometimes is not supported; set one of/],
    [{ OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG=2 must be a number between 0 and 1/],
    [{ LANGSMITH_OTEL_TRACEPARENT_ONLY: 'graft' }, /LANGSMITH_OTEL_TRACEPARENT_ONLY=graft: set `root`/],
    [{ LANGSMITH_OTEL_PRINT: 'maybe' }, /LANGSMITH_OTEL_PRINT=maybe: set true or false/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /is not an http\(s\) URL/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_HEADERS: 'novalue' }, /"novalue" is not key=value/],
    [{ LANGSMITH_API_KEY: 'k', LANGSMITH_ENDPOINT: 'api.smith' }, /LANGSMITH_ENDPOINT=api.smith is not an http\(s\) URL/],
    [{ LANGSMITH_OTEL_TRUST: '10.0.0.0/33' }, /LANGSMITH_OTEL_TRUST .*is not a CIDR block/],
    [{ LANGSMITH_OTEL_TRUST_TOKEN: 'short' }, /at least 16 characters/],
  ])('fails fast on %o', (vars, message) => {
    const run = () => resolveConfig(env(vars));
    expect(run).toThrow(BridgeConfigError);
    expect(run).toThrow(message);
  });

  describe('trust from the environment', () => {
    const trusts = (vars: Record<string, string>, carrier: Record<string, string> = HEADERS) => {
      const { trust } = resolveConfig(env(vars));
      const ctx = new LangSmithPropagator({ trust }).extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
      return getInboundContext(ctx) !== undefined;
    };
    it('defaults to untrusted', () => expect(trusts({})).toBe(false));
    it('LANGSMITH_OTEL_TRUST=true trusts every caller', () => expect(trusts({ LANGSMITH_OTEL_TRUST: 'true' })).toBe(true));
    it('LANGSMITH_OTEL_TRUST=false trusts none', () => expect(trusts({ LANGSMITH_OTEL_TRUST: 'false' })).toBe(false));
    it('LANGSMITH_OTEL_TRUST_TOKEN trusts carriers presenting the token', () => {
      const vars = { LANGSMITH_OTEL_TRUST_TOKEN: 'a-long-enough-secret-token' };
      expect(trusts(vars)).toBe(false);
      expect(trusts(vars, { ...HEADERS, 'x-langsmith-trust': 'a-long-enough-secret-token' })).toBe(true);
    });
    it('CIDR blocks in LANGSMITH_OTEL_TRUST give an instrumentation-http hook', () => {
      const c = resolveConfig(env({ LANGSMITH_OTEL_TRUST: '10.0.0.0/8, 127.0.0.1/32' }));
      expect(c.networkTrust!.isTrustedAddress('10.2.3.4')).toBe(true);
      expect(c.networkTrust!.isTrustedAddress('192.168.0.1')).toBe(false);
      expect(describeDestinations(c)).toContain('trusted from callers matching the trust policy');
    });
  });
});

describe('resolveConfig: export queue (OpenTelemetry BSP variables)', () => {
  it('reads OTEL_BSP_* and rejects what is not a positive whole number', () => {
    expect(resolveConfig(env({ OTEL_BSP_MAX_QUEUE_SIZE: '16384', OTEL_BSP_SCHEDULE_DELAY: '200' })).queue).toEqual({
      maxQueueSize: 16384,
      maxExportBatchSize: undefined,
      scheduledDelayMillis: 200,
      exportTimeoutMillis: undefined,
    });
    expect(() => resolveConfig(env({ OTEL_BSP_MAX_QUEUE_SIZE: 'lots' }))).toThrow(/OTEL_BSP_MAX_QUEUE_SIZE=lots: set a positive whole number/);
  });
});
