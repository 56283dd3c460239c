/**
 * The real `langsmith` SDK without OTel mode (REST ingest through its
 * Client): `runTreeForActiveSpan()` + `withRunTree` nest `traceable` runs
 * under the active OTel span's run, in one tree with the bridge's OTLP runs.
 *
 * Its own file: LANGSMITH_OTEL_ENABLED must be unset when the Client is built.
 */
import { ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Client } from 'langsmith';
import { traceable, withRunTree } from 'langsmith/traceable';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LineageTracker, type LangSmithSpanProcessor, langsmithHeaders, runTreeForActiveSpan } from '../src/index.js';
import * as codecs from '../src/headers/index.js';
import type { IngestServer } from '../src/ingest/index.js';
import { startBridgeHarness, stopBridgeHarness } from './support/bridge-harness.js';

await vi.hoisted(async () => (await import('./support/langsmith-env.js')).langsmithEnv('rest'));

let ingest: IngestServer;
let provider: BasicTracerProvider;
let processor: LangSmithSpanProcessor;
let client: Client;

beforeAll(async () => {
  ({ ingest, processor, provider } = await startBridgeHarness({ project: 'sdk-rest', serviceName: 'svc' }));
  client = new Client({ apiUrl: ingest.url, apiKey: 'test' });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await stopBridgeHarness({ provider, ingest });
});

const retrieve = traceable(async (query: string) => ({ documents: [`doc about ${query}`] }), {
  name: 'retrieve',
  run_type: 'retriever',
});
const answer = traceable(
  async (question: string) => {
    const { documents } = await retrieve(question);
    return { answer: `${documents.length} document(s)` };
  },
  { name: 'answer', run_type: 'chain', metadata: { flow: 'rag' } },
);

/** A server span, and inside it the traceable under `runTreeForActiveSpan()`. */
async function handleRequest(): Promise<{ server: Span; headers: Record<string, string>; result: unknown }> {
  const tracer = trace.getTracer('app');
  return tracer.startActiveSpan('POST /answer', { kind: SpanKind.SERVER }, async (server) => {
    try {
      const headers = langsmithHeaders();
      const parent = await runTreeForActiveSpan({ client });
      expect(parent).toBeDefined();
      const result = await withRunTree(parent!, () => answer('otel'));
      return { server, headers, result };
    } finally {
      server.end();
    }
  });
}

async function flush(): Promise<void> {
  await client.awaitPendingTraceBatches();
  await processor.forceFlush();
}

describe('langsmith SDK (REST) under an OTel span', () => {
  it('the Client is in REST mode', () => {
    expect(client.tracingMode).toBe('langsmith');
  });

  it("withRunTree(await runTreeForActiveSpan(), traceable) nests the run under the span's run: one tree, zero orphans", async () => {
    ingest.clear();
    const { server, headers, result } = await handleRequest();
    expect(result).toEqual({ answer: '1 document(s)' });
    await flush();

    const serverId = codecs.runIdFromSpanId(server.spanContext().spanId);
    expect(ingest.orphans()).toEqual([]);
    expect(ingest.violations()).toEqual([]);
    expect(ingest.traces()).toHaveLength(1);
    const runs = ingest.runs();
    expect(runs.map((r) => [r.name, r.source])).toEqual([
      ['POST /answer', 'otlp'],
      ['answer', 'multipart'],
      ['retrieve', 'multipart'],
    ]);
    const [serverRun, answerRun, retrieveRun] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
    expect(serverRun).toMatchObject({ id: serverId, trace_id: serverId, session_name: 'sdk-rest' });
    expect(headers['langsmith-trace']).toBe(serverRun.dotted_order);
    expect(headers.baggage).toBe('langsmith-project=sdk-rest');
    expect(answerRun).toMatchObject({ trace_id: serverId, parent_run_id: serverId, run_type: 'chain', session_name: 'sdk-rest' });
    expect(answerRun.dotted_order!.startsWith(`${serverRun.dotted_order!}.`)).toBe(true);
    expect(answerRun.inputs).toEqual({ input: 'otel' });
    expect(answerRun.outputs).toEqual({ answer: '1 document(s)' });
    expect((answerRun.extra as { metadata: Record<string, unknown> }).metadata).toMatchObject({ flow: 'rag' });
    expect(retrieveRun).toMatchObject({ trace_id: serverId, parent_run_id: answerRun.id, run_type: 'retriever' });
    // The stand-in RunTree for the span's run is never posted.
    expect(runs.some((r) => r.name === 'parent')).toBe(false);
  });

  it('a traceable started in the same millisecond as the span still sorts after it (no child-before-parent violation)', async () => {
    ingest.clear();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-06-01T12:00:00.000Z'));
    // Spans started elsewhere in this millisecond advance the bridge's sequence (its µs digits) past the SDK's child order (2).
    const scratch = new BasicTracerProvider().getTracer('scratch');
    const tracker = new LineageTracker();
    for (let i = 0; i < 5; i++) {
      const span = scratch.startSpan('elsewhere');
      tracker.onStart(span, ROOT_CONTEXT);
      span.end();
    }
    const { server } = await handleRequest();
    vi.useRealTimers();
    await flush();

    const serverId = codecs.runIdFromSpanId(server.spanContext().spanId);
    const runs = ingest.runs();
    expect(runs.map((r) => r.name)).toEqual(['POST /answer', 'answer', 'retrieve']);
    const serverSegment = runs[0]!.dotted_order!;
    const answerSegment = runs[1]!.dotted_order!.split('.')[1]!;
    // Same millisecond; the child's execution order starts at our span's microsecond digits.
    expect(serverSegment.slice(0, 18)).toBe('20250601T120000000');
    expect(answerSegment.slice(0, 18)).toBe('20250601T120000000');
    expect(Number(answerSegment.slice(18, 21))).toBeGreaterThan(Number(serverSegment.slice(18, 21)));
    expect(runs[1]!.parent_run_id).toBe(serverId);
    expect(ingest.violations()).toEqual([]);
    expect(ingest.orphans()).toEqual([]);
  });

  it('outside any span there is no run to nest under', async () => {
    expect(langsmithHeaders()).toEqual({});
    expect(await runTreeForActiveSpan({ client })).toBeUndefined();
  });
});
