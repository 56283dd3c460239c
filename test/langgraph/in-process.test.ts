/**
 * LangGraph.js in-process in an OTel service, the `langsmith` SDK in REST
 * mode (no OTel mode): the graph's LangChain runs nest under the request
 * span's run (`withRunTree(await runTreeForActiveSpan())`), and a node's
 * outbound HTTP call, made in `nodeContext(config)`, is a child of the node's
 * run in LangSmith and of the request in OTel, with `traceparent` and
 * `langsmith-trace` naming the same hop at the callee.
 *
 * Its own file: LANGSMITH_OTEL_ENABLED must be unset when the Client is built.
 */
import { defaultTextMapGetter, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Client } from 'langsmith';
import { withRunTree } from 'langsmith/traceable';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getSpanLineage, LangSmithPropagator, type LangSmithSpanProcessor, runTreeForActiveSpan } from '../../src/index.js';
import * as codecs from '../../src/headers/index.js';
import type { IngestServer } from '../../src/ingest/index.js';
import { agentServerHeaders, carrierFromConfigurable, continueCallerTrace } from '../../src/langgraph/index.js';
import { trustHeaderToken } from '../../src/index.js';
import { startBridgeHarness, stopBridgeHarness } from '../support/bridge-harness.js';
import { buildGraph, metadataOf, names, startCallee, type Callee } from './support.js';

await vi.hoisted(async () => (await import('../support/langsmith-env.js')).langsmithEnv('rest'));

let ingest: IngestServer;
let provider: BasicTracerProvider;
let processor: LangSmithSpanProcessor;
let client: Client;
let callee: Callee;

beforeAll(async () => {
  ({ ingest, processor, provider } = await startBridgeHarness({ project: 'graph-svc', serviceName: 'graph-svc' }));
  client = new Client({ apiUrl: ingest.url, apiKey: 'test' });
  callee = await startCallee();
});

afterAll(async () => {
  await callee?.close();
  await stopBridgeHarness({ provider, ingest });
});

const graph = buildGraph(() => callee.url);

async function flush(): Promise<void> {
  await client.awaitPendingTraceBatches();
  await processor.forceFlush();
}

describe('LangGraph.js in-process, langsmith SDK in REST mode', () => {
  it("the graph nests under the request span; the node's HTTP call continues the node's run: one tree, one OTel trace", async () => {
    ingest.clear();
    callee.seen.length = 0;
    const tracer = trace.getTracer('graph-svc');
    const { server, result } = await tracer.startActiveSpan('POST /ask', { kind: SpanKind.SERVER }, async (server) => {
      try {
        const parent = await runTreeForActiveSpan({ client });
        expect(parent).toBeDefined();
        const result = await withRunTree(parent!, () => graph.invoke({ question: 'q1' }));
        return { server, result };
      } finally {
        server.end();
      }
    });
    expect(result.answer).toBe('plan for q1: ok');
    await flush();

    expect(ingest.orphans().map((r) => `${r.name} → ${r.parent_run_id}`)).toEqual([]);
    expect(ingest.violations()).toEqual([]);
    const trees = ingest.traces();
    expect(trees).toHaveLength(1);
    const serverRunId = codecs.runIdFromSpanId(server.spanContext().spanId);
    expect(trees[0]!.lsTraceId).toBe(serverRunId);
    expect(names(trees[0]!.root)).toEqual({
      'POST /ask': [{ LangGraph: ['__start__', 'plan', { act: [{ 'tool call': ['GET /tool'] }] }] }],
    });
    const byName = new Map(ingest.runs().map((r) => [r.name, r]));
    expect(byName.get('LangGraph')!.source).toBe('multipart');
    expect(byName.get('tool call')!.source).toBe('otlp');
    expect(byName.get('tool call')!.parent_run_id).toBe(byName.get('act')!.id);

    // One OTel trace: the node's span and the callee's span are in the request's trace.
    expect(callee.seen).toHaveLength(1);
    const { headers, span: calleeSpan } = callee.seen[0]!;
    const traceId = server.spanContext().traceId;
    expect(calleeSpan.spanContext().traceId).toBe(traceId);
    // Consistent at the callee: the traceparent's parent is the span whose run ends langsmith-trace.
    const lsTrace = String(headers['langsmith-trace']);
    const traceparent = String(headers.traceparent);
    expect(traceparent.slice(3, 35)).toBe(traceId);
    const toolRunId = byName.get('tool call')!.id;
    expect(lsTrace.endsWith(toolRunId)).toBe(true);
    expect(codecs.runIdFromSpanId(traceparent.slice(36, 52))).toBe(toolRunId);
    expect(lsTrace).toBe(byName.get('tool call')!.dotted_order);
    expect(callee.propagator.stats.inconsistent).toBe(0);
    expect(getSpanLineage(calleeSpan)?.parentRunId).toBe(toolRunId);
  });
});

/**
 * continueCallerTrace in REST mode, fed the `configurable` an Agent Server
 * builds: the JS server's x-* copies (from `agentServerHeaders()` of a caller
 * span whose lineage carries a project, metadata and tags), or the Python
 * server's keys. The graph's runs go through a LangChainTracer continuing
 * the caller's run.
 */
describe('continueCallerTrace (REST mode)', () => {
  const TOKEN = 'gateway-token-0123456789abcdef';
  const trust = trustHeaderToken({ token: TOKEN });
  // The graph module's trust policy, given to both continueCallerTrace and nodeContext.
  const trustedGraph = buildGraph(() => callee.url, { trust });
  const UPSTREAM_BAGGAGE = 'langsmith-metadata=%7B%22tenant%22%3A%22acme%22%7D,langsmith-tags=gw,langsmith-project=caller-proj';

  /** A caller span continuing a trusted upstream (project, metadata, tags in its baggage); returns the x-* configurable a JS server builds. */
  async function callerConfigurable(
    extra: Record<string, unknown>,
  ): Promise<{ configurable: Record<string, unknown>; callerRunId: string; lsTraceId: string }> {
    const upstream = new LangSmithPropagator({ trust: true }).extract(
      ROOT_CONTEXT,
      { baggage: UPSTREAM_BAGGAGE, traceparent: '00-11111111111111111111111111111111-2222222222222222-01' },
      defaultTextMapGetter,
    );
    const span = trace.getTracer('caller').startSpan('ask-agent', {}, upstream);
    const headers = agentServerHeaders(trace.setSpan(upstream, span), { standard: false });
    span.end();
    const runId = codecs.runIdFromSpanId(span.spanContext().spanId);
    const configurable: Record<string, unknown> = { ...extra, thread_id: 't1' };
    for (const [k, v] of Object.entries(headers)) configurable[k] = v; // the JS server copies x-* only
    return { configurable, callerRunId: runId, lsTraceId: runId };
  }

  it("a trusted caller (gateway token in configurable): the graph's root run is the caller's child, in its project, with its metadata and tags", async () => {
    ingest.clear();
    callee.seen.length = 0;
    const { configurable, callerRunId } = await callerConfigurable({ 'x-langsmith-trust': TOKEN });
    expect(Object.keys(configurable).sort()).toEqual(['thread_id', 'x-baggage', 'x-langsmith-trace', 'x-langsmith-trust', 'x-traceparent']);
    const config = { configurable };
    const bound = await continueCallerTrace(trustedGraph, config, { trust, client });
    await bound.invoke({ question: 'q2' }, config);
    await flush();

    expect(ingest.orphans().map((r) => `${r.name} → ${r.parent_run_id}`)).toEqual([]);
    expect(ingest.violations()).toEqual([]);
    const trees = ingest.traces();
    expect(trees).toHaveLength(1);
    expect(trees[0]!.lsTraceId).toBe(callerRunId);
    expect(names(trees[0]!.root)).toEqual({ 'ask-agent': [{ LangGraph: ['__start__', 'plan', { act: [{ 'tool call': ['GET /tool'] }] }] }] });
    for (const run of ingest.runs()) {
      expect(run.session_name, run.name).toBe('caller-proj');
      expect(metadataOf(run), run.name).toMatchObject({ tenant: 'acme' });
      expect(run.tags ?? [], run.name).toContain('gw');
    }
    // The node's span: in the caller's OTel trace (x-traceparent), child of the node's run in LangSmith.
    expect(callee.seen[0]!.span.spanContext().traceId).toBe('11111111111111111111111111111111');
    expect(callee.propagator.stats.inconsistent).toBe(0);
  });

  it('an untrusted caller (no token; trust policy applied to configurable): the graph is a root of its own', async () => {
    ingest.clear();
    const { configurable, callerRunId } = await callerConfigurable({});
    const config = { configurable };
    const bound = await continueCallerTrace(trustedGraph, config, { trust, client });
    expect(bound).toBe(trustedGraph);
    await bound.invoke({ question: 'q3' }, config);
    // The default LangChain tracer's client (not `client`) posts these runs: wait for them.
    await awaitAllCallbacks();
    await processor.forceFlush();
    for (let i = 0; i < 100 && !['LangGraph', 'tool call'].every((n) => ingest.runs().some((r) => r.name === n)); i++)
      await new Promise((r) => setTimeout(r, 100));
    const graphRun = ingest.runs().find((r) => r.name === 'LangGraph')!;
    expect(graphRun.parent_run_id ?? null).toBeNull();
    // Only the caller's own span is in the caller's trace and project.
    const inCallerTrace = ingest.runs().filter((r) => r.trace_id === callerRunId || r.session_name === 'caller-proj');
    expect(inCallerTrace.map((r) => r.name)).toEqual(['ask-agent']);
    expect(ingest.orphans()).toEqual([]);
  });

  it("the Python Agent Server's keys (langsmith-trace, langsmith-project, parsed metadata and tags) are read the same way", async () => {
    ingest.clear();
    const upstream = new LangSmithPropagator({ trust: true }).extract(
      ROOT_CONTEXT,
      { baggage: UPSTREAM_BAGGAGE, traceparent: '00-11111111111111111111111111111111-2222222222222222-01' },
      defaultTextMapGetter,
    );
    const span = trace.getTracer('caller').startSpan('py-caller', {}, upstream);
    const lsTrace = agentServerHeaders(trace.setSpan(upstream, span), { standard: true })['langsmith-trace']!;
    span.end();
    const configurable = { 'langsmith-trace': lsTrace, 'langsmith-project': 'py-proj', 'langsmith-metadata': { team: 'py' }, 'langsmith-tags': ['py-tag'] };
    expect(carrierFromConfigurable(configurable)).toEqual({
      'langsmith-trace': lsTrace,
      baggage: 'langsmith-metadata=%7B%22team%22%3A%22py%22%7D,langsmith-tags=py-tag,langsmith-project=py-proj',
    });
    const bound = await continueCallerTrace(
      buildGraph(() => callee.url, { trust: true }),
      { configurable },
      { trust: true, client },
    );
    await bound.invoke({ question: 'q4' }, { configurable });
    await flush();
    expect(ingest.orphans()).toEqual([]);
    expect(names(ingest.traces()[0]!.root)).toEqual({ 'py-caller': [{ LangGraph: ['__start__', 'plan', { act: [{ 'tool call': ['GET /tool'] }] }] }] });
    const graphRun = ingest.runs().find((r) => r.name === 'LangGraph')!;
    expect(graphRun.session_name).toBe('py-proj');
    expect(metadataOf(graphRun)).toMatchObject({ team: 'py' });
    expect(graphRun.tags).toContain('py-tag');
  });
});
