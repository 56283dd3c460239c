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
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Client } from 'langsmith';
import { withRunTree } from 'langsmith/traceable';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { codecs, getSpanLineage, LangSmithPropagator, LangSmithSpanProcessor, runTreeForActiveSpan } from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../../src/ingest/index.js';
import { buildGraph, names, startCallee, type Callee } from './support.js';

vi.hoisted(() => {
  process.env.LANGSMITH_TRACING = 'true';
  process.env.LANGSMITH_API_KEY = 'test';
  delete process.env.LANGSMITH_OTEL_ENABLED;
  delete process.env.OTEL_ENABLED;
  delete process.env.LANGSMITH_TRACING_MODE;
});

let ingest: IngestServer;
let provider: BasicTracerProvider;
let processor: LangSmithSpanProcessor;
let client: Client;
let callee: Callee;

beforeAll(async () => {
  ingest = await startIngestServer();
  process.env.LANGSMITH_ENDPOINT = ingest.url;
  processor = new LangSmithSpanProcessor({
    exporter: new OTLPTraceExporter({ url: `${ingest.url}/otel/v1/traces` }),
    project: 'graph-svc',
    scheduledDelayMillis: 20,
  });
  provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'graph-svc' }), spanProcessors: [processor] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new LangSmithPropagator({ trust: true }));
  client = new Client({ apiUrl: ingest.url, apiKey: 'test' });
  callee = await startCallee();
});

afterAll(async () => {
  await provider?.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
  await callee?.close();
  await ingest?.close();
});

const graph = buildGraph(() => callee.url);

describe('LangGraph.js in-process, langsmith SDK in REST mode', () => {
  it('the graph nests under the request span; the node\'s HTTP call continues the node\'s run: one tree, one OTel trace', async () => {
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
    await client.awaitPendingTraceBatches();
    await processor.forceFlush();

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
