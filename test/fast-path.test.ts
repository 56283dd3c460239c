/**
 * The processor's fast path for encoding (a) (issue 10, decision 3): a span
 * whose lineage ingest derives and whose own data is infrastructure only
 * skips spanToRun. Its exported attributes must be exactly the full path's:
 * a property over generated spans compares the two, span by span, under the
 * same write rules.
 */
import { defaultTextMapGetter, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type AttributeValue, type Context } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { LangSmithSpanProcessor, type SpanExporterLike } from '../src/processor/LangSmithSpanProcessor.js';
import type { SpanLike } from '../src/mapping/types.js';
import { spanToRun } from '../src/mapping/span-to-run.js';
import { setSpanLineage } from '../src/lineage/lineage.js';
import { LangSmithBaggage } from '../src/headers/langsmith-baggage.js';
import * as codecs from '../src/headers/index.js';
import { LangSmithPropagator } from '../src/propagator/LangSmithPropagator.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const NULL_EXPORTER: SpanExporterLike = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };

/** The processor's private encoders: the switch and the method the export queue calls. */
interface Encoders {
  _fastPath: boolean;
  _encode(span: SpanLike): SpanLike | undefined;
  _encodeFast(span: SpanLike, lineage: unknown): SpanLike | undefined;
}

function setup(options: { project?: string; exporterProject?: string; maxPayloadBytes?: number } = {}) {
  const processor = new LangSmithSpanProcessor({ exporter: NULL_EXPORTER, ...options });
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), spanProcessors: [processor] });
  cleanups.push(() => provider.shutdown());
  return { processor, encoders: processor as unknown as Encoders, tracer: provider.getTracer('t') };
}

/** Both encodings of one span: the fast path (where it applies) and the full path. */
function bothPaths(encoders: Encoders, span: ReadableSpan) {
  encoders._fastPath = true;
  let tookFast = false;
  const encodeFast = encoders._encodeFast;
  encoders._encodeFast = function (this: Encoders, s, lineage) {
    const out = encodeFast.call(this, s, lineage);
    tookFast = out !== undefined;
    return out;
  };
  const fast = encoders._encode(span)!;
  encoders._encodeFast = encodeFast;
  encoders._fastPath = false;
  const full = encoders._encode(span)!;
  encoders._fastPath = true;
  return { fast, full, tookFast };
}

// Keys the fast path accepts (read by the mapping or not), and a few it must refuse.
const INFRA_KEYS = [
  'http.request.method',
  'http.method',
  'url.full',
  'http.url',
  'http.route',
  'url.path',
  'http.target',
  'http.response.status_code',
  'http.status_code',
  'rpc.method',
  'rpc.service',
  'rpc.system',
  'db.query.text',
  'db.statement',
  'db.system.name',
  'db.system',
  'error.type',
  'server.address',
  'net.peer.name',
  'network.protocol.version',
  'user_agent.original',
  'client.address',
  'peer.service',
  'http.request.body.size',
  'url.scheme',
];
const OTHER_KEYS = ['gen_ai.operation.name', 'langsmith.metadata.k', 'session.id', 'tool.name', 'langsmith.span.kind', 'input.value'];

const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.constantFrom('GET', 'POST', 'http://h:8080/a/b?q=1', '/ask', 'not a url', '', 'SELECT 1', 'postgresql', 'chat', 'tool', 'x'.repeat(40)),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: 100, max: 599 }),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
);

/**
 * Parent contexts as a trusted propagator extracts them, so the fast path's
 * exits for inbound metadata, tags and upstream OTel ids are compared with
 * the full path too. `langsmith-trace` names the padded `traceparent` span
 * id, as a bridge upstream sends it: the lineage stays derivable.
 */
const UPSTREAM_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const UPSTREAM_SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${UPSTREAM_TRACE_ID}-${UPSTREAM_SPAN_ID}-01`;
const LANGSMITH_TRACE = codecs.formatDottedOrderSegment(1_700_000_000_000_000, codecs.runIdFromSpanId(UPSTREAM_SPAN_ID));
const INBOUND: Record<string, Record<string, string> | undefined> = {
  none: undefined,
  traceparentOnly: { traceparent: TRACEPARENT },
  langsmith: { traceparent: TRACEPARENT, 'langsmith-trace': LANGSMITH_TRACE },
  metadata: { traceparent: TRACEPARENT, 'langsmith-trace': LANGSMITH_TRACE, baggage: 'langsmith-metadata=%7B%22team%22%3A%22search%22%7D' },
  tags: { traceparent: TRACEPARENT, 'langsmith-trace': LANGSMITH_TRACE, baggage: 'langsmith-tags=a%2Cb' },
  project: { traceparent: TRACEPARENT, 'langsmith-trace': LANGSMITH_TRACE, baggage: 'langsmith-project=inbound' },
  metadataTraceparentOnly: { traceparent: TRACEPARENT, baggage: 'langsmith-metadata=%7B%22team%22%3A%22search%22%7D,langsmith-tags=a' },
};
const inbound = fc.constantFrom(...Object.keys(INBOUND));
const trusted = new LangSmithPropagator({ trust: true });
function inboundContext(name: string): Context {
  const headers = INBOUND[name];
  return headers === undefined ? ROOT_CONTEXT : trusted.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

const spanShape = fc.record({
  name: fc.oneof(fc.constantFrom('GET', 'POST', '_OTHER', 'PATCH', 'SELECT', 'db.query', 'ai.generateText', 'ai.toolCall'), fc.string({ maxLength: 8 })),
  attributes: fc.dictionary(
    fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...INFRA_KEYS) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_KEYS) }),
    value,
    { maxKeys: 6 },
  ),
  status: fc.constantFrom(SpanStatusCode.UNSET, SpanStatusCode.OK, SpanStatusCode.ERROR),
  events: fc.array(fc.constantFrom('retry', 'exception', 'gen_ai.choice', 'cache.miss'), { maxLength: 2 }),
  child: fc.boolean(),
  /** The parent context of a span that is not a child of the local root. */
  inbound,
});

describe('encoding (a) fast path', () => {
  it('exports a derivable child span with nothing to write as is: the same object', async () => {
    const { encoders, tracer } = setup();
    const root = tracer.startSpan('root');
    const span = tracer.startSpan('work', { attributes: { 'server.address': 'h', 'http.request.body.size': 3 } }, trace.setSpan(ROOT_CONTEXT, root));
    span.end();
    root.end();
    expect(encoders._encode(span as unknown as ReadableSpan)).toBe(span);
  });

  it('writes for an HTTP server span what the full mapping writes: the name, {method,url}, {status_code}', () => {
    const { encoders, tracer } = setup();
    const root = tracer.startSpan('root');
    const span = tracer.startSpan(
      'POST',
      { attributes: { 'http.request.method': 'POST', 'url.full': 'http://h/ask?x=1', 'http.route': '/ask', 'http.response.status_code': 200 } },
      trace.setSpan(ROOT_CONTEXT, root),
    );
    span.end();
    const { fast, full } = bothPaths(encoders, span as unknown as ReadableSpan);
    expect(fast).not.toBe(span);
    expect(fast.attributes).toEqual(full.attributes);
    expect(fast.attributes).toMatchObject({
      'langsmith.trace.name': 'POST /ask',
      'gen_ai.prompt': '{"method":"POST","url":"http://h/ask?x=1"}',
      'gen_ai.completion': '{"status_code":200}',
    });
  });

  it('property: for generated spans the fast path exports exactly the full path’s attributes and events', () => {
    let fastTaken = 0;
    let asIs = 0;
    fc.assert(
      fc.property(
        fc.array(spanShape, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(undefined, 'proj'),
        fc.constantFrom(undefined, 'proj'),
        fc.constantFrom(undefined, 8, 1024),
        inbound,
        (shapes, project, exporterProject, maxPayloadBytes, rootInbound) => {
          const { encoders, tracer } = setup({ project, exporterProject, maxPayloadBytes });
          const root = tracer.startSpan('root', {}, inboundContext(rootInbound));
          for (const shape of shapes) {
            const parent = shape.child ? trace.setSpan(ROOT_CONTEXT, root) : inboundContext(shape.inbound);
            const span = tracer.startSpan(shape.name, { attributes: shape.attributes as Attributes }, parent);
            for (const name of shape.events) span.addEvent(name, { 'exception.message': 'm' });
            span.setStatus({ code: shape.status });
            span.end();
            const readable = span as unknown as ReadableSpan;
            const { fast, full, tookFast } = bothPaths(encoders, readable);
            expect(fast.attributes).toEqual(full.attributes);
            expect(fast.events).toEqual(full.events);
            expect(fast.name).toBe(full.name);
            if (fast === readable) asIs++;
            else if (tookFast) fastTaken++;
          }
          root.end();
        },
      ),
      { numRuns: 300 },
    );
    // The property says nothing if the fast path never ran.
    expect(asIs).toBeGreaterThan(0);
    expect(fastTaken).toBeGreaterThan(0);
  });
});

describe('encoding (a) metadata ingest records itself (decisions 1 and 2)', () => {
  const spanId = '0102030405060708';
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  function spanWith(baggage: LangSmithBaggage | undefined): SpanLike {
    const span: SpanLike = {
      name: 'op',
      kind: 0,
      spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
      parentSpanContext: { traceId, spanId: '1111111111111111', traceFlags: 1 },
      startTime: [1_700_000_000, 0],
      endTime: [1_700_000_001, 0],
      status: { code: SpanStatusCode.UNSET },
      attributes: {},
      links: [],
      events: [],
      resource: { attributes: { 'deployment.environment': 'prod', 'telemetry.sdk.name': 'opentelemetry' } },
    } as unknown as SpanLike;
    setSpanLineage(span, {
      runId: codecs.runIdFromSpanId(spanId),
      lsTraceId: codecs.runIdFromSpanId('1111111111111111'),
      parentRunId: codecs.runIdFromSpanId('1111111111111111'),
      dottedOrder: undefined,
      startMicros: 1_700_000_000_000_000,
      baggage,
      upstream: undefined,
    });
    return span;
  }

  it('direct ingest keeps resource metadata and both OTel ids; the OTLP cut leaves them to ingest', () => {
    const span = spanWith(undefined);
    expect(spanToRun(span).extra.metadata).toEqual({ 'deployment.environment': 'prod', otel_trace_id: traceId, otel_span_id: spanId });
    expect(spanToRun(span, {}, { otelTraceId: false }).extra.metadata).toEqual({});
    expect(spanToRun(span, {}, { otelTraceId: true }).extra.metadata).toEqual({ otel_trace_id: traceId });
  });

  it('a caller metadata key the resource overrides in direct ingest is not written through OTLP either', () => {
    const span = spanWith(LangSmithBaggage.from({ metadata: { 'deployment.environment': 'dev', team: 'search' } }));
    expect(spanToRun(span).extra.metadata).toMatchObject({ 'deployment.environment': 'prod', team: 'search' });
    expect(spanToRun(span, {}, { otelTraceId: false }).extra.metadata).toEqual({ team: 'search' });
  });
});
