// With the sink stalled, 1,000,000 spans must grow the heap by ≤ 64 MB and
// every drop must be counted. Run with --expose-gc (bench/run.mjs does).
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { LangSmithSpanProcessor } from '../dist/esm/index.js';

const SPANS = Number(process.env.STALL_SPANS ?? 1_000_000);
const stalled = { name: 'stalled', write: () => new Promise(() => {}) };
const processor = new LangSmithSpanProcessor({ sinks: [stalled], scheduledDelayMillis: 10 });
const provider = new BasicTracerProvider({ spanProcessors: [processor] });
const tracer = provider.getTracer('stall');

globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
let peak = before;
const root = tracer.startSpan('root');
const ctx = trace.setSpan(ROOT_CONTEXT, root);
for (let i = 0; i < SPANS; i++) {
  tracer.startSpan('span', { attributes: { 'gen_ai.operation.name': 'chat', i } }, ctx).end();
  if (i % 50_000 === 0) {
    await new Promise((r) => setImmediate(r));
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
}
globalThis.gc?.();
const after = process.memoryUsage().heapUsed;
const s = processor.stats.queues.stalled;
const result = {
  spans: SPANS,
  heapGrowthMB: (after - before) / 2 ** 20,
  peakGrowthMB: (peak - before) / 2 ** 20,
  queued: s.queued,
  droppedQueueFull: s.droppedQueueFull,
  counted: s.queued + s.droppedQueueFull === SPANS,
};
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
