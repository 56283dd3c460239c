/**
 * The in-process setup of the SDK tests: the local ingest (LANGSMITH_ENDPOINT
 * points at it) and a tracer provider exporting to it through the bridge's
 * processor, registered as the global provider with the bridge's propagator
 * and an async context manager. Set the SDK's env first (./langsmith-env.ts).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LangSmithPropagator, LangSmithSpanProcessor } from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../../src/ingest/index.js';

export interface BridgeHarness {
  ingest: IngestServer;
  processor: LangSmithSpanProcessor;
  provider: BasicTracerProvider;
  /** What `trace.setGlobalTracerProvider` answered. */
  registered: boolean;
}

export async function startBridgeHarness(options: { project: string; serviceName: string; spanProcessors?: SpanProcessor[] }): Promise<BridgeHarness> {
  const ingest = await startIngestServer();
  process.env.LANGSMITH_ENDPOINT = ingest.url;
  const processor = new LangSmithSpanProcessor({
    exporter: new OTLPTraceExporter({ url: `${ingest.url}/otel/v1/traces` }),
    project: options.project,
    scheduledDelayMillis: 20,
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [processor, ...(options.spanProcessors ?? [])],
  });
  const registered = trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new LangSmithPropagator({ trust: true }));
  return { ingest, processor, provider, registered };
}

/** Shuts the provider down, unregisters the globals, closes the ingest (whatever of it was started). */
export async function stopBridgeHarness(harness: Partial<BridgeHarness>): Promise<void> {
  await harness.provider?.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
  await harness.ingest?.close();
}
