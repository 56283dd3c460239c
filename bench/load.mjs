// Load: the three-service demo (gateway → agent → native, src/demo/) under a
// bounded load on loopback, then a check that every request's runs arrived
// as one connected tree.
//
//   node bench/load.mjs          (after `npm run build`)
//
// Env: LOAD_REQUESTS (default 10000), LOAD_CONCURRENCY (64), LOAD_FAIL_EVERY
// (10: every 10th request asks the native service to fail), LOAD_TIMEOUT_MS
// (600000: the whole run, warm-up and flush included), LOAD_DIST (the
// compiled dist/esm to run; default this checkout's).
//
// 1. Warm-up stack: one successful and one failing request, services stopped
//    (they flush on SIGTERM): the number of runs each request shape produces.
// 2. Fresh stack: N requests at concurrency C through one keep-alive agent;
//    client-side latency per request, throughput, VmRSS of every service
//    sampled every 200 ms (peak reported), then SIGTERM (flush) and the
//    bridge processors' counters (queued / exported / dropped).
// 3. Verified from the ingest server: runs = expected total (count in =
//    count out), traces = requests, each request's question in exactly one
//    trace with the run count of its shape, zero orphans, zero violations,
//    failing requests' roots carry an error, successful ones do not, no run
//    in the stranger's project, nothing dropped anywhere.
//
// Library: `runLoad({ requests, concurrency })` returns the report
// (test/load.test.ts runs a small share of it).
//
// Drops and peak RSS of the bridge against a bare BatchSpanProcessor at a fixed
// span rate (issue 10) are bench/load-spans.mjs, part of `npm run bench`.
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { startDemoStack, rssOf } from './demo-stack.mjs';

const PROJECT = 'langsmith-otel-bridge-load';
const RSS_INTERVAL_MS = 200;
const REQUEST_TIMEOUT_MS = 30_000;
// A stranger's headers on every request: the gateway (LANGSMITH_OTEL_TRUST=false) must ignore them.
const STRANGER_HEADERS = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  baggage: 'langsmith-project=attacker',
};
const OK_QUESTIONS = ['How does OpenTelemetry propagate context?', 'What does the bridge convert?'];
const FAIL_QUESTION = 'Please fail the search';

const tag = (i) => `req-${i}:`;
const questionFor = (i, failing) => `${tag(i)} ${failing ? FAIL_QUESTION : OK_QUESTIONS[i % OK_QUESTIONS.length]}`;
const TAG_RE = /^req-(-?\d+):/;

/**
 * @param {{ requests?: number, concurrency?: number, failEvery?: number, timeoutMs?: number, dist?: string,
 *           log?: (line: string) => void, echoStderr?: boolean, flushTimeoutMs?: number }} [options]
 */
export async function runLoad(options = {}) {
  const requests = options.requests ?? 10_000;
  const concurrency = options.concurrency ?? 64;
  const failEvery = options.failEvery ?? 10;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const flushTimeoutMs = options.flushTimeoutMs ?? 120_000;
  const log = options.log ?? ((line) => process.stderr.write(line + '\n'));
  if (!(Number.isInteger(requests) && requests > 0)) throw new TypeError(`requests must be a positive integer (got ${requests})`);
  if (!(Number.isInteger(concurrency) && concurrency > 0)) throw new TypeError(`concurrency must be a positive integer (got ${concurrency})`);
  if (!(Number.isInteger(failEvery) && failEvery > 0)) throw new TypeError(`failEvery must be a positive integer (got ${failEvery})`);

  const stacks = new Set();
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      // Bounded in time: SIGKILL everything still running, then fail.
      for (const stack of stacks) void stack.close(0).catch(() => undefined);
      reject(new Error(`load run exceeded its ${timeoutMs} ms bound`));
    }, timeoutMs);
  });
  const body = async () => {
    const startStack = async () => {
      const stack = await startDemoStack({ dist: options.dist, project: PROJECT, echoStderr: options.echoStderr });
      stacks.add(stack);
      return stack;
    };
    try {
      log('load: warm-up (one request of each shape, then flush)');
      const expected = await warmUp(await startStack(), flushTimeoutMs);
      log(`load: a successful request makes ${expected.ok} runs, a failing one ${expected.fail}`);
      return await measure(await startStack(), { requests, concurrency, failEvery, expected, flushTimeoutMs, log });
    } finally {
      for (const stack of stacks) await stack.close(5_000).catch(() => undefined);
    }
  };
  try {
    return await Promise.race([body(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function warmUp(stack, flushTimeoutMs) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const ok = await send(agent, stack.gatewayUrl, questionFor(-1, false));
    const fail = await send(agent, stack.gatewayUrl, questionFor(-2, true));
    if (ok.status !== 200 || fail.status !== 502) {
      throw new Error(`warm-up: expected 200 and 502, got ${ok.status ?? ok.error} and ${fail.status ?? fail.error}`);
    }
  } finally {
    agent.destroy();
  }
  const exits = await stack.stop(flushTimeoutMs);
  const { ingest } = stack;
  const traces = ingest.traces();
  const problems = [...ingest.violations(), ...ingest.orphans().map((r) => `orphan ${r.name}`)];
  for (const [name, e] of Object.entries(exits)) if (e.killed || e.code !== 0) problems.push(`${name} exited code ${e.code} signal ${e.signal}`);
  const byTag = new Map(traces.map((t) => [requestIndexOf(t), t]));
  if (traces.length !== 2 || !byTag.has(-1) || !byTag.has(-2) || problems.length > 0) {
    throw new Error(`warm-up: expected 2 clean traces, got ${traces.length} with problems: ${problems.join('; ') || 'none'}`);
  }
  return { ok: byTag.get(-1).runs, fail: byTag.get(-2).runs };
}

async function measure(stack, { requests, concurrency, failEvery, expected, flushTimeoutMs, log }) {
  const { ingest, services } = stack;
  const pids = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.pid]));
  const rss = Object.fromEntries([...Object.keys(pids), 'bench+ingest'].map((n) => [n, { start: 0, peak: 0, endOfLoad: 0 }]));
  const sample = (field) => {
    for (const [name, pid] of Object.entries(pids)) {
      const v = rssOf(pid);
      if (v === undefined) continue;
      rss[name].peak = Math.max(rss[name].peak, v);
      if (field) rss[name][field] = v;
    }
    const own = process.memoryUsage().rss;
    rss['bench+ingest'].peak = Math.max(rss['bench+ingest'].peak, own);
    if (field) rss['bench+ingest'][field] = own;
  };
  sample('start');
  const sampler = setInterval(() => sample(), RSS_INTERVAL_MS);

  const isFailing = (i) => i % failEvery === failEvery - 1;
  const results = new Array(requests);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  log(`load: ${requests} requests at concurrency ${concurrency} to ${stack.gatewayUrl}`);
  const t0 = process.hrtime.bigint();
  let next = 0;
  let progressAt = Date.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, requests) }, async () => {
      while (next < requests) {
        const i = next++;
        results[i] = await send(agent, stack.gatewayUrl, questionFor(i, isFailing(i)));
        if (Date.now() - progressAt > 5000) {
          progressAt = Date.now();
          log(`load: ${next}/${requests} sent`);
        }
      }
    }),
  );
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  agent.destroy();
  sample('endOfLoad');
  const runsAtEndOfLoad = ingest.runs().length;

  log('load: stopping services (they flush on SIGTERM)');
  const f0 = Date.now();
  const exits = await stack.stop(flushTimeoutMs);
  const flushMs = Date.now() - f0;
  clearInterval(sampler);

  // ---- verification ----
  const failures = [];
  const check = (ok, message) => {
    if (!ok) failures.push(message);
  };
  let okCount = 0;
  let failCount = 0;
  const badStatus = [];
  for (let i = 0; i < requests; i++) {
    const r = results[i];
    const want = isFailing(i) ? 502 : 200;
    if (isFailing(i)) failCount++;
    else okCount++;
    if (r.status !== want) badStatus.push(`#${i}: ${r.status ?? r.error} (expected ${want})`);
  }
  check(badStatus.length === 0, `${badStatus.length} request(s) with an unexpected status: ${badStatus.slice(0, 5).join(', ')}`);

  const expectedRuns = okCount * expected.ok + failCount * expected.fail;
  const runs = ingest.runs();
  const traces = ingest.traces();
  const orphans = ingest.orphans();
  const violations = ingest.violations();
  check(runs.length === expectedRuns, `runs: ${runs.length} arrived, expected ${expectedRuns} (${okCount} × ${expected.ok} + ${failCount} × ${expected.fail})`);
  check(traces.length === requests, `traces: ${traces.length}, expected one per request (${requests})`);
  check(
    orphans.length === 0,
    `${orphans.length} orphan run(s), e.g. ${orphans
      .slice(0, 3)
      .map((r) => `${r.name} (${r.id})`)
      .join(', ')}`,
  );
  check(violations.length === 0, `${violations.length} violation(s), e.g. ${violations.slice(0, 1).join(' | ')}`);

  const seen = new Map();
  const wrongSize = [];
  const wrongError = [];
  let untagged = 0;
  for (const t of traces) {
    const i = requestIndexOf(t);
    if (i === undefined || i < 0 || i >= requests) {
      untagged++;
      continue;
    }
    seen.set(i, (seen.get(i) ?? 0) + 1);
    const failing = isFailing(i);
    if (t.runs !== (failing ? expected.fail : expected.ok)) wrongSize.push(`#${i}: ${t.runs} runs`);
    if (failing !== (t.root.run.error !== undefined)) wrongError.push(`#${i}: root error ${JSON.stringify(t.root.run.error)}`);
  }
  const missing = [];
  const duplicated = [];
  for (let i = 0; i < requests; i++) {
    const n = seen.get(i) ?? 0;
    if (n === 0) missing.push(i);
    else if (n > 1) duplicated.push(i);
  }
  check(untagged === 0, `${untagged} trace(s) not attributable to a request`);
  check(missing.length === 0, `${missing.length} request(s) without a trace, e.g. #${missing.slice(0, 5).join(', #')}`);
  check(duplicated.length === 0, `${duplicated.length} request(s) split over several traces, e.g. #${duplicated.slice(0, 5).join(', #')}`);
  check(wrongSize.length === 0, `${wrongSize.length} trace(s) with the wrong run count: ${wrongSize.slice(0, 5).join(', ')}`);
  check(wrongError.length === 0, `${wrongError.length} root(s) with the wrong error marking: ${wrongError.slice(0, 3).join(', ')}`);
  const foreign = runs.filter((r) => r.session_name !== PROJECT).length;
  check(foreign === 0, `${foreign} run(s) outside project ${PROJECT} (the stranger's baggage was honoured?)`);

  const processors = {};
  let dropped = 0;
  let sdkUpdatesWithoutSpan = 0;
  let spansNeverEnded = 0;
  for (const [name, e] of Object.entries(exits)) {
    check(
      !e.killed && e.code === 0,
      `${name} did not exit cleanly after SIGTERM (code ${e.code}, signal ${e.signal}${e.killed ? ', killed after the flush timeout' : ''})`,
    );
    if (e.bridgeStats) {
      processors[name] = e.bridgeStats;
      dropped += e.bridgeStats.dropped;
    } else if (name !== 'native') {
      check(false, `${name} printed no BRIDGE_STATS line on shutdown`);
    }
    dropped += e.clientDropWarnings;
    sdkUpdatesWithoutSpan += e.sdkUpdatesWithoutSpan;
    if (e.bridgeStats) {
      const unended = e.bridgeStats.started - e.bridgeStats.ended;
      spansNeverEnded += unended;
      check(
        unended === 0,
        `${name}: ${unended} span(s) started but never ended by shutdown` +
          (e.sdkUpdatesWithoutSpan > 0
            ? ` (the langsmith SDK logged ${e.sdkUpdatesWithoutSpan} update(s) for a span it did not hold: a traceable's patch processed before its post)`
            : ''),
      );
    }
  }
  check(dropped === 0, `${dropped} span(s)/run(s) dropped by the services' export queues`);
  const req = ingest.requests;
  const rejected = req.badRequest + req.tooLarge + req.unsupported + req.unauthorized + req.notFound;
  check(rejected === 0, `the ingest server rejected ${rejected} request(s): ${JSON.stringify(req)}`);

  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const okLat = results
    .filter((_, i) => !isFailing(i))
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const failLat = results
    .filter((_, i) => isFailing(i))
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  return {
    node: process.version,
    date: new Date().toISOString(),
    requests,
    concurrency,
    failing: failCount,
    latencyMs: {
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      max: latencies[latencies.length - 1],
      okP50: pct(okLat, 50),
      failP50: pct(failLat, 50),
    },
    loadSeconds: loadMs / 1000,
    throughputPerSecond: requests / (loadMs / 1000),
    flushSeconds: flushMs / 1000,
    rssBytes: rss,
    expectedRunsPerRequest: expected,
    runs: { expected: expectedRuns, arrived: runs.length, atEndOfLoad: runsAtEndOfLoad },
    traces: traces.length,
    orphans: orphans.length,
    violations: violations.length,
    violationKinds: classifyViolations(violations),
    dropped,
    spansNeverEnded,
    sdkUpdatesWithoutSpan,
    processors,
    ingestRequests: req,
    failures,
    pass: failures.length === 0,
  };
}

/** Violations grouped by run name and problem, ids and values blanked: `{ '"rank": … starts before its parent segment …': 12 }`. */
function classifyViolations(violations) {
  const kinds = {};
  for (const v of violations) {
    const m = /^run \S+ \(("[^"]*")\): (.*)$/.exec(v);
    const key = m
      ? `${m[1]}: ${m[2]
          .replace(/"[^"]*"/g, '…')
          .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '…')
          .replace(/segment \d+/g, 'segment n')}`
      : v.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '…');
    kinds[key] = (kinds[key] ?? 0) + 1;
  }
  return kinds;
}

/** The request a trace belongs to: the tag in its "route request" run's input (the gateway's question). */
function requestIndexOf(trace) {
  const stack = [trace.root];
  while (stack.length > 0) {
    const node = stack.pop();
    const input = node.run.inputs?.input;
    if (node.run.name === 'route request' && typeof input === 'string') {
      const m = TAG_RE.exec(input);
      return m ? Number(m[1]) : undefined;
    }
    stack.push(...node.children);
  }
  return undefined;
}

function send(agent, baseUrl, question) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const done = (status, error) => resolve({ status, error, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    const payload = JSON.stringify({ question });
    const req = http.request(`${baseUrl}/ask`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...STRANGER_HEADERS },
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode));
      res.on('error', (err) => done(undefined, err.message));
    });
    req.on('error', (err) => done(undefined, err.message));
    req.end(payload);
  });
}

function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** The report as markdown: figures, then the checks. */
export function formatReport(r) {
  const lines = [];
  lines.push(
    `### Load: three-service demo (Node ${r.node}, loopback, ${r.requests.toLocaleString('en-US')} requests, concurrency ${r.concurrency}, ${r.failing} failing)`,
  );
  lines.push('');
  lines.push('| figure | value |');
  lines.push('|---|---|');
  lines.push(
    `| latency p50 / p99 / max (client-side) | ${r.latencyMs.p50.toFixed(1)} ms / ${r.latencyMs.p99.toFixed(1)} ms / ${r.latencyMs.max.toFixed(1)} ms |`,
  );
  lines.push(`| latency p50, successful / failing | ${r.latencyMs.okP50.toFixed(1)} ms / ${r.latencyMs.failP50.toFixed(1)} ms |`);
  lines.push(`| throughput | ${r.throughputPerSecond.toFixed(0)} req/s (${r.loadSeconds.toFixed(1)} s) |`);
  for (const [name, v] of Object.entries(r.rssBytes)) {
    lines.push(`| RSS ${name}: start → end of load, peak | ${mib(v.start)} → ${mib(v.endOfLoad)}, peak ${mib(v.peak)} |`);
  }
  lines.push(`| runs per request (successful / failing) | ${r.expectedRunsPerRequest.ok} / ${r.expectedRunsPerRequest.fail} |`);
  lines.push(`| runs arrived / expected | ${r.runs.arrived} / ${r.runs.expected} (${r.runs.atEndOfLoad} already in when the load ended) |`);
  lines.push(`| traces / requests | ${r.traces} / ${r.requests} |`);
  lines.push(`| orphans, violations | ${r.orphans}, ${r.violations} |`);
  for (const [kind, n] of Object.entries(r.violationKinds)) lines.push(`| violation × ${n} | ${kind.replace(/\|/g, '\\|')} |`);
  lines.push(`| dropped (bridge queues + langsmith Client) | ${r.dropped} |`);
  lines.push(
    `| spans started but never ended (bridge processors) | ${r.spansNeverEnded} (langsmith SDK "No span found … during update": ${r.sdkUpdatesWithoutSpan}) |`,
  );
  for (const [name, s] of Object.entries(r.processors)) {
    const q = Object.entries(s.queues)
      .map(([qn, qs]) => `${qn}: queued ${qs.queued}, exported ${qs.exported}, dropped ${qs.droppedQueueFull}+${qs.droppedExportFailed}, retries ${qs.retries}`)
      .join('; ');
    lines.push(`| ${name} processor (spans) | ended ${s.ended}; ${q} |`);
  }
  lines.push(`| flush on SIGTERM | ${r.flushSeconds.toFixed(1)} s |`);
  lines.push('');
  for (const f of r.failures) lines.push(`- FAIL: ${f}`);
  lines.push(
    r.pass ? 'PASS: every request one connected tree, count in = count out, zero orphans, nothing dropped' : `FAIL: ${r.failures.length} check(s) failed`,
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130)); // the exit hook kills the services
  const num = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
  try {
    const report = await runLoad({
      requests: num('LOAD_REQUESTS', 10_000),
      concurrency: num('LOAD_CONCURRENCY', 64),
      failEvery: num('LOAD_FAIL_EVERY', 10),
      timeoutMs: num('LOAD_TIMEOUT_MS', 600_000),
      dist: process.env.LOAD_DIST || undefined,
    });
    console.log('\n' + formatReport(report));
    mkdirSync('.bench', { recursive: true });
    writeFileSync('.bench/load.json', JSON.stringify(report, null, 2));
    console.log('\nraw figures: .bench/load.json');
    process.exitCode = report.pass ? 0 : 1;
  } catch (err) {
    console.error(err.stack ?? String(err));
    console.log('FAIL: the load run did not complete');
    process.exitCode = 1;
  }
  process.exit(); // bounded: nothing left behind keeps the process up
}
