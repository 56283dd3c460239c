/**
 * Interop with the real Python LangSmith SDK (langsmith.run_trees.RunTree,
 * @traceable, langsmith.middleware.TracingMiddleware), both directions:
 *
 *   a. Python RunTree.to_headers()  → our extract → a local span's lineage
 *   b. our inject                   → Python RunTree.from_headers() + create_child
 *   c. Python @traceable + httpx    → a Node HTTP server extracting with our propagator
 *   d. a Node client span + inject  → FastAPI + TracingMiddleware + @traceable handler
 *
 * Needs `.venv` (scripts/setup-python.sh); skipped loudly without it.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { RunTree } from 'langsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInboundContext, getSpanLineage, LangSmithLineageProcessor, LangSmithPropagator, type SpanLineage } from '../../src/index.js';
import { requirePython, runPythonJson, startPythonService, type PythonService } from '../support/python.js';

const python = requirePython();

// Values that stress both SDKs' encoders: Python's quote() leaves '/' raw and
// escapes !*'(); JS encodeURIComponent does the opposite for those.
const METADATA = {
  text: "é中 / ! * ' ( ) , ; = % and spaces",
  'key with space/é中': 'v=1;x,y',
  nested: { list: ['a,b', "c'd", 1, true, null], pct: '%41%zz', emoji: '🚀' },
};
// No commas: both SDKs join tags with ',' and split on it. No duplicates: the
// bridge de-duplicates tags on decode (Python only in from_headers), see a2.
const TAGS = ['tag one', 'é中', "t/!*'()=;%"];
const PROJECT = 'interop proj/é中 (x)';
const NODE_PROJECT = 'node proj/é中 y';

interface PyRun {
  id: string;
  trace_id: string;
  dotted_order: string;
  parent_run_id: string | null;
  project_name?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}
interface ToHeaders {
  headers: Record<string, string>;
  runs: PyRun[];
}
interface FromHeaders {
  parent: Required<PyRun>;
  child: Required<PyRun>;
}

/** LangSmith's OTLP ingest rule: the run id of a span is its span id right-aligned in a zero UUID. */
function runIdOf(span: Span): string {
  const s = span.spanContext().spanId;
  return `00000000-0000-0000-${s.slice(0, 4)}-${s.slice(4)}`;
}

/** Python's tag normalisation in from_headers / tracing_context: sorted(set(tags)). */
function pySortedTags(tags: readonly string[]): string[] {
  return [...new Set(tags)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `dotted` is `parent` plus exactly one well-formed segment (naming `runId`, when given). */
function expectChildSegment(dotted: string | undefined, parent: string, runId?: string): string {
  expect(dotted, 'dotted order').toBeTypeOf('string');
  const value = dotted as string;
  expect(value.slice(0, parent.length + 1)).toBe(parent + '.');
  const segment = value.slice(parent.length + 1);
  expect(segment).toMatch(/^\d{8}T\d{12}Z[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  if (runId !== undefined) expect(segment.slice(22)).toBe(runId);
  return segment;
}

/** The timestamp part of a dotted order's last segment. */
function lastTimestamp(dotted: string): string {
  return dotted.slice(dotted.lastIndexOf('.') + 1).slice(0, 22);
}

function makeTracer(project?: string): { tracer: Tracer; provider: BasicTracerProvider } {
  const provider = new BasicTracerProvider({
    spanProcessors: [new LangSmithLineageProcessor(project ? { project } : {})],
  });
  return { provider, tracer: provider.getTracer('langsmith-python-interop') };
}

function lineageOf(span: Span): SpanLineage {
  const lineage = getSpanLineage(span);
  if (!lineage) throw new Error('span has no LangSmith lineage (LangSmithLineageProcessor not registered?)');
  return lineage;
}

function injectHeaders(propagator: LangSmithPropagator, context: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(context, carrier, defaultTextMapSetter);
  return carrier;
}

async function pythonHeaders(depth: number): Promise<ToHeaders> {
  const out = await runPythonJson<ToHeaders>('headers.py', ['to-headers'], {
    project: PROJECT,
    tags: TAGS,
    metadata: METADATA,
    depth,
  });
  expect(out.runs).toHaveLength(depth);
  return out;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

function close(server: http.Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} → ${res.status}: ${text.slice(0, 2000)}`);
  return JSON.parse(text) as T;
}

describe.skipIf(!python.ok)('Python LangSmith SDK interop: header codec (RunTree)', () => {
  const propagator = new LangSmithPropagator({ trust: true });
  const { tracer, provider } = makeTracer();
  afterAll(() => provider.shutdown());

  it('a. Python to_headers of nested runs → extract → a local span continues the deepest Python run', async () => {
    const py = await pythonHeaders(3);
    const root = py.runs[0]!;
    const middle = py.runs[1]!;
    const deepest = py.runs[2]!;
    // Sanity of the Python side itself.
    expect(py.headers['langsmith-trace']).toBe(deepest.dotted_order);
    expect(deepest.trace_id).toBe(root.id);
    expect(deepest.parent_run_id).toBe(middle.id);
    expect(py.headers.baggage).toContain('langsmith-project=interop%20proj/'); // Python leaves '/' raw

    const ctx = propagator.extract(ROOT_CONTEXT, py.headers, defaultTextMapGetter);
    const inbound = getInboundContext(ctx);
    expect(inbound?.mode).toBe('langsmith');
    expect(inbound?.parent?.value).toBe(deepest.dotted_order);
    expect(inbound?.parent?.runId).toBe(deepest.id);
    expect(inbound?.parent?.parentRunId).toBe(middle.id);
    expect(inbound?.parent?.lsTraceId).toBe(root.id);
    expect(inbound?.baggage?.metadata).toEqual(deepest.metadata);
    expect(inbound?.baggage?.metadata).toEqual(METADATA);
    expect(inbound?.baggage?.tags).toEqual(deepest.tags);
    expect(inbound?.baggage?.tags).toEqual(TAGS);
    expect(inbound?.baggage?.project).toBe(deepest.project_name);
    expect(inbound?.baggage?.project).toBe(PROJECT);

    const span = tracer.startSpan('node handler', { kind: SpanKind.SERVER }, ctx);
    const lineage = lineageOf(span);
    expect(lineage.runId).toBe(runIdOf(span));
    expect(lineage.parentRunId).toBe(deepest.id);
    expect(lineage.lsTraceId).toBe(root.id);
    expectChildSegment(lineage.dottedOrder, deepest.dotted_order, lineage.runId);
    expect(lineage.baggage?.project).toBe(PROJECT);
    // OTel trace id of a langsmith-trace-only request: the LangSmith trace UUID's 32 hex digits.
    expect(span.spanContext().traceId).toBe(root.id.replace(/-/g, ''));

    // A grandchild keeps the Python trace and extends our dotted order.
    const child = tracer.startSpan('node step', {}, trace.setSpan(ctx, span));
    const childLineage = lineageOf(child);
    expect(childLineage.parentRunId).toBe(lineage.runId);
    expect(childLineage.lsTraceId).toBe(root.id);
    expectChildSegment(childLineage.dottedOrder, lineage.dottedOrder!, runIdOf(child));
    child.end();
    span.end();
  });

  it('a2. duplicate Python tags: the bridge keeps the first of each, in order; inject relays them so, re-encoded as RunTree.toHeaders() would', async () => {
    const py = await runPythonJson<ToHeaders>('headers.py', ['to-headers'], {
      project: PROJECT,
      tags: ['b', 'a', 'b', 'é中'],
      metadata: {},
      depth: 1,
    });
    expect(py.runs[0]!.tags).toEqual(['b', 'a', 'b', 'é中']); // Python's to_headers keeps duplicates
    const ctx = propagator.extract(ROOT_CONTEXT, py.headers, defaultTextMapGetter);
    expect(getInboundContext(ctx)?.baggage?.tags).toEqual(['b', 'a', 'é中']);
    expect(getInboundContext(ctx)?.baggage?.metadata).toBeUndefined();
    const span = tracer.startSpan('node handler', {}, ctx);
    // Relayed as decoded (issue 8: only what parsed, re-encoded), in the JS SDK's encoding.
    expect(injectHeaders(propagator, trace.setSpan(ctx, span)).baggage).toBe(
      new RunTree({ name: 'x', tags: ['b', 'a', 'é中'], project_name: PROJECT }).toHeaders().baggage,
    );
    span.end();
  });

  it('b1. inject from a local span under an extracted Python context → Python from_headers + create_child', async () => {
    const py = await pythonHeaders(2);
    const root = py.runs[0]!;
    const deepest = py.runs[1]!;
    const ctx = propagator.extract(ROOT_CONTEXT, py.headers, defaultTextMapGetter);
    const server = tracer.startSpan('node server', { kind: SpanKind.SERVER }, ctx);
    const clientCtx = trace.setSpan(ctx, server);
    const client = tracer.startSpan('node client', { kind: SpanKind.CLIENT }, clientCtx);
    const ours = lineageOf(client);
    const headers = injectHeaders(propagator, trace.setSpan(clientCtx, client));
    expect(headers['langsmith-trace']).toBe(ours.dottedOrder);
    expectChildSegment(lineageOf(server).dottedOrder, deepest.dotted_order, runIdOf(server));
    expectChildSegment(ours.dottedOrder, lineageOf(server).dottedOrder!, runIdOf(client));
    // Python → Node → Python: the baggage goes back out as decoded, re-encoded as the JS SDK encodes it
    // (issue 8: only what parsed is relayed); the values are Python's own (checked below).
    expect(headers.baggage).toBe(new RunTree({ name: 'x', metadata: METADATA, tags: TAGS, project_name: PROJECT }).toHeaders().baggage);

    const out = await runPythonJson<FromHeaders>('headers.py', ['from-headers'], headers);
    // The placeholder parent Python builds from our headers is our span's run.
    expect(out.parent.id).toBe(ours.runId);
    expect(out.parent.id).toBe(runIdOf(client));
    expect(out.parent.dotted_order).toBe(ours.dottedOrder);
    expect(out.parent.trace_id).toBe(root.id);
    expect(out.parent.parent_run_id).toBe(runIdOf(server));
    // Its child continues our lineage.
    const segment = expectChildSegment(out.child.dotted_order, ours.dottedOrder!, out.child.id);
    expect(out.child.trace_id).toBe(root.id);
    expect(out.child.trace_id).toBe(ours.lsTraceId);
    expect(out.child.parent_run_id).toBe(ours.runId);
    expect(segment.slice(0, 22) >= lastTimestamp(ours.dottedOrder!)).toBe(true);
    // Metadata, tags and project made the Python → Node → Python round trip.
    expect(out.parent.metadata).toEqual(METADATA);
    expect(out.child.metadata).toEqual(METADATA);
    expect(out.parent.tags).toEqual(pySortedTags(TAGS)); // create_child does not inherit tags
    expect(out.parent.project_name).toBe(PROJECT);
    expect(out.child.project_name).toBe(PROJECT);
    client.end();
    server.end();
  });

  it('b2. inject from a fresh local root → Python from_headers + create_child', async () => {
    const { tracer: rootTracer, provider: rootProvider } = makeTracer(NODE_PROJECT);
    try {
      const root = rootTracer.startSpan('node root', { kind: SpanKind.INTERNAL }, ROOT_CONTEXT);
      const ours = lineageOf(root);
      expect(ours.runId).toBe(runIdOf(root));
      expect(ours.lsTraceId).toBe(ours.runId);
      expect(ours.parentRunId).toBeUndefined();
      // An unrelated OTel baggage entry travels in the same header; Python must still parse ours.
      const ctx = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, root), propagation.createBaggage({ 'app.user': { value: 'a b,c' } }));
      const headers = injectHeaders(propagator, ctx);
      expect(headers['langsmith-trace']).toBe(ours.dottedOrder);
      expect(headers.baggage).toContain('app.user=a%20b%2Cc');

      const out = await runPythonJson<FromHeaders>('headers.py', ['from-headers'], headers);
      expect(out.parent.id).toBe(ours.runId);
      expect(out.parent.trace_id).toBe(ours.runId);
      expect(out.parent.parent_run_id).toBeNull();
      expectChildSegment(out.child.dotted_order, ours.dottedOrder!, out.child.id);
      expect(out.child.trace_id).toBe(ours.runId);
      expect(out.child.parent_run_id).toBe(ours.runId);
      expect(out.child.project_name).toBe(NODE_PROJECT);
      expect(out.parent.project_name).toBe(NODE_PROJECT);
      expect(out.child.metadata).toEqual({});
      expect(out.parent.tags).toEqual([]);
      root.end();
    } finally {
      await rootProvider.shutdown();
    }
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  lineage: SpanLineage | undefined;
  runId: string;
  traceId: string;
  inbound: { mode?: string; metadata?: unknown; tags?: readonly string[]; project?: string };
}

interface EchoResponse {
  path: string;
  run: Required<PyRun>;
  headers: Record<string, string>;
}

interface CallResponse {
  sent: Record<string, string>;
  run: Required<PyRun>;
  parent_run: Required<PyRun>;
  status: number;
  response: string;
}

describe.skipIf(!python.ok)('Python LangSmith SDK interop over HTTP (@traceable, TracingMiddleware)', () => {
  const propagator = new LangSmithPropagator({ trust: true });
  const { tracer, provider } = makeTracer(NODE_PROJECT);

  // LangSmith API stand-in for the Python SDK's background run uploads.
  const uploads: { method: string; url: string; body: string }[] = [];
  let capture: http.Server | undefined;
  // "Our service": extracts with LangSmithPropagator and records the lineage.
  const received: Received[] = [];
  let target: http.Server | undefined;
  let targetUrl = '';
  let app: PythonService | undefined;

  beforeAll(async () => {
    capture = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        uploads.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('latin1') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const captureUrl = await listen(capture);

    target = http.createServer((req, res) => {
      const ctx = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
      const span = tracer.startSpan(`${req.method} ${req.url}`, { kind: SpanKind.SERVER }, ctx);
      const inbound = getInboundContext(ctx);
      const lineage = getSpanLineage(span);
      received.push({
        headers: req.headers,
        lineage,
        runId: runIdOf(span),
        traceId: span.spanContext().traceId,
        inbound: {
          mode: inbound?.mode,
          metadata: inbound?.baggage?.metadata,
          tags: inbound?.baggage?.tags,
          project: inbound?.baggage?.project,
        },
      });
      span.end();
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ runId: lineage?.runId }));
    });
    targetUrl = await listen(target);

    app = await startPythonService('middleware_app.py', {
      LANGSMITH_ENDPOINT: captureUrl,
      LANGSMITH_API_KEY: 'test',
      LANGSMITH_TRACING: 'true',
    });
  });

  afterAll(async () => {
    // Python first: it flushes its last uploads to the capture server on exit.
    await app?.stop();
    await close(target);
    await close(capture);
    await provider.shutdown();
  });

  it('c. Python @traceable client (httpx + to_headers) → our Node service extracts the deepest Python run', async () => {
    const before = received.length;
    const out = await postJson<CallResponse>(`${app!.url}/call`, {
      url: `${targetUrl}/hop`,
      project: PROJECT,
      tags: TAGS,
      metadata: METADATA,
    });
    expect(out.status).toBe(200);
    expect(received).toHaveLength(before + 1);
    const got = received[before]!;
    const pyRoot = out.parent_run;
    const pyRun = out.run;
    // The Python side: call_handler → outbound_call, which sent its own headers.
    expect(pyRun.parent_run_id).toBe(pyRoot.id);
    expect(pyRun.trace_id).toBe(pyRoot.id);
    expect(out.sent['langsmith-trace']).toBe(pyRun.dotted_order);
    expect(got.headers['langsmith-trace']).toBe(pyRun.dotted_order);
    expect(got.headers.baggage).toBe(out.sent.baggage);

    expect(got.inbound.mode).toBe('langsmith');
    expect(got.lineage?.runId).toBe(got.runId);
    expect(got.lineage?.parentRunId).toBe(pyRun.id);
    expect(got.lineage?.lsTraceId).toBe(pyRoot.id);
    expectChildSegment(got.lineage?.dottedOrder, pyRun.dotted_order, got.runId);
    expect(got.traceId).toBe(pyRoot.id.replace(/-/g, ''));
    // @traceable adds ls_method: a reserved ls_* key, describing the Python run, not ours — dropped
    // (issue 8); everything else is the caller's, exactly.
    expect(pyRun.metadata).toEqual({ ...METADATA, ls_method: 'traceable' });
    expect(got.inbound.metadata).toEqual(METADATA);
    expect(got.inbound.tags).toEqual(pyRun.tags);
    expect([...(got.inbound.tags ?? [])].sort()).toEqual(pySortedTags(TAGS));
    expect(got.inbound.project).toBe(pyRun.project_name);
    expect(got.inbound.project).toBe(PROJECT);
  });

  it('d1. our client span (fresh local root) → FastAPI TracingMiddleware: the handler run is our child', async () => {
    const root = tracer.startSpan('node job', {}, ROOT_CONTEXT);
    const rootCtx = trace.setSpan(ROOT_CONTEXT, root);
    const client = tracer.startSpan('POST /echo', { kind: SpanKind.CLIENT }, rootCtx);
    const ours = lineageOf(client);
    expect(ours.lsTraceId).toBe(runIdOf(root));
    const headers = injectHeaders(propagator, trace.setSpan(rootCtx, client));

    const out = await postJson<EchoResponse>(`${app!.url}/echo`, {}, headers);
    expect(out.headers['langsmith-trace']).toBe(ours.dottedOrder);
    expect(out.run.parent_run_id).toBe(ours.runId);
    expect(out.run.parent_run_id).toBe(runIdOf(client));
    expect(out.run.trace_id).toBe(runIdOf(root));
    expectChildSegment(out.run.dotted_order, ours.dottedOrder!, out.run.id);
    expect(out.run.project_name).toBe(NODE_PROJECT);
    expect(out.run.tags).toEqual([]);
    expect(out.run.metadata).toEqual({ ls_method: 'traceable' });
    client.end();
    root.end();

    // What the Python SDK uploaded for the handler run names our run as its parent.
    const uploaded = await waitFor(() => uploads.find((u) => u.url.startsWith('/runs') && u.body.includes(out.run.id)));
    expect(uploaded?.body).toContain(`"parent_run_id":"${ours.runId}"`);
    expect(uploaded?.body).toContain(`"trace_id":"${runIdOf(root)}"`);
    expect(uploaded?.body).toContain(`"dotted_order":"${out.run.dotted_order}"`);
  });

  it('d2. Python → our service → FastAPI: lineage, metadata, tags and project survive both hops', async () => {
    const py = await pythonHeaders(2);
    const pyRoot = py.runs[0]!;
    const pyDeepest = py.runs[1]!;
    const ctx = propagator.extract(ROOT_CONTEXT, py.headers, defaultTextMapGetter);
    const server = tracer.startSpan('node server', { kind: SpanKind.SERVER }, ctx);
    const serverCtx = trace.setSpan(ctx, server);
    const client = tracer.startSpan('POST /echo', { kind: SpanKind.CLIENT }, serverCtx);
    const ours = lineageOf(client);
    const headers = injectHeaders(propagator, trace.setSpan(serverCtx, client));

    const out = await postJson<EchoResponse>(`${app!.url}/echo`, {}, headers);
    expect(out.run.parent_run_id).toBe(ours.runId);
    expect(out.run.trace_id).toBe(pyRoot.id);
    expectChildSegment(out.run.dotted_order, ours.dottedOrder!, out.run.id);
    expect(out.run.dotted_order.startsWith(pyDeepest.dotted_order + '.')).toBe(true);
    expect(out.run.dotted_order.split('.')).toHaveLength(5); // py root, py child, server, client, handler
    // The caller's project wins over the Node-side default (NODE_PROJECT).
    expect(out.run.project_name).toBe(PROJECT);
    expect(out.run.metadata).toEqual({ ...METADATA, ls_method: 'traceable' });
    expect(out.run.tags).toEqual(pySortedTags(TAGS));
    client.end();
    server.end();
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 8_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
