/**
 * The OTLP span exporter for the protocol the configuration names
 * (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL > OTEL_EXPORTER_OTLP_PROTOCOL, as the
 * OTel spec defines them), each from OpenTelemetry's own exporter package:
 *
 * | protocol                  | package                                     | endpoint                          |
 * |---------------------------|---------------------------------------------|-----------------------------------|
 * | `http/protobuf` (default) | `@opentelemetry/exporter-trace-otlp-proto`  | `…/v1/traces` (collector :4318)   |
 * | `http/json`               | `@opentelemetry/exporter-trace-otlp-http`   | `…/v1/traces` (collector :4318)   |
 * | `grpc`                    | `@opentelemetry/exporter-trace-otlp-grpc`   | `http://host:4317`, no path       |
 *
 * All three are optional peers: only the one in use must be installed, and a
 * missing one is a configuration error naming the package to install.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { SpanExporterLike } from '../processor/LangSmithSpanProcessor.js';
import { BridgeConfigError, type OtlpProtocol, type ResolvedConfig } from './config.js';

/** The npm package that implements each protocol. */
export const OTLP_EXPORTER_PACKAGES: Readonly<Record<OtlpProtocol, string>> = {
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
  grpc: '@opentelemetry/exporter-trace-otlp-grpc',
};

type ExporterClass = new (config: Record<string, unknown>) => SpanExporterLike;

/** An OTLP span exporter for `config.otlp` (url, headers, protocol). */
export async function createOtlpExporter(otlp: NonNullable<ResolvedConfig['otlp']>): Promise<SpanExporterLike> {
  const name = OTLP_EXPORTER_PACKAGES[otlp.protocol];
  const { OTLPTraceExporter } = await loadExporter(name, otlp.protocol);
  if (otlp.protocol !== 'grpc') return new OTLPTraceExporter({ url: otlp.url, headers: otlp.headers });
  // The gRPC exporter takes headers as grpc-js Metadata, from the copy of
  // @grpc/grpc-js that the exporter itself resolves (never a second one).
  const { Metadata } = createRequire(resolvePackage(name))('@grpc/grpc-js') as {
    Metadata: new () => { set(key: string, value: string): void };
  };
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(otlp.headers)) metadata.set(key.toLowerCase(), value);
  return new OTLPTraceExporter({ url: otlp.url, metadata });
}

async function loadExporter(name: string, protocol: OtlpProtocol): Promise<{ OTLPTraceExporter: ExporterClass }> {
  try {
    return (await import(name)) as { OTLPTraceExporter: ExporterClass };
  } catch (err) {
    throw new BridgeConfigError(`OTLP export with protocol ${protocol} needs the package ${name}: npm install ${name} (${(err as Error).message})`);
  }
}

function resolvePackage(name: string): string {
  // import.meta is not in the CJS build; from the working directory (or the main script's folder)
  // require.resolve finds the same hoisted copy that `import(name)` loaded for an application.
  const paths = [process.cwd(), ...(process.argv[1] ? [dirname(process.argv[1])] : [])];
  return createRequire(`${process.cwd()}/index.js`).resolve(name, { paths });
}

/** LangSmith's OTLP endpoint reads the project of spans that name none from this header (langsmith.md §3). */
export const LANGSMITH_PROJECT_HEADER = 'Langsmith-Project';

/**
 * Sending straight to LangSmith, the process's project travels once per
 * request as the `Langsmith-Project` header instead of on every span (a
 * header the user set wins); `project` is then what LangSmith gives spans
 * that name none. Through a collector the bridge cannot know what the
 * collector adds, so the project is ingest's `default` and any other is
 * written per span.
 */
export function withProjectHeader(
  otlp: NonNullable<ResolvedConfig['otlp']>,
  project: string | undefined,
): { otlp: NonNullable<ResolvedConfig['otlp']>; project: string | undefined } {
  if (!otlp.toLangSmith) return { otlp, project: undefined };
  const own = Object.keys(otlp.headers).find((h) => h.toLowerCase() === LANGSMITH_PROJECT_HEADER.toLowerCase());
  if (own !== undefined) return { otlp, project: otlp.headers[own] };
  if (project === undefined) return { otlp, project: undefined };
  return { otlp: { ...otlp, headers: { ...otlp.headers, [LANGSMITH_PROJECT_HEADER]: project } }, project };
}
