/**
 * Issue 12: every OTEL_* / LANGSMITH_* variable the package reads, with a
 * good and a bad value each — the README "Configuration" table as tests —
 * and the standard OpenTelemetry variables the register entry must honour
 * (OTEL_SDK_DISABLED, OTEL_RESOURCE_ATTRIBUTES, OTEL_PROPAGATORS) through
 * the real setup and real propagators.
 */
import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, TraceFlags, type TextMapPropagator } from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import type { LangSmithPropagator } from '../src/propagator/LangSmithPropagator.js';
import { BridgeConfigError, isBridgeEnabled, isSdkDisabled, notEnabledLine, resolveConfig, type ResolvedConfig } from '../src/setup/config.js';
import { ComposedPropagator, createLangSmithBridge } from '../src/setup/register.js';

type Env = Record<string, string>;
type Pick = (c: ResolvedConfig) => unknown;

/** [variable, good env, what it gives, bad env, what a bad value does (an error matching, or the value it falls back to)] */
const TABLE: Array<[string, Env, Pick, unknown, Env, RegExp | { value: unknown }]> = [
  ['OTEL_SERVICE_NAME', { OTEL_SERVICE_NAME: 'checkout' }, (c) => c.serviceName, 'checkout', { OTEL_SERVICE_NAME: '  ' }, { value: 'unknown_service:node' }],
  [
    'OTEL_RESOURCE_ATTRIBUTES',
    { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, team=a%2Cb' },
    (c) => c.resourceAttributes,
    { 'deployment.environment': 'prod', team: 'a,b', 'service.name': 'unknown_service:node' },
    { OTEL_RESOURCE_ATTRIBUTES: 'team' },
    /OTEL_RESOURCE_ATTRIBUTES: "team" is not key=value/,
  ],
  [
    'OTEL_RESOURCE_ATTRIBUTES (%-escape)',
    { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from%20attrs' },
    (c) => c.serviceName,
    'from attrs',
    { OTEL_RESOURCE_ATTRIBUTES: 'team=a%zz' },
    /value of team has a broken %-escape/,
  ],
  [
    'OTEL_PROPAGATORS',
    { OTEL_PROPAGATORS: 'tracecontext,baggage,b3multi, XRAY' },
    (c) => c.propagators,
    ['b3multi', 'xray'],
    { OTEL_PROPAGATORS: 'tracecontext,ottrace' },
    /OTEL_PROPAGATORS: "ottrace" is not a propagator the bridge composes/,
  ],
  ['OTEL_PROPAGATORS=none', { OTEL_PROPAGATORS: 'none' }, (c) => c.propagators, [], { OTEL_PROPAGATORS: 'none,b3' }, /none cannot be combined/],
  [
    'OTEL_TRACES_SAMPLER',
    { OTEL_TRACES_SAMPLER: 'always_off' },
    (c) => c.sampler,
    'always_off',
    { OTEL_TRACES_SAMPLER: 'jaeger_remote' },
    /OTEL_TRACES_SAMPLER=jaeger_remote is not supported/,
  ],
  [
    'OTEL_TRACES_SAMPLER_ARG',
    { OTEL_TRACES_SAMPLER_ARG: '0.25' },
    (c) => c.samplerRatio,
    0.25,
    { OTEL_TRACES_SAMPLER_ARG: '2' },
    /OTEL_TRACES_SAMPLER_ARG=2 must be a number between 0 and 1/,
  ],
  [
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
    (c) => c.otlp?.url,
    'http://c:4318/v1/traces',
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'c:4318' },
    /c:4318\/v1\/traces is not an http\(s\) URL/,
  ],
  [
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/x' },
    (c) => c.otlp?.url,
    'http://c:4318/x',
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://c' },
    /ftp:\/\/c is not an http\(s\) URL/,
  ],
  [
    'OTEL_EXPORTER_OTLP_HEADERS',
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'a=1' },
    (c) => c.otlp?.headers,
    { a: '1' },
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'a' },
    /OTEL_EXPORTER_OTLP_HEADERS: "a" is not key=value/,
  ],
  [
    'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'a=1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'a=2' },
    (c) => c.otlp?.headers,
    { a: '2' },
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'a=%' },
    /value of a has a broken %-escape/,
  ],
  [
    'OTEL_EXPORTER_OTLP_PROTOCOL',
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
    (c) => c.otlp?.url,
    'http://c:4317',
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http' },
    /OTEL_EXPORTER_OTLP_PROTOCOL=http is not an OTLP protocol/,
  ],
  [
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' },
    (c) => c.otlp?.protocol,
    'http/json',
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'json' },
    /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=json is not an OTLP protocol/,
  ],
  [
    'OTEL_BSP_MAX_QUEUE_SIZE',
    { OTEL_BSP_MAX_QUEUE_SIZE: '4096' },
    (c) => c.queue.maxQueueSize,
    4096,
    { OTEL_BSP_MAX_QUEUE_SIZE: '-1' },
    /OTEL_BSP_MAX_QUEUE_SIZE=-1: set a positive whole number/,
  ],
  [
    'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '256' },
    (c) => c.queue.maxExportBatchSize,
    256,
    { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1.5' },
    /OTEL_BSP_MAX_EXPORT_BATCH_SIZE=1.5: set a positive whole number/,
  ],
  [
    'OTEL_BSP_SCHEDULE_DELAY',
    { OTEL_BSP_SCHEDULE_DELAY: '200' },
    (c) => c.queue.scheduledDelayMillis,
    200,
    { OTEL_BSP_SCHEDULE_DELAY: '1s' },
    /OTEL_BSP_SCHEDULE_DELAY=1s: set a positive whole number/,
  ],
  [
    'OTEL_BSP_EXPORT_TIMEOUT',
    { OTEL_BSP_EXPORT_TIMEOUT: '5000' },
    (c) => c.queue.exportTimeoutMillis,
    5000,
    { OTEL_BSP_EXPORT_TIMEOUT: '0' },
    /OTEL_BSP_EXPORT_TIMEOUT=0: set a positive whole number/,
  ],
  ['LANGSMITH_PROJECT', { LANGSMITH_PROJECT: 'p', LANGCHAIN_PROJECT: 'legacy' }, (c) => c.project, 'p', { LANGSMITH_PROJECT: ' ' }, { value: 'default' }],
  [
    'LANGCHAIN_PROJECT',
    { LANGCHAIN_PROJECT: 'legacy', LANGCHAIN_SESSION: 'older' },
    (c) => c.project,
    'legacy',
    { LANGCHAIN_PROJECT: '' },
    { value: 'default' },
  ],
  ['LANGCHAIN_SESSION', { LANGCHAIN_SESSION: 'older' }, (c) => c.project, 'older', { LANGCHAIN_SESSION: '' }, { value: 'default' }],
  [
    'LANGSMITH_API_KEY',
    { LANGSMITH_API_KEY: 'k', LANGCHAIN_API_KEY: 'old' },
    (c) => c.langsmith?.apiKey,
    'k',
    { LANGSMITH_API_KEY: ' ' },
    { value: undefined },
  ],
  ['LANGCHAIN_API_KEY', { LANGCHAIN_API_KEY: 'old' }, (c) => c.langsmith?.apiKey, 'old', { LANGCHAIN_API_KEY: '' }, { value: undefined }],
  [
    'LANGSMITH_ENDPOINT',
    { LANGSMITH_API_KEY: 'k', LANGSMITH_ENDPOINT: 'https://eu.api.smith.langchain.com', LANGCHAIN_ENDPOINT: 'http://old' },
    (c) => c.langsmith?.apiUrl,
    'https://eu.api.smith.langchain.com',
    { LANGSMITH_API_KEY: 'k', LANGSMITH_ENDPOINT: 'eu.api' },
    /LANGSMITH_ENDPOINT=eu.api is not an http\(s\) URL/,
  ],
  [
    'LANGCHAIN_ENDPOINT',
    { LANGSMITH_API_KEY: 'k', LANGCHAIN_ENDPOINT: 'http://old' },
    (c) => c.langsmith?.apiUrl,
    'http://old',
    { LANGSMITH_API_KEY: 'k', LANGCHAIN_ENDPOINT: 'old' },
    /LANGCHAIN_ENDPOINT=old is not an http\(s\) URL/,
  ],
  [
    'LANGSMITH_WORKSPACE_ID',
    { LANGSMITH_API_KEY: 'k', LANGSMITH_WORKSPACE_ID: 'w', LANGCHAIN_WORKSPACE_ID: 'old' },
    (c) => c.langsmith?.workspaceId,
    'w',
    { LANGSMITH_API_KEY: 'k', LANGSMITH_WORKSPACE_ID: ' ' },
    { value: undefined },
  ],
  [
    'LANGCHAIN_WORKSPACE_ID',
    { LANGSMITH_API_KEY: 'k', LANGCHAIN_WORKSPACE_ID: 'old' },
    (c) => c.langsmith?.workspaceId,
    'old',
    { LANGSMITH_API_KEY: 'k', LANGCHAIN_WORKSPACE_ID: '' },
    { value: undefined },
  ],
  ['LANGSMITH_OTEL_TRUST', { LANGSMITH_OTEL_TRUST: 'yes' }, (c) => c.trust, true, { LANGSMITH_OTEL_TRUST: '10.0.0.0/33' }, /LANGSMITH_OTEL_TRUST/],
  [
    'LANGSMITH_OTEL_TRUST_TOKEN',
    { LANGSMITH_OTEL_TRUST_TOKEN: 'a-long-enough-secret-token' },
    (c) => typeof c.trust,
    'function',
    { LANGSMITH_OTEL_TRUST_TOKEN: 'short' },
    /LANGSMITH_OTEL_TRUST_TOKEN/,
  ],
  [
    'LANGSMITH_OTEL_TRUST_HEADER',
    { LANGSMITH_OTEL_TRUST_TOKEN: 'a-long-enough-secret-token', LANGSMITH_OTEL_TRUST_HEADER: 'x-gw' },
    (c) => typeof c.trust,
    'function',
    { LANGSMITH_OTEL_TRUST_HEADER: 'x-gw' },
    /LANGSMITH_OTEL_TRUST_HEADER/,
  ],
  [
    'LANGSMITH_OTEL_TRACEPARENT_ONLY',
    { LANGSMITH_OTEL_TRACEPARENT_ONLY: 'attach', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
    (c) => c.traceparentOnly,
    'attach',
    { LANGSMITH_OTEL_TRACEPARENT_ONLY: 'join' },
    /LANGSMITH_OTEL_TRACEPARENT_ONLY=join: set `root`/,
  ],
  [
    'LANGSMITH_OTEL_FILE',
    { LANGSMITH_OTEL_FILE: 'runs.jsonl' },
    (c) => c.file,
    'runs.jsonl',
    { LANGSMITH_OTEL_FILE: 'runs.jsonl', LANGSMITH_OTEL_TRACEPARENT_ONLY: 'attach' },
    /LANGSMITH_OTEL_TRACEPARENT_ONLY=attach cannot be used with the run file/,
  ],
  [
    'LANGSMITH_OTEL_PRINT',
    { LANGSMITH_OTEL_PRINT: 'off' },
    (c) => c.printTrees,
    false,
    { LANGSMITH_OTEL_PRINT: 'maybe' },
    /LANGSMITH_OTEL_PRINT=maybe: set true or false/,
  ],
  [
    'LANGSMITH_OTEL_QUIET',
    { LANGSMITH_OTEL_QUIET: '1' },
    (c) => c.quiet,
    true,
    { LANGSMITH_OTEL_QUIET: 'maybe' },
    /LANGSMITH_OTEL_QUIET=maybe: set true or false/,
  ],
  [
    'LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS',
    { LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS: '2000' },
    (c) => c.shutdownTimeoutMillis,
    2000,
    { LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS: '2s' },
    /LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS=2s: set a positive whole number/,
  ],
  [
    'LANGSMITH_OTEL_ENABLED',
    { LANGSMITH_OTEL_ENABLED: 'on' },
    (c) => c.langsmithOtelMode,
    true,
    { LANGSMITH_OTEL_ENABLED: 'maybe' },
    /LANGSMITH_OTEL_ENABLED=maybe: set true or false/,
  ],
  [
    'LANGSMITH_TRACING_MODE',
    { LANGSMITH_TRACING_MODE: 'OTEL', LANGCHAIN_TRACING_MODE: 'langsmith' },
    (c) => c.langsmithOtelMode,
    true,
    { LANGSMITH_TRACING_MODE: 'otlp' },
    /LANGSMITH_TRACING_MODE=otlp: set otel or langsmith/,
  ],
  [
    'LANGCHAIN_TRACING_MODE',
    { LANGCHAIN_TRACING_MODE: 'otel' },
    (c) => c.langsmithOtelMode,
    true,
    { LANGCHAIN_TRACING_MODE: 'on' },
    /LANGCHAIN_TRACING_MODE=on: set otel or langsmith/,
  ],
];

describe('the configuration table: a good and a bad value for every variable', () => {
  it.each(TABLE)('%s: a good value', (_name, good, pick, expected) => {
    expect(pick(resolveConfig({ env: good }))).toEqual(expected);
  });
  it.each(TABLE)('%s: a bad value', (_name, _good, pick, _expected, bad, outcome) => {
    if (outcome instanceof RegExp) {
      let error: unknown;
      try {
        resolveConfig({ env: bad });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(BridgeConfigError);
      expect((error as Error).message).toMatch(outcome);
    } else {
      expect(pick(resolveConfig({ env: bad }))).toEqual(outcome.value);
    }
  });

  it('OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES; the option over both', () => {
    const attrs = { OTEL_RESOURCE_ATTRIBUTES: 'service.name=attrs,team=a' };
    expect(resolveConfig({ env: { ...attrs, OTEL_SERVICE_NAME: 'env' } }).resourceAttributes).toEqual({ 'service.name': 'env', team: 'a' });
    expect(resolveConfig({ env: { ...attrs, OTEL_SERVICE_NAME: 'env' }, serviceName: 'opt', resourceAttributes: { team: 'b' } }).resourceAttributes).toEqual({
      'service.name': 'opt',
      team: 'b',
    });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['false', false],
    ['', false],
  ])('OTEL_SDK_DISABLED=%j → %s', (value, expected) => expect(isSdkDisabled({ OTEL_SDK_DISABLED: value })).toBe(expected));
  it.each(['1', 'yes', 'disabled'])('OTEL_SDK_DISABLED=%s is an error (the spec reads only true/false)', (value) => {
    expect(() => isSdkDisabled({ OTEL_SDK_DISABLED: value })).toThrow(`OTEL_SDK_DISABLED=${value}: set true or false`);
  });

  it("OTEL_ENABLED (the langsmith SDK's legacy flag) does not switch the bridge on, and the off line says so", () => {
    expect(isBridgeEnabled({ OTEL_ENABLED: 'true' })).toBe(false);
    expect(notEnabledLine({ OTEL_ENABLED: 'true' })).toMatch(/OTEL_ENABLED is the langsmith SDK's legacy OTel-mode flag and does not switch the bridge on/);
    expect(notEnabledLine({})).toBe('langsmith-otel-bridge: not enabled (set LANGSMITH_OTEL_ENABLED=true to trace this process)');
  });
});

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const B3_TRACE_ID = '463ac35c9f6413ad48485a3953bb6124';
const B3_SPAN_ID = 'a2fb4a1d1a96d312';

async function composed(propagators: string, trust = 'true'): Promise<{ p: TextMapPropagator; bridge: TextMapPropagator }> {
  const c = await createLangSmithBridge({
    env: { OTEL_PROPAGATORS: propagators, LANGSMITH_OTEL_TRUST: trust, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' },
    instrumentHttp: false,
    instrumentFetch: false,
  });
  return { p: c.textMapPropagator, bridge: c.propagator };
}

function injectWith(p: TextMapPropagator, ctx = remoteParent()): { headers: Record<string, string>; writes: string[] } {
  const headers: Record<string, string> = {};
  const writes: string[] = [];
  p.inject(ctx, headers, {
    set: (carrier, key, value) => {
      writes.push(key);
      defaultTextMapSetter.set(carrier, key, value);
    },
  });
  return { headers, writes };
}

function remoteParent() {
  const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: false });
  return propagation.setBaggage(ctx, propagation.createBaggage({ tenant: { value: 'acme' } }));
}

describe('OTEL_PROPAGATORS: other formats composed with the bridge', () => {
  it('unset: the bridge alone is the propagator to register', async () => {
    const { p, bridge } = await composed('');
    expect(p).toBe(bridge);
  });

  it('b3: a header from a real B3Propagator inject is extracted by the composition', async () => {
    const { p } = await composed('b3');
    const headers: Record<string, string> = {};
    const b3ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: B3_TRACE_ID, spanId: B3_SPAN_ID, traceFlags: TraceFlags.SAMPLED });
    new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }).inject(b3ctx, headers, defaultTextMapSetter);
    expect(Object.keys(headers)).toEqual(['b3']);
    const parent = trace.getSpanContext(p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
    expect(parent).toMatchObject({ traceId: B3_TRACE_ID, spanId: B3_SPAN_ID, isRemote: true });
  });

  it('extract prefers the bridge: traceparent wins over a B3 header for another trace', async () => {
    const { p } = await composed('b3multi');
    const headers: Record<string, string> = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` };
    new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }).inject(
      trace.setSpanContext(ROOT_CONTEXT, { traceId: B3_TRACE_ID, spanId: B3_SPAN_ID, traceFlags: TraceFlags.SAMPLED }),
      headers,
      defaultTextMapSetter,
    );
    expect(headers['x-b3-traceid']).toBe(B3_TRACE_ID);
    expect(trace.getSpanContext(p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter))?.traceId).toBe(TRACE_ID);
  });

  it("an untrusted caller's B3 header is no parent either (the bridge's trust policy covers every format)", async () => {
    const { p } = await composed('b3', 'false');
    const extracted = p.extract(ROOT_CONTEXT, { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1` }, defaultTextMapGetter);
    expect(trace.getSpanContext(extracted)).toBeUndefined();
  });

  it("inject writes B3, Jaeger and X-Ray next to traceparent, and the bridge's baggage is the one baggage", async () => {
    const { p } = await composed('b3,b3multi,jaeger,xray,tracecontext,baggage');
    const { headers, writes } = injectWith(p);
    expect(headers.traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
    expect(headers.b3).toBe(`${TRACE_ID}-${SPAN_ID}-1`);
    expect(headers['x-b3-traceid']).toBe(TRACE_ID);
    expect(headers['uber-trace-id']).toMatch(new RegExp(`^${TRACE_ID}:${SPAN_ID}:0+:0?1$`));
    expect(headers['x-amzn-trace-id']).toContain(`Parent=${SPAN_ID}`);
    expect(writes.filter((k) => k === 'baggage')).toEqual(['baggage']);
    expect(writes.filter((k) => k === 'traceparent')).toEqual(['traceparent']);
    expect(headers.baggage).toContain('tenant=acme');
    expect(p.fields()).toEqual(
      expect.arrayContaining(['traceparent', 'tracestate', 'baggage', 'langsmith-trace', 'b3', 'x-b3-traceid', 'uber-trace-id', 'x-amzn-trace-id']),
    );
  });

  it("a member that writes the bridge's headers is kept from them: one writer of traceparent and baggage", async () => {
    // Jaeger writes its baggage as uberctx-*, never `baggage`; W3C propagators as members stand for one that would.
    const { bridge } = await composed('');
    const p = new ComposedPropagator(bridge as LangSmithPropagator, true, [
      new W3CBaggagePropagator(),
      new W3CTraceContextPropagator(),
      new JaegerPropagator(),
    ]);
    const ctx = propagation.setBaggage(remoteParent(), propagation.createBaggage({ tenant: { value: 'acme' }, 'langsmith-metadata-x': { value: 'y' } }));
    const { headers, writes } = injectWith(p, ctx);
    expect(writes.filter((k) => ['traceparent', 'tracestate', 'baggage', 'langsmith-trace'].includes(k)).sort()).toEqual(['baggage', 'traceparent']);
    expect(writes).toContain('uberctx-tenant');
    const alone = injectWith(bridge, ctx).headers;
    expect({ traceparent: headers.traceparent, baggage: headers.baggage }).toEqual({ traceparent: alone.traceparent, baggage: alone.baggage });
  });

  it('X-Ray and Jaeger headers from their real propagators are extracted', async () => {
    const { p } = await composed('xray,jaeger');
    for (const other of [new AWSXRayPropagator(), new JaegerPropagator()]) {
      const headers: Record<string, string> = {};
      other.inject(
        trace.setSpanContext(ROOT_CONTEXT, { traceId: B3_TRACE_ID, spanId: B3_SPAN_ID, traceFlags: TraceFlags.SAMPLED }),
        headers,
        defaultTextMapSetter,
      );
      expect(trace.getSpanContext(p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter))?.spanId).toBe(B3_SPAN_ID);
    }
  });
});
