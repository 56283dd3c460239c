/**
 * `npm run demo`: three services on loopback, a few requests (one fails), one
 * tree per request.
 *
 *   client → gateway (OTel + bridge, trusts no caller)
 *          → agent   (OTel + bridge + langsmith traceable in OTel mode)
 *          → native  (LangSmith-native: RunTree.fromHeaders, no OTel)
 *
 * Embedded default (no LANGSMITH_API_KEY, no OTEL_EXPORTER_OTLP_ENDPOINT):
 * every service reports to a local LangSmith-compatible ingest endpoint
 * served by this process; runs are written to .langsmith-otel/runs.jsonl and
 * printed as trees. With LANGSMITH_API_KEY or an OTLP endpoint set, the same
 * services report there instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTree } from '../tree/index.js';
import { startIngestServer, type IngestServer } from '../ingest/server.js';
import { startDemoServices, type DemoServiceName } from './topology.js';

const here = dirname(fileURLToPath(import.meta.url));
const registerEntry = resolve(here, '../register.js');
const PROJECT = process.env.LANGSMITH_PROJECT ?? 'langsmith-otel-bridge-demo';
const RUNS_FILE = process.env.LANGSMITH_OTEL_FILE ?? '.langsmith-otel/runs.jsonl';
const QUESTIONS = ['How does OpenTelemetry propagate context?', 'What does the bridge convert?', 'Please fail the search'];

interface Service {
  name: string;
  child: ChildProcess;
  url: string;
}

async function main(): Promise<void> {
  const remote = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.LANGSMITH_API_KEY);
  let ingest: IngestServer | undefined;
  const baseEnv: Record<string, string | undefined> = { ...process.env, LANGSMITH_PROJECT: PROJECT, LANGSMITH_TRACING: 'true' };
  if (!remote) {
    mkdirSync(dirname(RUNS_FILE), { recursive: true });
    writeFileSync(RUNS_FILE, '');
    ingest = await startIngestServer({ onRun: (run) => appendFileSync(RUNS_FILE, JSON.stringify(run, bigintSafe) + '\n') });
    Object.assign(baseEnv, { LANGSMITH_ENDPOINT: ingest.url, LANGSMITH_API_KEY: 'local-demo', LANGSMITH_OTEL_FILE: '' });
    console.log(`local LangSmith ingest endpoint: ${ingest.url} (runs → ${RUNS_FILE})`);
  }
  const started: Partial<Record<DemoServiceName, Service>> = {};
  const services = () => Object.values(started);
  const stopAll = async () => {
    await Promise.all(services().map((s) => stop(s.child)));
    await ingest?.close();
  };
  try {
    const { gateway } = await startDemoServices(start, registerEntry, baseEnv, started);

    for (const question of QUESTIONS) {
      const res = await fetch(`${gateway.url}/ask`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          // A stranger's headers: the gateway must not let them pick the trace or project.
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          baggage: 'langsmith-project=attacker',
        },
        body: JSON.stringify({ question }),
      });
      console.log(`POST /ask ${JSON.stringify(question)} → ${res.status}`);
      await res.arrayBuffer();
    }
  } finally {
    await Promise.all(services().map((s) => stop(s.child))); // services flush on SIGTERM
  }

  if (!ingest) {
    console.log(`\nsent ${QUESTIONS.length} requests; see LangSmith project "${PROJECT}" and your OTel backend.`);
    return;
  }
  const traces = ingest.traces();
  console.log(`\n${traces.length} trace(s), ${ingest.runs().length} runs, ${ingest.orphans().length} orphans\n`);
  for (const tree of traces) console.log(formatTree(tree, { color: process.stdout.isTTY === true }) + '\n');
  const problems = [...ingest.violations(), ...ingest.orphans().map((r) => `orphan run ${r.name} (${r.id})`)];
  for (const p of problems) console.log(`! ${p}`);
  console.log(`runs written to ${RUNS_FILE}; print them again with: npx langsmith-otel-bridge tree ${RUNS_FILE}`);
  await stopAll();
  if (problems.length > 0 || traces.length !== QUESTIONS.length) process.exitCode = 1;
}

function start(name: string, nodeArgs: string[], env: Record<string, string | undefined>): Promise<Service> {
  const script = join(here, 'services', `${name}.js`);
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s:\n${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ name, child, url: `http://127.0.0.1:${match[1]}` });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stderr.write(`[${name}] ${chunk.toString()}`);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code}:\n${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
