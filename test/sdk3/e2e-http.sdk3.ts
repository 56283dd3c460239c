/**
 * SDK 3.x leg, end to end: two loopback services started as
 * `node --import langsmith-otel-bridge/register` (registerLangSmithBridge on
 * the 3.x TracerProvider, instrumentation-http 0.301, instrumentation-undici
 * 0.34) report into one local ingest — front over OTLP (exporter-trace-otlp-proto
 * 0.301), back through the langsmith Client — and every request is one tree.
 *
 *   test ──(stranger's headers)──▶ front (trusts no caller) ──http / fetch──▶ back (trusts loopback)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RunTree } from 'langsmith';
import * as codecs from 'langsmith-otel-bridge/codecs';
import { startIngestServer, type IngestedRun, type IngestServer, type RunNode } from 'langsmith-otel-bridge/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVICE = fileURLToPath(new URL('./http-service.mjs', import.meta.url));
const STRANGER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const FRONT_PROJECT = 'sdk3-front';

interface Service {
  name: string;
  child: ChildProcess;
  url: string;
  output: () => string;
}

function start(name: string, env: Record<string, string>): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'langsmith-otel-bridge/register', SERVICE], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LANGSMITH_OTEL_ENABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s:\n${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ name, child, url: `http://127.0.0.1:${match[1]}`, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code}:\n${out}`));
    });
  });
}

/** SIGTERM (the service flushes its provider), resolves with the exit code. */
function stop(service: Service | undefined): Promise<number | null> {
  if (!service) return Promise.resolve(null);
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

const flatten = (node: RunNode): IngestedRun[] => [node.run, ...node.children.flatMap(flatten)];
const serviceOf = (run: IngestedRun) => ((run.extra as { metadata?: Record<string, unknown> } | undefined)?.metadata ?? {})['service.name'];

let ingest: IngestServer;
let front: Service | undefined;
let back: Service | undefined;
const answers: Array<{ path: string; status: number; body: { back: { headers: Record<string, string> }; front: { traceId: string } } }> = [];
const exitCodes: Array<number | null> = [];

beforeAll(async () => {
  ingest = await startIngestServer();
  back = await start('back', {
    ROLE: 'back',
    OTEL_SERVICE_NAME: 'back',
    LANGSMITH_PROJECT: 'sdk3-back',
    LANGSMITH_API_KEY: 'test',
    LANGSMITH_ENDPOINT: ingest.url,
    LANGSMITH_OTEL_TRUST: '127.0.0.0/8,::1/128',
  });
  front = await start('front', {
    ROLE: 'front',
    BACK_URL: back.url,
    OTEL_SERVICE_NAME: 'front',
    LANGSMITH_PROJECT: FRONT_PROJECT,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ingest.url}/otel/v1/traces`,
    OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=test',
    LANGSMITH_OTEL_TRUST: 'false',
  });
  // A stranger's headers: the front must not let them pick the trace, parent or project.
  const stranger = new RunTree({ name: 'stranger', project_name: 'attacker', tracingEnabled: false }).toHeaders();
  for (const path of ['/via-http', '/via-fetch', '/via-http', '/via-fetch']) {
    const res = await fetch(`${front.url}${path}`, {
      headers: { ...stranger, traceparent: `00-${STRANGER_TRACE_ID}-b7ad6b7169203331-01`, baggage: 'langsmith-project=attacker' },
    });
    answers.push({ path, status: res.status, body: (await res.json()) as (typeof answers)[number]['body'] });
  }
  exitCodes.push(await stop(front), await stop(back));
}, 90_000);

afterAll(async () => {
  await Promise.all([stop(front), stop(back)]);
  await ingest?.close();
});

describe('registerLangSmithBridge on SDK 3.x: two services, instrumentation-http 0.301 / undici 0.34', () => {
  it('both services start, answer every request and flush cleanly', () => {
    expect(
      answers.map((a) => a.status),
      `${front?.output()}\n${back?.output()}`,
    ).toEqual([200, 200, 200, 200]);
    expect(exitCodes).toEqual([0, 0]);
    expect(front!.output()).toMatch(/front → OTLP .*\/otel\/v1\/traces \(LangSmith\)/);
    expect(back!.output()).toMatch(/back → LangSmith http:\/\/127\.0\.0\.1:\d+ \(project sdk3-back\)/);
  });

  it('one tree per request, zero orphans, zero violations; both sinks delivered', () => {
    expect(ingest.violations()).toEqual([]);
    expect(ingest.orphans()).toEqual([]);
    expect(ingest.traces()).toHaveLength(answers.length);
    expect(ingest.requests.otlp).toBeGreaterThan(0);
    expect(ingest.requests.multipart + ingest.requests.batch + ingest.requests.createRun).toBeGreaterThan(0);
  });

  it('each tree: front SERVER → route → CLIENT (http or fetch) → back SERVER → back work, in the front project', () => {
    for (const answer of answers) {
      const tree = ingest
        .traces()
        .find((t) =>
          flatten(t.root).some((r) => (r.extra as { metadata?: Record<string, unknown> })?.metadata?.['otel_trace_id'] === answer.body.front.traceId),
        );
      expect(tree, `no tree for ${answer.path}`).toBeDefined();
      const runs = flatten(tree!.root);
      expect(runs.every((r) => r.session_name === FRONT_PROJECT)).toBe(true);
      expect(serviceOf(tree!.root.run)).toBe('front');
      expect(tree!.root.children.map((n) => n.run.name)).toEqual(['route request']);
      const route = tree!.root.children[0]!;
      expect(route.children).toHaveLength(1);
      const client = route.children[0]!;
      expect(serviceOf(client.run)).toBe('front');
      expect(client.children).toHaveLength(1);
      const backServer = client.children[0]!;
      expect(serviceOf(backServer.run)).toBe('back');
      expect(backServer.children.map((n) => [n.run.name, n.run.run_type, serviceOf(n.run)])).toEqual([['back work', 'tool', 'back']]);
      expect(runs).toHaveLength(5);

      // What back received names the client run the ingest has, under the front's lineage.
      const received = answer.body.back.headers;
      expect(received['langsmith-trace']).toBe(client.run.dotted_order);
      expect(received.traceparent).toBe(`00-${answer.body.front.traceId}-${client.run.id.replace(/-/g, '').slice(16)}-01`);
      expect(received.baggage).toContain(`langsmith-project=${FRONT_PROJECT}`);
      expect(codecs.parseDottedOrder(received['langsmith-trace']!)!.lsTraceId).toBe(tree!.lsTraceId);
    }
  });

  it("the front continued none of the stranger's context", () => {
    for (const answer of answers) expect(answer.body.front.traceId).not.toBe(STRANGER_TRACE_ID);
    const runs = ingest.runs();
    expect(runs.some((r) => r.session_name === 'attacker')).toBe(false);
    expect(runs.some((r) => r.parent_run_id !== undefined && !runs.some((p) => p.id === r.parent_run_id))).toBe(false);
  });
});
