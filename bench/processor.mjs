// Processor benchmark, side by side with a bare BatchSpanProcessor in one run:
//   1. per-span overhead on the request path (start + end), export deferred
//   2. mapping + serialization throughput on one core (typical LLM spans)
// The stalled-sink memory check runs in its own process (bench/processor-stall.mjs).
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LangSmithLineageProcessor, LangSmithSpanProcessor, spanToRun } from '../dist/esm/index.js';
import { compare, fmtNs, report } from './harness.mjs';

const noopExporter = { export: (_spans, cb) => cb({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
const QUEUE = { maxQueueSize: 1 << 20, maxExportBatchSize: 512, scheduledDelayMillis: 1000 };

function llmAttributes(i) {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.request.temperature': 0.2,
    'gen_ai.input.messages': JSON.stringify([
      { role: 'system', parts: [{ type: 'text', content: 'You are a helpful assistant that answers from the documents.' }] },
      { role: 'user', parts: [{ type: 'text', content: `Question ${i}: how does context propagation work across services?` }] },
    ]),
    'gen_ai.output.messages': JSON.stringify([
      { role: 'assistant', parts: [{ type: 'text', content: 'Each hop forwards traceparent and langsmith-trace headers.' }], finish_reason: 'stop' },
    ]),
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.usage.input_tokens': 412,
    'gen_ai.usage.output_tokens': 57,
  };
}

export function run() {
  // 1. Overhead per span: a child span under a parent, started and ended.
  const make = (processor) => {
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('bench');
    const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER });
    const ctx = trace.setSpan(ROOT_CONTEXT, parent);
    return () => tracer.startSpan('child', { kind: SpanKind.INTERNAL }, ctx).end();
  };
  const overhead = compare(
    {
      bare: make(new BatchSpanProcessor(noopExporter, QUEUE)),
      bridge: make(new LangSmithSpanProcessor({ exporter: noopExporter, ...QUEUE })),
    },
    { iterations: 20_000, rounds: 15 },
  );

  // 2. Mapping + serialization of typical LLM spans (ended, with lineage).
  const captured = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new LangSmithLineageProcessor(), new SimpleSpanProcessor(captured)] });
  const tracer = provider.getTracer('bench');
  const root = tracer.startSpan('agent');
  const rootCtx = trace.setSpan(ROOT_CONTEXT, root);
  for (let i = 0; i < 1000; i++) tracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT, attributes: llmAttributes(i) }, rootCtx).end();
  const spans = captured.getFinishedSpans();
  const mapping = compare({ map: (i) => JSON.stringify(spanToRun(spans[i % spans.length])) }, { iterations: 5_000, rounds: 9 });
  const perSecond = 1e9 / mapping.map;

  const rows = report('Span processor (Node ' + process.version + ')', [
    {
      name: 'per-span overhead (child start + end)',
      bridge: overhead.bridge,
      anchorName: 'bare BatchSpanProcessor',
      anchor: overhead.bare,
      ratio: overhead.bridge / overhead.bare,
      ratioText: `+${fmtNs(overhead.bridge - overhead.bare)}`,
      target: '≤ +1 µs',
      met: overhead.bridge - overhead.bare <= 1000,
    },
    {
      name: 'spanToRun + JSON.stringify, typical LLM span',
      bridge: mapping.map,
      anchorName: 'target 20 µs',
      anchor: 20_000,
      ratio: mapping.map / 20_000,
      ratioText: `${Math.round(perSecond).toLocaleString('en-US')} spans/s`,
      target: '≥ 50,000 spans/s',
      met: perSecond >= 50_000,
    },
  ]);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) run();
