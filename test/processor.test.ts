/**
 * LangSmithSpanProcessor against real parts: the real OTel SDK and OTLP
 * exporter, the real `langsmith` Client, and the local ingest server that
 * decodes what they send and applies LangSmith's ingest rules.
 */
import { defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client, RunTree } from 'langsmith';
import { afterEach, describe, expect, it } from 'vitest';
import { LangSmithPropagator } from '../src/index.js';
import * as codecs from '../src/headers/index.js';
import { startIngestServer, type IngestedRun, type IngestServer } from '../src/ingest/index.js';
import { LangSmithSpanProcessor, type LangSmithSpanProcessorOptions } from '../src/processor/LangSmithSpanProcessor.js';
import { LangSmithClientSink } from '../src/sinks/langsmith-client.js';
import type { Run } from '../src/mapping/types.js';
import type { RunSink } from '../src/sinks/types.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function ingest(): Promise<IngestServer> {
  const server = await startIngestServer();
  cleanups.push(() => server.close());
  return server;
}

/** A provider whose processor exports OTLP to one ingest server and runs via the real Client to another. */
async function bridged(extra: Partial<LangSmithSpanProcessorOptions> = {}) {
  const otlp = await ingest();
  const direct = await ingest();
  const processor = new LangSmithSpanProcessor({
    exporter: new OTLPTraceExporter({ url: `${otlp.url}/otel/v1/traces` }),
    sinks: [new LangSmithClientSink({ client: new Client({ apiUrl: direct.url, apiKey: 'test', autoBatchTracing: true }) })],
    project: 'bridge-tests',
    scheduledDelayMillis: 20,
    ...extra,
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc' }),
    spanProcessors: [processor],
  });
  cleanups.push(() => provider.shutdown());
  const tracer = provider.getTracer('app');
  return { otlp, direct, processor, provider, tracer };
}

function child(tracer: Tracer, name: string, parent: Span | Context, options: Parameters<Tracer['startSpan']>[1] = {}): Span {
  const ctx = 'spanContext' in parent ? trace.setSpan(ROOT_CONTEXT, parent) : parent;
  return tracer.startSpan(name, options, ctx);
}

/** The lineage fields both encodings must agree on. */
function lineageOf(runs: Array<Pick<IngestedRun, 'id' | 'trace_id' | 'parent_run_id' | 'dotted_order' | 'name' | 'run_type' | 'session_name'>>) {
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

describe('LangSmithSpanProcessor', () => {
  it('fails fast without a destination, saying what to set', () => {
    expect(() => new LangSmithSpanProcessor()).toThrow(/set `exporter`.*and\/or `sinks`/);
  });

  it('one request → one connected tree, identical through OTLP ingest and direct ingest, zero orphans', async () => {
    const { otlp, direct, processor, tracer } = await bridged();
    const root = tracer.startSpan('handle', { kind: SpanKind.SERVER });
    const llm = child(tracer, 'chat gpt-x', root, {
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-x', 'gen_ai.provider.name': 'openai' },
    });
    llm.setAttribute('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi é' }] }]));
    llm.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'hello' }], finish_reason: 'stop' }]));
    llm.setAttribute('langsmith.span.tags', 'fast,cheap');
    llm.setAttribute('langsmith.metadata.user_id', 'u-1');
    llm.setAttribute('gen_ai.usage.input_tokens', 12);
    llm.setAttribute('gen_ai.usage.output_tokens', 3);
    llm.end();
    const tool = child(tracer, 'lookup', root, { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' } });
    tool.recordException(new Error('tool broke'));
    tool.setStatus({ code: SpanStatusCode.ERROR, message: 'tool broke' });
    tool.end();
    root.end();
    await processor.forceFlush();

    expect(otlp.orphans()).toEqual([]);
    expect(direct.orphans()).toEqual([]);
    expect(otlp.violations()).toEqual([]);
    expect(direct.violations()).toEqual([]);
    expect(otlp.traces()).toHaveLength(1);
    expect(direct.traces()).toHaveLength(1);
    const viaOtlp = lineageOf(otlp.runs());
    expect(viaOtlp).toEqual(lineageOf(direct.runs()));
    const rootRunId = codecs.runIdFromSpanId(root.spanContext().spanId);
    // Siblings started in the same millisecond tie in the dotted order (SDK 2.x start
    // times have ms precision), so compare by name.
    const byName = (rows: Array<[string, string, string | undefined]>) => rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(byName(viaOtlp.map((r) => [r.name, r.run_type, r.parent_run_id]))).toEqual([
      ['chat gpt-x', 'llm', rootRunId],
      ['handle', 'chain', undefined],
      ['lookup', 'tool', rootRunId],
    ]);
    expect(viaOtlp.every((r) => r.trace_id === rootRunId && r.session_name === 'bridge-tests')).toBe(true);
    const directTool = direct.runs().find((r) => r.name === 'lookup')!;
    expect(directTool.error).toContain('tool broke');
    const otlpTool = otlp.runs().find((r) => r.name === 'lookup')!;
    expect(otlpTool.error).toContain('tool broke');
    // Encoding (a) and (b) describe the same run: inputs, outputs, tags, metadata.
    const directLlm = direct.runs().find((r) => r.name === 'chat gpt-x')!;
    const otlpLlm = otlp.runs().find((r) => r.name === 'chat gpt-x')!;
    expect(otlpLlm.inputs).toEqual(directLlm.inputs);
    expect(otlpLlm.outputs).toEqual(directLlm.outputs);
    expect(JSON.stringify(directLlm.inputs)).toContain('hi é');
    expect(otlpLlm.tags).toEqual(['fast', 'cheap']);
    expect(directLlm.tags).toEqual(['fast', 'cheap']);
    const otlpMeta = (otlpLlm.extra as { metadata: Record<string, unknown> }).metadata;
    const directMeta = (directLlm.extra as { metadata: Record<string, unknown> }).metadata;
    for (const key of ['user_id', 'ls_provider', 'ls_model_name', 'service.name']) {
      expect(otlpMeta[key]).toEqual(directMeta[key]);
    }
    // Decision 1 (MAPPING.md): through OTLP the OTel ids are the span's own, not
    // metadata — the run id carries the span id, and this run's trace is its parent's.
    expect(otlpMeta).not.toHaveProperty('otel_span_id');
    expect(otlpMeta).not.toHaveProperty('otel_trace_id');
    expect(otlpLlm.otel).toMatchObject({ traceId: directMeta.otel_trace_id, spanId: directMeta.otel_span_id });
    const otlpRootMeta = (otlp.runs().find((r) => r.name === 'handle')!.extra as { metadata: Record<string, unknown> }).metadata;
    expect(otlpRootMeta.otel_trace_id).toBe(root.spanContext().traceId);
    expect((directLlm.extra as { metadata: Record<string, unknown> }).metadata).toMatchObject({
      ls_provider: 'openai',
      ls_model_name: 'gpt-x',
      otel_trace_id: llm.spanContext().traceId,
      otel_span_id: llm.spanContext().spanId,
      'service.name': 'svc',
    });
  });

  it('a filtered span never strands its children: they attach to the nearest kept ancestor in both encodings', async () => {
    // The OTLP destination here stands for LangSmith itself (no collector in between).
    const { otlp, direct, processor, provider, tracer } = await bridged({ exportFilteredSpans: false });
    const noisy = provider.getTracer('@opentelemetry/instrumentation-fs');
    const root = tracer.startSpan('request', { kind: SpanKind.SERVER });
    const fsSpan = child(noisy, 'fs.readFile', root);
    const inner = child(tracer, 'parse', fsSpan);
    inner.end();
    fsSpan.end();
    root.end();
    await processor.forceFlush();

    const rootRunId = codecs.runIdFromSpanId(root.spanContext().spanId);
    for (const server of [otlp, direct]) {
      expect(server.orphans()).toEqual([]);
      const parse = server.runs().find((r) => r.name === 'parse')!;
      expect(parse.parent_run_id).toBe(rootRunId);
      expect(
        server
          .runs()
          .map((r) => r.name)
          .sort(),
      ).toEqual(['parse', 'request']);
    }
  });

  it('by default a filtered span still goes to the exporter (for Jaeger), flagged for the collector to drop', async () => {
    const { otlp, processor, provider, tracer } = await bridged();
    const root = tracer.startSpan('request', { kind: SpanKind.SERVER });
    child(provider.getTracer('@opentelemetry/instrumentation-dns'), 'dns.lookup', root).end();
    root.end();
    await processor.forceFlush();
    const dns = otlp.runs().find((r) => r.name === 'dns.lookup')!;
    expect(dns.attributes).toMatchObject({ 'langsmith.bridge.excluded': true });
    expect(dns.attributes!['langsmith.span.id']).toBeUndefined();
  });

  it('the exporter gets flat copies of the ReadableSpan fields; lineage ingest derives is not written, a stray langsmith.is_root is overwritten', async () => {
    const exported: ReadableSpan[] = [];
    const exporter = {
      export: (spans: ReadableSpan[], cb: (r: { code: number }) => void) => (exported.push(...spans), cb({ code: 0 })),
      shutdown: async () => {},
    };
    const processor = new LangSmithSpanProcessor({ exporter, project: 'p', scheduledDelayMillis: 20 });
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), spanProcessors: [processor] });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('app', '1.2.3');
    const root = tracer.startSpan('root', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } });
    const stray = child(tracer, 'claims-root', root, { attributes: { 'langsmith.is_root': true } });
    stray.addEvent('note', { n: 1 });
    stray.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    stray.end();
    const plain = child(tracer, 'plain', root);
    plain.end();
    root.end();
    await processor.forceFlush();

    const byName = Object.fromEntries(exported.map((s) => [s.name, s]));
    // Issue 10: ingest derives a root from a span without a parent span, and a
    // child's parent from its parentSpanId, so neither is written.
    expect(byName.root!.attributes).toMatchObject({ 'http.request.method': 'GET' });
    expect('langsmith.is_root' in byName.root!.attributes).toBe(false);
    expect(byName['claims-root']!.attributes['langsmith.is_root']).toBe(false);
    expect(byName['claims-root']!.attributes['langsmith.span.parent_id']).toBe(codecs.runIdFromSpanId(root.spanContext().spanId));
    expect('langsmith.is_root' in byName.plain!.attributes).toBe(false);
    expect('langsmith.span.parent_id' in byName.plain!.attributes).toBe(false);
    // Every ReadableSpan field, as own data of the copy; the original span is untouched.
    const original = stray as unknown as ReadableSpan;
    const copy = byName['claims-root']!;
    expect(copy).not.toBe(original);
    for (const field of [
      'name',
      'kind',
      'startTime',
      'endTime',
      'status',
      'links',
      'duration',
      'ended',
      'resource',
      'instrumentationScope',
      'droppedAttributesCount',
      'droppedEventsCount',
      'droppedLinksCount',
      'parentSpanContext',
    ] as const) {
      expect(Object.prototype.hasOwnProperty.call(copy, field), field).toBe(true);
      expect(copy[field], field).toEqual(original[field]);
    }
    expect(copy.spanContext()).toEqual(original.spanContext());
    expect(copy.events.map((e) => e.name)).toEqual(['note', 'exception']); // error status → exception event for ingest
    expect(original.events.map((e) => e.name)).toEqual(['note']);
    expect(original.attributes['langsmith.is_root']).toBe(true);
    expect(original.attributes['langsmith.span.id']).toBeUndefined();
  });

  it('continues an upstream LangSmith run: RunTree (real Client) → headers → our spans, one tree in the same ingest', async () => {
    const server = await ingest();
    const client = new Client({ apiUrl: server.url, apiKey: 'test', autoBatchTracing: true });
    const upstream = new RunTree({ name: 'client-call', client, project_name: 'shared', tracingEnabled: true });
    await upstream.postRun();
    const headers = upstream.toHeaders();

    const processor = new LangSmithSpanProcessor({
      exporter: new OTLPTraceExporter({ url: `${server.url}/otel/v1/traces` }),
      project: 'ignored-when-inbound',
      scheduledDelayMillis: 20,
    });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('svc');
    const ctx = new LangSmithPropagator({ trust: true }).extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const span = tracer.startSpan('server', { kind: SpanKind.SERVER }, ctx);
    child(tracer, 'work', span).end();
    span.end();
    await processor.forceFlush();
    await upstream.end();
    await upstream.patchRun();
    await client.awaitPendingTraceBatches();

    expect(server.orphans()).toEqual([]);
    expect(server.violations()).toEqual([]);
    const [tree] = server.traces();
    expect(server.traces()).toHaveLength(1);
    expect(tree!.lsTraceId).toBe(upstream.id);
    expect(tree!.root.run.name).toBe('client-call');
    expect(tree!.root.children.map((n) => n.run.name)).toEqual(['server']);
    expect(tree!.root.children[0]!.children.map((n) => n.run.name)).toEqual(['work']);
    expect(server.runs().every((r) => r.session_name === 'shared')).toBe(true);
  });

  it('bounded: with a stalled sink every drop is counted, and forceFlush delivers what was queued', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const written: Run[] = [];
    const stalled: RunSink = {
      name: 'stalled',
      async write(runs) {
        await gate;
        written.push(...runs);
      },
    };
    const processor = new LangSmithSpanProcessor({ sinks: [stalled], maxQueueSize: 10, maxExportBatchSize: 5, scheduledDelayMillis: 1 });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 100; i++) tracer.startSpan(`s${i}`).end();
    await new Promise((r) => setTimeout(r, 20));
    const { queues, dropped } = processor.stats;
    expect(queues.stalled!.queued + queues.stalled!.droppedQueueFull).toBe(100);
    expect(dropped).toBe(queues.stalled!.droppedQueueFull);
    expect(dropped).toBeGreaterThanOrEqual(100 - 15);
    release();
    await processor.forceFlush();
    expect(written.length).toBe(processor.stats.queues.stalled!.exported);
    expect(written.length + processor.stats.dropped).toBe(100);
  });

  it('a failing destination is retried with backoff and delivers after recovery', async () => {
    let failures = 2;
    const written: Run[] = [];
    const flaky: RunSink = {
      name: 'flaky',
      async write(runs) {
        if (failures-- > 0) throw new Error('503');
        written.push(...runs);
      },
    };
    const processor = new LangSmithSpanProcessor({ sinks: [flaky], scheduledDelayMillis: 1, retryBaseMillis: 5 });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 7; i++) tracer.startSpan(`s${i}`).end();
    await processor.forceFlush();
    expect(written.map((r) => r.name)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
    expect(processor.stats.queues.flaky).toMatchObject({ failedExports: 2, retries: 2, exported: 7, droppedExportFailed: 0 });
  });
});
