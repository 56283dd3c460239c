// Propagator benchmark: LangSmithPropagator against the anchors in one run.
//   extract/inject vs OTel core CompositePropagator(W3CTraceContext, W3CBaggage)
//   extract/inject vs langsmith RunTree.fromHeaders / toHeaders
//   64-member baggage extract vs W3CBaggagePropagator
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { RunTree } from 'langsmith';
import { getInboundContext, LangSmithLineageProcessor, LangSmithPropagator } from '../dist/esm/index.js';
import { compare, report } from './harness.mjs';

export function run() {
  // A realistic carrier: both families, 3 tracestate members, 3 LangSmith members + 2 foreign.
  const upstream = new RunTree({
    name: 'client',
    project_name: 'agents-prod',
    tags: ['gateway', 'v2'],
    extra: { metadata: { user_id: 'u-123', session: 's-9f8e', region: 'eu-west-1' } },
    tracingEnabled: false,
  });
  const ls = upstream.createChild({ name: 'call', tags: ['gateway', 'v2'] }).toHeaders();
  const carrier = {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,dd=s:1;o:rum',
    'langsmith-trace': ls['langsmith-trace'],
    baggage: `${ls.baggage},tenant=acme,feature=beta%20flag`,
  };

  const bridge = new LangSmithPropagator({ trust: true });
  const composite = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });

  // tracestate and baggage are parsed on first use: "extract + first use" also
  // reads every baggage entry, the tracestate and the LangSmith members, as a
  // request that injects downstream does, so the deferral hides nothing.
  const useAll = (ctx) => {
    propagation.getBaggage(ctx)?.getAllEntries();
    trace.getSpanContext(ctx)?.traceState?.serialize();
    const ls = getInboundContext(ctx)?.baggage;
    if (ls) (ls.members, ls.metadata, ls.tags, ls.project);
  };
  const extract = compare({
    bridge: () => bridge.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter),
    bridgeUsed: () => useAll(bridge.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter)),
    otel: () => composite.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter),
    otelUsed: () => useAll(composite.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter)),
    runTree: () => RunTree.fromHeaders(carrier),
  });

  // Inject from a local span (with lineage) in the extracted context.
  const provider = new BasicTracerProvider({ spanProcessors: [new LangSmithLineageProcessor()] });
  const extracted = bridge.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const span = provider.getTracer('bench').startSpan('client', {}, extracted);
  const ctx = trace.setSpan(extracted, span);
  const child = RunTree.fromHeaders(carrier).createChild({ name: 'x' });
  const inject = compare({
    bridge: () => bridge.inject(ctx, {}, defaultTextMapSetter),
    otel: () => composite.inject(ctx, {}, defaultTextMapSetter),
    runTree: () => child.toHeaders(),
  });

  // 64-member baggage.
  const members = [];
  for (let i = 0; i < 64; i++) members.push(`key${i}=value%20${i};prop=${i}`);
  const big = { baggage: members.join(',') };
  const baggageOnly = new W3CBaggagePropagator();
  const big64 = compare(
    {
      bridge: () => propagation.getBaggage(bridge.extract(ROOT_CONTEXT, big, defaultTextMapGetter)).getAllEntries(),
      otel: () => propagation.getBaggage(baggageOnly.extract(ROOT_CONTEXT, big, defaultTextMapGetter)).getAllEntries(),
    },
    { iterations: 2_000 },
  );
  // Sanity: both decoded all 64 members.
  const n1 = propagation.getBaggage(bridge.extract(ROOT_CONTEXT, big, defaultTextMapGetter)).getAllEntries().length;
  const n2 = propagation.getBaggage(baggageOnly.extract(ROOT_CONTEXT, big, defaultTextMapGetter)).getAllEntries().length;
  if (n1 !== 64 || n2 !== 64) throw new Error(`64-member baggage decoded ${n1} / ${n2} members`);

  return report('Propagator (Node ' + process.version + ')', [
    row('extract, realistic carrier', extract.bridge, 'OTel composite', extract.otel, 'slower', 2, '≤ 2×'),
    row('extract + first use of every header', extract.bridgeUsed, 'OTel composite + same reads', extract.otelUsed, 'slower', 2, '≤ 2×'),
    row('inject, realistic carrier', inject.bridge, 'OTel composite', inject.otel, 'slower', 2, '≤ 2×'),
    row('extract vs RunTree.fromHeaders', extract.bridge, 'RunTree.fromHeaders', extract.runTree, 'faster', 10, '≥ 10× faster'),
    row('extract + first use vs RunTree.fromHeaders', extract.bridgeUsed, 'RunTree.fromHeaders', extract.runTree, 'faster', 0, '(info)'),
    row('inject vs RunTree.toHeaders', inject.bridge, 'RunTree.toHeaders', inject.runTree, 'info', 0, '—'),
    row('extract + read 64-member baggage', big64.bridge, 'W3CBaggagePropagator', big64.otel, 'slower', 1, '≤ 1×'),
  ]);
}

function row(name, bridge, anchorName, anchor, kind, bound, target) {
  const ratio = bridge / anchor;
  if (kind === 'faster') {
    return { name, bridge, anchorName, anchor, ratio, ratioText: `${(anchor / bridge).toFixed(1)}× faster`, target, met: anchor / bridge >= bound };
  }
  return { name, bridge, anchorName, anchor, ratio, ratioText: `${ratio.toFixed(2)}×`, target, met: kind === 'info' || ratio <= bound };
}

if (import.meta.url === `file://${process.argv[1]}`) run();
