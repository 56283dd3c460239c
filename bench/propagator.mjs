// Propagator benchmark: LangSmithPropagator against its anchors, interleaved in one run.
//   extract + first use of every header vs OTel core CompositePropagator(W3CTraceContext, W3CBaggage)
//     with the same reads (OTel parses eagerly, the bridge defers tracestate and baggage to their
//     first use: only "extract + first use" compares like with like)
//   inject vs the OTel composite, from a local span in the extracted context
//   both vs langsmith's RunTree.fromHeaders / toHeaders
//   extract + first use vs the parse-only lower bound for this carrier (below)
//   64-member baggage extract + read vs W3CBaggagePropagator
//
// `candidates(lib)` builds the bridge's side from a loaded dist (bench/compare.mjs
// runs two trees' candidates side by side); `run()` measures this tree's.
import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { RunTree } from 'langsmith';
import { compare, fmtNsSpread, fmtRatio, ratios, spread } from './harness.mjs';

// A realistic carrier: both families, 3 tracestate members, 3 LangSmith members + 2 foreign.
function makeCarrier() {
  const upstream = new RunTree({
    name: 'client',
    project_name: 'agents-prod',
    tags: ['gateway', 'v2'],
    extra: { metadata: { user_id: 'u-123', session: 's-9f8e', region: 'eu-west-1' } },
    tracingEnabled: false,
  });
  const ls = upstream.createChild({ name: 'call', tags: ['gateway', 'v2'] }).toHeaders();
  return {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,dd=s:1;o:rum',
    'langsmith-trace': ls['langsmith-trace'],
    baggage: `${ls.baggage},tenant=acme,feature=beta%20flag`,
  };
}
export const CARRIER = makeCarrier();

const BIG_BAGGAGE = {
  baggage: Array.from({ length: 64 }, (_, i) => `key${i}=value%20${i};prop=${i}`).join(','),
};

// ---- the parse-only lower bound ----------------------------------------------
// The least any parser of this carrier must do to answer the reads "first use"
// makes: one indexOf pass per header into its fields, a hex check of the W3C
// ids, the dotted order split into its segments, baggage values percent-decoded
// and langsmith-metadata JSON-parsed, tags split. No validation beyond that, no
// limits, no context objects, no allocation it can avoid: nothing a production
// propagator may skip (W3C Trace Context §3.2, W3C Baggage §3.3.1) is missing,
// much it must do (caps, key grammar, trust) is. A floor, not a candidate.
const HEX = new Uint8Array(128);
for (const c of '0123456789abcdef') HEX[c.charCodeAt(0)] = 1;
function isHex(s, from, to) {
  for (let i = from; i < to; i++) if (HEX[s.charCodeAt(i)] !== 1) return false;
  return true;
}
function splitPairs(header, sep, eq, decode) {
  const out = [];
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(sep, start);
    if (end < 0) end = header.length;
    const e = header.indexOf(eq, start);
    if (e > start && e < end) {
      const semi = header.indexOf(';', e);
      const vEnd = semi >= 0 && semi < end ? semi : end;
      const v = header.slice(e + 1, vEnd);
      out.push([header.slice(start, e), decode && v.includes('%') ? decodeURIComponent(v) : v]);
    }
    start = end + 1;
  }
  return out;
}
export function parseOnly(carrier) {
  const tp = carrier.traceparent;
  const ok = tp.length === 55 && isHex(tp, 3, 35) && isHex(tp, 36, 52) && isHex(tp, 53, 55);
  const traceId = tp.slice(3, 35);
  const spanId = tp.slice(36, 52);
  const state = splitPairs(carrier.tracestate, ',', '=', false);
  const segments = carrier['langsmith-trace'].split('.');
  const runId = segments[segments.length - 1].slice(-36);
  const baggage = splitPairs(carrier.baggage, ',', '=', true);
  let metadata;
  let tags;
  let project;
  for (const [k, v] of baggage) {
    if (k === 'langsmith-metadata') metadata = JSON.parse(v);
    else if (k === 'langsmith-tags') tags = v.split(',');
    else if (k === 'langsmith-project') project = v;
  }
  return ok && traceId && spanId && state.length && runId && metadata && tags && project;
}

// ---- the anchors ---------------------------------------------------------------
const composite = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});
const baggageOnly = new W3CBaggagePropagator();

/** The reads a request that injects downstream makes: every baggage entry, the tracestate, the LangSmith members. */
function useAll(lib, ctx) {
  propagation.getBaggage(ctx)?.getAllEntries();
  trace.getSpanContext(ctx)?.traceState?.serialize();
  const ls = lib?.getInboundContext?.(ctx)?.baggage;
  // Each getter parses its member on first read: read them all, as a consumer would.
  if (ls) void [ls.members, ls.metadata, ls.tags, ls.project];
}

export function anchors() {
  const child = RunTree.fromHeaders(CARRIER).createChild({ name: 'x' });
  // The inject anchors inject from a span in OTel's own extracted context.
  const provider = new BasicTracerProvider();
  const extracted = composite.extract(ROOT_CONTEXT, CARRIER, defaultTextMapGetter);
  const ctx = trace.setSpan(extracted, provider.getTracer('bench').startSpan('client', {}, extracted));
  return {
    extract: {
      otel: () => composite.extract(ROOT_CONTEXT, CARRIER, defaultTextMapGetter),
      otelUsed: () => useAll(undefined, composite.extract(ROOT_CONTEXT, CARRIER, defaultTextMapGetter)),
      runTree: () => RunTree.fromHeaders(CARRIER),
      parseOnly: () => parseOnly(CARRIER),
    },
    inject: {
      otel: () => composite.inject(ctx, {}, defaultTextMapSetter),
      runTree: () => child.toHeaders(),
    },
    big64: {
      otel: () => propagation.getBaggage(baggageOnly.extract(ROOT_CONTEXT, BIG_BAGGAGE, defaultTextMapGetter)).getAllEntries(),
    },
  };
}

/** The bridge's side, from a loaded `dist/esm/index.js`. */
export function candidates(lib) {
  if (typeof lib.getInboundContext !== 'function') {
    console.warn('propagator bench: this tree exports no getInboundContext; "first use" cannot read the LangSmith members');
  }
  const bridge = new lib.LangSmithPropagator({ trust: true });
  // Inject from a local span (with lineage) in the extracted context.
  const provider = new BasicTracerProvider({ spanProcessors: [new lib.LangSmithLineageProcessor()] });
  const extracted = bridge.extract(ROOT_CONTEXT, CARRIER, defaultTextMapGetter);
  const ctx = trace.setSpan(extracted, provider.getTracer('bench').startSpan('client', {}, extracted));
  const n = propagation.getBaggage(bridge.extract(ROOT_CONTEXT, BIG_BAGGAGE, defaultTextMapGetter))?.getAllEntries().length;
  if (n !== 64) throw new Error(`64-member baggage: the bridge decoded ${n} members`);
  return {
    extract: {
      bridge: () => bridge.extract(ROOT_CONTEXT, CARRIER, defaultTextMapGetter),
      bridgeUsed: () => useAll(lib, bridge.extract(ROOT_CONTEXT, CARRIER, defaultTextMapGetter)),
    },
    inject: { bridge: () => bridge.inject(ctx, {}, defaultTextMapSetter) },
    big64: { bridge: () => propagation.getBaggage(bridge.extract(ROOT_CONTEXT, BIG_BAGGAGE, defaultTextMapGetter)).getAllEntries() },
  };
}

export const SETTINGS = { extract: {}, inject: {}, big64: { iterations: 2_000 } };

export async function run(lib) {
  lib ??= await import('../dist/esm/index.js');
  if (!parseOnly(CARRIER)) throw new Error('parse-only lower bound: the carrier did not parse');
  const a = anchors();
  const c = candidates(lib);
  const s = {};
  for (const group of Object.keys(SETTINGS)) s[group] = compare({ ...c[group], ...a[group] }, SETTINGS[group]);

  // ratio rows: bridge samples, anchor samples, target check on the median
  const row = (name, mine, anchorName, theirs, target, ok, faster = false) => {
    const r = spread(faster ? ratios(theirs, mine) : ratios(mine, theirs));
    return {
      name,
      bridge: spread(mine),
      anchorName,
      anchor: spread(theirs),
      ratio: r,
      ratioText: faster ? `${fmtRatio(r, 1)} faster` : fmtRatio(r),
      target,
      met: ok === undefined ? undefined : ok(r.median),
    };
  };
  const { extract: e, inject: i, big64: b } = s;
  const rows = [
    row('extract + first use of every header', e.bridgeUsed, 'OTel composite, extract + the same reads', e.otelUsed, '≤ 1.0×', (m) => m <= 1),
    row('inject, from a span in the extracted context', i.bridge, 'OTel composite inject', i.otel, '≤ 1.0×', (m) => m <= 1),
    row('extract + first use vs LangSmith', e.bridgeUsed, '`RunTree.fromHeaders`', e.runTree, '≥ 10× faster', (m) => m >= 10, true),
    row('inject vs LangSmith', i.bridge, '`RunTree.toHeaders`', i.runTree, '—'),
    row('extract + first use vs the parse-only lower bound', e.bridgeUsed, 'parse-only lower bound (bench/propagator.mjs)', e.parseOnly, '—'),
    row('extract alone (parsing of tracestate and baggage deferred)', e.bridge, 'OTel composite extract (eager)', e.otel, '—'),
    row('extract + read a 64-member baggage', b.bridge, '`W3CBaggagePropagator`', b.otel, '≤ 1.0×', (m) => m <= 1),
  ];
  return { title: 'Propagator', rows, samples: s };
}

/** Markdown for the rows of `run()`. */
export function markdown({ rows }) {
  const lines = ['| measurement | bridge, ns/op | anchor, ns/op | ratio per round | target |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const met = r.met === undefined ? '' : r.met ? ' ✔' : ' **✘**';
    lines.push(`| ${r.name} | ${fmtNsSpread(r.bridge)} | ${r.anchorName}: ${fmtNsSpread(r.anchor)} | ${r.ratioText} | ${r.target}${met} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(markdown(await run()));
