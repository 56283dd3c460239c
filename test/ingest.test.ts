/**
 * The local ingest server against real senders: the `langsmith` JS Client
 * (multipart with and without gzip, JSON batch, legacy single-run API) and the
 * OpenTelemetry OTLP/HTTP exporters (protobuf and JSON).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type HrTime, type SpanContext } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Client, RunTree } from 'langsmith';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDottedOrderSegment, parseDottedOrder } from '../src/headers/dotted-order.js';
import { runIdFromSpanId } from '../src/headers/ids.js';
import { estimateBytes } from '../src/ingest/json-limits.js';
import { notices } from '../src/notices.js';
import {
  decodeOtlpTraceJson,
  decodeOtlpTraceProtobuf,
  decodeMultipartRuns,
  formatTree,
  MAX_JSON_DEPTH,
  RunStore,
  startIngestServer,
  ZSTD_AVAILABLE,
  type IngestedRun,
  type IngestServer,
  type IngestServerOptions,
  type RunNode,
} from '../src/ingest/index.js';

const servers: IngestServer[] = [];
const closers: Array<() => Promise<void>> = [];

async function start(options: IngestServerOptions = {}): Promise<IngestServer> {
  const server = await startIngestServer(options);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function post(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body, headers });
}

/** A server that records every request body verbatim (and answers /info with `{}`). */
async function startCapture(): Promise<{
  url: string;
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: Buffer }>;
}> {
  const requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: Buffer }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/info') {
        requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      }
      res.writeHead(req.url === '/info' ? 200 : 202, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function childrenOf(node: RunNode): IngestedRun[] {
  return node.children.map((c) => c.run);
}

// ---------------------------------------------------------------------------
// (a) The real langsmith Client
// ---------------------------------------------------------------------------

async function sendNestedTrace(client: Client, project: string) {
  const root = new RunTree({ name: 'agent', run_type: 'chain', client, project_name: project, inputs: { question: 'why?' } });
  await root.postRun();
  const llm = root.createChild({ name: 'llm-call', run_type: 'llm', inputs: { prompt: 'p' } });
  await llm.postRun();
  const tool = llm.createChild({ name: 'search', run_type: 'tool', inputs: { query: 'q' } });
  await tool.postRun();
  await tool.end({ hits: 3 });
  await tool.patchRun();
  await llm.end(undefined, 'RateLimitError: slow down');
  await llm.patchRun();
  await root.end({ answer: 'because' });
  await root.patchRun();
  await client.awaitPendingTraceBatches();
  return { root, llm, tool };
}

function expectReconstructed(server: IngestServer, sent: Awaited<ReturnType<typeof sendNestedTrace>>, project: string) {
  const { root, llm, tool } = sent;
  expect(server.violations()).toEqual([]);
  expect(server.orphans()).toEqual([]);
  const traces = server.traces();
  expect(traces).toHaveLength(1);
  const tree = traces[0]!;
  expect(tree.lsTraceId).toBe(root.id);
  expect(tree.project).toBe(project);
  expect(tree.runs).toBe(3);

  expect(tree.root.run).toMatchObject({
    id: root.id,
    trace_id: root.id,
    dotted_order: root.dotted_order,
    name: 'agent',
    run_type: 'chain',
    inputs: { question: 'why?' },
    outputs: { answer: 'because' },
    session_name: project,
  });
  expect(tree.root.run.parent_run_id).toBeUndefined();
  expect(tree.root.run.end_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  expect(tree.root.run.extra?.['runtime']).toMatchObject({ sdk: 'langsmith-js' });

  expect(childrenOf(tree.root)).toHaveLength(1);
  const llmNode = tree.root.children[0]!;
  expect(llmNode.run).toMatchObject({
    id: llm.id,
    trace_id: root.id,
    parent_run_id: root.id,
    dotted_order: llm.dotted_order,
    run_type: 'llm',
    inputs: { prompt: 'p' },
    error: 'RateLimitError: slow down',
  });
  expect(llm.dotted_order.startsWith(`${root.dotted_order}.`)).toBe(true);
  expect(childrenOf(llmNode)).toHaveLength(1);
  expect(llmNode.children[0]!.run).toMatchObject({
    id: tool.id,
    trace_id: root.id,
    parent_run_id: llm.id,
    dotted_order: tool.dotted_order,
    run_type: 'tool',
    inputs: { query: 'q' },
    outputs: { hits: 3 },
  });
  expect(parseDottedOrder(tool.dotted_order)?.depth).toBe(3);
  expect(server.runs().map((r) => r.id)).toEqual([root.id, llm.id, tool.id]);
}

describe('ingest server with the real langsmith Client', () => {
  it.each([
    { mode: 'multipart, gzip-compressed (default /info)', options: {}, route: 'multipart', encoding: 'gzip' },
    { mode: 'multipart, uncompressed chunked upload', options: { gzipBody: false }, route: 'multipart', encoding: 'identity' },
    { mode: 'JSON batch', options: { runIngest: 'batch' }, route: 'batch', encoding: 'identity' },
  ] as const)('reconstructs a nested trace sent as $mode', async ({ options, route, encoding }) => {
    const seen: string[] = [];
    const server = await start({ ...options, onRun: (run) => seen.push(run.id) });
    const client = new Client({ apiUrl: server.url, apiKey: 'test', autoBatchTracing: true });
    const sent = await sendNestedTrace(client, 'proj-a');

    expectReconstructed(server, sent, 'proj-a');
    const counts = server.requests;
    expect(counts.info).toBe(1);
    expect(counts[route]).toBeGreaterThanOrEqual(1);
    expect(counts[route === 'batch' ? 'multipart' : 'batch']).toBe(0);
    expect(Object.keys(counts.encodings)).toEqual([encoding]);
    expect(counts.badRequest).toBe(0);
    expect(new Set(seen)).toEqual(new Set([sent.root.id, sent.llm.id, sent.tool.id]));
  });

  it('merges a patch that arrives in a later multipart request onto its post', async () => {
    const server = await start();
    const client = new Client({ apiUrl: server.url, apiKey: 'test', autoBatchTracing: true });
    const root = new RunTree({ name: 'slow', client, project_name: 'proj-b', inputs: { n: 1 } });
    await root.postRun();
    await client.awaitPendingTraceBatches();
    expect(server.runs()).toHaveLength(1);
    expect(server.runs()[0]!.outputs).toBeUndefined();
    expect(server.runs()[0]!.end_time).toBeUndefined();

    await root.end({ n: 2 });
    await root.patchRun();
    await client.awaitPendingTraceBatches();
    expect(server.requests.multipart).toBe(2);
    const [run] = server.runs();
    expect(run).toMatchObject({ id: root.id, inputs: { n: 1 }, outputs: { n: 2 }, dotted_order: root.dotted_order });
    expect(run!.end_time).toBeDefined();
    expect(server.violations()).toEqual([]);
  });

  it('takes the legacy single-run API (autoBatchTracing: false)', async () => {
    const server = await start();
    const client = new Client({ apiUrl: server.url, apiKey: 'test', autoBatchTracing: false });
    const sent = await sendNestedTrace(client, 'proj-c');
    expectReconstructed(server, sent, 'proj-c');
    expect(server.requests).toMatchObject({ createRun: 3, updateRun: 3, multipart: 0, batch: 0 });
  });

  it('answers /info with what makes the Client send bodies this Node can decode', async () => {
    const server = await start();
    const info = (await (await fetch(`${server.url}/info`)).json()) as Record<string, Record<string, unknown>>;
    expect(info['batch_ingest_config']).toMatchObject({ use_multipart_endpoint: true, size_limit: 100 });
    expect(info['instance_flags']).toMatchObject({ gzip_body_enabled: true, zstd_compression_enabled: ZSTD_AVAILABLE });
  });

  it('prints the reconstructed tree with durations and an error marker', async () => {
    const server = await start();
    const client = new Client({ apiUrl: server.url, apiKey: 'test', autoBatchTracing: true });
    const { root } = await sendNestedTrace(client, 'proj-d');
    const lines = formatTree(server.traces()[0]!).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`trace ${root.id} · project proj-d · 3 runs`);
    expect(lines[1]).toMatch(/^agent {2}chain {2}\d+\.\d ms$/);
    expect(lines[2]).toMatch(/^└─ llm-call {2}llm {2}\d+\.\d ms {2}✗ RateLimitError: slow down$/);
    expect(lines[3]).toMatch(/^ {3}└─ search {2}tool {2}\d+\.\d ms$/);
    expect(formatTree(server.traces()[0]!, { color: true })).toContain('\u001b[31m✗ RateLimitError');
  });
});

// ---------------------------------------------------------------------------
// (b) The real OTLP/HTTP exporters
// ---------------------------------------------------------------------------

const EXPORTERS = [
  { encoding: 'protobuf', make: (url: string, headers?: Record<string, string>) => new OTLPProtoExporter({ url, headers }) },
  { encoding: 'json', make: (url: string, headers?: Record<string, string>) => new OTLPJsonExporter({ url, headers }) },
] as const;

function pipeline(exporter: SpanExporter) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc-a' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  closers.push(() => provider.shutdown());
  return { provider, tracer: provider.getTracer('ingest-test', '1.2.3') };
}

const T0 = 1767225600; // 2026-01-01T00:00:00Z
const at = (nanos: number): HrTime => [T0, nanos];

function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<number> {
  return new Promise((resolve) => exporter.export(spans, (result) => resolve(result.code)));
}

describe.each(EXPORTERS)('ingest server with the real OTLP exporter ($encoding)', ({ make }) => {
  it('decodes ids, times, attributes, events, links and status exactly', async () => {
    const server = await start();
    const { provider, tracer } = pipeline(make(`${server.url}/otel/v1/traces`));
    const linked: SpanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    };
    const parent = tracer.startSpan('parent-op', { kind: SpanKind.SERVER, startTime: at(123_456_789) });
    const child = tracer.startSpan(
      'child-op',
      {
        kind: SpanKind.CLIENT,
        startTime: at(200_000_000),
        attributes: { s: 'x', b: true, i: 42, neg: -7, d: 1.5, arr: ['a', 'b'], nums: [1, 2, 3] },
        links: [{ context: linked, attributes: { 'link.kind': 'follows' } }],
      },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    child.addEvent('cache.miss', { key: 'k1' }, at(250_000_000));
    const err = new Error('boom');
    err.stack = 'Error: boom\n    at fake (file.js:1:1)';
    child.recordException(err, at(260_000_000));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    child.end(at(300_000_000));
    parent.end([T0 + 1, 0]);
    await provider.forceFlush();

    const parentSpanId = parent.spanContext().spanId;
    const childSpanId = child.spanContext().spanId;
    const parentRunId = runIdFromSpanId(parentSpanId);
    const childRunId = runIdFromSpanId(childSpanId);
    expect(server.violations()).toEqual([]);
    expect(server.orphans()).toEqual([]);
    expect(server.requests.otlp).toBe(2);

    const runs = server.runs();
    expect(runs.map((r) => r.id)).toEqual([parentRunId, childRunId]);
    const [p, c] = runs as [IngestedRun, IngestedRun];
    expect(p).toMatchObject({
      id: parentRunId,
      trace_id: parentRunId,
      dotted_order: `20260101T000000123456Z${parentRunId}`,
      name: 'parent-op',
      run_type: 'chain',
      start_time: '2026-01-01T00:00:00.123456Z',
      end_time: '2026-01-01T00:00:01.000000Z',
      session_name: 'default',
      source: 'otlp',
    });
    expect(p.parent_run_id).toBeUndefined();
    expect(p.resource).toMatchObject({ 'service.name': 'svc-a' });
    expect(p.otel).toMatchObject({ kind: 2, parentSpanId: undefined, startTimeUnixNano: '1767225600123456789' });

    expect(c).toMatchObject({
      id: childRunId,
      trace_id: parentRunId,
      parent_run_id: parentRunId,
      dotted_order: `20260101T000000123456Z${parentRunId}.20260101T000000200000Z${childRunId}`,
      name: 'child-op',
      start_time: '2026-01-01T00:00:00.200000Z',
      end_time: '2026-01-01T00:00:00.300000Z',
      error: 'Error: boom\n    at fake (file.js:1:1)',
    });
    expect(c.attributes).toEqual({ s: 'x', b: true, i: 42, neg: -7, d: 1.5, arr: ['a', 'b'], nums: [1, 2, 3] });
    expect(c.otel).toEqual({
      traceId: parent.spanContext().traceId,
      spanId: childSpanId,
      parentSpanId,
      traceState: '',
      flags: 0x101, // sampled | HAS_IS_REMOTE (the parent is local)
      kind: 3,
      startTimeUnixNano: '1767225600200000000',
      endTimeUnixNano: '1767225600300000000',
      status: { code: 2, message: 'failed' },
      events: [
        { name: 'cache.miss', timeUnixNano: '1767225600250000000', timeMicros: 1767225600250000, attributes: { key: 'k1' } },
        {
          name: 'exception',
          timeUnixNano: '1767225600260000000',
          timeMicros: 1767225600260000,
          attributes: {
            'exception.type': 'Error',
            'exception.message': 'boom',
            'exception.stacktrace': 'Error: boom\n    at fake (file.js:1:1)',
          },
        },
      ],
      links: [
        {
          traceId: linked.traceId,
          spanId: linked.spanId,
          traceState: '',
          flags: 0x301, // sampled | HAS_IS_REMOTE | IS_REMOTE
          attributes: { 'link.kind': 'follows' },
        },
      ],
      scope: { name: 'ingest-test', version: '1.2.3' },
    });
    const tree = server.traces()[0]!;
    expect(tree.lsTraceId).toBe(parentRunId);
    expect(formatTree(tree).split('\n')).toEqual([
      `trace ${parentRunId} · project default · 2 runs`,
      'parent-op  chain  877 ms',
      '└─ child-op  chain  100 ms  ✗ Error: boom',
    ]);
  });

  it('decodes every AnyValue kind the serializer writes (kvlist, bytes, int64)', async () => {
    const server = await start();
    const exporter = make(`${server.url}/otel/v1/traces`);
    const attributes = {
      str: 'v',
      bool: false,
      int: 7,
      big: 2 ** 60,
      dbl: 0.25,
      mixed: ['x', 1, true],
      kv: { nested: { deep: 'v' }, n: 1 },
      bytes: new Uint8Array([0, 1, 255]),
    } as unknown as Attributes;
    const span: ReadableSpan = {
      name: 'values',
      kind: SpanKind.INTERNAL,
      spanContext: () => ({ traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceFlags: 1 }),
      parentSpanContext: undefined,
      startTime: at(0),
      endTime: at(1000),
      status: { code: SpanStatusCode.UNSET },
      attributes,
      links: [],
      events: [],
      duration: [0, 1000],
      ended: true,
      resource: resourceFromAttributes({ 'service.name': 'fake' }),
      instrumentationScope: { name: 'fake' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
    expect(await exportOnce(exporter, [span])).toBe(0);
    await exporter.shutdown();
    const [run] = server.runs();
    expect(run!.id).toBe('00000000-0000-0000-2222-222222222222');
    expect(run!.attributes).toEqual({
      str: 'v',
      bool: false,
      int: 7,
      big: 2n ** 60n,
      dbl: 0.25,
      mixed: ['x', 1, true],
      kv: { nested: { deep: 'v' }, n: 1 },
      bytes: new Uint8Array([0, 1, 255]),
    });
  });

  it('holds a child exported before its parent as an orphan until the parent arrives', async () => {
    const server = await start();
    const { provider, tracer } = pipeline(make(`${server.url}/otel/v1/traces`));
    const root = tracer.startSpan('root', { startTime: at(0) });
    const mid = tracer.startSpan('mid', { startTime: at(1000) }, trace.setSpan(ROOT_CONTEXT, root));
    const leaf = tracer.startSpan('leaf', { startTime: at(2000) }, trace.setSpan(ROOT_CONTEXT, mid));
    const [rootId, midId, leafId] = [root, mid, leaf].map((s) => runIdFromSpanId(s.spanContext().spanId)) as [string, string, string];

    leaf.end(at(3000));
    await provider.forceFlush();
    expect(server.orphans().map((r) => r.id)).toEqual([leafId]);
    expect(server.orphans()[0]).toMatchObject({ parent_run_id: midId, trace_id: undefined, dotted_order: undefined });
    expect(server.runs()).toEqual([]);

    mid.end(at(4000));
    await provider.forceFlush();
    expect(server.orphans().map((r) => r.id)).toEqual([leafId, midId]);
    expect(server.traces()).toEqual([]);

    root.end(at(5000));
    await provider.forceFlush();
    expect(server.orphans()).toEqual([]);
    expect(server.violations()).toEqual([]);
    const [tree] = server.traces();
    expect(tree!.runs).toBe(3);
    const leafRun = tree!.root.children[0]!.children[0]!.run;
    expect(leafRun).toMatchObject({
      id: leafId,
      trace_id: rootId,
      parent_run_id: midId,
      dotted_order: `20260101T000000000000Z${rootId}.20260101T000000000001Z${midId}.20260101T000000000002Z${leafId}`,
    });
  });

  it('keeps a span whose parent never arrives in orphans(), not in traces()', async () => {
    const server = await start();
    const { provider, tracer } = pipeline(make(`${server.url}/otel/v1/traces`));
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: 'feedfacecafebeef',
      traceFlags: 1,
      isRemote: true,
    });
    const span = tracer.startSpan('downstream', {}, remote);
    span.end();
    await provider.forceFlush();
    expect(server.orphans()).toHaveLength(1);
    expect(server.orphans()[0]).toMatchObject({
      id: runIdFromSpanId(span.spanContext().spanId),
      parent_run_id: '00000000-0000-0000-feed-facecafebeef',
    });
    expect(server.runs()).toEqual([]);
    expect(server.traces()).toEqual([]);
    expect(server.violations()).toEqual([]);

    // `langsmith.is_root` re-roots the same situation: no orphan.
    server.clear();
    const rerooted = tracer.startSpan('downstream', { attributes: { 'langsmith.is_root': true } }, remote);
    rerooted.end();
    await provider.forceFlush();
    expect(server.orphans()).toEqual([]);
    expect(server.traces().map((t) => t.lsTraceId)).toEqual([runIdFromSpanId(rerooted.spanContext().spanId)]);
  });

  it('honours explicit langsmith.* lineage attributes over the implicit rules', async () => {
    const server = await start();
    const client = new Client({ apiUrl: server.url, apiKey: 'test', autoBatchTracing: true });
    const parentRun = new RunTree({ name: 'sdk-root', client, project_name: 'mixed', inputs: {} });
    await parentRun.postRun();
    await client.awaitPendingTraceBatches();

    const childRunId = randomUUID();
    const startMicros = parseDottedOrder(parentRun.dotted_order)!.startMicros + 5000;
    const dotted = `${parentRun.dotted_order}.${formatDottedOrderSegment(startMicros, childRunId)}`;
    const { provider, tracer } = pipeline(make(`${server.url}/otel/v1/traces`, { 'Langsmith-Project': 'from-header' }));
    const someOtelParent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    const span = tracer.startSpan(
      'otel-name',
      {
        startTime: [Math.floor(startMicros / 1e6), (startMicros % 1e6) * 1000],
        attributes: {
          'langsmith.span.id': childRunId,
          'langsmith.trace.id': parentRun.trace_id,
          'langsmith.span.parent_id': parentRun.id,
          'langsmith.span.dotted_order': dotted,
          'langsmith.trace.session_name': 'mixed',
          'langsmith.span.kind': 'LLM',
          'langsmith.trace.name': 'generate',
          'langsmith.metadata.user': 'u1',
          'langsmith.span.tags': 'a, b',
          'gen_ai.prompt': '{"messages":[1]}',
          'gen_ai.completion': 'hello',
        },
      },
      someOtelParent,
    );
    span.end();
    await provider.forceFlush();

    expect(server.violations()).toEqual([]);
    expect(server.orphans()).toEqual([]);
    const [tree] = server.traces();
    expect(tree).toMatchObject({ lsTraceId: parentRun.id, runs: 2, project: 'mixed' });
    expect(tree!.root.children[0]!.run).toMatchObject({
      id: childRunId,
      trace_id: parentRun.id,
      parent_run_id: parentRun.id,
      dotted_order: dotted,
      name: 'generate',
      run_type: 'llm',
      session_name: 'mixed',
      extra: { metadata: { user: 'u1' } },
      tags: ['a', 'b'],
      inputs: { messages: [1] },
      outputs: { text: 'hello' },
    });

    // Without langsmith.trace.session_name the Langsmith-Project header names the project.
    const plain = tracer.startSpan('plain');
    plain.end();
    await provider.forceFlush();
    expect(server.runs().find((r) => r.name === 'plain')?.session_name).toBe('from-header');
  });

  it('nests a span under an SDK run from langsmith.span.parent_id alone, computing its dotted order', async () => {
    const server = await start();
    const client = new Client({ apiUrl: server.url, apiKey: 'test', autoBatchTracing: true });
    const sdkRun = new RunTree({ name: 'sdk-root', client, project_name: 'nest', inputs: {} });
    await sdkRun.postRun();
    await client.awaitPendingTraceBatches();

    const { provider, tracer } = pipeline(make(`${server.url}/otel/v1/traces`));
    // Started 1 s before the SDK run (clock skew): the computed segment is clamped to the parent's time.
    const parentMicros = parseDottedOrder(sdkRun.dotted_order)!.startMicros;
    const skewed = parentMicros - 1_000_000;
    const span = tracer.startSpan('otel-child', {
      startTime: [Math.floor(skewed / 1e6), (skewed % 1e6) * 1000],
      attributes: { 'langsmith.span.parent_id': sdkRun.id, 'langsmith.trace.session_name': 'nest' },
    });
    span.end();
    await provider.forceFlush();

    const runId = runIdFromSpanId(span.spanContext().spanId);
    expect(server.violations()).toEqual([]);
    expect(server.orphans()).toEqual([]);
    const [tree] = server.traces();
    expect(tree!.runs).toBe(2);
    expect(tree!.root.children[0]!.run).toMatchObject({
      id: runId,
      parent_run_id: sdkRun.id,
      trace_id: sdkRun.id,
      dotted_order: `${sdkRun.dotted_order}.${formatDottedOrderSegment(parentMicros, runId)}`,
    });
  });

  it('reports explicit lineage that breaks the server invariants', async () => {
    const server = await start();
    const { provider, tracer } = pipeline(make(`${server.url}/otel/v1/traces`));
    const claimedId = randomUUID();
    const otherId = randomUUID();
    const span = tracer.startSpan('liar', {
      attributes: {
        'langsmith.span.id': claimedId,
        'langsmith.span.dotted_order': `20260101T000000000001Z${otherId}`,
      },
    });
    span.end();
    await provider.forceFlush();
    const bad = tracer.startSpan('bad-id', { attributes: { 'langsmith.span.id': 'not-a-uuid' } });
    bad.end();
    await provider.forceFlush();
    const badRunId = runIdFromSpanId(bad.spanContext().spanId);
    expect(server.violations()).toEqual([
      `run ${claimedId} ("liar"): id is not the last dotted_order segment's UUID ${otherId}`,
      `span ${bad.spanContext().spanId} ("bad-id"): attribute langsmith.span.id="not-a-uuid" is not a UUID; ignored`,
    ]);
    expect(
      server
        .runs()
        .map((r) => r.id)
        .sort(),
    ).toEqual([claimedId, badRunId].sort());
  });

  it('accepts the self-hosted path /api/v1/otel/v1/traces and 404s the doubled one', async () => {
    const server = await start();
    const { provider, tracer } = pipeline(make(`${server.url}/api/v1/otel/v1/traces`));
    tracer.startSpan('self-hosted').end();
    await provider.forceFlush();
    expect(server.runs().map((r) => r.name)).toEqual(['self-hosted']);

    const doubled = await post(`${server.url}/otel/v1/traces/v1/traces`, '{}', { 'content-type': 'application/json' });
    expect(doubled.status).toBe(404);
    expect(await doubled.json()).toEqual({ error: 'no route for POST /otel/v1/traces/v1/traces' });
  });
});

describe('OTLP/HTTP gzip', () => {
  it('decodes a gzip-compressed protobuf export', async () => {
    const server = await start();
    type Compression = NonNullable<ConstructorParameters<typeof OTLPProtoExporter>[0]>['compression'];
    const exporter = new OTLPProtoExporter({ url: `${server.url}/otel/v1/traces`, compression: 'gzip' as Compression });
    const { provider, tracer } = pipeline(exporter);
    tracer.startSpan('zipped', { attributes: { k: 'v' } }).end();
    await provider.forceFlush();
    expect(server.requests.encodings).toEqual({ gzip: 1 });
    expect(server.runs()[0]).toMatchObject({ name: 'zipped', attributes: { k: 'v' } });
  });
});

// ---------------------------------------------------------------------------
// (c) Malformed input: 4xx with a message, counted, server keeps serving
// ---------------------------------------------------------------------------

/** Deterministic bytes (xorshift32), so a failure reproduces. */
function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** One real protobuf export body holding a parent and its child (child first, as spans end). */
async function captureProtobufExport(): Promise<Buffer> {
  const capture = await startCapture();
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('capture');
  const parent = tracer.startSpan('p', { attributes: { a: 'b', n: [1, 2] } });
  tracer.startSpan('c', {}, trace.setSpan(ROOT_CONTEXT, parent)).end();
  parent.end();
  const exporter = new OTLPProtoExporter({ url: `${capture.url}/v1/traces` });
  expect(await exportOnce(exporter, memory.getFinishedSpans())).toBe(0);
  await exporter.shutdown();
  expect(capture.requests).toHaveLength(1);
  return capture.requests[0]!.body;
}

describe('malformed bodies', () => {
  it('rejects every strict prefix of a real protobuf export (the decoder is total)', async () => {
    const body = await captureProtobufExport();
    expect(decodeOtlpTraceProtobuf(body).ok).toBe(true);
    for (let cut = 1; cut < body.length; cut++) {
      const result = decodeOtlpTraceProtobuf(body.subarray(0, cut));
      expect(result.ok, `prefix of ${cut} bytes`).toBe(false);
    }
  });

  it('never throws on arbitrary bytes, arbitrary JSON or a corrupted real export (property)', async () => {
    const total = (f: () => { ok: boolean }) => expect(typeof f().ok).toBe('boolean');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        total(() => decodeOtlpTraceProtobuf(bytes));
        total(() => decodeOtlpTraceJson(bytes));
        total(() => decodeMultipartRuns(bytes, 'multipart/form-data; boundary=b'));
      }),
      { numRuns: 2000 },
    );
    const spanField = fc.constantFrom('traceId', 'spanId', 'parentSpanId', 'attributes', 'events', 'links', 'status', 'kind', 'startTimeUnixNano', 'flags');
    fc.assert(
      fc.property(fc.dictionary(spanField, fc.anything()), fc.json(), (span, json) => {
        total(() =>
          decodeOtlpTraceJson(
            JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
          ),
        );
        total(() => decodeOtlpTraceJson(json));
      }),
      { numRuns: 2000 },
    );
    const real = await captureProtobufExport();
    fc.assert(
      fc.property(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const copy = Buffer.from(real);
        copy[at] = value;
        total(() => decodeOtlpTraceProtobuf(copy));
      }),
      { numRuns: 3000 },
    );
  });

  it('answers 400 to garbage OTLP and multipart bodies and keeps serving', async () => {
    const server = await start();
    const otlp = `${server.url}/otel/v1/traces`;
    const realProto = await captureProtobufExport();

    const capture = await startCapture();
    const client = new Client({ apiUrl: capture.url, apiKey: 'test', autoBatchTracing: true });
    const rt = new RunTree({ name: 'm', client, project_name: 'p', inputs: { a: 1 } });
    await rt.postRun();
    await client.awaitPendingTraceBatches();
    const mp = capture.requests.find((r) => r.path === '/runs/multipart')!;
    const mpType = String(mp.headers['content-type']);
    const mpText = mp.body.toString('utf8');

    const cases: Array<{ name: string; url: string; body: Uint8Array | string; headers: Record<string, string>; error: RegExp }> = [
      {
        name: 'random bytes as protobuf',
        url: otlp,
        body: pseudoRandomBytes(512, 42),
        headers: { 'content-type': 'application/x-protobuf' },
        error: /^invalid OTLP protobuf: /,
      },
      {
        name: 'truncated protobuf',
        url: otlp,
        body: realProto.subarray(0, realProto.length - 3),
        headers: { 'content-type': 'application/x-protobuf' },
        error: /runs past the end|truncated/,
      },
      { name: 'not JSON', url: otlp, body: '{"resourceSpans": [', headers: { 'content-type': 'application/json' }, error: /not JSON/ },
      {
        name: 'JSON of the wrong shape',
        url: otlp,
        body: '{"resourceSpans": 5}',
        headers: { 'content-type': 'application/json' },
        error: /resourceSpans is not an array/,
      },
      {
        name: 'non-hex span id',
        url: otlp,
        body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ spanId: 'zz' }] }] }] }),
        headers: { 'content-type': 'application/json' },
        error: /spanId "zz" is not hex/,
      },
      {
        name: 'gzip header, not gzip',
        url: otlp,
        body: pseudoRandomBytes(64, 7),
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
        error: /not valid gzip/,
      },
      {
        name: 'multipart without boundary',
        url: `${server.url}/runs/multipart`,
        body: mpText,
        headers: { 'content-type': 'multipart/form-data' },
        error: /with a boundary/,
      },
      {
        name: 'multipart cut before its closing boundary',
        url: `${server.url}/runs/multipart`,
        body: mpText.slice(0, mpText.length - 60),
        headers: { 'content-type': mpType },
        error: /without a closing boundary/,
      },
      {
        name: 'multipart part longer than its declared length',
        url: `${server.url}/runs/multipart`,
        body: mpText.replace('{"a":1}', '{"a":10}'),
        headers: { 'content-type': mpType },
        error: /declared length 7 but has 8 bytes/,
      },
      {
        name: 'multipart with an unknown part kind',
        url: `${server.url}/runs/multipart`,
        body: mpText.replaceAll(`name="post.${rt.id}.inputs"`, `name="bogus.${rt.id}"`),
        headers: { 'content-type': mpType },
        error: /unknown part kind "bogus"/,
      },
      {
        name: 'batch that is not JSON',
        url: `${server.url}/runs/batch`,
        body: 'post=1',
        headers: { 'content-type': 'application/json' },
        error: /not valid UTF-8 JSON/,
      },
      {
        name: 'batch run with a bad id',
        url: `${server.url}/runs/batch`,
        body: '{"post":[{"id":"x"}]}',
        headers: { 'content-type': 'application/json' },
        error: /post\[0\]\.id is not a UUID/,
      },
    ];
    for (const c of cases) {
      const res = await post(c.url, c.body, c.headers);
      expect(res.status, c.name).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error, c.name).toMatch(c.error);
    }
    expect(server.requests.badRequest).toBe(cases.length);
    expect(server.runs()).toEqual([]);

    // Still serving: the untouched bodies are accepted.
    expect((await post(otlp, realProto, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    expect((await post(`${server.url}/runs/multipart`, mp.body, { 'content-type': mpType })).status).toBe(202);
    expect(
      server
        .runs()
        .map((r) => r.name)
        .sort(),
    ).toEqual(['c', 'm', 'p']);
    expect(server.violations()).toEqual([]);
  });

  it('answers 404, 401, 413 and 415 as JSON', async () => {
    const server = await start({ apiKey: 'sekrit', maxBodyBytes: 4096 });
    const json = { 'content-type': 'application/json' };
    const nf = await fetch(`${server.url}/runs/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ error: 'no route for GET /runs/nope' });

    expect((await post(`${server.url}/runs/batch`, '{}', json)).status).toBe(401);
    expect((await post(`${server.url}/runs/batch`, '{}', { ...json, 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await post(`${server.url}/runs/batch`, '{}', { ...json, 'x-api-key': 'sekrit' })).status).toBe(202);
    expect((await fetch(`${server.url}/info`)).status).toBe(200);

    const auth = { ...json, 'x-api-key': 'sekrit' };
    const big = await post(`${server.url}/runs/batch`, 'x'.repeat(5000), auth);
    expect(big.status).toBe(413);
    const bomb = await post(`${server.url}/runs/batch`, gzipSync(Buffer.alloc(100_000, 0x20)), { ...auth, 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    expect(((await bomb.json()) as { error: string }).error).toMatch(/once decompressed/);

    const otlpType = await post(`${server.url}/otel/v1/traces`, 'x', { ...auth, 'content-type': 'text/plain' });
    expect(otlpType.status).toBe(415);
    const zstd = await post(`${server.url}/runs/batch`, 'x', { ...auth, 'content-encoding': 'zstd' });
    expect(zstd.status).toBe(ZSTD_AVAILABLE ? 400 : 415);

    expect(server.requests).toMatchObject({ notFound: 1, unauthorized: 2, tooLarge: 2, unsupported: ZSTD_AVAILABLE ? 1 : 2 });
  });

  describe('server invariants of direct runs (langsmith.md §2)', () => {
    const r = '01900000-0000-7000-8000-000000000001';
    const other = '01900000-0000-7000-8000-000000000002';
    const c = '01900000-0000-7000-8000-000000000003';
    const seg = (micros: number, id: string) => formatDottedOrderSegment(micros, id);
    const root = { id: r, trace_id: r, name: 'root', start_time: 1, dotted_order: seg(1, r) };
    const otherRoot = { id: other, trace_id: other, name: 'other', start_time: 1, dotted_order: seg(1, other) };
    const cases = [
      {
        rule: 'parent_run_id is the second-to-last UUID',
        runs: [root, otherRoot, { id: c, trace_id: r, parent_run_id: other, name: 'c', dotted_order: `${seg(1, r)}.${seg(2, c)}` }],
        expected: [
          `run ${c} ("c"): parent_run_id ${other} is not the second-to-last dotted_order segment's UUID ${r}`,
          `run ${c} ("c"): dotted_order does not extend its parent's dotted_order ${seg(1, other)}`,
        ],
      },
      {
        rule: 'trace_id is the first UUID',
        runs: [root, { id: c, trace_id: c, parent_run_id: r, name: 'c', dotted_order: `${seg(1, r)}.${seg(2, c)}` }],
        expected: [`run ${c} ("c"): trace_id ${c} is not the first dotted_order segment's UUID ${r}`],
      },
      {
        rule: 'id is the last UUID',
        runs: [root, { id: c, trace_id: r, parent_run_id: r, name: 'c', dotted_order: `${seg(1, r)}.${seg(2, other)}` }],
        expected: [`run ${c} ("c"): id is not the last dotted_order segment's UUID ${other}`],
      },
      {
        rule: 'a root has exactly one segment',
        runs: [root, { id: c, trace_id: r, name: 'c', dotted_order: `${seg(1, r)}.${seg(2, c)}` }],
        expected: [`run ${c} ("c"): a root run (no parent_run_id) has 2 dotted_order segments, expected 1`],
      },
      {
        rule: "a child's timestamp is not earlier than its parent's",
        runs: [
          { ...root, dotted_order: seg(5, r) },
          { id: c, trace_id: r, parent_run_id: r, name: 'c', dotted_order: `${seg(5, r)}.${seg(2, c)}` },
        ],
        expected: [
          `run ${c} ("c"): dotted_order "${seg(5, r)}.${seg(2, c)}" is invalid: segment 2 "${seg(2, c)}" starts before its parent segment (a child's timestamp must not be earlier than its parent's)`,
        ],
      },
      {
        rule: 'exactly 6 fractional digits (9 rejected)',
        runs: [{ ...root, dotted_order: `19700101T000000000000001Z${r}` }],
        expected: [
          `run ${r} ("root"): dotted_order "19700101T000000000000001Z${r}" is invalid: segment 1 "19700101T000000000000001Z${r}" has 9 fractional second digits, expected exactly 6`,
        ],
      },
    ];
    it.each(cases)('$rule', async ({ runs, expected }) => {
      const server = await start();
      const res = await post(`${server.url}/runs/batch`, JSON.stringify({ post: runs }), { 'content-type': 'application/json' });
      expect(res.status).toBe(202);
      expect(server.violations()).toEqual(expected);
      expect(server.orphans()).toEqual([]);
    });
  });

  it('records a dotted order with 3 fractional digits as a violation', async () => {
    const server = await start();
    const id = randomUUID();
    const res = await post(
      `${server.url}/runs/batch`,
      JSON.stringify({
        post: [{ id, trace_id: id, name: 'ms-only', run_type: 'chain', start_time: '2026-01-01T00:00:00.123Z', dotted_order: `20260101T000000123Z${id}` }],
      }),
      { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(202);
    expect(server.violations()).toEqual([
      `run ${id} ("ms-only"): dotted_order "20260101T000000123Z${id}" is invalid: segment 1 "20260101T000000123Z${id}" has 3 fractional second digits, expected exactly 6`,
    ]);
  });

  it('binds loopback only', async () => {
    await expect(startIngestServer({ host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(/127\.0\.0\.1 only/);
  });

  it('decodes OTLP/JSON with snake_case keys, string enums and string int64s', () => {
    const result = decodeOtlpTraceJson(
      JSON.stringify({
        resource_spans: [
          {
            scope_spans: [
              {
                spans: [
                  {
                    trace_id: '5B8EFFF798038103D269B633813FC60C',
                    span_id: 'EEE19B7EC3C1B174',
                    kind: 'SPAN_KIND_SERVER',
                    start_time_unix_nano: '1544712660000000000',
                    end_time_unix_nano: 1544712661000000000,
                    attributes: [{ key: 'n', value: { int_value: '9007199254740993' } }],
                    status: { code: 'STATUS_CODE_ERROR' },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const span = result.request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span).toMatchObject({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      kind: 2,
      startTimeUnixNano: '1544712660000000000',
      startMicros: 1544712660000000,
      endTimeUnixNano: '1544712661000000000',
      attributes: { n: 9007199254740993n },
      status: { code: 2, message: '' },
    });
  });
});

describe('the local ingest server does not fall over (issue 8)', () => {
  const json = { 'content-type': 'application/json' };
  const seg = (micros: number, id: string) => formatDottedOrderSegment(micros, id);
  const noticeLines: string[] = [];
  afterEach(() => {
    notices.reset();
    noticeLines.length = 0;
  });
  const captureNotices = () => notices.configure({ write: (line) => void noticeLines.push(line) });

  /** A root and `n` children that name it as their parent, children first. */
  function childrenFirst(n: number): { root: Record<string, unknown>; children: Array<Record<string, unknown>> } {
    const rootId = randomUUID();
    const root = { id: rootId, trace_id: rootId, name: 'parent', run_type: 'chain', start_time: 1, dotted_order: seg(1000, rootId) };
    const children = Array.from({ length: n }, (_, i) => {
      const id = randomUUID();
      return {
        id,
        trace_id: rootId,
        parent_run_id: rootId,
        name: `c${i}`,
        run_type: 'tool',
        start_time: 2,
        dotted_order: `${seg(1000, rootId)}.${seg(2000, id)}`,
      };
    });
    return { root, children };
  }

  it('adopts 20,000 waiting children over HTTP when their parent arrives, and traces() counts them', async () => {
    const server = await start();
    const { root, children } = childrenFirst(20_000);
    expect((await post(`${server.url}/runs/batch`, JSON.stringify({ post: children }), json)).status).toBe(202);
    expect(server.stats()).toMatchObject({ runs: 0, orphans: 20_000 });
    expect((await post(`${server.url}/runs/batch`, JSON.stringify({ post: [root] }), json)).status).toBe(202);
    expect(server.orphans()).toHaveLength(0);
    expect(server.runs()).toHaveLength(20_001);
    const [tree] = server.traces();
    expect(tree!.runs).toBe(20_001);
    expect(tree!.root.children).toHaveLength(20_000);
    expect(server.violations()).toEqual([]);
  }, 60_000);

  it('adopts 200,000 waiting children in a loop, and traces() counts them without spreading (RunStore)', () => {
    // The same path as the HTTP test above, minus 30 MB of JSON: push(...waiters) and
    // push(...children) overflowed the stack here (RangeError, a 500 over HTTP).
    const store = new RunStore({ maxRuns: 300_000, maxBytes: 1024 ** 3 });
    const rootId = randomUUID();
    for (let i = 0; i < 200_000; i++) {
      store.post(
        { id: randomUUID(), parent_run_id: rootId, trace_id: rootId, name: `c${i}`, run_type: 'tool', session_name: 'p', source: 'batch' },
        { computeDottedOrder: true, explicitTraceId: rootId, startMicros: 2_000 },
      );
    }
    expect(store.stats()).toMatchObject({ runs: 0, orphans: 200_000 });
    store.post({ id: rootId, name: 'root', run_type: 'chain', session_name: 'p', source: 'batch' }, { computeDottedOrder: true, startMicros: 1_000 });
    expect(store.stats()).toMatchObject({ runs: 200_001, orphans: 0 });
    const [tree] = store.traces();
    expect(tree!.runs).toBe(200_001);
    expect(tree!.root.children).toHaveLength(200_000);
  }, 120_000);

  it('keeps its byte total equal to estimateBytes of what it holds, through resolving, adopting and patching (RunStore)', () => {
    const store = new RunStore();
    const held = () => [...store.runs(), ...store.orphans()].reduce((n, r) => n + estimateBytes(r), 0);
    const rootId = randomUUID();
    const childId = randomUUID();
    const base = { run_type: 'tool', session_name: 'p', source: 'batch' } as const;
    // A child before its root, with and without a trace id; a dotted order given or computed.
    store.post({ id: childId, parent_run_id: rootId, name: 'c', ...base }, { computeDottedOrder: true, startMicros: 2_000 });
    store.post(
      { id: randomUUID(), parent_run_id: rootId, trace_id: rootId, dotted_order: undefined, name: 'd', ...base },
      { computeDottedOrder: true, startMicros: 3_000 },
    );
    expect(store.stats().bytes).toBe(held());
    store.post({ id: rootId, name: 'root', ...base, dotted_order: 'not-a-dotted-order' }, { computeDottedOrder: true, startMicros: 1_000 });
    expect(store.stats()).toMatchObject({ runs: 3, orphans: 0 });
    expect(store.stats().bytes).toBe(held());
    store.patch({ id: childId, outputs: { answer: 'x'.repeat(100) } });
    store.post(
      { id: randomUUID(), trace_id: rootId, parent_run_id: childId, dotted_order: seg(5000, rootId), name: 'e', ...base },
      { computeDottedOrder: false },
    );
    expect(store.stats().bytes).toBe(held());
  });

  it('rejects JSON nested deeper than MAX_JSON_DEPTH with 400 before storing it; the runs stay serializable', async () => {
    const server = await start();
    const id = randomUUID();
    const nest = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const run = (inputs: string) =>
      `{"post":[{"id":"${id}","trace_id":"${id}","name":"deep","start_time":1,"dotted_order":"${seg(1000, id)}","inputs":${inputs}}]}`;

    const deep = await post(`${server.url}/runs/batch`, run(nest(1_000_000)), json);
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { error: string }).error).toBe(`batch body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(server.stats()).toMatchObject({ runs: 0, orphans: 0 });

    // Brackets inside strings do not count.
    const shallow = await post(`${server.url}/runs/batch`, run(`{"s":"${'['.repeat(1000)}","d":${nest(MAX_JSON_DEPTH - 5)}}`), json);
    expect(shallow.status).toBe(202);
    expect(() => JSON.stringify(server.runs())).not.toThrow();

    // A multipart field part, and an OTLP input.value holding deep JSON.
    const boundary = 'b0undary';
    const part = nest(200_000);
    const multipart = [
      `--${boundary}`,
      `Content-Disposition: form-data; name="post.${randomUUID()}"`,
      'Content-Type: application/json',
      '',
      '{"name":"m"}',
      `--${boundary}`,
      'Content-Disposition: form-data; name="post.00000000-0000-7000-8000-000000000001.inputs"',
      '',
      part,
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const mp = await post(`${server.url}/runs/multipart`, multipart, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(mp.status).toBe(400);
    expect(((await mp.json()) as { error: string }).error).toMatch(/nested deeper than 100 levels/);

    const deepValue = nest(100_000);
    const otlp = await post(
      `${server.url}/otel/v1/traces`,
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319c',
                    spanId: 'b7ad6b7169203331',
                    name: 'llm',
                    startTimeUnixNano: '1000',
                    endTimeUnixNano: '2000',
                    attributes: [{ key: 'input.value', value: { stringValue: deepValue } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
      json,
    );
    expect(otlp.status).toBe(200);
    const span = server.runs().find((r) => r.name === 'llm')!;
    expect(span.inputs).toEqual({ input: deepValue });
    expect(() => JSON.stringify(server.runs(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toThrow();
  }, 60_000);

  it.each([
    { field: 'start_time', value: 1e20 },
    { field: 'start_time', value: 1e16 },
    { field: 'end_time', value: '+275760-09-13T00:00:00Z' },
    { field: 'end_time', value: '2026-02-30T00:00:00Z' },
    { field: 'start_time', value: '2026-13-01T00:00:00Z' },
    { field: 'start_time', value: '2026-01-01T25:00:00Z' },
  ])('answers 400 with the reason to $field $value, not 500', async ({ field, value }) => {
    const server = await start();
    const id = randomUUID();
    const res = await post(`${server.url}/runs/batch`, JSON.stringify({ post: [{ id, trace_id: id, name: 'x', [field]: value }] }), json);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: `post[0].${field} is not a time (ISO 8601 or epoch ms)` });
    expect(server.runs()).toEqual([]);
    expect(server.requests.badRequest).toBe(1);
  });

  it('keeps at most maxRuns runs, evicting the oldest whole traces, and counts them', async () => {
    captureNotices();
    const server = await start({ maxRuns: 50 });
    const roots: string[] = [];
    for (let t = 0; t < 10; t++) {
      const { root, children } = childrenFirst(9);
      roots.push(root['id'] as string);
      expect((await post(`${server.url}/runs/batch`, JSON.stringify({ post: [root, ...children] }), json)).status).toBe(202);
    }
    expect(server.runs()).toHaveLength(50);
    expect(
      server
        .traces()
        .map((t) => t.lsTraceId)
        .sort(),
    ).toEqual(roots.slice(5).sort());
    expect(server.traces().every((t) => t.runs === 10)).toBe(true);
    expect(server.stats()).toMatchObject({ runs: 50, orphans: 0, evictedRuns: 50, evictedTraces: 5 });
    // One stderr line for the cause; the rest are counted into the next summary.
    expect(noticeLines).toHaveLength(1);
    expect(noticeLines[0]).toMatch(/^langsmith-otel-bridge: local ingest: store full \(maxRuns 50, .*evicted the oldest, trace .* \(10 runs\)$/);
    expect(notices.counts()['ingest:evicted']).toEqual({ total: 50, active: true });
  });

  it('evicts orphans with their waiting subtree, and held patches, under maxRuns', async () => {
    captureNotices();
    const server = await start({ maxRuns: 10 });
    const { children } = childrenFirst(8); // their parent never comes
    expect((await post(`${server.url}/runs/batch`, JSON.stringify({ post: children }), json)).status).toBe(202);
    // Patches for runs never posted are held, and go first.
    const patches = Array.from({ length: 3 }, () => ({ id: randomUUID(), end_time: 5 }));
    expect((await post(`${server.url}/runs/batch`, JSON.stringify({ patch: patches }), json)).status).toBe(202);
    expect(server.stats()).toMatchObject({ orphans: 8, pending: 2, evictedRuns: 1 });
    const { root, children: next } = childrenFirst(2);
    expect((await post(`${server.url}/runs/batch`, JSON.stringify({ post: [root, ...next] }), json)).status).toBe(202);
    // The root and its first child push out the two held patches; the second child, the
    // oldest trace: the 8 orphans, whole (they share their absent parent's trace id).
    expect(server.stats()).toMatchObject({ runs: 3, orphans: 0, pending: 0, evictedRuns: 11, evictedTraces: 4 });
    expect(server.traces()[0]!.runs).toBe(3);
  });

  it('evicts, with a trace, the runs of other traces waiting on it (no orphan left behind forever)', async () => {
    const server = await start({ maxRuns: 5 });
    const a = randomUUID();
    const missing = randomUUID();
    const p = randomUUID();
    const x = randomUUID();
    const aOrder = seg(1000, a);
    const pOrder = `${aOrder}.${seg(1001, missing)}.${seg(1002, p)}`;
    const first = [
      { id: a, trace_id: a, name: 'a', start_time: 1, dotted_order: aOrder },
      // Waits for a parent that never comes; in trace a.
      { id: p, trace_id: a, parent_run_id: missing, name: 'p', start_time: 1, dotted_order: pOrder },
      // No trace id, no dotted order (a legacy run): its own group until p resolves.
      { id: x, parent_run_id: p, name: 'x', start_time: 2 },
    ];
    expect((await post(`${server.url}/runs/batch`, JSON.stringify({ post: first }), json)).status).toBe(202);
    expect(server.stats()).toMatchObject({ runs: 1, orphans: 2 });
    const { root, children } = childrenFirst(2);
    expect((await post(`${server.url}/runs/batch`, JSON.stringify({ post: [root, ...children] }), json)).status).toBe(202);
    expect(server.stats()).toMatchObject({ runs: 3, orphans: 0, evictedRuns: 3, evictedTraces: 1 });
    expect(server.orphans()).toEqual([]);
  });

  it('keeps at most maxBytes (estimated) of runs, evicting the oldest whole traces', async () => {
    const server = await start({ maxBytes: 100_000 });
    const big = 'x'.repeat(20_000);
    const ids: string[] = [];
    for (let t = 0; t < 12; t++) {
      const id = randomUUID();
      ids.push(id);
      const run = { id, trace_id: id, name: `t${t}`, start_time: 1, dotted_order: seg(1000 + t, id), inputs: { big } };
      expect((await post(`${server.url}/runs/batch`, JSON.stringify({ post: [run] }), json)).status).toBe(202);
    }
    const stats = server.stats();
    expect(stats.bytes).toBeLessThanOrEqual(100_000);
    expect(stats.runs).toBe(4);
    expect(stats.evictedTraces).toBe(8);
    expect(server.runs().map((r) => r.id)).toEqual(ids.slice(8));
  });

  it('refuses web pages: 403 for a foreign Origin, 415 for a content type the route does not take', async () => {
    const server = await start();
    const id = randomUUID();
    const body = JSON.stringify({ post: [{ id, trace_id: id, name: 'injected', start_time: 1, dotted_order: seg(1000, id) }] });
    const batch = `${server.url}/runs/batch`;
    // What a <form enctype="text/plain"> or fetch(..., { mode: 'no-cors' }) sends: no preflight.
    const cases: Array<{ name: string; url?: string; headers: Record<string, string>; status: number; error: RegExp }> = [
      {
        name: 'cross-origin text/plain',
        headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
        status: 403,
        error: /Origin "https:\/\/evil.example" is not loopback/,
      },
      {
        name: 'text/plain, no Origin',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        status: 415,
        error: /content-type must be application\/json, not "text\/plain;charset=UTF-8"/,
      },
      { name: 'form-urlencoded', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, error: /must be application\/json/ },
      { name: 'no content type', headers: {}, status: 415, error: /not "\(none\)"/ },
      { name: 'JSON from a foreign origin', headers: { ...json, origin: 'http://localhost.evil.example:8080' }, status: 403, error: /not loopback/ },
      { name: 'JSON from an opaque origin', headers: { ...json, origin: 'null' }, status: 403, error: /not loopback/ },
      {
        name: 'multipart form from a foreign origin',
        url: `${server.url}/runs/multipart`,
        headers: { 'content-type': 'multipart/form-data; boundary=x', origin: 'https://evil.example' },
        status: 403,
        error: /not loopback/,
      },
      { name: 'multipart route, JSON body', url: `${server.url}/runs/multipart`, headers: json, status: 415, error: /must be multipart\/form-data/ },
      {
        name: 'legacy create, text/plain',
        url: `${server.url}/runs`,
        headers: { 'content-type': 'text/plain' },
        status: 415,
        error: /must be application\/json/,
      },
      {
        name: 'OTLP, text/plain',
        url: `${server.url}/otel/v1/traces`,
        headers: { 'content-type': 'text/plain' },
        status: 415,
        error: /application\/x-protobuf or application\/json/,
      },
    ];
    for (const c of cases) {
      // A Buffer body: fetch adds no content type of its own.
      const res = await post(c.url ?? batch, Buffer.from(body), c.headers);
      expect(res.status, c.name).toBe(c.status);
      expect(((await res.json()) as { error: string }).error, c.name).toMatch(c.error);
    }
    expect(server.runs()).toEqual([]);
    expect(server.requests).toMatchObject({ forbidden: 4, unsupported: 6, batch: 0 });

    // Loopback pages (a local dev UI) and senders with no Origin are served.
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080']) {
      expect((await post(batch, body, { ...json, origin })).status, origin).toBe(202);
    }
    expect((await post(batch, body, { 'content-type': 'Application/JSON; charset=utf-8' })).status).toBe(202);
    expect(server.runs().map((r) => r.name)).toEqual(['injected']);
  });
});
