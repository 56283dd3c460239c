import { defaultTextMapGetter, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { getInboundContext, getSpanLineage, LangSmithPropagator } from '../../src/index.js';
import { makeProvider } from '../support/otel.js';

// A LangSmith JS lineage root → child (RunTree ids have the 7000-8000 layout).
const ROOT_RUN = '01a200aa-925f-7000-8000-02c54bd19234';
const CHILD_RUN = '01a200aa-9262-7000-8000-0048fde0a462';
const LS_TRACE = `20261122T003148319001Z${ROOT_RUN}.20261122T003148322002Z${CHILD_RUN}`;
// Rule 3b: a JS RunTree id yields its last 8 bytes as span id.
const CHILD_SPAN_ID = '80000048fde0a462';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TP_CONSISTENT = `00-${TRACE_ID}-${CHILD_SPAN_ID}-01`;
const TP_OTHER = `00-${TRACE_ID}-b7ad6b7169203331-01`;

const trusted = () => new LangSmithPropagator({ trust: true });

describe('.extract(): propagation modes (README table)', () => {
  it('both families, consistent: OTel parent from traceparent, LangSmith parent from langsmith-trace', () => {
    const p = trusted();
    const ctx = p.extract(ROOT_CONTEXT, { traceparent: TP_CONSISTENT, 'langsmith-trace': LS_TRACE }, defaultTextMapGetter);
    const sc = trace.getSpanContext(ctx)!;
    expect(sc).toMatchObject({ traceId: TRACE_ID, spanId: CHILD_SPAN_ID, isRemote: true, traceFlags: 1 });
    const inbound = getInboundContext(ctx)!;
    expect(inbound.mode).toBe('both');
    expect(inbound.parent?.value).toBe(LS_TRACE);

    const { start, ctxOf } = makeProvider();
    const span = start('server', ctx);
    const lineage = getSpanLineage(span)!;
    expect(lineage.parentRunId).toBe(CHILD_RUN);
    expect(lineage.lsTraceId).toBe(ROOT_RUN);
    expect(lineage.dottedOrder!.startsWith(LS_TRACE + '.')).toBe(true);
    expect(lineage.dottedOrder!.endsWith(lineage.runId)).toBe(true);
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    // A grandchild extends the child's lineage.
    const inner = start('inner', ctxOf(span));
    expect(getSpanLineage(inner)!.dottedOrder!.startsWith(lineage.dottedOrder! + '.')).toBe(true);
    expect(p.stats.inconsistent).toBe(0);
  });

  it('langsmith-trace only: synthesizes a sampled remote parent (trace id = LangSmith trace UUID hex)', () => {
    const ctx = trusted().extract(ROOT_CONTEXT, { 'langsmith-trace': LS_TRACE }, defaultTextMapGetter);
    expect(trace.getSpanContext(ctx)).toEqual({
      traceId: ROOT_RUN.replace(/-/g, ''),
      spanId: CHILD_SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(getInboundContext(ctx)!.mode).toBe('langsmith');
    const span = makeProvider().start('server', ctx);
    expect(getSpanLineage(span)).toMatchObject({ parentRunId: CHILD_RUN, lsTraceId: ROOT_RUN });
  });

  it("traceparent only (default 'root'): the first local span is a LangSmith root that records the upstream ids", () => {
    const ctx = trusted().extract(ROOT_CONTEXT, { traceparent: TP_OTHER }, defaultTextMapGetter);
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: TRACE_ID, spanId: 'b7ad6b7169203331' });
    expect(getInboundContext(ctx)!.mode).toBe('traceparent');
    const span = makeProvider().start('server', ctx);
    const lineage = getSpanLineage(span)!;
    expect(lineage.parentRunId).toBeUndefined();
    expect(lineage.lsTraceId).toBe(lineage.runId);
    expect(lineage.dottedOrder).toMatch(/^\d{8}T\d{12}Z[0-9a-f-]{36}$/);
    expect(lineage.upstream).toEqual({ traceId: TRACE_ID, spanId: 'b7ad6b7169203331' });
  });

  it("traceparent only with traceparentOnly: 'attach': parent run = the upstream span's padded run id", () => {
    const p = new LangSmithPropagator({ trust: true, traceparentOnly: 'attach' });
    const ctx = p.extract(ROOT_CONTEXT, { traceparent: TP_OTHER }, defaultTextMapGetter);
    const { start, ctxOf } = makeProvider();
    const span = start('server', ctx);
    expect(getSpanLineage(span)).toMatchObject({
      parentRunId: '00000000-0000-0000-b7ad-6b7169203331',
      lsTraceId: undefined,
      dottedOrder: undefined,
    });
    const child = start('child', ctxOf(span));
    expect(getSpanLineage(child)!.parentRunId).toBe(getSpanLineage(span)!.runId);
  });

  it('both, inconsistent: OTel parent from traceparent, LangSmith parent from langsmith-trace; counted, warned once', () => {
    const p = trusted();
    const headers = { traceparent: TP_OTHER, 'langsmith-trace': LS_TRACE };
    const ctx = p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    expect(p.stats.inconsistent).toBe(2);
    expect(trace.getSpanContext(ctx)!.spanId).toBe('b7ad6b7169203331');
    expect(getInboundContext(ctx)!.mode).toBe('inconsistent');
    const span = makeProvider().start('server', ctx);
    expect(getSpanLineage(span)!.parentRunId).toBe(CHILD_RUN);
  });

  it.each([
    ['malformed traceparent, valid langsmith-trace → langsmith mode', { traceparent: '00-xyz', 'langsmith-trace': LS_TRACE }, 'langsmith'],
    ['valid traceparent, malformed langsmith-trace → traceparent mode', { traceparent: TP_OTHER, 'langsmith-trace': '2026Zbroken' }, 'traceparent'],
    ['duplicated traceparent is malformed', { traceparent: [TP_OTHER, TP_OTHER], 'langsmith-trace': LS_TRACE }, 'langsmith'],
  ])('either malformed is treated as absent: %s', (_name, headers, mode) => {
    const p = trusted();
    const ctx = p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    expect(getInboundContext(ctx)!.mode).toBe(mode);
    expect(p.stats.malformed.traceparent + p.stats.malformed.langsmithTrace).toBe(1);
  });

  it('both malformed: returns the very same context object', () => {
    const p = trusted();
    const ctx = p.extract(ROOT_CONTEXT, { traceparent: 'garbage', 'langsmith-trace': 'garbage' }, defaultTextMapGetter);
    expect(ctx).toBe(ROOT_CONTEXT);
  });

  it('never throws, even when the getter does', () => {
    const throwing = {
      get: () => {
        throw new Error('boom');
      },
      keys: () => [],
    };
    expect(trusted().extract(ROOT_CONTEXT, {}, throwing)).toBe(ROOT_CONTEXT);
    for (const carrier of [undefined, null, 42, 'str', [], { traceparent: 12 }, { traceparent: [1, 2] }, { baggage: {} }]) {
      expect(() => trusted().extract(ROOT_CONTEXT, carrier, defaultTextMapGetter)).not.toThrow();
    }
  });
});

describe('.extract(): baggage', () => {
  const metadata = { user: 'é中', path: 'a/b', q: "x!*'()" };
  const baggage = [
    `langsmith-metadata=${encodeURIComponent(JSON.stringify(metadata))}`,
    'langsmith-tags=alpha%2Cbeta',
    'langsmith-project=my%20project',
    'tenant=acme;ttl=10',
    'region=eu%2Fwest',
  ].join(',');

  it('decodes the LangSmith members and leaves every other member in OTel Baggage', () => {
    const ctx = trusted().extract(ROOT_CONTEXT, { 'langsmith-trace': LS_TRACE, baggage }, defaultTextMapGetter);
    const ls = getInboundContext(ctx)!.baggage!;
    expect(ls.metadata).toEqual(metadata);
    expect(ls.tags).toEqual(['alpha', 'beta']);
    expect(ls.project).toBe('my project');
    const otel = propagation.getBaggage(ctx)!;
    expect(otel.getAllEntries().map(([k]) => k)).toEqual(['tenant', 'region']);
    expect(otel.getEntry('region')!.value).toBe('eu/west');
    expect(otel.getEntry('tenant')!.metadata!.toString()).toBe('ttl=10');
    expect(otel.getEntry('langsmith-metadata')).toBeUndefined();
  });

  it('ignores metadata that would pollute prototypes or is not an object', () => {
    const evil = encodeURIComponent('{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"x":1}}},"ok":1}');
    const ctx = trusted().extract(ROOT_CONTEXT, { 'langsmith-trace': LS_TRACE, baggage: `langsmith-metadata=${evil}` }, defaultTextMapGetter);
    const md = getInboundContext(ctx)!.baggage!.metadata!;
    expect(md).toEqual({ a: {}, ok: 1 });
    const merged = Object.assign({}, md);
    expect((merged as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const arr = trusted().extract(ROOT_CONTEXT, { 'langsmith-trace': LS_TRACE, baggage: 'langsmith-metadata=%5B1%5D' }, defaultTextMapGetter);
    expect(getInboundContext(arr)!.baggage!.metadata).toBeUndefined();
  });

  it('a broken percent sequence drops only that member', () => {
    const p = trusted();
    const ctx = p.extract(ROOT_CONTEXT, { 'langsmith-trace': LS_TRACE, baggage: 'langsmith-metadata=%E0%A4%A,langsmith-project=p' }, defaultTextMapGetter);
    expect(getInboundContext(ctx)!.baggage!.project).toBe('p');
    expect(getInboundContext(ctx)!.baggage!.metadata).toBeUndefined();
    expect(p.stats.malformed.baggageMembers).toBe(1);
  });
});
