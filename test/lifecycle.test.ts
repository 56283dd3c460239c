/**
 * The host application's lifecycle (#8), each case a real process:
 * `node --unhandled-rejections=strict --import <snapshot>/dist/esm/register.js
 * test/e2e/lifecycle-app.mjs` (the package compiled by test/global-setup.ts),
 * configured through the environment only, against a destination that is
 * dead (a closed loopback port), hung (accepts, never answers), refusing
 * (400) or unwritable (a file under /proc, a directory).
 *
 * Required of every case: the app's own exit code and output; no unhandled
 * rejection; the end within the one deadline (LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS)
 * of the app's end; exactly one stderr line with the count and the reason.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const build = inject('e2eBuild');
const REGISTER = path.join(build.dir, 'dist/esm/register.js');
const APP = path.join(build.dir, 'test/e2e/lifecycle-app.mjs');
/** Slack for a loaded 2-core machine: process teardown and timer lateness, not the flush. */
const SLACK_MS = 1500;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** When the process ended (epoch ms). */
  endedAt: number;
  /** Lines on stderr that report undelivered spans. */
  undelivered: string[];
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(LANGSMITH|LANGCHAIN|OTEL)_/i.test(key) || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, LANGSMITH_OTEL_ENABLED: 'true', LANGSMITH_OTEL_PRINT: 'false', ...extra };
}

interface Running {
  done: Promise<Outcome>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when stdout has a line matching `re`. */
  waitFor(re: RegExp): Promise<void>;
}

function run(env: Record<string, string>, args: string[] = ['--import', REGISTER], timeoutMs = 25_000): Running {
  const child = spawn(process.execPath, ['--unhandled-rejections=strict', ...args, APP], { cwd: build.dir, env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters.splice(0)) w.re.test(stdout) ? w.resolve() : waiters.push(w);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<Outcome>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      const undelivered = stderr.split('\n').filter((l) => /not delivered/.test(l));
      resolve({ code, signal, stdout, stderr, endedAt: Date.now(), undelivered });
    }),
  );
  return {
    done,
    kill: (signal) => child.kill(signal),
    waitFor: (re) => (re.test(stdout) ? Promise.resolve() : new Promise((resolve) => waiters.push({ re, resolve }))),
  };
}

function appDoneAt(outcome: Outcome): number {
  const m = /app done (\d+)/.exec(outcome.stdout);
  if (!m) throw new Error(`the app did not finish:\n${outcome.stdout}\n${outcome.stderr}`);
  return Number(m[1]);
}

// ---- destinations on loopback ----

const sockets = new Set<Socket>();
const servers: http.Server[] = [];
let deadPort = 0;
let hungUrl = '';
let refusingUrl = '';
let tmp = '';

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  expect(build.ok, build.message).toBe(true);
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  hungUrl = await listen((req) => req.resume()); // reads, never answers
  refusingUrl = await listen((req, res) => {
    req.resume();
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"detail":"refused by the test"}');
  });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'lifecycle-'));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('exit with a destination that is down', () => {
  const DEADLINE = 1500;
  const cases: Array<[string, () => Record<string, string>, RegExp]> = [
    ['OTLP, a closed port', () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadPort}` }), /OTLP http:\/\/127\.0\.0\.1:\d+\/v1\/traces: 5 \(/],
    ['OTLP, a collector that never answers', () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: hungUrl }), /OTLP .*: 5 \(no answer within 1500 ms/],
    ['LangSmith, refusing the batch (400)', () => ({ LANGSMITH_API_KEY: 'test', LANGSMITH_ENDPOINT: refusingUrl }), /LangSmith .*: 5 \(.*400/],
    ['LangSmith, never answering', () => ({ LANGSMITH_API_KEY: 'test', LANGSMITH_ENDPOINT: hungUrl }), /LangSmith .*: 5 \(no answer within 1500 ms/],
    ['LangSmith, a closed port', () => ({ LANGSMITH_API_KEY: 'test', LANGSMITH_ENDPOINT: `http://127.0.0.1:${deadPort}` }), /LangSmith .*: 5 \(/],
    ['a file under /proc', () => ({ LANGSMITH_OTEL_FILE: '/proc/nope/runs.jsonl' }), /file \/proc\/nope\/runs\.jsonl: 5 \(ENOENT/],
    ['a "file" that is a directory', () => ({ LANGSMITH_OTEL_FILE: tmp }), /: 5 \(EISDIR/],
  ];

  it.each(cases)('%s: the app exit code, within the deadline, one line with count and reason', async (_name, env, reason) => {
    const outcome = await run({ ...env(), LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS: String(DEADLINE), APP_EXIT_CODE: '3' }).done;
    expect(outcome.stderr).not.toMatch(/ERR_UNHANDLED_REJECTION|UnhandledPromiseRejection/);
    expect(outcome.code, outcome.stderr).toBe(3);
    expect(outcome.stdout).toMatch(/registry esm=true cjs=true/);
    expect(outcome.endedAt - appDoneAt(outcome)).toBeLessThan(DEADLINE + SLACK_MS);
    expect(outcome.undelivered, outcome.stderr).toHaveLength(1);
    expect(outcome.undelivered[0]).toMatch(/^langsmith-otel-bridge: 5 span\(s\) not delivered at exit; /);
    expect(outcome.undelivered[0]).toMatch(reason);
  });

  it('the default deadline is 5 s', async () => {
    const outcome = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: hungUrl }).done;
    expect(outcome.code, outcome.stderr).toBe(0);
    const took = outcome.endedAt - appDoneAt(outcome);
    expect(took).toBeGreaterThanOrEqual(4900);
    expect(took).toBeLessThan(5000 + SLACK_MS);
    expect(outcome.undelivered).toEqual([expect.stringMatching(/5 span\(s\) not delivered at exit; .*no answer within 5000 ms/)]);
  });

  it('process.exit() in the app: no flush is possible, what was queued is counted in one line', async () => {
    const outcome = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: hungUrl, APP_MODE: 'exit-now', APP_EXIT_CODE: '9' }).done;
    expect(outcome.code).toBe(9);
    expect(outcome.undelivered).toEqual([
      'langsmith-otel-bridge: 5 span(s) not delivered at exit; OTLP ' + hungUrl + '/v1/traces: 5 (the process exited before they were sent)',
    ]);
  });

  it('a reachable destination: delivered, nothing reported, no wait', async () => {
    const received: string[] = [];
    const url = await listen((req, res) => {
      received.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    const outcome = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: url, APP_EXIT_CODE: '4' }).done;
    expect(outcome.code).toBe(4);
    expect(outcome.undelivered).toEqual([]);
    expect(received).toEqual(['/v1/traces']);
    expect(outcome.endedAt - appDoneAt(outcome)).toBeLessThan(SLACK_MS);
  });
});

describe('shutdown on SIGTERM', () => {
  it.each([
    ['a hung collector', () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: hungUrl }), 'OTLP'],
    ['hung direct ingest', () => ({ LANGSMITH_API_KEY: 'test', LANGSMITH_ENDPOINT: hungUrl }), 'LangSmith'],
  ])("from the app's own handler (CommonJS getRegisteredBridge), %s: bounded, the app's exit code, one line", async (_name, destination, label) => {
    const app = run({
      ...destination(),
      OTEL_BSP_SCHEDULE_DELAY: '50',
      LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS: '1500',
      APP_MODE: 'handler',
      APP_EXIT_CODE: '7',
      APP_SPANS: '40',
    });
    await app.waitFor(/ready/);
    await new Promise((r) => setTimeout(r, 300)); // the first batch is in flight, unanswered
    const sent = Date.now();
    app.kill('SIGTERM');
    const outcome = await app.done;
    expect(outcome.code, outcome.stderr).toBe(7);
    const took = Number(/shutdown took (\d+) ms/.exec(outcome.stdout)?.[1]);
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(1500 + 500);
    expect(outcome.endedAt - sent).toBeLessThan(1500 + SLACK_MS);
    expect(outcome.undelivered).toEqual([
      expect.stringMatching(new RegExp(`^langsmith-otel-bridge: 40 span\\(s\\) not delivered at shutdown; ${label} .*: 40 \\(no answer within 1500 ms`)),
    ]);
    expect(outcome.stderr).not.toMatch(/ERR_UNHANDLED_REJECTION/);
  });

  it("the register entry's own handler: bounded, counted, then the signal ends the process", async () => {
    const app = run({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadPort}`,
      LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS: '1000',
      APP_MODE: 'serve',
      APP_SPANS: '12',
    });
    await app.waitFor(/ready/);
    const sent = Date.now();
    app.kill('SIGTERM');
    const outcome = await app.done;
    expect(outcome.signal).toBe('SIGTERM');
    expect(outcome.endedAt - sent).toBeLessThan(1000 + SLACK_MS);
    expect(outcome.undelivered).toEqual([expect.stringMatching(/12 span\(s\) not delivered at shutdown; OTLP .*: 12 \(/)]);
  });
});

describe('register entries', () => {
  it('`node -r langsmith-otel-bridge/register` stops with a message that says to use --import', async () => {
    const outcome = await run({}, ['-r', 'langsmith-otel-bridge/register']).done;
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/use `node --import langsmith-otel-bridge\/register app\.js`/);
    expect(outcome.stdout).toBe('');
  });

  it.each([
    ['--import', () => ['--import', REGISTER]],
    ['-r', () => ['-r', 'langsmith-otel-bridge/register']],
  ])('%s with a setting it cannot read: one line naming it, exit 1, no stack trace', async (_entry, args) => {
    const outcome = await run({ LANGSMITH_OTEL_ENABLED: 'maybe' }, args()).done;
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe('langsmith-otel-bridge: LANGSMITH_OTEL_ENABLED=maybe: set true or false (also accepted: 1/0, yes/no, on/off).\n');
    expect(outcome.stdout).toBe('');
  });

  it.each([
    ['--import', () => ['--import', REGISTER]],
    ['-r', () => ['-r', 'langsmith-otel-bridge/register']],
  ])('%s, not enabled, LANGSMITH_OTEL_QUIET=1: no line at all, the app runs as it would', async (_entry, args) => {
    const outcome = await run({ LANGSMITH_OTEL_ENABLED: 'false', LANGSMITH_OTEL_QUIET: '1', APP_EXIT_CODE: '6' }, args()).done;
    expect(outcome.code).toBe(6);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toMatch(/app done/);
  });
});

describe('logging', () => {
  it('OTEL_LOG_LEVEL=none: no line from the bridge, the same exit', async () => {
    const outcome = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: hungUrl, LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS: '500', OTEL_LOG_LEVEL: 'none', APP_EXIT_CODE: '5' })
      .done;
    expect(outcome.code).toBe(5);
    expect(outcome.undelivered).toEqual([]);
  });

  it('OTEL_LOG_LEVEL=debug: the bridge installs a diag console logger; its lines come through it, once', async () => {
    const outcome = await run({ LANGSMITH_OTEL_FILE: tmp, OTEL_LOG_LEVEL: 'debug' }).done;
    expect(outcome.code).toBe(0);
    expect(outcome.undelivered).toHaveLength(1);
    expect(outcome.undelivered[0]).not.toMatch(/^langsmith-otel-bridge: 5/); // diag's line, not the notices' own
    expect(outcome.undelivered[0]).toMatch(/5 span\(s\) not delivered at exit; .*EISDIR/);
  });
});
