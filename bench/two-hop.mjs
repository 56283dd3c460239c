// Two-hop request latency: front → back over loopback HTTP, concurrency 16,
// the bridge against plain OpenTelemetry on the same services, interleaved
// rounds in one run after a JIT warm-up. Both export OTLP/protobuf to the same
// local receiver. Reports p50/p99 and each service's CPU per request.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.TWO_HOP_REQUESTS ?? 16000);
const ROUNDS = Number(process.env.TWO_HOP_ROUNDS ?? 16);
// JIT warm-up per variant before anything is measured. After 200 requests
// V8's optimizing compiler still took 29–38% of either variant's CPU (perf,
// measured); after 10,000, 0.1–3.5%: the figures are steady state.
const WARMUP = Number(process.env.TWO_HOP_WARMUP ?? 10000);
// --export-between-rounds: both variants batch up to 4,096 spans (a round's
// worth) and export on the 1 s timer, i.e. in the pause after each round, so
// the latencies show what each adds on the request path alone — what a service
// with a spare core sees. CPU per request still counts the export.
const EXPORT_BETWEEN_ROUNDS = process.argv.includes('--export-between-rounds');
const CONCURRENCY = 16;

const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function start(role, mode, env) {
  const importArg = mode === 'bridge' ? join(here, '../dist/esm/register.js') : join(here, 'two-hop/plain-otel.mjs');
  return startProcess(join(here, 'two-hop/service.mjs'), ['--import', importArg], { ...env, ROLE: role });
}

function startProcess(script, nodeArgs, env = {}) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...process.env, ...env, LANGSMITH_OTEL_QUIET: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}/` });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

async function startPair(mode, otlpUrl) {
  const common = {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl,
    // The receiver stands in for LangSmith's /otel endpoint, which requires a key.
    OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=local',
    LANGSMITH_OTEL_ENABLED: 'true',
    LANGSMITH_OTEL_TRUST: '127.0.0.0/8',
    LANGSMITH_OTEL_PRINT: 'false',
    ...(EXPORT_BETWEEN_ROUNDS ? { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096', OTEL_BSP_MAX_QUEUE_SIZE: '8192' } : {}),
  };
  const back = await start('back', mode, { ...common, OTEL_SERVICE_NAME: `back-${mode}` });
  const front = await start('front', mode, { ...common, OTEL_SERVICE_NAME: `front-${mode}`, BACK_URL: back.url });
  return { front, back };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function once(url) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(url, { method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

async function load(url, n) {
  const latencies = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next++;
        latencies.push(await once(url));
      }
    }),
  );
  return latencies;
}

function pct(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** CPU time (user + system) a process has used, in ms; undefined where /proc is not available. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

function stop(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

export async function run() {
  const receiver = await startProcess(join(here, 'two-hop/drain.mjs'), []);
  const otlpUrl = `${receiver.url}otel/v1/traces`;
  const pairs = { plain: await startPair('plain', otlpUrl), bridge: await startPair('bridge', otlpUrl) };
  const samples = { plain: [], bridge: [] };
  const cpu = { plain: {}, bridge: {} };
  const rounds = [];
  try {
    for (const mode of ['plain', 'bridge']) await load(pairs[mode].front.url, WARMUP);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const mode of ['plain', 'bridge']) for (const role of ['front', 'back']) cpu[mode][role] = -cpuMs(pairs[mode][role].child.pid);
    for (let r = 0; r < ROUNDS; r++) {
      const round = {};
      for (const mode of r % 2 ? ['bridge', 'plain'] : ['plain', 'bridge']) {
        // Let the previous batch of spans export first: background export work
        // must not land in the other variant's measurement.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const latencies = await load(pairs[mode].front.url, REQUESTS / ROUNDS);
        samples[mode].push(...latencies);
        round[mode] = pct(latencies, 50);
      }
      rounds.push(round);
    }
    // Export work of the last round included: every span is sent before the second reading.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const mode of ['plain', 'bridge']) for (const role of ['front', 'back']) cpu[mode][role] += cpuMs(pairs[mode][role].child.pid);
  } finally {
    for (const { front, back } of Object.values(pairs)) await Promise.all([stop(front.child), stop(back.child)]);
    await stop(receiver.child);
  }
  const perRequest = (ms, n) => (Number.isFinite(ms) ? (ms * 1000) / n : undefined); // µs
  const row = (mode) => ({
    p50: pct(samples[mode], 50),
    p99: pct(samples[mode], 99),
    n: samples[mode].length,
    cpuFrontUs: perRequest(cpu[mode].front, samples[mode].length),
    cpuBackUs: perRequest(cpu[mode].back, samples[mode].length),
  });
  const plain = row('plain');
  const bridge = row('bridge');
  const overhead = (bridge.p50 / plain.p50 - 1) * 100;
  console.log(`\n### Two-hop request (Node ${process.version}, loopback, concurrency ${CONCURRENCY}, ${REQUESTS} requests per variant in ${ROUNDS} rounds after ${WARMUP} warm-up requests${EXPORT_BETWEEN_ROUNDS ? '; export between rounds' : ''})\n`);
  const us = (v) => (v === undefined ? 'n/a' : `${v.toFixed(0)} µs`);
  console.log('| variant | p50 | p99 | CPU per request: front | back |');
  console.log('|---|---|---|---|---|');
  console.log(`| plain OpenTelemetry (W3C propagators, BatchSpanProcessor → OTLP) | ${plain.p50.toFixed(2)} ms | ${plain.p99.toFixed(2)} ms | ${us(plain.cpuFrontUs)} | ${us(plain.cpuBackUs)} |`);
  console.log(`| bridge (register entry → OTLP) | ${bridge.p50.toFixed(2)} ms | ${bridge.p99.toFixed(2)} ms | ${us(bridge.cpuFrontUs)} | ${us(bridge.cpuBackUs)} |`);
  if (plain.cpuFrontUs !== undefined && bridge.cpuFrontUs !== undefined) {
    const cpuRatio = (bridge.cpuFrontUs + bridge.cpuBackUs) / (plain.cpuFrontUs + plain.cpuBackUs);
    console.log(`\nCPU per request, both services, export included: ${((cpuRatio - 1) * 100).toFixed(1)}% over plain`);
  }
  const perRound = rounds.map((r) => (r.bridge / r.plain - 1) * 100);
  const medianRound = [...perRound].sort((a, b) => a - b)[Math.floor(perRound.length / 2)];
  console.log(`\np50 overhead: ${overhead.toFixed(1)}% pooled; per round ${perRound.map((v) => v.toFixed(1) + '%').join(', ')} (median ${medianRound.toFixed(1)}%)`);
  console.log(`target ≤ 5%: ${overhead <= 5 ? 'met' : '**not met**'}`);
  return { plain, bridge, p50OverheadPercent: overhead, perRoundPercent: perRound, medianRoundPercent: medianRound };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await run();
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  }
}
