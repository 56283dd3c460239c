#!/usr/bin/env node
// `npm run stack`: the whole local stack as plain processes on 127.0.0.1, no Docker.
//
//   demo services (gateway → agent → native)
//        │ OTLP (OTEL_EXPORTER_OTLP_PROTOCOL)        native: LangSmith REST ─┐
//        ▼                                                                   ▼
//   otelcol-langsmith (collector-config.yaml, unmodified) ── traces/langsmith ──► ingest stand-in (/otel/v1/traces)
//        └── traces/jaeger (tail-sampled) ──► Jaeger v2 (stack/jaeger-config.yaml, in memory)
//
// The binaries come from scripts/build-stack.sh (built when missing). Every
// address is a free loopback port, passed through the configs' ${env:…}
// variables. Ctrl-C stops everything.
//
// Also a library for test/stack-live.test.ts: startStack() (single collector or
// the scale-out tier), Jaeger query helpers, the tail sampler's verdict.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const COLLECTOR_CONFIG = join(ROOT, 'collector-config.yaml');
export const LOADBALANCING_CONFIG = join(ROOT, 'collector-config.loadbalancing.yaml');
export const JAEGER_CONFIG = join(ROOT, 'stack', 'jaeger-config.yaml');
const BUILD_SCRIPT = join(ROOT, 'scripts', 'build-stack.sh');
const LOOPBACK = '127.0.0.1';

// ---------------------------------------------------------------- binaries

/**
 * Paths of the two binaries; with `build`, builds what is missing first
 * (scripts/build-stack.sh; its progress goes to stderr).
 * @returns {{ otelcol: string, jaeger: string }}
 */
export function stackBinaries({ build = false } = {}) {
  const run = spawnSync('bash', [BUILD_SCRIPT, ...(build ? [] : ['--paths'])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', build ? 'inherit' : 'pipe'],
  });
  if (run.status !== 0) throw new Error(`scripts/build-stack.sh failed (exit ${run.status})${run.stderr ? `:\n${run.stderr}` : ''}`);
  const get = (key) => new RegExp(`^${key}=(.*)$`, 'm').exec(run.stdout)?.[1];
  return { otelcol: get('OTELCOL'), jaeger: get('JAEGER') };
}

// ---------------------------------------------------------------- processes

/** A free TCP port on 127.0.0.1 (the OS picks it; another process could still take it first). */
export function freePort() {
  return new Promise((res, rej) => {
    const server = createServer();
    server.unref();
    server.once('error', rej);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address();
      server.close(() => res(port));
    });
  });
}

const live = new Set();
let exitHook = false;
function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

async function waitFor(what, probe, { timeoutMs = 60_000, intervalMs = 100, exited } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (exited?.()) throw new Error(`${what}: the process exited before it was ready${exited()}`);
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms${last ? ` (${last.message})` : ''}`);
}

async function httpOk(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

/**
 * A long-running Go program: stdout+stderr to `log`, ready when `readyUrl`
 * answers 2xx. `stop()` sends SIGTERM (SIGKILL after `killAfterMs`);
 * `start()` again reuses the same arguments and environment (a restart).
 */
function goProgram(name, bin, args, env, { log, readyUrl }) {
  let child;
  let exitInfo;
  const handle = {
    name,
    get pid() {
      return child?.pid;
    },
    log,
    async start() {
      const out = createWriteStream(log, { flags: 'a' });
      child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      track(child);
      child.stdout.pipe(out);
      child.stderr.pipe(out);
      exitInfo = undefined;
      const exited = new Promise((r) => child.once('exit', (code, signal) => r((exitInfo = { code, signal }))));
      handle.exited = exited;
      const tail = () => (exitInfo ? ` (code ${exitInfo.code}, signal ${exitInfo.signal}); log ${log}:\n${tailOf(log)}` : '');
      await waitFor(`${name} (${readyUrl})`, () => httpOk(readyUrl), { exited: () => (exitInfo ? tail() : '') });
      return handle;
    },
    async stop(killAfterMs = 15_000) {
      if (!child || exitInfo) return exitInfo;
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.kill('SIGTERM');
      await handle.exited;
      clearTimeout(timer);
      return exitInfo;
    },
    /** CPU seconds (user + system) and resident bytes from /proc, or undefined once gone. */
    usage() {
      return procUsage(child?.pid);
    },
  };
  return handle;
}

function tailOf(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
/** `{ cpuSeconds, rssBytes }` of a live process (Linux /proc), or undefined. */
export function procUsage(pid) {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuSeconds, rssBytes: rss ? Number(rss[1]) * 1024 : undefined };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- Jaeger and collectors

/** Jaeger v2 with stack/jaeger-config.yaml on free loopback ports. */
export async function startJaeger(bin, { logDir }) {
  const [grpc, http, query, queryGrpc, health, metrics] = await Promise.all(Array.from({ length: 6 }, freePort));
  const env = {
    ...process.env,
    JAEGER_OTLP_GRPC_ENDPOINT_LISTEN: `${LOOPBACK}:${grpc}`,
    JAEGER_OTLP_HTTP_ENDPOINT_LISTEN: `${LOOPBACK}:${http}`,
    JAEGER_QUERY_HTTP_ENDPOINT: `${LOOPBACK}:${query}`,
    JAEGER_QUERY_GRPC_ENDPOINT: `${LOOPBACK}:${queryGrpc}`,
    JAEGER_HEALTH_ENDPOINT: `${LOOPBACK}:${health}`,
    JAEGER_METRICS_HOST: LOOPBACK,
    JAEGER_METRICS_PORT: String(metrics),
  };
  const program = goProgram('jaeger', bin, [`--config=${JAEGER_CONFIG}`], env, {
    log: join(logDir, 'jaeger.log'),
    readyUrl: `http://${LOOPBACK}:${health}/status`,
  });
  await program.start();
  return Object.assign(program, { otlpGrpc: `${LOOPBACK}:${grpc}`, queryUrl: `http://${LOOPBACK}:${query}` });
}

/**
 * One collector process running `config` (unmodified) with its listeners on
 * free loopback ports and `env` for the rest of its ${env:…} values.
 */
export async function startCollector(bin, { name = 'collector', config = COLLECTOR_CONFIG, env = {}, logDir }) {
  const [grpc, http, health, metrics] = await Promise.all(Array.from({ length: 4 }, freePort));
  const fullEnv = {
    ...process.env,
    COLLECTOR_OTLP_GRPC_ENDPOINT: `${LOOPBACK}:${grpc}`,
    COLLECTOR_OTLP_HTTP_ENDPOINT: `${LOOPBACK}:${http}`,
    COLLECTOR_HEALTH_ENDPOINT: `${LOOPBACK}:${health}`,
    COLLECTOR_METRICS_HOST: LOOPBACK,
    COLLECTOR_METRICS_PORT: String(metrics),
    ...env,
  };
  const program = goProgram(name, bin, [`--config=${config}`], fullEnv, {
    log: join(logDir, `${name}.log`),
    readyUrl: `http://${LOOPBACK}:${health}/`,
  });
  await program.start();
  return Object.assign(program, {
    grpcEndpoint: `${LOOPBACK}:${grpc}`,
    grpcUrl: `http://${LOOPBACK}:${grpc}`,
    httpUrl: `http://${LOOPBACK}:${http}`,
    metricsUrl: `http://${LOOPBACK}:${metrics}/metrics`,
  });
}

/** `otelcol validate --config=<file>`: what the collector itself says about a config. */
export function validateConfig(bin, config, env = {}) {
  const run = spawnSync(bin, ['validate', `--config=${config}`], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { ok: run.status === 0, status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

/** Sum of a counter in the collector's Prometheus metrics, over the series whose labels match. */
export async function collectorMetric(metricsUrl, name, labelMatch = /.*/) {
  const text = await (await fetch(metricsUrl)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\w+)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && (m[1] === name || m[1] === `${name}_total`) && labelMatch.test(m[2] ?? '')) sum += Number(m[3]);
  }
  return sum;
}

/**
 * The stack: ingest stand-in, Jaeger, the collector tier, the demo services.
 *
 * @param {{
 *   binaries: { otelcol: string, jaeger: string },
 *   scaleOut?: boolean,          // load_balancing tier + two sampling replicas
 *   replicaIngests?: boolean,    // scale-out: each replica exports to its own ingest server (stack.replicaIngests)
 *   decisionWait?: string,       // TAIL_SAMPLING_DECISION_WAIT
 *   latencyMs?: number,          // TAIL_SAMPLING_LATENCY_MS
 *   protocol?: string,           // OTEL_EXPORTER_OTLP_PROTOCOL of the demo services
 *   demoEnv?: Record<string,string>,
 *   onRun?: (run) => void,       // the ingest stand-in's onRun
 *   logDir?: string,
 *   echoStderr?: boolean,
 *   dist?: string,               // compiled dist/esm to run (default: this checkout's)
 * }} options
 */
export async function startStack(options) {
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'lsob-stack-'));
  mkdirSync(logDir, { recursive: true });
  const dist = options.dist ?? join(ROOT, 'dist', 'esm');
  const { startIngestServer } = await import(pathToFileURL(join(dist, 'ingest', 'index.js')).href);
  const { startDemoStack } = await import(pathToFileURL(join(ROOT, 'bench', 'demo-stack.mjs')).href);
  const stopped = [];
  const stack = { logDir, collectors: [], replicaIngests: [] };
  const startDemo = (protocol = 'http/protobuf', demoEnv = {}) =>
    startDemoStack({
      dist,
      ingest: stack.ingest,
      echoStderr: options.echoStderr ?? false,
      project: 'langsmith-otel-bridge-stack',
      env: {
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT: protocol === 'grpc' ? stack.entry.grpcUrl : stack.entry.httpUrl,
        // Spans leave each service within 200 ms, well inside the decision wait.
        OTEL_BSP_SCHEDULE_DELAY: '200',
        ...demoEnv,
      },
    });
  try {
    stack.ingest = await startIngestServer(options.onRun ? { onRun: options.onRun } : {});
    stopped.push(() => stack.ingest.close());
    stack.jaeger = await startJaeger(options.binaries.jaeger, { logDir });
    stopped.push(() => stack.jaeger.stop());

    const samplingEnv = (ingestUrl) => ({
      LANGSMITH_API_KEY: 'local-stack',
      LANGSMITH_OTLP_TRACES_ENDPOINT: `${ingestUrl}/otel/v1/traces`,
      JAEGER_OTLP_GRPC_ENDPOINT: stack.jaeger.otlpGrpc,
      TAIL_SAMPLING_DECISION_WAIT: options.decisionWait ?? '30s',
      TAIL_SAMPLING_LATENCY_MS: String(options.latencyMs ?? 2000),
    });
    if (options.scaleOut) {
      // With `replicaIngests`, each replica reports LangSmith-bound spans to its own
      // ingest server, so the test can tell which replica received which span.
      const replicas = [];
      for (const n of [1, 2]) {
        let ingestUrl = stack.ingest.url;
        if (options.replicaIngests) {
          const ingest = await startIngestServer();
          stack.replicaIngests.push(ingest);
          stopped.push(() => ingest.close());
          ingestUrl = ingest.url;
        }
        const replica = await startCollector(options.binaries.otelcol, { name: `collector-sampling-${n}`, env: samplingEnv(ingestUrl), logDir });
        stopped.push(() => replica.stop());
        replicas.push(replica);
      }
      const lb = await startCollector(options.binaries.otelcol, {
        name: 'loadbalancer',
        config: LOADBALANCING_CONFIG,
        env: { SAMPLING_TIER_1: replicas[0].grpcEndpoint, SAMPLING_TIER_2: replicas[1].grpcEndpoint },
        logDir,
      });
      stopped.push(() => lb.stop());
      stack.collectors = [lb, ...replicas];
      stack.entry = lb;
    } else {
      const collector = await startCollector(options.binaries.otelcol, { env: samplingEnv(stack.ingest.url), logDir });
      stopped.push(() => collector.stop());
      stack.collectors = [collector];
      stack.entry = collector;
    }

    stack.demo = await startDemo(options.protocol, options.demoEnv);
    stopped.push(() => stack.demo.stop(20_000));
  } catch (err) {
    for (const stop of stopped.reverse()) await stop().catch(() => {});
    err.message += `\n(stack logs in ${logDir})`;
    throw err;
  }
  stack.gatewayUrl = stack.demo.gatewayUrl;
  /**
   * Stops the demo services (they flush; resolves with their exit reports and
   * bridge stats) and starts new ones with `protocol` and `demoEnv`.
   */
  stack.restartDemo = async (protocol, demoEnv) => {
    const report = await stack.demo.stop(20_000);
    stack.demo = await startDemo(protocol, demoEnv);
    stack.gatewayUrl = stack.demo.gatewayUrl;
    return report;
  };
  /** Stops everything, services first (they flush into the collector), in reverse start order. */
  stack.close = async () => {
    const results = [];
    for (const stop of stopped.reverse()) results.push(await stop().catch((err) => err));
    stopped.length = 0;
    return results;
  };
  return stack;
}

// ---------------------------------------------------------------- Jaeger's query API

/**
 * A trace from Jaeger's own query API (`/api/traces/{id}`), as
 * `{ traceId, spans: [{ spanId, parentSpanId, service, name, tags }] }`, or
 * undefined when Jaeger does not have it (404).
 */
export async function jaegerTrace(queryUrl, traceId) {
  const res = await fetch(`${queryUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(10_000) });
  const body = await res.json().catch(() => ({}));
  if (res.status === 404 || !body.data?.length) return undefined;
  if (!res.ok) throw new Error(`Jaeger ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return fromJaegerTrace(body.data[0]);
}

/** Trace ids Jaeger holds for a service (`/api/traces?service=…`). */
export async function jaegerTraceIds(queryUrl, service, { limit = 100_000, lookback = '2h' } = {}) {
  const res = await fetch(`${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=${limit}&lookback=${lookback}`, {
    signal: AbortSignal.timeout(30_000),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`Jaeger ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return (body.data ?? []).map((t) => fromJaegerTrace(t));
}

function fromJaegerTrace(t) {
  const tags = (list) => Object.fromEntries((list ?? []).map((tag) => [tag.key, tag.value]));
  return {
    traceId: t.traceID.padStart(32, '0'),
    spans: t.spans.map((s) => ({
      spanId: s.spanID,
      parentSpanId: s.references?.find((r) => r.refType === 'CHILD_OF')?.spanID,
      service: t.processes?.[s.processID]?.serviceName,
      name: s.operationName,
      tags: tags(s.tags),
    })),
  };
}

// ---------------------------------------------------------------- the tail sampler's verdict

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;
const HASH_SALT = 'default-hash-seed';

/**
 * What tail_sampling's `probabilistic` policy decides for a trace id (hex):
 * FNV-1a 64 of the default salt and the 16 id bytes, kept when at most
 * percentage% of 2^64-1 (processor/tailsamplingprocessor/internal/sampling/probabilistic.go, v0.161.0).
 */
export function probabilisticKeeps(traceIdHex, percentage) {
  let hash = FNV_OFFSET;
  const bytes = [...Buffer.from(HASH_SALT, 'utf8'), ...Buffer.from(traceIdHex, 'hex')];
  for (const b of bytes) hash = ((hash ^ BigInt(b)) * FNV_PRIME) & MASK64;
  // floor((2^64 - 1) * percentage / 100), with the float64 value of the ratio as Go computes it.
  const [mantissa, exponent] = float64Parts(percentage / 100);
  const threshold = (MASK64 * mantissa) >> exponent;
  return hash <= threshold;
}

/** x = mantissa / 2^exponent exactly, for a positive float64 below 1. */
function float64Parts(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return [(1n << 52n) | frac, BigInt(1075 - exp)];
}

/**
 * The central interval of Binomial(n, p) holding at least `confidence` of the
 * mass: [lo, hi] with P(X < lo) ≤ (1-confidence)/2 and P(X > hi) ≤ (1-confidence)/2.
 */
export function binomialInterval(n, p, confidence) {
  const tail = (1 - confidence) / 2;
  // pmf by the recurrence in log space (n is a few hundred to a few thousand).
  const logPmf = [];
  let log = n * Math.log1p(-p);
  logPmf.push(log);
  for (let k = 1; k <= n; k++) {
    log += Math.log((n - k + 1) / k) + Math.log(p / (1 - p));
    logPmf.push(log);
  }
  const pmf = logPmf.map(Math.exp);
  let lo = 0;
  let below = 0;
  while (lo < n && below + pmf[lo] <= tail) below += pmf[lo++];
  let hi = n;
  let above = 0;
  while (hi > 0 && above + pmf[hi] <= tail) above += pmf[hi--];
  return [lo, hi];
}

// ---------------------------------------------------------------- CLI

async function main() {
  const args = new Set(process.argv.slice(2));
  if (args.has('--help') || args.has('-h')) {
    console.log(`Usage: npm run stack [-- --scale-out]

Builds the collector and Jaeger when missing (scripts/build-stack.sh), then runs on 127.0.0.1:
the collector (collector-config.yaml), Jaeger v2 (in memory), a local LangSmith ingest
stand-in behind the collector's otlp_http/langsmith exporter, and the three demo services.
Sends one request, prints where to look, and runs until Ctrl-C.

Environment: TAIL_SAMPLING_DECISION_WAIT (default 5s here), TAIL_SAMPLING_LATENCY_MS (2000),
OTEL_EXPORTER_OTLP_PROTOCOL for the demo services (http/protobuf, http/json or grpc).`);
    return;
  }
  if (!existsDist()) {
    console.error('stack: dist/ is missing: run npm run build first (npm run stack does).');
    process.exit(1);
  }
  const binaries = stackBinaries({ build: true });
  const runsFile = resolve('.langsmith-otel/stack-runs.jsonl');
  mkdirSync(dirname(runsFile), { recursive: true });
  writeFileSync(runsFile, '');
  const logDir = resolve('.langsmith-otel/stack-logs');
  const bigintSafe = (_k, v) => (typeof v === 'bigint' ? v.toString() : v);
  const stack = await startStack({
    binaries,
    scaleOut: args.has('--scale-out'),
    decisionWait: process.env.TAIL_SAMPLING_DECISION_WAIT ?? '5s',
    latencyMs: Number(process.env.TAIL_SAMPLING_LATENCY_MS ?? 2000),
    protocol: process.env.OTEL_EXPORTER_OTLP_PROTOCOL,
    onRun: (run) => appendFileSync(runsFile, JSON.stringify(run, bigintSafe) + '\n'),
    logDir,
    echoStderr: true,
  });
  let closing;
  const close = async (code) => {
    if (closing) return;
    closing = true;
    console.log('\nstopping the stack…');
    await stack.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void close(0));
  process.on('SIGTERM', () => void close(0));

  // Two requests: an ordinary one (Jaeger keeps it with 10% odds) and a failing one (always kept).
  const asked = [];
  for (const question of ['How does OpenTelemetry propagate context?', 'Please fail the search']) {
    const res = await fetch(`${stack.gatewayUrl}/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question }),
    });
    asked.push({ question, status: res.status, body: await res.text() });
  }
  const wait = process.env.TAIL_SAMPLING_DECISION_WAIT ?? '5s';
  console.log(`
The stack is up (no Docker), every address on 127.0.0.1:
  gateway (demo entry)   ${stack.gatewayUrl}      curl -s -XPOST ${stack.gatewayUrl}/ask -H content-type:application/json -d '{"question":"hi"}'
  collector OTLP         gRPC ${stack.entry.grpcEndpoint}   HTTP ${stack.entry.httpUrl}   (${stack.collectors.map((c) => c.name).join(', ')})
  Jaeger UI + query API  ${stack.jaeger.queryUrl}   e.g. ${stack.jaeger.queryUrl}/api/traces?service=gateway
                         (tail-sampled: errors, traces over ${process.env.TAIL_SAMPLING_LATENCY_MS ?? 2000} ms, 10% of the rest; decided ${wait} after a trace starts)
  LangSmith stand-in     ${stack.ingest.url}/otel/v1/traces (every trace)
  runs file              ${runsFile}
  trees                  npx langsmith-otel-bridge tree ${runsFile}
  logs                   ${logDir}

${asked.map((a) => `POST /ask ${JSON.stringify(a.question)} → ${a.status} ${a.body.slice(0, 60)}${a.body.length > 60 ? '…' : ''}`).join('\n')}`);
  // Where those two requests are, once the tail sampler has decided.
  const waitMs = (parseFloat(wait) || 5) * (wait.endsWith('ms') ? 1 : wait.endsWith('m') ? 60_000 : 1000) + 3000;
  console.log(`\nwaiting ${Math.round(waitMs / 1000)} s for the tail-sampling decision…`);
  await new Promise((r) => setTimeout(r, waitMs));
  const traceIds = [...new Set(stack.ingest.runs().filter((r) => r.source === 'otlp' && r.otel).map((r) => r.otel.traceId))];
  for (const traceId of traceIds) {
    const runs = stack.ingest.runs().filter((r) => r.otel?.traceId === traceId);
    const error = runs.some((r) => r.otel.status?.code === 2);
    const inJaeger = await jaegerTrace(stack.jaeger.queryUrl, traceId).catch(() => undefined);
    console.log(
      `trace ${traceId}${error ? ' (error)' : ''}: LangSmith stand-in ${runs.length} runs (root ${runs.find((r) => !r.parent_run_id)?.id ?? '?'}); ` +
        (inJaeger ? `Jaeger ${inJaeger.spans.length} spans: ${stack.jaeger.queryUrl}/api/traces/${traceId}` : 'Jaeger: sampled away (10% of error-free, fast traces are kept)'),
    );
  }
  console.log('\nCtrl-C stops all of it.');
}

function existsDist() {
  try {
    readFileSync(join(ROOT, 'dist', 'esm', 'ingest', 'index.js'));
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  main().catch((err) => {
    console.error(`stack: ${err.stack ?? err.message}`);
    process.exit(1);
  });
}
