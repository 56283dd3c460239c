/**
 * LangGraph.js in-process in an OTel service, the `langsmith` SDK in OTel
 * mode: with `langChainSpanHandler()` in the graph's callbacks every
 * LangChain run is a span of the request's trace, and the node's HTTP call
 * (in `nodeContext(config)`) a child of the node's span — one tree in both
 * worlds. Without the handler the graph's runs are lost (measured below), so
 * the test also pins that behaviour of the SDK.
 *
 * Its own file: the env must be set before langsmith's Client is constructed.
 */
import { SpanKind, trace, type Span } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { RunTree } from 'langsmith';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enableLangSmithOtelMode, type LangSmithSpanProcessor } from '../../src/index.js';
import * as codecs from '../../src/headers/index.js';
import type { IngestServer } from '../../src/ingest/index.js';
import { langChainSpanHandler } from '../../src/langgraph/index.js';
import { startBridgeHarness, stopBridgeHarness } from '../support/bridge-harness.js';
import { buildGraph, expectNoOrphans, names, startCallee, type Callee } from './support.js';

await vi.hoisted(async () => (await import('../support/langsmith-env.js')).langsmithEnv('otel'));

let ingest: IngestServer;
let provider: BasicTracerProvider;
let processor: LangSmithSpanProcessor;
let spans: InMemorySpanExporter;
let callee: Callee;

beforeAll(async () => {
  spans = new InMemorySpanExporter();
  ({ ingest, processor, provider } = await startBridgeHarness({
    project: 'graph-otel',
    serviceName: 'graph-otel',
    spanProcessors: [new SimpleSpanProcessor(spans)],
  }));
  expect(await enableLangSmithOtelMode(provider)).toBe(true);
  callee = await startCallee();
});

afterAll(async () => {
  await callee?.close();
  await stopBridgeHarness({ provider, ingest });
});

const graph = buildGraph(() => callee.url);

async function ask(question: string, callbacks: object[]): Promise<{ server: Span; answer: string }> {
  return trace.getTracer('app').startActiveSpan('POST /ask', { kind: SpanKind.SERVER }, async (server) => {
    try {
      const result = await graph.invoke({ question }, { callbacks: callbacks as never });
      return { server, answer: result.answer };
    } finally {
      server.end();
    }
  });
}

async function flush(): Promise<void> {
  await awaitAllCallbacks();
  await (RunTree as unknown as { getSharedClient(): { awaitPendingTraceBatches(): Promise<void> } }).getSharedClient().awaitPendingTraceBatches();
  await processor.forceFlush();
}

describe('LangGraph.js in-process, langsmith SDK in OTel mode', () => {
  it("without the handler the graph leaves no run (the SDK's OTel mode drops LangChain runs); the node's call nests under the request span", async () => {
    ingest.clear();
    callee.seen.length = 0;
    const { answer } = await ask('q0', []);
    expect(answer).toBe('plan for q0: ok');
    await flush();
    // No graph run; the node's call (nodeContext falls back to the active span) still nests under the request.
    expect(expectNoOrphans(ingest)).toEqual([]);
    expect(ingest.traces().map((t) => names(t.root))).toEqual([{ 'POST /ask': [{ 'tool call': ['GET /tool'] }] }]);
  });

  it("with langChainSpanHandler(): one tree in LangSmith and one OTel trace, the node's call consistent at the callee", async () => {
    ingest.clear();
    spans.reset();
    callee.seen.length = 0;
    const { server, answer } = await ask('q1', [await langChainSpanHandler()]);
    expect(answer).toBe('plan for q1: ok');
    await flush();

    expect(expectNoOrphans(ingest)).toEqual([]);
    const trees = ingest.traces();
    expect(trees).toHaveLength(1);
    expect(trees[0]!.lsTraceId).toBe(codecs.runIdFromSpanId(server.spanContext().spanId));
    expect(names(trees[0]!.root)).toEqual({
      'POST /ask': [{ LangGraph: ['__start__', 'plan', { act: [{ 'tool call': ['GET /tool'] }] }] }],
    });
    const byName = new Map(ingest.runs().map((r) => [r.name, r]));
    expect(byName.get('LangGraph')!.run_type).toBe('chain');
    expect(byName.get('LangGraph')!.inputs).toEqual({ question: 'q1' });
    expect(byName.get('LangGraph')!.outputs).toMatchObject({ answer: 'plan for q1: ok' });
    expect(byName.get('plan')!.extra).toMatchObject({ metadata: { langgraph_node: 'plan' } });

    // One OTel trace: every span, the callee's included.
    const traceId = server.spanContext().traceId;
    expect(new Set(spans.getFinishedSpans().map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
    const { headers, span: calleeSpan } = callee.seen[0]!;
    expect(calleeSpan.spanContext().traceId).toBe(traceId);
    const toolRunId = byName.get('tool call')!.id;
    expect(String(headers['langsmith-trace'])).toBe(byName.get('tool call')!.dotted_order);
    expect(codecs.runIdFromSpanId(String(headers.traceparent).slice(36, 52))).toBe(toolRunId);
    expect(callee.propagator.stats.inconsistent).toBe(0);
  });
});
