// The peer a user would pick instead of the bridge: the same service with
// plain OpenTelemetry (W3C propagators, instrumentation-http) exporting through
// a BatchSpanProcessor and `langsmith`'s own LangSmithOTLPTraceExporter
// (langsmith/experimental/otel/exporter), to the same local receiver. The
// exporter sends nothing unless LangSmith tracing is on (its export() checks
// LANGSMITH_TRACING), so bench/two-hop.mjs sets it for this variant.
import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LangSmithOTLPTraceExporter } from 'langsmith/experimental/otel/exporter';

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'langsmith' }),
  // The same queue settings as the other two variants.
  spanProcessors: [
    new BatchSpanProcessor(new LangSmithOTLPTraceExporter({ url: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT }), {
      scheduledDelayMillis: Number(process.env.OTEL_BSP_SCHEDULE_DELAY ?? 1000),
      maxExportBatchSize: Number(process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE ?? 512),
      maxQueueSize: Number(process.env.OTEL_BSP_MAX_QUEUE_SIZE ?? 2048),
    }),
  ],
});
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
const http = new HttpInstrumentation();
http.setTracerProvider(provider);
http.enable();
createRequire(import.meta.url)('http');
globalThis.__benchShutdown = () => provider.shutdown();
