import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, TraceFlags, createContextKey } from '@opentelemetry/api';
import { RunTree } from 'langsmith';
import { describe, expect, it } from 'vitest';
import { getSpanLineage, LangSmithPropagator } from '../../src/index.js';
import * as codecs from '../../src/headers/index.js';
import { makeProvider } from '../support/otel.js';

const trusted = () => new LangSmithPropagator({ trust: true });

function inject(ctx = ROOT_CONTEXT, p = trusted()): Record<string, string> {
  const out: Record<string, string> = {};
  p.inject(ctx, out, defaultTextMapSetter);
  return out;
}

describe('.inject()', () => {
  it('fields() names the four headers it reads and writes', () => {
    expect(trusted().fields()).toEqual(['traceparent', 'tracestate', 'langsmith-trace', 'baggage']);
  });

  it('writes traceparent and the active span run dotted order (a local root)', () => {
    const { start, ctxOf } = makeProvider();
    const span = start('root');
    const headers = inject(ctxOf(span));
    const { traceId, spanId } = span.spanContext();
    expect(headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(headers['langsmith-trace']).toBe(getSpanLineage(span)!.dottedOrder);
    expect(headers.baggage).toBeUndefined();
  });

  it("langsmith-trace includes the span's local ancestors", () => {
    const { start, ctxOf } = makeProvider();
    const root = start('root');
    const mid = start('mid', ctxOf(root));
    const leaf = start('leaf', ctxOf(mid));
    const dotted = codecs.parseDottedOrder(inject(ctxOf(leaf))['langsmith-trace']!)!;
    expect(dotted.depth).toBe(3);
    expect(dotted.lsTraceId).toBe(getSpanLineage(root)!.runId);
    expect(dotted.parentRunId).toBe(getSpanLineage(mid)!.runId);
    expect(dotted.runId).toBe(codecs.runIdFromSpanId(leaf.spanContext().spanId));
  });

  it('lowercases ids and keeps only the sampled and random flags', () => {
    const sc = { traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: 'ABCDEF0123456789', traceFlags: 0xff, isRemote: false };
    const headers = inject(trace.setSpanContext(ROOT_CONTEXT, sc));
    expect(headers.traceparent).toBe('00-abcdef0123456789abcdef0123456789-abcdef0123456789-03');
  });

  it('passes tracestate through', () => {
    const p = trusted();
    const ctx = p.extract(
      ROOT_CONTEXT,
      {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'rojo=00f067aa0ba902b7, congo=t61rcWkgMzE',
      },
      defaultTextMapGetter,
    );
    expect(inject(ctx, p).tracestate).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  it('re-emits the same lineage for an extracted context with no local span', () => {
    const p = trusted();
    const inbound = {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-80000048fde0a462-01',
      'langsmith-trace': '20261122T003148319001Z01a200aa-925f-7000-8000-02c54bd19234.20261122T003148322002Z01a200aa-9262-7000-8000-0048fde0a462',
      baggage: 'langsmith-metadata=%7B%22a%22%3A1%7D,langsmith-tags=x,langsmith-project=p,foo=bar',
    };
    expect(inject(p.extract(ROOT_CONTEXT, inbound, defaultTextMapGetter), p)).toEqual(inbound);
  });

  it('merges OTel baggage and the LangSmith members into one header, LangSmith members first', () => {
    const { start, ctxOf } = makeProvider({ project: 'proj' });
    let ctx = ctxOf(start('root'));
    ctx = propagation.setBaggage(ctx, propagation.createBaggage({ tenant: { value: 'a b' }, 'langsmith-project': { value: 'spoof' } }));
    expect(inject(ctx).baggage).toBe('langsmith-project=proj,tenant=a%20b');
  });

  it('stays within 64 members and 8192 bytes, dropping whole members, and counts them', () => {
    const entries: Record<string, { value: string }> = {};
    for (let i = 0; i < 100; i++) entries[`k${i}`] = { value: 'v'.repeat(i < 60 ? 10 : 4000) };
    const p = trusted();
    const ctx = propagation.setBaggage(
      trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }),
      propagation.createBaggage(entries),
    );
    const header = inject(ctx, p).baggage!;
    const members = header.split(',');
    expect(members.length).toBeLessThanOrEqual(64);
    expect(Buffer.byteLength(header)).toBeLessThanOrEqual(8192);
    expect(members.every((m) => /^k\d+=v+$/.test(m))).toBe(true);
    expect(p.stats.baggageMembersDropped).toBe(100 - members.length);
  });

  it('writes nothing when tracing is suppressed', () => {
    const { start, ctxOf } = makeProvider();
    const suppress = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
    expect(inject(ctxOf(start('s')).setValue(suppress, true))).toEqual({});
  });

  it('writes nothing for an invalid or missing span context', () => {
    expect(inject(ROOT_CONTEXT)).toEqual({});
    expect(inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.SAMPLED }))).toEqual({});
  });

  it('never throws, even when the setter does', () => {
    const { start, ctxOf } = makeProvider();
    const throwing = {
      set: () => {
        throw new Error('boom');
      },
    };
    expect(() => trusted().inject(ctxOf(start('s')), {}, throwing)).not.toThrow();
  });
});

describe('interop with the real langsmith JS SDK', () => {
  const metadata = { user: 'é中', reserved: "/ ! * ' ( ) , ; = % & +", nested: { ok: [1, 2] } };

  it('RunTree.toHeaders() of nested runs → extract → a local span that extends the lineage', () => {
    const root = new RunTree({ name: 'client', project_name: 'proj / x', tags: ['a', 'b c'], extra: { metadata }, tracingEnabled: false });
    const child = root.createChild({ name: 'tool', tags: ['a', 'b c'] }); // JS children do not inherit tags
    const headers = child.toHeaders();
    const p = trusted();
    const ctx = p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const span = makeProvider().start('server', ctx);
    const lineage = getSpanLineage(span)!;
    expect(lineage.parentRunId).toBe(child.id);
    expect(lineage.lsTraceId).toBe(root.id);
    expect(lineage.dottedOrder!.startsWith(child.dotted_order + '.')).toBe(true);
    expect(lineage.baggage!.metadata).toEqual(metadata);
    expect(lineage.baggage!.tags).toEqual(['a', 'b c']);
    expect(lineage.baggage!.project).toBe('proj / x');
    // Inject from a span without local changes re-emits the LangSmith members byte for byte.
    const out: Record<string, string> = {};
    p.inject(trace.setSpan(ROOT_CONTEXT, span), out, defaultTextMapSetter);
    expect(out.baggage).toBe(headers.baggage);
  });

  it('inject from a local span → RunTree.fromHeaders() → a child run under the span', () => {
    const { start, ctxOf } = makeProvider({ project: 'bridge-proj' });
    const root = start('gateway');
    const span = start('call-native', ctxOf(root));
    const out: Record<string, string> = {};
    trusted().inject(ctxOf(span), out, defaultTextMapSetter);
    const parent = RunTree.fromHeaders(out)!;
    const run = parent.createChild({ name: 'native' });
    const lineage = getSpanLineage(span)!;
    expect(run.dotted_order.startsWith(lineage.dottedOrder + '.')).toBe(true);
    expect(run.trace_id).toBe(getSpanLineage(root)!.runId);
    expect(run.parent_run_id ?? parent.id).toBe(lineage.runId);
    expect(run.project_name).toBe('bridge-proj');
    // The JS SDK's own parser accepts our header (and its own round trip matches ours).
    expect(out.baggage).toBe(new RunTree({ name: 'x', project_name: 'bridge-proj', tracingEnabled: false }).toHeaders().baggage);
  });

  it("a JS RunTree's headers with a project and our own baggage merge into what RunTree.fromHeaders reads", () => {
    const rt = new RunTree({ name: 'client', project_name: 'p', extra: { metadata: { a: 1 } }, tracingEnabled: false });
    const p = trusted();
    let ctx = p.extract(ROOT_CONTEXT, { ...rt.toHeaders(), baggage: rt.toHeaders().baggage + ',other=1' }, defaultTextMapGetter);
    const span = makeProvider().start('s', ctx);
    ctx = trace.setSpan(ctx, span);
    const out: Record<string, string> = {};
    p.inject(ctx, out, defaultTextMapSetter);
    const back = RunTree.fromHeaders(out)!;
    expect(back.extra?.metadata).toEqual({ a: 1 });
    expect(back.project_name).toBe('p');
    expect(out.baggage).toBe('langsmith-metadata=%7B%22a%22%3A1%7D,langsmith-project=p,other=1');
  });
});
