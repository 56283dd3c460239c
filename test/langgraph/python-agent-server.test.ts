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
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { context, defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { Client } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRegisteredBridge, LangSmithPropagator, registerLangSmithBridge } from '../../src/index.js';
import { startIngestServer, type IngestedRun, type IngestServer, type RunNode } from '../../src/ingest/index.js';
import { agentServerRequestHook } from '../../src/langgraph/index.js';
import { PYTHON_DIR, REPO_ROOT } from '../support/python.js';
import { freePort, startService, type Service } from './processes.js';
import { metadataOf } from './support.js';

vi.hoisted(() => {
  for (const key of Object.keys(process.env)) if (/^(LANGSMITH|LANGCHAIN|OTEL)_/.test(key)) delete process.env[key];
  process.env.LANGSMITH_OTEL_QUIET = 'true';
});

const LANGGRAPH_CLI = path.join(REPO_ROOT, '.venv', 'bin', 'langgraph');
const available = existsSync(LANGGRAPH_CLI);
const TOKEN = 'gateway-token-0123456789abcdef';
const CALLER_PROJECT = 'caller proj/é';
const SERVER_PROJECT = 'py-agent-server-own';
const METADATA = { tenant: 'acme', 'request id': 'r-1/é' };
const TAGS = ['from-gateway', 'é tag'];

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
    await registerLangSmithBridge({
      serviceName: 'caller',
      project: 'caller-default',
      langsmith: { apiKey: 'graph-key', apiUrl: ingest.url },
      file: false,
      langsmithOtelMode: false,
      instrumentHttp: false, // the ingest server runs in this process
    });
    cleanups.push(() => getRegisteredBridge()!.shutdown());
  }, 150_000);

  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  }, 60_000);

  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const segment = (d: Date, id: string) =>
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}${pad(d.getUTCMilliseconds(), 3)}000Z${id}`;

  /** A trusted gateway's run (posted untraced) and the headers naming it. */
  async function postUpstream(): Promise<{ id: string; headers: Record<string, string> }> {
    const id = randomUUID();
    const start = new Date(Date.now() - 50);
    const run = {
      id, trace_id: id, dotted_order: segment(start, id), name: 'gateway', run_type: 'chain', inputs: {}, outputs: {},
      start_time: start.toISOString(), end_time: new Date().toISOString(), session_name: CALLER_PROJECT, extra: { metadata: METADATA }, tags: TAGS,
    };
    await context.with(suppressTracing(ROOT_CONTEXT), async () => {
      const res = await fetch(`${ingest.url}/runs`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'graph-key' }, body: JSON.stringify(run) });
      expect(res.status).toBeLessThan(300);
    });
    const baggage = [
      `langsmith-metadata=${encodeURIComponent(JSON.stringify(METADATA))}`,
      `langsmith-tags=${encodeURIComponent(TAGS.join(','))}`,
      `langsmith-project=${encodeURIComponent(CALLER_PROJECT)}`,
    ].join(',');
    return { id, headers: { 'langsmith-trace': run.dotted_order, baggage } };
  }

  async function settle(ready: (names: string[]) => boolean): Promise<void> {
    await getRegisteredBridge()!.forceFlush();
    const deadline = Date.now() + 25_000;
    while (!ready(ingest.runs().map((r) => r.name)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    let last = -1;
    for (let i = 0; i < 20 && ingest.runs().length !== last; i++) {
      last = ingest.runs().length;
      await new Promise((r) => setTimeout(r, 600));
    }
  }
  const find = (node: RunNode, name: string): RunNode | undefined =>
    node.run.name === name ? node : node.children.map((c) => find(c, name)).find(Boolean);
  const names = (node: RunNode): unknown => (node.children.length === 0 ? node.run.name : { [node.run.name]: node.children.map(names) });
  const allRuns = (node: RunNode): IngestedRun[] => [node.run, ...node.children.flatMap(allRuns)];
  // The Python server names the graph's root run after the graph id.
  const graphDone = (n: string[]) => ['agent', 'act'].every((x) => n.includes(x));

  it('Client.runs.wait with agentServerRequestHook(): the graph nests under the calling span, in the caller\'s project, with its metadata and tags', async () => {
    ingest.clear();
    const { id, headers } = await postUpstream();
    // The Python server reads the standard headers, which the caller's instrumented fetch writes.
    const client = new Client({ apiUrl: server.url, defaultHeaders: { 'x-langsmith-trust': TOKEN }, onRequest: agentServerRequestHook() });
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
    await settle(graphDone);
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

  it('without the gateway token (and with the trace keys in the request body) the graph is a root in the server\'s project', async () => {
    ingest.clear();
    const { id, headers } = await postUpstream();
    const res = await context.with(suppressTracing(ROOT_CONTEXT), () =>
      fetch(`${server.url}/runs/wait`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers, baggage: 'langsmith-project=attacker,langsmith-tags=evil' },
        body: JSON.stringify({
          assistant_id: 'agent',
          input: { question: 'stranger' },
          config: { configurable: { 'langsmith-trace': headers['langsmith-trace'], 'langsmith-project': 'attacker', 'x-langsmith-trust': 'not-the-token-0123456789' } },
        }),
      }),
    );
    expect(res.status).toBe(200);
    await settle(graphDone);
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
