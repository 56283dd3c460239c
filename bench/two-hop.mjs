// Two-hop request: front → back over loopback HTTP, concurrency 16, three
// variants of the same two services, interleaved rounds in one run after a
// JIT warm-up:
//   plain      plain OpenTelemetry: W3C propagators, instrumentation-http,
//              BatchSpanProcessor → OTLPTraceExporter (proto)
//   langsmith  the same with `langsmith`'s own LangSmithOTLPTraceExporter
//              (the peer a user would pick instead of the bridge)
//   bridge     `--import langsmith-otel-bridge/register` → OTLP
// All three export OTLP/protobuf to one local receiver (a process of its own),
// each to its own path, so the bytes each variant sends are counted as sent.
//
// Per round and variant: p50 latency (client side), CPU time of each service
// (utime + stime from /proc, the round's requests and their export), OTLP
// bytes received; ratios against plain (and bridge against langsmith) are
// taken round by round and reported as median [min–max].
//
// Env: TWO_HOP_REQUESTS (per variant, measured; 16000), TWO_HOP_ROUNDS (16),
// TWO_HOP_WARMUP (per variant; 10000), TWO_HOP_PAUSE_MS (1500),
// TWO_HOP_PROJECT (LANGSMITH_PROJECT for every variant; 'two-hop-bench', empty
// for none: LangSmithOTLPTraceExporter then writes no project attribute).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { fmtPercent, fmtRatio, ratios, spread, table } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.TWO_HOP_REQUESTS ?? 16000);
const ROUNDS = Number(process.env.TWO_HOP_ROUNDS ?? 16);
// JIT warm-up per variant before anything is measured. After 200 requests
// V8's optimizing compiler still took 29–38% of either variant's CPU (perf,
// measured); after 10,000, 0.1–3.5%: the figures are steady state.
const WARMUP = Number(process.env.TWO_HOP_WARMUP ?? 10000);
// Longer than the exporters' 1 s batch delay: a round's spans are exported
// (and their CPU counted) before the next variant's round starts.
const PAUSE_MS = Number(process.env.TWO_HOP_PAUSE_MS ?? 1500);
// --export-between-rounds: every variant batches up to 4,096 spans (a round's
// worth) and exports on the 1 s timer, i.e. in the pause after each round, so
// the latencies show what each adds on the request path alone — what a service
// with a spare core sees. CPU per request still counts the export.
const EXPORT_BETWEEN_ROUNDS = process.argv.includes('--export-between-rounds');
const CONCURRENCY = 16;
const PROJECT = process.env.TWO_HOP_PROJECT ?? 'two-hop-bench';
export const VARIANTS = ['plain', 'langsmith', 'bridge'];
const LABELS = {
  plain: 'plain OpenTelemetry (W3C propagators, `BatchSpanProcessor` → OTLP)',
  langsmith: "`BatchSpanProcessor` + `langsmith`'s `LangSmithOTLPTraceExporter`",
  bridge: 'the bridge (`--import langsmith-otel-bridge/register` → OTLP)',
};
const IMPORTS = {
  plain: join(here, 'two-hop/plain-otel.mjs'),
  langsmith: join(here, 'two-hop/langsmith-exporter.mjs'),
  bridge: join(here, '../dist/esm/register.js'),
};

const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

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

async function startPair(mode, receiverUrl) {
  const common = {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiverUrl}${mode}/otel/v1/traces`,
    // The receiver stands in for LangSmith's /otel endpoint, which requires a key.
    OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=local',
    // One project for every variant, as a user would set it: the ones that
    // write it pay for it alike.
    LANGSMITH_PROJECT: PROJECT,
    // LangSmithOTLPTraceExporter exports nothing unless LangSmith tracing is on.
    LANGSMITH_TRACING: mode === 'langsmith' ? 'true' : 'false',
    LANGSMITH_OTEL_ENABLED: 'true',
    LANGSMITH_OTEL_TRUST: '127.0.0.0/8',
    LANGSMITH_OTEL_PRINT: 'false',
    ...(EXPORT_BETWEEN_ROUNDS ? { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096', OTEL_BSP_MAX_QUEUE_SIZE: '8192' } : {}),
  };
  const start = (role, env) => startProcess(join(here, 'two-hop/service.mjs'), ['--import', IMPORTS[mode]], { ...common, ...env, ROLE: role });
  const back = await start('back', { OTEL_SERVICE_NAME: `back-${mode}` });
  const front = await start('front', { OTEL_SERVICE_NAME: `front-${mode}`, BACK_URL: back.url });
  return { front, back };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function once(url, method = 'POST') {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let body = '';
    const req = http.request(url, { method, agent }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, body }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

async function load(url, n) {
  const latencies = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next++;
        latencies.push((await once(url)).ms);
      }
    }),
  );
  return latencies;
}

function pct(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** CPU time (user + system) a process has used, in ms; NaN where /proc is not available. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run() {
  const receiver = await startProcess(join(here, 'two-hop/drain.mjs'), []);
  const pairs = {};
  for (const mode of VARIANTS) pairs[mode] = await startPair(mode, receiver.url);
  const perRequest = REQUESTS / ROUNDS;
  // One snapshot per variant at the start of each of its rounds and one at the end.
  const snapshots = Object.fromEntries(VARIANTS.map((m) => [m, []]));
  const latencies = Object.fromEntries(VARIANTS.map((m) => [m, []]));
  const snapshot = async (mode) => {
    const received = JSON.parse((await once(`${receiver.url}stats`, 'GET')).body);
    snapshots[mode].push({
      front: cpuMs(pairs[mode].front.child.pid),
      back: cpuMs(pairs[mode].back.child.pid),
      bytes: received[mode]?.bytes ?? 0,
      otlpRequests: received[mode]?.requests ?? 0,
    });
  };
  try {
    for (const mode of VARIANTS) await load(pairs[mode].front.url, WARMUP);
    for (let r = 0; r < ROUNDS; r++) {
      // Rotating order: each variant runs first, middle and last equally often.
      const order = VARIANTS.map((_, k) => VARIANTS[(k + r) % VARIANTS.length]);
      for (const mode of order) {
        // The previous round's spans are exported first: no variant's
        // background export lands in another's round.
        await sleep(PAUSE_MS);
        await snapshot(mode);
        latencies[mode].push(await load(pairs[mode].front.url, perRequest));
      }
    }
    await sleep(PAUSE_MS);
    for (const mode of VARIANTS) await snapshot(mode);
  } finally {
    for (const { front, back } of Object.values(pairs)) await Promise.all([stop(front.child), stop(back.child)]);
    await stop(receiver.child);
  }

  // Per variant, per round: p50, CPU µs per request (front, back), OTLP bytes per request.
  const perRound = {};
  for (const mode of VARIANTS) {
    const s = snapshots[mode];
    perRound[mode] = latencies[mode].map((lat, r) => ({
      p50: pct(lat, 50),
      cpuFront: ((s[r + 1].front - s[r].front) * 1000) / lat.length,
      cpuBack: ((s[r + 1].back - s[r].back) * 1000) / lat.length,
      bytes: (s[r + 1].bytes - s[r].bytes) / lat.length,
    }));
  }
  // A variant that sent nothing (e.g. LangSmith tracing off for its exporter)
  // would look free: refuse to report it.
  for (const mode of VARIANTS) {
    const s = snapshots[mode];
    if (!(s[s.length - 1].bytes > s[0].bytes)) throw new Error(`two-hop: the receiver got no OTLP bytes from the ${mode} variant during the measured rounds`);
  }
  const field = (mode, f) => perRound[mode].map((x) => (f === 'cpu' ? x.cpuFront + x.cpuBack : x[f]));
  const variants = {};
  for (const mode of VARIANTS) {
    const all = latencies[mode].flat();
    variants[mode] = {
      n: all.length,
      p50: spread(field(mode, 'p50')),
      p50Pooled: pct(all, 50),
      p99Pooled: pct(all, 99),
      cpuFrontUs: spread(field(mode, 'cpuFront')),
      cpuBackUs: spread(field(mode, 'cpuBack')),
      cpuUs: spread(field(mode, 'cpu')),
      bytesPerRequest: spread(field(mode, 'bytes')),
      vsPlain: {
        p50: spread(ratios(field(mode, 'p50'), field('plain', 'p50'))),
        cpu: spread(ratios(field(mode, 'cpu'), field('plain', 'cpu'))),
        bytes: spread(ratios(field(mode, 'bytes'), field('plain', 'bytes'))),
      },
    };
  }
  const bridgeVsLangsmith = {
    p50: spread(ratios(field('bridge', 'p50'), field('langsmith', 'p50'))),
    cpu: spread(ratios(field('bridge', 'cpu'), field('langsmith', 'cpu'))),
    bytes: spread(ratios(field('bridge', 'bytes'), field('langsmith', 'bytes'))),
  };
  return {
    title: 'Two hops over HTTP',
    settings: {
      project: PROJECT,
      concurrency: CONCURRENCY,
      requests: REQUESTS,
      rounds: ROUNDS,
      warmup: WARMUP,
      pauseMs: PAUSE_MS,
      exportBetweenRounds: EXPORT_BETWEEN_ROUNDS,
    },
    variants,
    bridgeVsLangsmith,
    perRound,
  };
}

const n0 = (s) => `${s.median.toFixed(0)} [${s.min.toFixed(0)}–${s.max.toFixed(0)}]`;
const ms = (s) => `${s.median.toFixed(2)} ms [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;
const mark = (ok) => (ok ? '✔' : '**✘**');

export function markdown(r) {
  const { settings: st, variants: v, bridgeVsLangsmith: bl } = r;
  const lines = [
    `Front → back on loopback, concurrency ${st.concurrency}; per variant ${st.warmup.toLocaleString('en-US')} warm-up requests, then ${st.requests.toLocaleString('en-US')} measured in ${st.rounds} rounds, the three variants interleaved (order rotating); ${st.pauseMs} ms pause before each round; LANGSMITH_PROJECT=${st.project || '(unset)'} for all three${st.exportBetweenRounds ? '; export between rounds' : ''}. Figures per round, median [min–max] over the rounds; ratios taken round by round against the same round of the anchor. CPU: each service's utime + stime over its round and the export that followed, per request. Bytes: OTLP request bodies the receiver got, per request (two services' spans).`,
    '',
    table(
      ['variant', 'OTLP bytes / request', 'p50', 'p99 (pooled)', 'CPU / request: front', 'back', 'p50 vs plain', 'CPU vs plain', 'bytes vs plain'],
      VARIANTS.map((m) => [
        LABELS[m],
        n0(v[m].bytesPerRequest),
        ms(v[m].p50),
        `${v[m].p99Pooled.toFixed(2)} ms`,
        `${n0(v[m].cpuFrontUs)} µs`,
        `${n0(v[m].cpuBackUs)} µs`,
        m === 'plain' ? '—' : fmtPercent(v[m].vsPlain.p50),
        m === 'plain' ? '—' : fmtPercent(v[m].vsPlain.cpu),
        m === 'plain' ? '—' : fmtRatio(v[m].vsPlain.bytes),
      ]),
    ),
    '',
    `Targets (issue 10, median round), the bridge against plain: CPU per request ≤ 1.10× (${fmtRatio(v.bridge.vsPlain.cpu)} ${mark(v.bridge.vsPlain.cpu.median <= 1.1)}), p50 ≤ 1.05× (${fmtRatio(v.bridge.vsPlain.p50)} ${mark(v.bridge.vsPlain.p50.median <= 1.05)}), OTLP bytes ≤ 1.3× (${fmtRatio(v.bridge.vsPlain.bytes)} ${mark(v.bridge.vsPlain.bytes.median <= 1.3)}); against \`LangSmithOTLPTraceExporter\`: CPU ≤ 1.05× (${fmtRatio(bl.cpu)} ${mark(bl.cpu.median <= 1.05)}), p50 ${fmtRatio(bl.p50)}, bytes ${fmtRatio(bl.bytes)}.`,
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(markdown(await run()));
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  }
}
