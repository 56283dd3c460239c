/**
 * SDK 3.x leg: LangSmithSpanProcessor on the 3.x TracerProvider → the OTLP
 * exporter 0.301 (encoding a) and the langsmith Client (encoding b) → the
 * local ingest (`langsmith-otel-bridge/ingest`), which applies LangSmith's
 * ingest rules: one connected tree per request, zero orphans, and both
 * encodings describe the same runs.
 */
import { defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, InMemorySpanExporter, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { Client, RunTree } from 'langsmith';
import { LangSmithClientSink, LangSmithPropagator, LangSmithSpanProcessor, type LangSmithSpanProcessorOptions } from 'langsmith-otel-bridge';
import * as codecs from 'langsmith-otel-bridge/codecs';
import { startIngestServer, type IngestedRun, type IngestServer } from 'langsmith-otel-bridge/ingest';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function ingest(): Promise<IngestServer> {
  const server = await startIngestServer();
  cleanups.push(() => server.close());
  return server;
}

/** A 3.x provider: OTLP (exporter-trace-otlp-proto 0.301) to one ingest, the real Client to another. */
async function bridged(extra: Partial<LangSmithSpanProcessorOptions> = {}, more: SpanProcessor[] = []) {
  const otlp = await ingest();
  const direct = await ingest();
  const processor = new LangSmithSpanProcessor({
    exporter: new OTLPTraceExporter({ url: `${otlp.url}/otel/v1/traces` }),
    sinks: [new LangSmithClientSink({ client: new Client({ apiUrl: direct.url, apiKey: 'test', autoBatchTracing: true }) })],
    project: 'sdk3-tests',
    scheduledDelayMillis: 20,
    ...extra,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc3' }),
    spanProcessors: [processor, ...more],
  });
  cleanups.push(() => provider.shutdown());
  return { otlp, direct, processor, provider, tracer: provider.getTracer('app') };
}

function child(tracer: Tracer, name: string, parent: Span | Context, options: Parameters<Tracer['startSpan']>[1] = {}): Span {
  const ctx = 'spanContext' in parent ? trace.setSpan(ROOT_CONTEXT, parent) : parent;
  return tracer.startSpan(name, options, ctx);
}

function lineageOf(runs: IngestedRun[]) {
  return runs
    .map(({ id, trace_id, parent_run_id, dotted_order, name, run_type, session_name }) => ({
      id,
      trace_id,
      parent_run_id: parent_run_id ?? undefined,
      dotted_order,
      name,
      run_type,
      session_name,
    }))
    .sort((a, b) => (a.dotted_order! < b.dotted_order! ? -1 : 1));
}

describe('LangSmithSpanProcessor on SDK 3.x → ingest', () => {
  it('one request → one connected tree, identical through OTLP 0.301 and the Client, zero orphans', async () => {
    const { otlp, direct, processor, tracer } = await bridged();
    const root = tracer.startSpan('handle', { kind: SpanKind.SERVER });
    const llm = child(tracer, 'chat gpt-x', root, {
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-x', 'gen_ai.provider.name': 'openai' },
    });
    llm.setAttribute('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi é' }] }]));
    llm.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'hello' }], finish_reason: 'stop' }]));
    llm.setAttribute('langsmith.span.tags', 'fast,cheap');
    llm.setAttribute('gen_ai.usage.input_tokens', 12);
    llm.setAttribute('gen_ai.usage.output_tokens', 3);
    llm.end();
    const tool = child(tracer, 'lookup', root, { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' } });
    const grand = child(tracer, 'fetch-doc', tool);
    grand.end();
    tool.recordException(new Error('tool broke'));
    tool.setStatus({ code: SpanStatusCode.ERROR, message: 'tool broke' });
    tool.end();
    root.end();
    await processor.forceFlush();

    for (const server of [otlp, direct]) {
      expect(server.orphans()).toEqual([]);
      expect(server.violations()).toEqual([]);
      expect(server.traces()).toHaveLength(1);
    }
    expect(otlp.requests.otlp).toBeGreaterThan(0);
    expect(direct.requests.multipart + direct.requests.batch + direct.requests.createRun).toBeGreaterThan(0);
    const viaOtlp = lineageOf(otlp.runs());
    expect(viaOtlp).toEqual(lineageOf(direct.runs()));
    const rootRunId = codecs.runIdFromSpanId(root.spanContext().spanId);
    const toolRunId = codecs.runIdFromSpanId(tool.spanContext().spanId);
    // By name: siblings started in the same millisecond tie on their timestamp and
    // sort by run id (random), which LangSmith allows, so dotted order says nothing
    // about which sibling came first.
    const byName = (rows: Array<[string, string, string | undefined]>) => rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(byName(viaOtlp.map((r) => [r.name, r.run_type, r.parent_run_id]))).toEqual([
      ['chat gpt-x', 'llm', rootRunId],
      ['fetch-doc', 'chain', toolRunId],
      ['handle', 'chain', undefined],
      ['lookup', 'tool', rootRunId],
    ]);
    expect(viaOtlp.every((r) => r.trace_id === rootRunId && r.session_name === 'sdk3-tests')).toBe(true);
    const [tree] = otlp.traces();
    expect(tree!.root.run.name).toBe('handle');
    for (const server of [otlp, direct]) {
      const llmRun = server.runs().find((r) => r.name === 'chat gpt-x')!;
      expect(JSON.stringify(llmRun.inputs)).toContain('hi é');
      expect(llmRun.tags).toEqual(['fast', 'cheap']);
      const metadata = (llmRun.extra as { metadata: Record<string, unknown> }).metadata;
      expect(metadata).toMatchObject({ ls_provider: 'openai', ls_model_name: 'gpt-x', 'service.name': 'svc3' });
      const ids = { traceId: llm.spanContext().traceId, spanId: llm.spanContext().spanId };
      if (server === direct) {
        expect(metadata).toMatchObject({ otel_trace_id: ids.traceId, otel_span_id: ids.spanId });
      } else {
        // Through OTLP the OTel ids are the span's own; a child run carries no
        // otel_* metadata (MAPPING.md, "Encoding (a): what ingest derives").
        expect(metadata).not.toHaveProperty('otel_span_id');
        expect(metadata).not.toHaveProperty('otel_trace_id');
        expect(llmRun.otel).toMatchObject(ids);
      }
      expect(server.runs().find((r) => r.name === 'lookup')!.error).toContain('tool broke');
    }
  });

  it('a filtered span never strands its children, in both encodings', async () => {
    const { otlp, direct, processor, provider, tracer } = await bridged({ exportFilteredSpans: false });
    const root = tracer.startSpan('request', { kind: SpanKind.SERVER });
    const fsSpan = child(provider.getTracer('@opentelemetry/instrumentation-fs'), 'fs.readFile', root);
    const inner = child(tracer, 'parse', fsSpan);
    inner.end();
    fsSpan.end();
    root.end();
    await processor.forceFlush();
    const rootRunId = codecs.runIdFromSpanId(root.spanContext().spanId);
    for (const server of [otlp, direct]) {
      expect(server.orphans()).toEqual([]);
      expect(server.runs().find((r) => r.name === 'parse')!.parent_run_id).toBe(rootRunId);
      expect(
        server
          .runs()
          .map((r) => r.name)
          .sort(),
      ).toEqual(['parse', 'request']);
    }
  });

  it('continues an upstream RunTree (real Client) → headers → 3.x spans: one tree in the same ingest', async () => {
    const server = await ingest();
    const client = new Client({ apiUrl: server.url, apiKey: 'test', autoBatchTracing: true });
    const upstream = new RunTree({ name: 'client-call', client, project_name: 'shared', tracingEnabled: true });
    await upstream.postRun();
    const processor = new LangSmithSpanProcessor({
      exporter: new OTLPTraceExporter({ url: `${server.url}/otel/v1/traces` }),
      project: 'ignored-when-inbound',
      scheduledDelayMillis: 20,
    });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('svc');
    const ctx = new LangSmithPropagator({ trust: true }).extract(ROOT_CONTEXT, upstream.toHeaders(), defaultTextMapGetter);
    const span = tracer.startSpan('server', { kind: SpanKind.SERVER }, ctx);
    child(tracer, 'work', span).end();
    span.end();
    await processor.forceFlush();
    await upstream.end();
    await upstream.patchRun();
    await client.awaitPendingTraceBatches();

    expect(server.orphans()).toEqual([]);
    expect(server.violations()).toEqual([]);
    expect(server.traces()).toHaveLength(1);
    const [tree] = server.traces();
    expect(tree!.lsTraceId).toBe(upstream.id);
    expect(tree!.root.run.name).toBe('client-call');
    expect(tree!.root.children.map((n) => n.run.name)).toEqual(['server']);
    expect(tree!.root.children[0]!.children.map((n) => n.run.name)).toEqual(['work']);
    expect(server.runs().every((r) => r.session_name === 'shared')).toBe(true);
  });

  it('next to the 3.x BatchSpanProcessor: both see every span; many concurrent requests → as many trees', async () => {
    const memory = new InMemorySpanExporter();
    const batch = new BatchSpanProcessor({ exporter: memory, scheduledDelayMillis: 10 });
    const { otlp, direct, provider, tracer } = await bridged({}, [batch]);
    const N = 20;
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const root = tracer.startSpan(`req-${i}`, { kind: SpanKind.SERVER });
        await new Promise((r) => setTimeout(r, i % 3));
        const c = child(tracer, `step-${i}`, root);
        c.end();
        root.end();
      }),
    );
    await provider.forceFlush();
    expect(memory.getFinishedSpans()).toHaveLength(2 * N);
    for (const server of [otlp, direct]) {
      expect(server.orphans()).toEqual([]);
      expect(server.violations()).toEqual([]);
      expect(server.traces()).toHaveLength(N);
      for (const tree of server.traces()) {
        const i = tree.root.run.name.slice('req-'.length);
        expect(tree.root.children.map((n) => n.run.name)).toEqual([`step-${i}`]);
      }
    }
  });
});
