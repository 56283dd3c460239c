/**
 * OTEL_EXPORTER_OTLP_PROTOCOL / OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: which
 * exporter package serves which protocol, and what a wrong value says. Each
 * protocol is also exercised against the real collector in test/stack-live.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resolveConfig } from '../src/setup/config.js';
import { createOtlpExporter, OTLP_EXPORTER_PACKAGES } from '../src/setup/otlp-exporter.js';

const otlpOf = (vars: Record<string, string>) => resolveConfig({ env: vars }).otlp!;

describe('OTLP protocol from the environment', () => {
  it.each([
    [{}, 'http/protobuf', 'http://c:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, 'http/protobuf', 'http://c:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'http/json', 'http://c:4318/v1/traces'],
    // gRPC has no path: the base endpoint is used as is (OTel spec).
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317' }, 'grpc', 'http://c:4317'],
    // The traces-specific variable wins over the general one.
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, 'http/json', 'http://c:4318/v1/traces'],
  ] as const)('%j → %s', (vars, protocol, url) => {
    const otlp = otlpOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', ...vars });
    expect(otlp.protocol).toBe(protocol);
    expect(otlp.url).toBe(url);
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'bogus'],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'http/thrift'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'GRPC'],
  ])('%s=%s is a config error naming the variable', (name, value) => {
    expect(() => otlpOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', [name]: value })).toThrow(
      new RegExp(`^${name}=${value.replace('/', '\\/')} is not an OTLP protocol: set one of http/protobuf, http/json, grpc`),
    );
  });

  it('the option wins over the environment', () => {
    const c = resolveConfig({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      otlp: { url: 'http://c:4318/v1/traces', protocol: 'http/json' },
    });
    expect(c.otlp!.protocol).toBe('http/json');
  });

  it("gRPC straight to LangSmith's /otel is refused (LangSmith has no OTLP/gRPC)", () => {
    expect(() =>
      otlpOf({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://api.smith.langchain.com/otel/v1/traces',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }),
    ).toThrow(/has no gRPC/);
  });
});

describe('createOtlpExporter', () => {
  it.each([
    ['http/protobuf', ProtoExporter],
    ['http/json', JsonExporter],
    ['grpc', GrpcExporter],
  ] as const)('%s uses its own exporter package', async (protocol, cls) => {
    const exporter = await createOtlpExporter({ url: 'http://127.0.0.1:9/v1/traces', headers: { 'x-api-key': 'k' }, protocol, toLangSmith: false });
    expect(exporter).toBeInstanceOf(cls);
    expect(OTLP_EXPORTER_PACKAGES[protocol]).toMatch(/^@opentelemetry\/exporter-trace-otlp-/);
    await (exporter as unknown as { shutdown(): Promise<void> }).shutdown();
  });
});
