/**
 * An OTel service with the bridge calling a graph on a real Python LangGraph
 * Agent Server (`langgraph dev`, in-memory, from `langgraph-cli[inmem]`,
 * started once for the file) whose graph factory is the README's
 * (test/python/agent_server/agent.py): the graph's runs nest under the
 * calling span, in the caller's project with its metadata and tags; a caller
 * without the gateway token, or one that puts the trace keys in the request
 * body, changes nothing.
 *
 * The Python server runs no OTel: its runs reach the ingest through the
 * Python SDK. Needs the venv's `langgraph` CLI (test/python/requirements.txt);
 * in CI a missing one fails.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { context, defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRegisteredBridge, LangSmithPropagator } from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../../src/ingest/index.js';
import { PYTHON_DIR, REPO_ROOT } from '../support/python.js';
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
import { metadataOf, names } from './support.js';

vi.hoisted(() => {
  for (const key of Object.keys(process.env)) if (/^(LANGSMITH|LANGCHAIN|OTEL)_/.test(key)) delete process.env[key];
  process.env.LANGSMITH_OTEL_QUIET = 'true';
});

const LANGGRAPH_CLI = path.join(REPO_ROOT, '.venv', 'bin', 'langgraph');
const available = existsSync(LANGGRAPH_CLI);
const SERVER_PROJECT = 'py-agent-server-own';

let ingest: IngestServer;
let server: Service;
const cleanups: Array<() => Promise<unknown>> = [];

describe('the Python Agent Server can run here', () => {
  it('langgraph-cli[inmem] is installed in .venv (scripts/setup-python.sh)', () => {
    if (!available && process.env.CI !== 'true') process.stderr.write(`PYTHON AGENT SERVER SKIPPED: ${LANGGRAPH_CLI} not found\n`);
    if (process.env.CI === 'true') expect(available, `${LANGGRAPH_CLI} not found`).toBe(true);
  });
});

describe.skipIf(!available)('OTel caller → Python Agent Server (README factory)', () => {
  beforeAll(async () => {
    ingest = await startIngestServer();
    cleanups.push(() => ingest.close());
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lg-py-agent-server-'));
    cleanups.push(async () => rmSync(stateDir, { recursive: true, force: true }));
    // langgraph dev resolves graph paths against its working directory and keeps its store there.
    cpSync(path.join(PYTHON_DIR, 'agent_server'), stateDir, { recursive: true });
    const port = await freePort();
    server = await startService(
      'py-agent-server',
      LANGGRAPH_CLI,
      ['dev', '--no-browser', '--no-reload', '--host', '127.0.0.1', '--port', String(port), '--config', path.join(stateDir, 'langgraph.json')],
      {
        LANGSMITH_TRACING: 'true',
        LANGSMITH_API_KEY: 'graph-key',
        LANGSMITH_ENDPOINT: ingest.url,
        LANGSMITH_PROJECT: SERVER_PROJECT,
        LANGSMITH_OTEL_TRUST_TOKEN: TOKEN,
        LANGGRAPH_CLI_NO_ANALYTICS: '1',
        PYTHONUNBUFFERED: '1',
      },
      { cwd: stateDir, timeoutMs: 90_000, health: { url: `http://127.0.0.1:${port}/ok` } },
    );
    cleanups.unshift(() => server.stop());
    process.stderr.write(`[python-agent-server.test] langgraph dev answering /ok after ${server.startMs} ms\n`);
    await registerCaller(ingest);
    cleanups.push(() => getRegisteredBridge()!.shutdown());
  }, 150_000);

  afterAll(() => runCleanups(cleanups), 60_000);

  // The Python server names the graph's root run after the graph id.
  const graphDone = (n: string[]) => ['agent', 'act'].every((x) => n.includes(x));

  it("Client.runs.wait with agentServerRequestHook(): the graph nests under the calling span, in the caller's project, with its metadata and tags", async () => {
    ingest.clear();
    const { id, headers } = await postUpstream(ingest);
    // The Python server reads the standard headers, which the caller's instrumented fetch writes.
    const client = trustedClient(server.url);
    const parent = new LangSmithPropagator({ trust: true }).extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const askRunId = await trace.getTracer('caller').startActiveSpan('ask-agent', {}, parent, async (span) => {
      try {
        const result = (await client.runs.wait(null, 'agent', { input: { question: 'py' } })) as { answer: string };
        expect(result.answer).toBe('plan for py: done');
        return `00000000-0000-0000-${span.spanContext().spanId.slice(0, 4)}-${span.spanContext().spanId.slice(4)}`;
      } finally {
        span.end();
      }
    });
    await settle(ingest, graphDone, 25_000);
    expect(ingest.orphans().map((r) => `${r.name} → ${r.parent_run_id}`)).toEqual([]);
    expect(ingest.violations()).toEqual([]);
    expect(ingest.traces().map((t) => t.lsTraceId)).toEqual([id]);
    const root = ingest.traces()[0]!.root;
    const graph = find(root, 'agent');
    expect(graph, JSON.stringify(names(root))).toBeDefined();
    expect(names(graph!)).toEqual({ agent: ['plan', 'act'] });
    // Under the run the standard headers named: the caller's HTTP client span, child of the calling span.
    const clientSpan = ingest.runs().find((r) => r.id === graph!.run.parent_run_id)!;
    expect(clientSpan.name).toBe('POST /runs/wait');
    expect(clientSpan.parent_run_id).toBe(askRunId);
    expect(names(root)).toEqual({ gateway: [{ 'ask-agent': [{ 'POST /runs/wait': [{ agent: ['plan', 'act'] }] }] }] });
    for (const run of allRuns(root)) {
      expect(run.session_name, run.name).toBe(CALLER_PROJECT);
      expect(metadataOf(run), run.name).toMatchObject(METADATA);
      expect(run.tags ?? [], run.name).toEqual(expect.arrayContaining(TAGS));
    }
  }, 60_000);

  it("without the gateway token (and with the trace keys in the request body) the graph is a root in the server's project", async () => {
    ingest.clear();
    const { id, headers } = await postUpstream(ingest);
    const res = await context.with(suppressTracing(ROOT_CONTEXT), () =>
      fetch(`${server.url}/runs/wait`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers, baggage: 'langsmith-project=attacker,langsmith-tags=evil' },
        body: JSON.stringify({
          assistant_id: 'agent',
          input: { question: 'stranger' },
          config: {
            configurable: { 'langsmith-trace': headers['langsmith-trace'], 'langsmith-project': 'attacker', 'x-langsmith-trust': 'not-the-token-0123456789' },
          },
        }),
      }),
    );
    expect(res.status).toBe(200);
    await settle(ingest, graphDone, 25_000);
    expect(ingest.orphans()).toEqual([]);
    const runs = ingest.runs();
    expect(runs.filter((r) => r.id !== id && r.trace_id === id)).toEqual([]);
    expect(runs.some((r) => r.session_name === 'attacker' || (r.tags ?? []).includes('evil'))).toBe(false);
    const graph = runs.find((r) => r.name === 'agent')!;
    expect(graph, runs.map((r) => `${r.name} ${r.session_name}`).join('\n')).toBeDefined();
    expect(graph.parent_run_id ?? null).toBeNull();
    expect(graph.session_name).toBe(SERVER_PROJECT);
  }, 60_000);
});
