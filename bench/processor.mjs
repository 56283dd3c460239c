// Span processor benchmark: the bridge's OTLP path against a bare
// BatchSpanProcessor feeding the same exporter, interleaved in one run.
//
// Every candidate's exporter is the same: it serializes what it is handed
// with the SDK's own ProtobufTraceSerializer (@opentelemetry/otlp-transformer,
// the code OTLPTraceExporter/proto runs) and drops the bytes. So each figure
// includes what a user's process pays up to the request body on the wire —
// span start and end, the queue, the bridge's encoding, the serializer — and
// nothing of the network. Each round awaits forceFlush(): export is inside
// the timing, not deferred past it.
//
//   1. per-span cost, start → end → serialized: an HTTP server span and a
//      chat span with GenAI attributes, bridge vs bare BatchSpanProcessor
//   2. encode + serialize of ended chat spans (onEnd → forceFlush), bridge vs
//      the same spans serialized plain: the export path alone, spans/s
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { compareAsync, fmtNsSpread, fmtRate, fmtRatio, ratios, spread } from './harness.mjs';

// Never flushed by the timer within a round: each round flushes explicitly.
const QUEUE = { maxQueueSize: 1 << 16, maxExportBatchSize: 512, scheduledDelayMillis: 3_600_000 };
const BATCH = 1000;

/** The exporter every candidate feeds: protobuf-serializes, counts the bytes, keeps nothing. */
export function serializingExporter() {
  const stats = { requests: 0, spans: 0, bytes: 0 };
  return {
    stats,
    export(spans, cb) {
      const body = ProtobufTraceSerializer.serializeRequest(spans);
      stats.requests++;
      stats.spans += spans.length;
      stats.bytes += body?.byteLength ?? 0;
      cb({ code: 0 });
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
}

/** The attributes instrumentation-http sets on a server span (semconv 1.x names it still emits by default). */
export function httpAttributes(i) {
  return {
    'http.url': `http://127.0.0.1:8080/orders/${i}`,
    'http.host': '127.0.0.1:8080',
    'net.host.name': '127.0.0.1',
    'http.method': 'POST',
    'http.scheme': 'http',
    'http.target': `/orders/${i}`,
    'http.user_agent': 'node',
    'http.request_content_length_uncompressed': 9,
    'http.flavor': '1.1',
    'net.transport': 'ip_tcp',
    'net.host.ip': '127.0.0.1',
    'net.host.port': 8080,
    'net.peer.ip': '127.0.0.1',
    'net.peer.port': 50312,
    'http.status_code': 200,
    'http.status_text': 'OK',
  };
}

export function chatAttributes(i) {
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

const SHAPES = {
  http: { name: 'GET /orders/:id', kind: SpanKind.SERVER, attributes: httpAttributes },
  chat: { name: 'chat gpt-4o-mini', kind: SpanKind.CLIENT, attributes: chatAttributes },
};

/** `BATCH` child spans of one shape under a parent, started, ended and flushed through `processor`. */
function pipeline(processor, exporter, shape) {
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('bench');
  const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER });
  const ctx = trace.setSpan(ROOT_CONTEXT, parent);
  const attrs = Array.from({ length: BATCH }, (_, i) => shape.attributes(i));
  const c = {
    units: BATCH,
    exporter,
    runs: 0,
    run: async () => {
      c.runs++;
      for (let i = 0; i < BATCH; i++) tracer.startSpan(shape.name, { kind: shape.kind, attributes: attrs[i] }, ctx).end();
      await processor.forceFlush();
    },
  };
  return c;
}

/** Ended spans (with the bridge's lineage, which only its processor reads) to hand to onEnd. */
function endedSpans(lib, shape) {
  const captured = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new lib.LangSmithLineageProcessor(), new SimpleSpanProcessor(captured)] });
  const tracer = provider.getTracer('bench');
  const root = tracer.startSpan('agent');
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  for (let i = 0; i < BATCH; i++) tracer.startSpan(shape.name, { kind: shape.kind, attributes: shape.attributes(i) }, ctx).end();
  return captured.getFinishedSpans();
}

function exportPath(processor, exporter, spans) {
  const c = {
    units: spans.length,
    exporter,
    runs: 0,
    run: async () => {
      c.runs++;
      for (let i = 0; i < spans.length; i++) processor.onEnd(spans[i]);
      await processor.forceFlush();
    },
  };
  return c;
}

const bridgeProcessor = (lib, exporter) => new lib.LangSmithSpanProcessor({ exporter, ...QUEUE });

/** The anchors: a bare BatchSpanProcessor with the same exporter. `spans` are the ended chat spans. */
export function anchors(spans) {
  const plain = serializingExporter();
  const bsp = (exporter) => new BatchSpanProcessor(exporter, QUEUE);
  const [e1, e2] = [serializingExporter(), serializingExporter()];
  return {
    candidates: {
      httpPlain: pipeline(bsp(e1), e1, SHAPES.http),
      chatPlain: pipeline(bsp(e2), e2, SHAPES.chat),
      serializePlain: exportPath(bsp(plain), plain, spans),
    },
    exporters: { serializePlain: plain },
  };
}

/** The bridge's side, from a loaded `dist/esm/index.js`; `spans` are ended chat spans with its lineage. */
export function candidates(lib, spans) {
  const serialize = serializingExporter();
  const [e1, e2] = [serializingExporter(), serializingExporter()];
  return {
    candidates: {
      http: pipeline(bridgeProcessor(lib, e1), e1, SHAPES.http),
      chat: pipeline(bridgeProcessor(lib, e2), e2, SHAPES.chat),
      serialize: exportPath(bridgeProcessor(lib, serialize), serialize, spans),
    },
    exporters: { serialize },
  };
}

/**
 * Every span a candidate ended reached its exporter and was serialized: a
 * candidate that dropped or filtered spans would look fast for the wrong
 * reason. The bridge's encoding may skip spans only by its filter, and the
 * shapes here are all kept.
 */
export function verifyExported(cands) {
  for (const [name, c] of Object.entries(cands)) {
    const handed = c.exporter.stats.spans;
    const expected = c.units * c.runs;
    if (handed !== expected) throw new Error(`processor bench: ${name} exported ${handed} spans of ${expected} ended`);
  }
}

export { endedSpans, SHAPES };
export const SETTINGS = { rounds: 15, warmup: 5 };

export async function run(lib) {
  lib ??= await import('../dist/esm/index.js');
  const spans = endedSpans(lib, SHAPES.chat);
  const a = anchors(spans);
  const c = candidates(lib, spans);
  const s = await compareAsync({ ...c.candidates, ...a.candidates }, SETTINGS);
  verifyExported({ ...c.candidates, ...a.candidates });
  const bytesPerSpan = (e) => e.stats.bytes / Math.max(1, e.stats.spans);
  const row = (name, mine, anchorName, theirs, target, ok, rate = false) => {
    const r = spread(ratios(mine, theirs));
    return { name, bridge: spread(mine), anchorName, anchor: spread(theirs), ratio: r, rate, target, met: ok === undefined ? undefined : ok(spread(mine), r) };
  };
  const rows = [
    row('per-span cost, HTTP server span: start → end → OTLP protobuf bytes', s.http, 'bare `BatchSpanProcessor`, same exporter', s.httpPlain, '—'),
    row(
      'per-span cost, chat span with GenAI attributes: start → end → OTLP protobuf bytes',
      s.chat,
      'bare `BatchSpanProcessor`, same exporter',
      s.chatPlain,
      '—',
    ),
    row('throughput of the OTLP path, chat spans, one core (as above)', s.chat, 'bare `BatchSpanProcessor`, same exporter', s.chatPlain, '—', undefined, true),
    row(
      'encode + serialize, ended chat spans (onEnd → forceFlush → protobuf)',
      s.serialize,
      'the same spans serialized plain',
      s.serializePlain,
      '≥ 60,000/s',
      (m) => 1e9 / m.median >= 60_000,
      true,
    ),
  ];
  const bytes = { bridge: bytesPerSpan(c.exporters.serialize), plain: bytesPerSpan(a.exporters.serializePlain) };
  return { title: 'Span processor', rows, bytesPerChatSpan: bytes, samples: s };
}

export function markdown({ rows, bytesPerChatSpan }) {
  const lines = ['| measurement | bridge | anchor | bridge / anchor per round | target |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const met = r.met === undefined ? '' : r.met ? ' ✔' : ' **✘**';
    const f = r.rate ? fmtRate : fmtNsSpread;
    const unit = r.rate ? '' : ' per span';
    const ratio = r.rate
      ? `${fmtRatio(spread(r.ratio.n ? [1 / r.ratio.max, 1 / r.ratio.median, 1 / r.ratio.min] : []))} the anchor's rate`
      : `${fmtRatio(r.ratio)} the time`;
    lines.push(`| ${r.name} | ${f(r.bridge)}${unit} | ${r.anchorName}: ${f(r.anchor)}${unit} | ${ratio} | ${r.target}${met} |`);
  }
  lines.push('');
  lines.push(
    `OTLP protobuf bytes per chat span: bridge ${bytesPerChatSpan.bridge.toFixed(0)}, plain ${bytesPerChatSpan.plain.toFixed(0)} (${(bytesPerChatSpan.bridge / bytesPerChatSpan.plain).toFixed(2)}×).`,
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(markdown(await run()));
