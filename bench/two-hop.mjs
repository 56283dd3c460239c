// Two-hop request latency: front → back over loopback HTTP, concurrency 16,
// the bridge against plain OpenTelemetry on the same services, interleaved
// rounds in one run. Both export OTLP/protobuf to the same local receiver.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { startIngestServer } from '../dist/esm/ingest/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.TWO_HOP_REQUESTS ?? 2000);
const ROUNDS = Number(process.env.TWO_HOP_ROUNDS ?? 4);
const CONCURRENCY = 16;

function start(role, mode, env) {
  const importArg = mode === 'bridge' ? join(here, '../dist/esm/register.js') : join(here, 'two-hop/plain-otel.mjs');
  const child = spawn(process.execPath, ['--import', importArg, join(here, 'two-hop/service.mjs')], {
    env: { ...process.env, ...env, ROLE: role, LANGSMITH_OTEL_QUIET: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}/` });
    });
    child.on('exit', (code) => reject(new Error(`${role}/${mode} exited ${code}`)));
  });
}

async function startPair(mode, otlpUrl) {
  const common = {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl,
    LANGSMITH_OTEL_ENABLED: 'true',
    LANGSMITH_OTEL_TRUST: '127.0.0.0/8',
    LANGSMITH_OTEL_PRINT: 'false',
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

function stop(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

export async function run() {
  const receiver = await startIngestServer();
  const otlpUrl = `${receiver.url}/otel/v1/traces`;
  const pairs = { plain: await startPair('plain', otlpUrl), bridge: await startPair('bridge', otlpUrl) };
  const samples = { plain: [], bridge: [] };
  try {
    for (const mode of ['plain', 'bridge']) await load(pairs[mode].front.url, 200); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of r % 2 ? ['bridge', 'plain'] : ['plain', 'bridge']) {
        samples[mode].push(...(await load(pairs[mode].front.url, REQUESTS / ROUNDS)));
      }
    }
  } finally {
    for (const { front, back } of Object.values(pairs)) await Promise.all([stop(front.child), stop(back.child)]);
    await receiver.close();
  }
  const row = (mode) => ({ p50: pct(samples[mode], 50), p99: pct(samples[mode], 99), n: samples[mode].length });
  const plain = row('plain');
  const bridge = row('bridge');
  const overhead = (bridge.p50 / plain.p50 - 1) * 100;
  console.log(`\n### Two-hop request (Node ${process.version}, loopback, concurrency ${CONCURRENCY}, ${REQUESTS} requests per variant)\n`);
  console.log('| variant | p50 | p99 |');
  console.log('|---|---|---|');
  console.log(`| plain OpenTelemetry (W3C propagators, BatchSpanProcessor → OTLP) | ${plain.p50.toFixed(2)} ms | ${plain.p99.toFixed(2)} ms |`);
  console.log(`| bridge (register entry → OTLP) | ${bridge.p50.toFixed(2)} ms | ${bridge.p99.toFixed(2)} ms |`);
  console.log(`\np50 overhead: ${overhead.toFixed(1)}% (target ≤ 5%: ${overhead <= 5 ? 'met' : '**not met**'})`);
  return { plain, bridge, p50OverheadPercent: overhead };
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
