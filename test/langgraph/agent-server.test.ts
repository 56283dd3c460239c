/**
 * An OTel service with the bridge calling a graph on a real LangGraph JS
 * Agent Server (`@langchain/langgraph-api`, in-memory, started once for the
 * file) that runs the bridge too, through `@langchain/langgraph-sdk`'s
 * `Client` and `@langchain/langgraph/remote`'s `RemoteGraph`, both with
 * `onRequest: agentServerRequestHook()`. A graph node calls a third process,
 * an OTel service with the bridge. Everything reports to the local ingest.
 *
 *   upstream run (trusted `langsmith-trace` + baggage: project, metadata, tags)
 *   └ caller: `ask-agent` span ── Client / RemoteGraph ──▶ Agent Server
 *        ├ POST /runs/… (client) → POST /runs/… (server span, continued from traceparent)
 *        └ LangGraph (continueCallerTrace) → __start__, plan, act
 *                                              └ POST (node's fetch, nodeContext) → callee server → callee handle
 *
 * Asserts: one tree per request, filed in the caller's project with its
 * metadata and tags, no orphans, one OTel trace (every bridge run's
 * `otel_trace_id`); and that a caller without the gateway token who forges
 * the x-* headers and `configurable` keys changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { RemoteGraph } from '@langchain/langgraph/remote';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { getRegisteredBridge, LangSmithPropagator } from '../../src/index.js';
import { startIngestServer, type IngestServer, type RunNode } from '../../src/ingest/index.js';
import { requirePython, runPython, VENV_PYTHON } from '../support/python.js';
import {
  allRuns,
  CALLER_PROJECT,
  find,
  METADATA,
  postUpstream,
  registerCaller,
  runCleanups,
  settle,
  TAGS,
  TOKEN,
  trustedClient,
} from './agent-server-support.js';
import { freePort, startService, type Service } from '../support/processes.js';
import { metadataOf } from './support.js';

vi.hoisted(() => {
  // The caller is this process: the bridge's register environment, as a user sets it.
  for (const key of Object.keys(process.env)) if (/^(LANGSMITH|LANGCHAIN|OTEL)_/.test(key)) delete process.env[key];
  process.env.LANGSMITH_OTEL_QUIET = 'true';
});

const build = inject('e2eBuild');
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REGISTER = path.join(build.dir, 'dist/esm/register.js');
const OTEL_SERVICE = path.join(build.dir, 'test/e2e/otel-service.mjs');
const SERVER_PROJECT = 'agent-server-own';

let ingest: IngestServer;
let callee: Service;
let server: Service;
let stateDir: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  expect(build.ok, build.message).toBe(true);
  ingest = await startIngestServer();
  cleanups.push(() => ingest.close());
  const bridged = {
    OTEL_BSP_SCHEDULE_DELAY: '200',
    LANGSMITH_OTEL_ENABLED: 'true',
    LANGSMITH_TRACING: 'true',
    LANGSMITH_API_KEY: 'graph-key',
    LANGSMITH_ENDPOINT: ingest.url,
  };
  callee = await startService(
    'callee',
    process.execPath,
    ['--import', REGISTER, OTEL_SERVICE],
    {
      ...bridged,
      LANGSMITH_OTEL_TRUST: '127.0.0.1/32',
      LANGSMITH_PROJECT: 'callee-own',
    },
    { cwd: build.dir },
  );
  cleanups.push(() => callee.stop());
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'lg-agent-server-'));
  cleanups.push(async () => rmSync(stateDir, { recursive: true, force: true }));
  // The README's graph module and HTTP app import `langsmith-otel-bridge`: inside the compiled
  // snapshot that name resolves to the package itself (self-reference through its package.json).
  const graphDir = mkdtempSync(path.join(build.dir, 'lg-js-server-'));
  cleanups.push(async () => rmSync(graphDir, { recursive: true, force: true }));
  for (const file of ['graph.mjs', 'app.mjs']) cpSync(path.join(HERE, 'js-server', file), path.join(graphDir, file));
  const port = await freePort();
  server = await startService(
    'agent-server',
    process.execPath,
    ['--import', REGISTER, path.join(HERE, 'js-server', 'agent-server.mjs')],
    {
      ...bridged,
      LANGSMITH_PROJECT: SERVER_PROJECT,
      LANGSMITH_OTEL_TRUST_TOKEN: TOKEN,
      GRAPH_DIR: graphDir,
      CALLEE_URL: `${callee.url}/handle`,
      STATE_DIR: stateDir,
      PORT: String(port),
    },
    { cwd: stateDir, timeoutMs: 90_000 },
  );
  cleanups.unshift(() => server.stop());
  process.stderr.write(`[agent-server.test] JS Agent Server (langgraph-api startServer + bridge) listening after ${server.startMs} ms\n`);

  // The caller: the bridge registered in code, reporting to the same ingest.
  await registerCaller(ingest);
  cleanups.push(() => getRegisteredBridge()!.shutdown());
}, 150_000);

afterAll(() => runCleanups(cleanups), 60_000);

// ---------------------------------------------------------------- helpers

/** Runs `call` inside the caller's `ask-agent` span, itself continuing the upstream run. */
async function asCaller<T>(upstream: Record<string, string>, call: () => Promise<T>): Promise<{ traceId: string; result: T }> {
  const parent = new LangSmithPropagator({ trust: true }).extract(ROOT_CONTEXT, upstream, defaultTextMapGetter);
  return trace.getTracer('caller').startActiveSpan('ask-agent', {}, parent, async (span) => {
    try {
      return { traceId: span.spanContext().traceId, result: await call() };
    } finally {
      span.end();
    }
  });
}

const graphDone = (names: string[]) => ['LangGraph', 'act', 'callee-handle', 'ask-agent'].every((n) => names.includes(n));

const subtree = (node: RunNode): unknown =>
  node.children.length === 0
    ? node.run.name
    : { [node.run.name]: node.children.map(subtree).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };

function expectTrustedRequest(upstreamId: string, callerTraceId: string): void {
  expect(ingest.orphans().map((r) => `${r.name} → ${r.parent_run_id}`)).toEqual([]);
  expect(ingest.violations()).toEqual([]);
  const tree = ingest.traces().find((t) => t.lsTraceId === upstreamId);
  expect(
    tree,
    `trees: ${ingest
      .traces()
      .map((t) => `${t.lsTraceId} ${t.root.run.name}`)
      .join(', ')}`,
  ).toBeDefined();
  expect(ingest.traces()).toHaveLength(1);
  const root = tree!.root;
  expect(root.run.name).toBe('gateway');
  const ask = find(root, 'ask-agent')!;
  expect(ask.run.parent_run_id).toBe(upstreamId);
  // The graph nests under the calling span, with its exact shape.
  const graph = ask.children.find((c) => c.run.name === 'LangGraph');
  expect(graph, `children of ask-agent: ${ask.children.map((c) => c.run.name)}`).toBeDefined();
  expect(subtree(graph!)).toEqual({
    LangGraph: ['__start__', 'plan', { act: [{ 'POST /handle': [{ 'POST /handle': ['callee-handle'] }] }] }],
  });
  // The server's HTTP spans continued the caller's fetch spans.
  const serverSpans = allRuns(root).filter((r) => /^(GET|POST|PUT|DELETE) \//.test(r.name) && r.name !== 'POST /handle');
  expect(serverSpans.length).toBeGreaterThan(0);
  // Every run is in the caller's project, with the upstream's metadata and tags.
  for (const run of allRuns(root)) {
    expect(run.session_name, run.name).toBe(CALLER_PROJECT);
    expect(metadataOf(run), run.name).toMatchObject(METADATA);
    expect(run.tags ?? [], run.name).toEqual(expect.arrayContaining(TAGS));
  }
  // One OTel trace: every run the bridge exported names the caller's trace.
  for (const run of allRuns(root).filter((r) => r.name !== 'gateway')) {
    expect(metadataOf(run).otel_trace_id, run.name).toBe(callerTraceId);
  }
  expect(ingest.runs().some((r) => r.session_name === SERVER_PROJECT)).toBe(false);
}

// ---------------------------------------------------------------- tests

describe('OTel caller → JS Agent Server (both with the bridge)', () => {
  it('Client.runs.wait with agentServerRequestHook(): the graph nests under the calling span, one tree, one OTel trace', async () => {
    ingest.clear();
    const { id, headers } = await postUpstream(ingest);
    const client = trustedClient(server.url);
    const { traceId, result } = await asCaller(headers, () => client.runs.wait(null, 'agent', { input: { question: 'via client' } }));
    expect((result as { answer: string }).answer).toBe('plan for via client: callee');
    await settle(ingest, graphDone, 20_000);
    expectTrustedRequest(id, traceId);
  }, 60_000);

  it('RemoteGraph({ client }).invoke: the same', async () => {
    ingest.clear();
    const { id, headers } = await postUpstream(ingest);
    const client = trustedClient(server.url);
    const remote = new RemoteGraph({ graphId: 'agent', client });
    const { traceId, result } = await asCaller(headers, () => remote.invoke({ question: 'via remote graph' }));
    expect((result as { answer: string }).answer).toBe('plan for via remote graph: callee');
    await settle(ingest, graphDone, 20_000);
    expectTrustedRequest(id, traceId);
  }, 60_000);

  it('a caller without the gateway token changes nothing: forged x-* headers and configurable keys are ignored', async () => {
    ingest.clear();
    const { id, headers } = await postUpstream(ingest);
    const forged = {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'x-traceparent': '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'x-langsmith-trace': headers['langsmith-trace']!,
      'langsmith-trace': headers['langsmith-trace']!,
      'x-baggage': 'langsmith-project=attacker,langsmith-tags=evil',
      baggage: 'langsmith-project=attacker,langsmith-tags=evil',
    };
    const res = await context.with(suppressTracing(ROOT_CONTEXT), () =>
      fetch(`${server.url}/runs/wait`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...forged },
        body: JSON.stringify({
          assistant_id: 'agent',
          input: { question: 'stranger' },
          config: {
            configurable: { 'langsmith-trace': headers['langsmith-trace'], 'langsmith-project': 'attacker', 'x-langsmith-trace': headers['langsmith-trace'] },
          },
        }),
      }),
    );
    expect(res.status).toBe(200);
    await settle(ingest, (names) => ['LangGraph', 'act', 'callee-handle'].every((n) => names.includes(n)), 20_000);
    expect(ingest.orphans().map((r) => `${r.name} → ${r.parent_run_id}`)).toEqual([]);
    const runs = ingest.runs();
    // Nothing attached to the upstream run, nothing filed where the stranger asked.
    expect(runs.filter((r) => r.id !== id && r.trace_id === id)).toEqual([]);
    expect(runs.some((r) => r.session_name === 'attacker' || (r.tags ?? []).includes('evil'))).toBe(false);
    expect(runs.some((r) => metadataOf(r).otel_trace_id === '0af7651916cd43dd8448eb211c80319c')).toBe(false);
    // The graph still ran and was recorded, as a root of the server's own project.
    const graph = runs.find((r) => r.name === 'LangGraph')!;
    expect(graph, runs.map((r) => `${r.name} ${r.session_name} ${r.parent_run_id}`).join('\n')).toBeDefined();
    expect(graph.parent_run_id ?? null).toBeNull();
    expect(graph.session_name).toBe(SERVER_PROJECT);
  }, 60_000);
});

// ================================================================ Python RemoteGraph caller

const python = requirePython();
/** langgraph (RemoteGraph) in the venv: test/python/requirements.txt. In CI a missing one fails. */
const langgraphPython = (() => {
  if (!python.ok) return { ok: false, reason: python.reason };
  const check = spawnSync(VENV_PYTHON, ['-c', 'import langgraph.pregel.remote, langgraph_sdk'], { encoding: 'utf8', timeout: 60_000 });
  return check.status === 0 ? { ok: true, reason: '' } : { ok: false, reason: (check.stderr || String(check.error)).trim().split('\n').pop() ?? '' };
})();

interface PyCaller {
  answer: string;
  run_id: string;
  trace_id: string;
  dotted_order: string;
  sent: Array<Record<string, string>>;
}

describe('Python RemoteGraph(distributed_tracing=True) → JS Agent Server with the bridge', () => {
  it('the Python langgraph packages are installed (scripts/setup-python.sh)', () => {
    if (!langgraphPython.ok && process.env.CI !== 'true') process.stderr.write(`PYTHON LANGGRAPH SKIPPED: ${langgraphPython.reason}\n`);
    if (process.env.CI === 'true') expect(langgraphPython.reason).toBe('');
  });

  it.skipIf(!langgraphPython.ok)(
    "one tree under the Python caller's run, in its project with its metadata and tags; one OTel trace from the server on",
    async () => {
      ingest.clear();
      const PY_PROJECT = 'py caller proj';
      const PY_METADATA = { team: 'py', 'k/é': 'v 1' };
      const PY_TAGS = ['py-tag', 'second tag'];
      const run = await runPython(
        'remote_graph_caller.py',
        [server.url],
        JSON.stringify({ question: 'from python', project: PY_PROJECT, metadata: PY_METADATA, tags: PY_TAGS, token: TOKEN }),
        { timeoutMs: 60_000, env: { LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: ingest.url, LANGSMITH_API_KEY: 'graph-key' } },
      );
      expect(run.code, `${run.stdout}\n${run.stderr.slice(-4000)}`).toBe(0);
      const out = JSON.parse(run.stdout) as PyCaller;
      expect(out.answer).toBe('plan for from python: callee');
      // What RemoteGraph sent: langsmith-trace and baggage only, no traceparent.
      const stream = out.sent.find((h) => h['langsmith-trace']);
      expect(stream, JSON.stringify(out.sent)).toBeDefined();
      expect(stream!.traceparent).toBeUndefined();
      expect(stream!['langsmith-trace']!.startsWith(out.dotted_order)).toBe(true);
      expect(stream!.baggage).toContain('langsmith-project=');
      await settle(ingest, (names) => ['LangGraph', 'act', 'callee-handle', 'py-caller'].every((n) => names.includes(n)), 20_000);

      expect(ingest.orphans().map((r) => `${r.name} → ${r.parent_run_id}`)).toEqual([]);
      expect(ingest.violations()).toEqual([]);
      expect(ingest.traces().map((t) => t.root.run.name)).toEqual(['py-caller']);
      const root = ingest.traces()[0]!.root;
      expect(root.run.id).toBe(out.run_id);
      const graph = find(root, 'LangGraph')!;
      expect(graph, subtree(root) as string).toBeDefined();
      expect(subtree(graph)).toEqual({
        LangGraph: ['__start__', 'plan', { act: [{ 'POST /handle': [{ 'POST /handle': ['callee-handle'] }] }] }],
      });
      // Under the run RemoteGraph sent (the caller's, or a child the Python SDK made for the call).
      const sentRunId = stream!['langsmith-trace']!.slice(stream!['langsmith-trace']!.lastIndexOf('Z') + 1);
      expect(graph.run.parent_run_id).toBe(sentRunId);
      const otelTraceId = out.trace_id.replace(/-/g, '');
      for (const run of allRuns(root)) {
        expect(run.session_name, run.name).toBe(PY_PROJECT);
        expect(metadataOf(run), run.name).toMatchObject(PY_METADATA);
        expect(run.tags ?? [], run.name).toEqual(expect.arrayContaining(PY_TAGS));
        // Runs from the server on (the bridge's) carry the OTel trace: the LangSmith trace's hex (README "Ids", rule 2).
        if (metadataOf(run).otel_trace_id !== undefined) expect(metadataOf(run).otel_trace_id, run.name).toBe(otelTraceId);
      }
      expect(allRuns(root).filter((r) => metadataOf(r).otel_trace_id !== undefined).length).toBeGreaterThanOrEqual(7);
    },
    90_000,
  );
});
