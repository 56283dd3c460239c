// What the two peers of the bridge (plain-otel.mjs, langsmith-exporter.mjs)
// share: plain OpenTelemetry — W3C propagators, instrumentation-http — with
// `exporter` behind a BatchSpanProcessor. The queue takes the bridge's
// defaults (1 s delay, 512 per batch, 2048 queued) and the same OTEL_BSP_*
// overrides it reads, so all three variants export alike.
import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Sets up the tracer provider (service.name: OTEL_SERVICE_NAME, else `defaultName`) and `globalThis.__benchShutdown`. */
export function startPeer(exporter, defaultName) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? defaultName }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
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
}
