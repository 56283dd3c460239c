/**
 * End to end, over real HTTP on loopback, every service a separate process
 * (its own OTel globals), configured only through the environment as a user
 * would: `node --import <dist>/esm/register.js` with LANGSMITH_OTEL_ENABLED=true,
 * LANGSMITH_OTEL_TRUST, and LANGSMITH_API_KEY + LANGSMITH_ENDPOINT (direct
 * path) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (OTLP path). Everything reports
 * to the local ingest server (src/ingest), which applies LangSmith's ingest
 * rules and shows trees, orphans and violations.
 *
 * 1. OTel A (bridge) → LangSmith-native JS B (RunTree.fromHeaders, traceable,
 *    Client) → OTel C (bridge; B calls it with `toHeaders()`, a LangSmith-only
 *    hop), once per path (the config picks OTLP *instead of* direct when both
 *    are set), plus the same request on both paths through one in-process
 *    provider with an OTLP exporter and a LangSmithClientSink.
 * 2. Python `@traceable` (httpx + `to_headers`) → our OTel service.
 * 3. Our OTel service → Python FastAPI + `TracingMiddleware`.
 * 4. The demo, `<dist>/esm/demo/run.js`.
 *
 * The package is compiled once by test/global-setup.ts, into a private
 * snapshot (not the shared dist/, which concurrent builds delete and
 * rewrite). Python cases need `.venv`
 * (scripts/setup-python.sh) and are skipped loudly without it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultTextMapSetter, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Client } from 'langsmith';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIngestServer, type IngestedRun, type IngestServer, type RunNode, type TraceTree } from '../src/ingest/index.js';
import { LangSmithClientSink, LangSmithPropagator, LangSmithSpanProcessor } from '../src/index.js';
import { childEnv, startService, type Service } from './support/processes.js';
import { requirePython, startPythonService } from './support/python.js';

/** The compiled package and helper services: a private snapshot made by test/global-setup.ts. */
const build = inject('e2eBuild');
const REGISTER = path.join(build.dir, 'dist/esm/register.js');
const OTEL_SERVICE = path.join(build.dir, 'test/e2e/otel-service.mjs');
const NATIVE_SERVICE = path.join(build.dir, 'test/e2e/native-service.mjs');
const DEMO = path.join(build.dir, 'dist/esm/demo/run.js');
const LOOPBACK_TRUST = '127.0.0.1/32';
/** A stranger's headers, sent to the edge service A (which trusts nobody). */
const STRANGER = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  baggage: 'langsmith-project=attacker',
};

const python = requirePython();

// ---------------------------------------------------------------- processes

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
/** Run after the file's last test (or its failure): stops services, closes ingest servers. */
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.splice(0).map((c) => c()));
  for (const child of live) child.kill('SIGKILL');
});

/** Starts `node [--import register] script` in the snapshot; resolves once it prints `LISTENING <port>` (20 s at most). `stop()` kills after 5 s. */
function startNode(name: string, script: string, env: Record<string, string>, bridged: boolean): Promise<Service> {
  return startService(name, process.execPath, bridged ? ['--import', REGISTER, script] : [script], env, { cwd: build.dir, stopGraceMs: 5_000 });
}

async function post<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as T };
  } catch {
    throw new Error(`POST ${url} → ${res.status}, not JSON: ${text.slice(0, 2000)}`);
  }
}

async function waitFor(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---------------------------------------------------------------- what the services answer

/** The OTel and LangSmith ids of a span, as test/e2e/otel-service.mjs reports them. */
interface SpanIds {
  traceId: string;
  spanId: string;
  runId: string;
  parentRunId: string | null;
  lsTraceId: string;
  dottedOrder: string;
}
interface OtelAnswer {
  service: string;
  server: SpanIds;
  handle: SpanIds;
  downstream: { status: number; body: unknown } | null;
  error?: string;
}
interface RunFields {
  id: string;
  trace_id: string;
  parent_run_id: string | null;
  dotted_order: string;
}
interface NativeAnswer {
  service: string;
  /** The RunTree `fromHeaders` built: the caller's run. */
  parent: RunFields | null;
  runs: Array<RunFields & { name: string }>;
  sent: Record<string, string> | null;
  downstream: { status: number; body: OtelAnswer } | null;
  error?: string;
}

// ---------------------------------------------------------------- id rules (README "Ids"), written out independently

/** Rule 1: span id → run id. */
const runIdOfSpan = (spanId: string) => `00000000-0000-0000-${spanId.slice(0, 4)}-${spanId.slice(4)}`;
/** Rule 2: LangSmith trace UUID → OTel trace id. */
const otelTraceIdOf = (lsTraceId: string) => lsTraceId.replace(/-/g, '');
/** Rule 3 (b), a JS RunTree id `…-7000-8000-…` → remote parent span id: bytes 8–15. */
const spanIdOfJsRun = (runId: string) => runId.replace(/-/g, '').slice(16);
const lastRunId = (dottedOrder: string) => dottedOrder.slice(dottedOrder.lastIndexOf('Z') + 1);

// ---------------------------------------------------------------- trees

function treeOf(ingest: IngestServer, lsTraceId: string): TraceTree {
  const tree = ingest.traces().find((t) => t.lsTraceId === lsTraceId);
  if (!tree)
    throw new Error(
      `no tree ${lsTraceId}; have ${ingest
        .traces()
        .map((t) => t.lsTraceId)
        .join(', ')}`,
    );
  return tree;
}

/** The runs of a tree that must be a single chain (every run has at most one child), root first. */
function chainOf(tree: TraceTree): IngestedRun[] {
  const chain: IngestedRun[] = [];
  let node: RunNode | undefined = tree.root;
  while (node) {
    chain.push(node.run);
    expect(node.children.length, `children of ${node.run.name}: ${node.children.map((c) => c.run.name).join(', ')}`).toBeLessThanOrEqual(1);
    node = node.children[0];
  }
  expect(chain).toHaveLength(tree.runs);
  return chain;
}

function expectClean(ingest: IngestServer, trees: number): void {
  expect(ingest.orphans().map((r) => `${r.name} ${r.id} → ${r.parent_run_id}`)).toEqual([]);
  expect(ingest.violations()).toEqual([]);
  expect(ingest.traces()).toHaveLength(trees);
}

const metadataOf = (run: IngestedRun) => ((run.extra as { metadata?: Record<string, unknown> } | undefined)?.metadata ?? {}) as Record<string, unknown>;

// ================================================================ 1. A → B → C

interface ChainRequest {
  question: string;
  fails: boolean;
  status: number;
  a: OtelAnswer;
  b: NativeAnswer;
  c: OtelAnswer;
  /** The run ids the request's tree must consist of, root first: A server, A handle, A client, B ×2, C server, C handle. */
  ids: string[];
}
interface ChainRun {
  ingest: IngestServer;
  requests: ChainRequest[];
  logs: string;
}

const QUESTIONS = ['What is a trace?', 'Which ids match?', 'Please fail in C'];
const CHAIN_PROJECT = 'e2e-chain';
const CHAIN_NAMES = ['POST /chain', 'a-handle', 'POST /b', 'b-handle', 'b-call-next', 'POST /c', 'c-handle'];

/** Ingest, C, B, A for one path; three requests through A; every service stopped (flushed) before it resolves. */
async function runChain(kind: 'direct' | 'otlp'): Promise<ChainRun> {
  const ingest = await startIngestServer();
  cleanups.push(() => ingest.close());
  // A user's environment for each path: an API key and endpoint, or an OTLP endpoint (here LangSmith's
  // own OTLP route of the ingest server, which needs the key as an OTLP header).
  const destination: Record<string, string> =
    kind === 'direct'
      ? { LANGSMITH_API_KEY: 'e2e-key', LANGSMITH_ENDPOINT: ingest.url }
      : { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ingest.url}/otel/v1/traces`, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=e2e-key' };
  const bridged = { LANGSMITH_OTEL_ENABLED: 'true', ...destination };
  const services: Service[] = [];
  const start = async (...args: Parameters<typeof startNode>) => {
    const service = await startNode(...args);
    services.push(service);
    return service;
  };
  try {
    const c = await start(`c`, OTEL_SERVICE, { ...bridged, LANGSMITH_OTEL_TRUST: LOOPBACK_TRUST, FAIL_ON: 'fail', LANGSMITH_PROJECT: 'c-own-project' }, true);
    const b = await start(
      `b`,
      NATIVE_SERVICE,
      { LANGSMITH_TRACING: 'true', LANGSMITH_API_KEY: 'e2e-key', LANGSMITH_ENDPOINT: ingest.url, NEXT_URL: `${c.url}/c` },
      false,
    );
    const a = await start(`a`, OTEL_SERVICE, { ...bridged, LANGSMITH_OTEL_TRUST: 'false', LANGSMITH_PROJECT: CHAIN_PROJECT, NEXT_URL: `${b.url}/b` }, true);
    const requests: ChainRequest[] = [];
    for (const question of QUESTIONS) {
      const res = await post<OtelAnswer>(`${a.url}/chain`, { question }, STRANGER);
      const aAnswer = res.body;
      const bAnswer = aAnswer.downstream?.body as NativeAnswer | undefined;
      const cAnswer = bAnswer?.downstream?.body;
      if (!bAnswer?.parent || !cAnswer?.server) throw new Error(`${kind}: incomplete chain answer ${JSON.stringify(res.body).slice(0, 3000)}`);
      requests.push({
        question,
        fails: /fail/i.test(question),
        status: res.status,
        a: aAnswer,
        b: bAnswer,
        c: cAnswer,
        ids: [aAnswer.server.runId, aAnswer.handle.runId, bAnswer.parent.id, ...bAnswer.runs.map((r) => r.id), cAnswer.server.runId, cAnswer.handle.runId],
      });
    }
    return { ingest, requests, logs: services.map((s) => `--- ${s.name}\n${s.output()}`).join('\n') };
  } finally {
    // SIGTERM: the bridge services shut their provider down (flush), B awaits its Client's batches.
    await Promise.all(services.map((s) => s.stop()));
  }
}

/** What both paths must show in the ingest for each request. */
function expectChainTrees(run: ChainRun): TraceTree[] {
  const { ingest, requests } = run;
  expectClean(ingest, requests.length);
  expect(ingest.runs()).toHaveLength(requests.length * CHAIN_NAMES.length);
  return requests.map((req) => {
    expect(req.status).toBe(req.fails ? 502 : 200);
    // A trusts nobody: a new root, not the stranger's trace or project.
    expect(req.a.server.parentRunId).toBeNull();
    expect(req.a.server.traceId).not.toBe(STRANGER.traceparent.slice(3, 35));
    const lsTraceId = req.a.server.runId;
    expect(req.a.server.lsTraceId).toBe(lsTraceId);
    // B continued A's client run; C continued B's inner run, in A's LangSmith trace.
    expect(req.b.parent!.trace_id).toBe(lsTraceId);
    expect(req.b.runs.map((r) => r.trace_id)).toEqual([lsTraceId, lsTraceId]);
    expect(req.c.server.parentRunId).toBe(req.b.runs[1]!.id);
    expect(req.c.server.lsTraceId).toBe(lsTraceId);
    expect(req.b.sent!['langsmith-trace']).toBe(req.b.runs[1]!.dotted_order);
    expect(req.b.sent!.traceparent).toBeUndefined();
    // C's extract was in `langsmith` mode: OTel trace id synthesized from the LangSmith trace (rule 2),
    // which is not A's OTel trace id (B, with no OTel, carried no traceparent).
    expect(req.c.server.traceId).toBe(otelTraceIdOf(lsTraceId));
    expect(req.c.handle.traceId).toBe(req.c.server.traceId);
    expect(req.a.handle.traceId).toBe(req.a.server.traceId);
    expect(req.c.server.traceId).not.toBe(req.a.server.traceId);

    const tree = treeOf(ingest, lsTraceId);
    const chain = chainOf(tree);
    expect(chain.map((r) => r.id)).toEqual(req.ids);
    expect(chain.map((r) => r.name)).toEqual(CHAIN_NAMES);
    expect(chain.map((r) => r.run_type)).toEqual(['chain', 'chain', 'chain', 'chain', 'tool', 'chain', 'chain']);
    for (let i = 0; i < chain.length; i++) {
      const r = chain[i]!;
      expect(r.trace_id).toBe(lsTraceId);
      expect(r.parent_run_id ?? null).toBe(i === 0 ? null : req.ids[i - 1]);
      if (i > 0) expect(r.dotted_order!.startsWith(chain[i - 1]!.dotted_order! + '.')).toBe(true);
      // The project chosen at A (the edge) reaches every run, B's and C's included (C's own is ignored).
      expect(r.session_name).toBe(CHAIN_PROJECT);
    }
    expect(chain.map((r) => r.dotted_order)).toEqual([
      req.a.server.dottedOrder,
      req.a.handle.dottedOrder,
      req.b.parent!.dotted_order,
      req.b.runs[0]!.dotted_order,
      req.b.runs[1]!.dotted_order,
      req.c.server.dottedOrder,
      req.c.handle.dottedOrder,
    ]);
    // The failing request: every run on the error path carries `error`; the others none.
    const errors = chain.map((r) => r.error ?? null);
    if (req.fails) {
      expect(
        errors.every((e) => typeof e === 'string' && e.length > 0),
        JSON.stringify(errors),
      ).toBe(true);
      expect(errors[6]).toContain('c refuses');
      expect(errors[4]).toContain('answered 500');
    } else {
      expect(errors).toEqual(chain.map(() => null));
    }
    return tree;
  });
}

/** Per request: [name, run_type, has error] of each run of its tree, root first. */
const shapeOf = (trees: TraceTree[]) => trees.map((t) => chainOf(t).map((r) => [r.name, r.run_type, r.error !== undefined]));

describe.skipIf(!build.ok)('e2e 1: OTel service A → LangSmith-native JS service B → OTel service C', () => {
  let direct: ChainRun;
  let otlp: ChainRun;
  beforeAll(async () => {
    // Both stacks at once: six processes, two ingest servers.
    [direct, otlp] = await Promise.all([runChain('direct'), runChain('otlp')]);
  });

  it('direct path (LANGSMITH_API_KEY + LANGSMITH_ENDPOINT): one tree per request, A/B/C nested, zero orphans, errors marked', () => {
    const trees = expectChainTrees(direct);
    // The bridge's LangSmithClientSink posts /runs/batch (it must learn of failures);
    // the LangSmith-native service's own Client uses multipart.
    const sources = new Set(direct.ingest.runs().map((r) => r.source));
    expect([...sources].sort()).toEqual(['batch', 'multipart']);
    // Our runs carry their OTel ids in metadata: A's trace, and C's synthesized one.
    for (const req of direct.requests) {
      const byId = new Map(direct.ingest.runs().map((r) => [r.id, r]));
      expect(metadataOf(byId.get(req.a.server.runId)!)).toMatchObject({
        otel_trace_id: req.a.server.traceId,
        otel_span_id: req.a.server.spanId,
        'service.name': 'a',
      });
      expect(metadataOf(byId.get(req.c.handle.runId)!)).toMatchObject({
        otel_trace_id: req.c.server.traceId,
        otel_span_id: req.c.handle.spanId,
        'service.name': 'c',
      });
    }
    expect(trees).toHaveLength(3);
  });

  it('OTLP path (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): the same, and one OTel trace per request per OTel hop group', () => {
    const trees = expectChainTrees(otlp);
    const runs = otlp.ingest.runs();
    // A's and C's runs arrived as OTLP spans, B's through the langsmith Client.
    expect(runs.filter((r) => r.source === 'otlp')).toHaveLength(5 * otlp.requests.length);
    expect(
      runs
        .filter((r) => r.source === 'multipart')
        .map((r) => r.name)
        .sort(),
    ).toEqual(otlp.requests.flatMap(() => ['b-call-next', 'b-handle']).sort());
    // The OTLP capture: spans grouped by OTel trace id.
    const byTrace = new Map<string, IngestedRun[]>();
    for (const r of runs) if (r.otel) byTrace.set(r.otel.traceId, [...(byTrace.get(r.otel.traceId) ?? []), r]);
    // Per request: A's three spans in A's trace, C's two in the trace synthesized from the LangSmith trace.
    expect(byTrace.size).toBe(2 * otlp.requests.length);
    for (const req of otlp.requests) {
      const aSpans = byTrace.get(req.a.server.traceId) ?? [];
      const cSpans = byTrace.get(otelTraceIdOf(req.a.server.runId)) ?? [];
      expect(aSpans.map((r) => r.id).sort()).toEqual(req.ids.slice(0, 3).sort());
      expect(cSpans.map((r) => r.id).sort()).toEqual(req.ids.slice(5).sort());
      for (const r of [...aSpans, ...cSpans]) expect(r.id).toBe(runIdOfSpan(r.otel!.spanId)); // rule 1
      const aServer = aSpans.find((r) => r.id === req.a.server.runId)!;
      const aClient = aSpans.find((r) => r.id === req.ids[2])!;
      const cServer = cSpans.find((r) => r.id === req.c.server.runId)!;
      // A: a new OTel root; the stranger only as a link.
      expect(aServer.otel!.parentSpanId ?? '').toBe('');
      expect(aServer.otel!.links.map((l) => [l.traceId, l.spanId])).toEqual([[STRANGER.traceparent.slice(3, 35), STRANGER.traceparent.slice(36, 52)]]);
      expect(aClient.otel!.kind).toBe(3); // CLIENT
      // C: its server span's remote parent is derived from B's JS run id (rule 3b).
      expect(cServer.otel!.parentSpanId).toBe(spanIdOfJsRun(req.b.runs[1]!.id));
      expect(cServer.otel!.kind).toBe(2); // SERVER
      if (req.fails) {
        expect(cSpans.every((r) => r.otel!.status.code === 2)).toBe(true); // ERROR
        expect(aSpans.every((r) => r.otel!.status.code === 2)).toBe(true);
      }
    }
    // Both paths record the same tree shapes (names, types, errors) for the same questions.
    expect(shapeOf(trees)).toEqual(shapeOf(direct.requests.map((r) => treeOf(direct.ingest, r.a.server.runId))));
  });

  it('the same request on both paths (in-process A: one provider, an OTLP exporter and a LangSmithClientSink): identical ids', async () => {
    const viaOtlp = await startIngestServer();
    const viaDirect = await startIngestServer();
    cleanups.push(
      () => viaOtlp.close(),
      () => viaDirect.close(),
    );
    const c = await startNode(
      'c',
      OTEL_SERVICE,
      { LANGSMITH_OTEL_ENABLED: 'true', LANGSMITH_OTEL_TRUST: LOOPBACK_TRUST, LANGSMITH_API_KEY: 'e2e-key', LANGSMITH_ENDPOINT: viaDirect.url },
      true,
    );
    cleanups.push(() => c.stop());
    const b = await startNode(
      'b',
      NATIVE_SERVICE,
      { LANGSMITH_TRACING: 'true', LANGSMITH_API_KEY: 'e2e-key', LANGSMITH_ENDPOINT: viaDirect.url, NEXT_URL: `${c.url}/c` },
      false,
    );
    cleanups.push(() => b.stop());

    const processor = new LangSmithSpanProcessor({
      exporter: new OTLPTraceExporter({ url: `${viaOtlp.url}/otel/v1/traces` }),
      sinks: [new LangSmithClientSink({ client: new Client({ apiUrl: viaDirect.url, apiKey: 'e2e-key', autoBatchTracing: true }) })],
      project: CHAIN_PROJECT,
      scheduledDelayMillis: 20,
    });
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'a-in-process' }), spanProcessors: [processor] });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('e2e');
    const propagator = new LangSmithPropagator();
    const server = tracer.startSpan('in-process request', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    const clientSpan = tracer.startSpan('POST /b', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, server));
    const headers: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, clientSpan), headers, defaultTextMapSetter);
    const res = await post<NativeAnswer>(`${b.url}/b`, { question: 'one request, two paths' }, headers);
    clientSpan.end();
    server.end();
    await processor.forceFlush();
    await Promise.all([b.stop(), c.stop()]);
    expect(res.status).toBe(200);

    const ours = [runIdOfSpan(server.spanContext().spanId), runIdOfSpan(clientSpan.spanContext().spanId)];
    expect(res.body.parent!.id).toBe(ours[1]);
    // OTLP: our two runs, a complete tree on their own.
    expectClean(viaOtlp, 1);
    // Direct: ours, B's and C's, one tree.
    expectClean(viaDirect, 1);
    const directChain = chainOf(treeOf(viaDirect, ours[0]!));
    expect(directChain.map((r) => r.name)).toEqual(['in-process request', 'POST /b', 'b-handle', 'b-call-next', 'POST /c', 'c-handle']);
    const lineage = (r: IngestedRun) => [r.id, r.trace_id, r.parent_run_id ?? null, r.dotted_order, r.name, r.run_type, r.session_name];
    const otlpChain = chainOf(treeOf(viaOtlp, ours[0]!));
    expect(otlpChain.map((r) => r.id)).toEqual(ours);
    // The same runs, field for field, on both paths; and B's run hangs under the id both paths gave our client span.
    expect(otlpChain.map(lineage)).toEqual(directChain.slice(0, 2).map(lineage));
    expect(directChain[2]!.parent_run_id).toBe(otlpChain[1]!.id);
    expect(otlpChain[1]!.otel!.spanId).toBe(clientSpan.spanContext().spanId);
    expect(metadataOf(directChain[1]!)).toMatchObject({ otel_trace_id: otlpChain[1]!.otel!.traceId, otel_span_id: otlpChain[1]!.otel!.spanId });
  });
});

// ================================================================ 2 and 3: Python

interface PyRun {
  id: string;
  trace_id: string;
  dotted_order: string;
  parent_run_id: string | null;
  project_name: string;
  tags: string[];
  metadata: Record<string, unknown>;
}

describe.skipIf(!build.ok || !python.ok)('e2e 2: Python @traceable client (httpx + to_headers) → our OTel service', () => {
  it("our server run's parent is the Python run: one LangSmith trace, zero orphans in the shared ingest", async () => {
    const ingest = await startIngestServer();
    cleanups.push(() => ingest.close());
    const [ours, app] = await Promise.all([
      startNode(
        'd',
        OTEL_SERVICE,
        { LANGSMITH_OTEL_ENABLED: 'true', LANGSMITH_OTEL_TRUST: LOOPBACK_TRUST, LANGSMITH_API_KEY: 'e2e-key', LANGSMITH_ENDPOINT: ingest.url },
        true,
      ),
      startPythonService('middleware_app.py', { LANGSMITH_ENDPOINT: ingest.url, LANGSMITH_API_KEY: 'e2e-key', LANGSMITH_TRACING: 'true' }),
    ]);
    cleanups.push(
      () => ours.stop(),
      () => app.stop(),
    );

    const res = await post<{ sent: Record<string, string>; run: PyRun; parent_run: PyRun; status: number; response: string }>(`${app.url}/call`, {
      url: `${ours.url}/hop`,
      project: 'e2e-python',
      tags: ['from-python'],
      metadata: { case: 2 },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(200);
    const pyRoot = res.body.parent_run;
    const pyRun = res.body.run;
    const d = JSON.parse(res.body.response) as OtelAnswer;
    expect(res.body.sent['langsmith-trace']).toBe(pyRun.dotted_order);
    expect(d.server.parentRunId).toBe(pyRun.id);
    expect(d.server.lsTraceId).toBe(pyRoot.id);
    expect(d.server.traceId).toBe(otelTraceIdOf(pyRoot.id)); // rule 2, as the Python SDK's OTel mode does
    expect(d.server.dottedOrder.startsWith(pyRun.dotted_order + '.')).toBe(true);

    await ours.stop();
    const ids = [pyRoot.id, pyRun.id, d.server.runId, d.handle.runId];
    await waitFor('the Python runs, ended', () => ids.every((id) => ingest.runs().some((r) => r.id === id && r.end_time !== undefined)));
    await app.stop();

    expectClean(ingest, 1);
    const chain = chainOf(treeOf(ingest, pyRoot.id));
    expect(chain.map((r) => r.id)).toEqual(ids);
    expect(chain.map((r) => r.name)).toEqual(['call_handler', 'outbound_call', 'GET /hop', 'd-handle']);
    // Python's runs come by its Client's multipart; ours by the bridge's /runs/batch.
    expect(chain.map((r) => r.source)).toEqual(['multipart', 'multipart', 'batch', 'batch']);
    expect(chain.every((r) => r.trace_id === pyRoot.id && r.session_name === 'e2e-python')).toBe(true);
    expect(chain[2]!.parent_run_id).toBe(pyRun.id);
    expect(chain[2]!.tags).toEqual(expect.arrayContaining(['from-python']));
    expect(metadataOf(chain[2]!)).toMatchObject({ case: 2 });
  });
});

describe.skipIf(!build.ok || !python.ok)('e2e 3: our OTel service → Python FastAPI + TracingMiddleware', () => {
  it("the Python handler run's parent is our client span's run: one tree, zero orphans", async () => {
    const ingest = await startIngestServer();
    cleanups.push(() => ingest.close());
    const app = await startPythonService('middleware_app.py', { LANGSMITH_ENDPOINT: ingest.url, LANGSMITH_API_KEY: 'e2e-key', LANGSMITH_TRACING: 'true' });
    cleanups.push(() => app.stop());
    const ours = await startNode(
      'e',
      OTEL_SERVICE,
      {
        LANGSMITH_OTEL_ENABLED: 'true',
        LANGSMITH_OTEL_TRUST: 'false',
        LANGSMITH_PROJECT: 'e2e-to-python',
        LANGSMITH_API_KEY: 'e2e-key',
        LANGSMITH_ENDPOINT: ingest.url,
        NEXT_URL: `${app.url}/echo`,
      },
      true,
    );
    cleanups.push(() => ours.stop());

    const res = await post<OtelAnswer>(`${ours.url}/start`, { question: 'to python' });
    expect(res.status).toBe(200);
    const e = res.body;
    const echo = e.downstream!.body as { run: PyRun; headers: Record<string, string> };
    // What our client span sent: both families naming the same hop.
    const clientRunId = lastRunId(echo.headers['langsmith-trace']!);
    expect(runIdOfSpan(echo.headers.traceparent!.slice(36, 52))).toBe(clientRunId);
    expect(echo.headers.traceparent!.slice(3, 35)).toBe(e.server.traceId);
    expect(echo.headers.baggage).toContain('langsmith-project=e2e-to-python');
    // Python's TracingMiddleware continued it.
    expect(echo.run.parent_run_id).toBe(clientRunId);
    expect(echo.run.trace_id).toBe(e.server.runId);
    expect(echo.run.dotted_order.startsWith(echo.headers['langsmith-trace']! + '.')).toBe(true);
    expect(echo.run.project_name).toBe('e2e-to-python');

    await ours.stop();
    const ids = [e.server.runId, e.handle.runId, clientRunId, echo.run.id];
    await waitFor('the Python run, ended', () => ids.every((id) => ingest.runs().some((r) => r.id === id && r.end_time !== undefined)));
    await app.stop();

    expectClean(ingest, 1);
    const chain = chainOf(treeOf(ingest, e.server.runId));
    expect(chain.map((r) => r.id)).toEqual(ids);
    expect(chain.map((r) => r.name)).toEqual(['POST /start', 'e-handle', 'POST /echo', 'echo_handler']);
    expect(chain.every((r) => r.trace_id === e.server.runId && r.session_name === 'e2e-to-python')).toBe(true);
    expect(chain[3]!.parent_run_id).toBe(chain[2]!.id);
  });
});

// ================================================================ 4. the demo

describe.skipIf(!build.ok)('e2e 4: the demo', () => {
  it('`node <dist>/esm/demo/run.js` exits 0 and prints 3 trees and 0 orphans', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'e2e-demo-'));
    cleanups.push(async () => rmSync(cwd, { recursive: true, force: true }));
    const child = spawn(process.execPath, [DEMO], { cwd, env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(timer);
    live.delete(child);
    expect(code, out).toBe(0);
    expect(out).toMatch(/^3 trace\(s\), \d+ runs, 0 orphans$/m);
    expect(out.match(/^trace [0-9a-f-]{36} · /gm)).toHaveLength(3);
    expect(out).not.toMatch(/^! /m);
    // The failing request ("Please fail the search", answered 502): its tree's root run is marked as an error.
    const roots = [...out.matchAll(/^trace [0-9a-f-]{36} · .*\n(.*)$/gm)].map((m) => m[1]!);
    expect(roots.filter((line) => /^POST \/ask .*✗ HTTP 502/.test(line))).toHaveLength(1);
    expect(out).toMatch(/POST \/ask "Please fail the search" → 502/);
  }, 30_000);
});

if (!build.ok) {
  describe('e2e', () => {
    it('needs the compiled package (test/global-setup.ts)', () => {
      throw new Error(`no e2e build: ${build.message}`);
    });
  });
}
