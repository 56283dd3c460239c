/**
 * The stack for real: the collector built from stack/otelcol-builder.yaml
 * running the shipped collector-config.yaml (unmodified; only ${env:…} values
 * set), Jaeger v2 in memory, the three demo services and the local ingest
 * server standing in for LangSmith's /otel, all on 127.0.0.1
 * (scripts/stack.mjs). Asserted from Jaeger's own query API and the
 * stand-in's store, against the bridge's direct path: every bridged service
 * also writes its runs to a local file (LANGSMITH_OTEL_FILE), mapped in process.
 *
 * The binaries come from scripts/build-stack.sh (.ci/run builds them first).
 * Missing binaries fail this file under CI=true and skip it elsewhere.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runIdFromSpanId } from '../src/headers/ids.js';
import { buildSnapshot, REPO, type E2eBuild } from './global-setup.js';

// ---------------------------------------------------------------- types of scripts/stack.mjs (plain JS)

interface JaegerSpan {
  spanId: string;
  parentSpanId: string | undefined;
  service: string;
  name: string;
  tags: Record<string, unknown>;
}
interface JaegerTrace {
  traceId: string;
  spans: JaegerSpan[];
}
interface Program {
  name: string;
  pid: number | undefined;
  log: string;
  start(): Promise<unknown>;
  stop(killAfterMs?: number): Promise<unknown>;
  usage(): { cpuSeconds: number; rssBytes: number | undefined } | undefined;
}
interface Collector extends Program {
  grpcEndpoint: string;
  httpUrl: string;
  metricsUrl: string;
}
interface IngestRun {
  id: string;
  trace_id?: string;
  parent_run_id?: string;
  dotted_order?: string;
  name: string;
  inputs?: Record<string, unknown>;
  extra?: { metadata?: Record<string, unknown> };
  attributes?: Record<string, unknown>;
  otel?: { traceId: string; spanId: string; startTimeUnixNano: string; endTimeUnixNano: string; status: { code: number } };
  source: string;
}
interface Ingest {
  url: string;
  runs(): IngestRun[];
  traces(): unknown[];
  orphans(): IngestRun[];
  violations(): string[];
}
interface DemoStopReport {
  bridgeStats?: {
    dropped: number;
    queues: Record<string, { queued: number; exported: number; droppedExportFailed: number; droppedQueueFull: number; failedExports: number; retries: number }>;
  };
}
interface Stack {
  logDir: string;
  ingest: Ingest;
  replicaIngests: Ingest[];
  jaeger: Program & { queryUrl: string };
  collectors: Collector[];
  entry: Collector;
  gatewayUrl: string;
  restartDemo(protocol?: string, env?: Record<string, string>): Promise<Record<string, DemoStopReport>>;
  close(): Promise<unknown>;
}
interface StackModule {
  stackBinaries(options?: { build?: boolean }): { otelcol: string; jaeger: string };
  startStack(options: Record<string, unknown>): Promise<Stack>;
  validateConfig(bin: string, config: string, env?: Record<string, string>): { ok: boolean; output: string };
  jaegerTrace(queryUrl: string, traceId: string): Promise<JaegerTrace | undefined>;
  jaegerTraceIds(queryUrl: string, service: string): Promise<JaegerTrace[]>;
  collectorMetric(metricsUrl: string, name: string, labels?: RegExp): Promise<number>;
  probabilisticKeeps(traceId: string, percentage: number): boolean;
  binomialInterval(n: number, p: number, confidence: number): [number, number];
  COLLECTOR_CONFIG: string;
  LOADBALANCING_CONFIG: string;
  JAEGER_CONFIG: string;
}

// ---------------------------------------------------------------- settings

const stackModule = (await import(pathToFileURL(path.join(REPO, 'scripts/stack.mjs')).href)) as StackModule;
const binaries = stackModule.stackBinaries();
const haveBinaries = existsSync(binaries.otelcol) && existsSync(binaries.jaeger);
const CI = process.env.CI === 'true';
const describeLive = haveBinaries || CI ? describe : describe.skip;
if (!haveBinaries && !CI) process.stderr.write('[stack-live] skipped: no collector/Jaeger binaries; run bash scripts/build-stack.sh\n');

const REQUESTS = 300;
const CONCURRENCY = 8;
/** The configured probabilistic share (collector-config.yaml: baseline-10-percent). */
const PERCENT = 10;
const DECISION_WAIT = '5s';
const LATENCY_MS = 700;
/** Requests whose question contains "slow" take this much longer in the native service. */
const SLOW_MS = 900;
const EXCLUDED = 'langsmith.bridge.excluded';

type Kind = 'ok' | 'fail' | 'slow';
const kindOf = (i: number): Kind => (i % 10 === 3 ? 'fail' : i % 10 === 7 ? 'slow' : 'ok');
const question = (tag: string, i: number) =>
  kindOf(i) === 'fail'
    ? `${tag} #${i}: please fail the search`
    : kindOf(i) === 'slow'
      ? `${tag} #${i}: a slow question`
      : `${tag} #${i}: how is context propagated?`;

function requireBinaries(): void {
  if (!haveBinaries) {
    throw new Error(`collector or Jaeger binary missing (${binaries.otelcol}, ${binaries.jaeger}): run bash scripts/build-stack.sh (.ci/run does)`);
  }
}

function snapshotDist(): string {
  let build: E2eBuild = inject('e2eBuild');
  if (!build.ok) build = buildSnapshot();
  if (!build.ok) throw new Error(`could not compile src/: ${build.message}`);
  return path.join(build.dir, 'dist/esm');
}

/** `count` POST /ask requests, `concurrency` at a time; resolves with the status of each. */
async function drive(gatewayUrl: string, tag: string, count: number, concurrency: number, paceMs = 0): Promise<number[]> {
  const statuses: number[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${gatewayUrl}/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: question(tag, i) }),
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      statuses[i] = res.status;
      if (paceMs) await new Promise((r) => setTimeout(r, paceMs));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

/** Polls `done` every 250 ms until it returns true or `timeoutMs` passes; returns whether it did. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return done();
}

function readRuns(file: string): IngestRun[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as IngestRun);
}

/** The OTLP-delivered runs of the stand-in, grouped by OTel trace id. */
function otlpRunsByTrace(ingest: Ingest, tag?: string): Map<string, IngestRun[]> {
  const byTrace = new Map<string, IngestRun[]>();
  for (const run of ingest.runs()) {
    if (run.source !== 'otlp' || !run.otel) continue;
    const list = byTrace.get(run.otel.traceId) ?? [];
    list.push(run);
    byTrace.set(run.otel.traceId, list);
  }
  if (tag !== undefined) {
    for (const [traceId, runs] of byTrace)
      if (!runs.some((r) => String(r.inputs?.input ?? JSON.stringify(r.inputs ?? {})).includes(`${tag} #`))) byTrace.delete(traceId);
  }
  return byTrace;
}

/** What tail_sampling sees of a trace: an ERROR span anywhere, and max(end) − min(start) in whole ms. */
function traceFacts(runs: IngestRun[]): { error: boolean; durationMs: number } {
  let min = BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n;
  let max = 0n;
  let error = false;
  for (const r of runs) {
    const start = BigInt(r.otel!.startTimeUnixNano);
    const end = BigInt(r.otel!.endTimeUnixNano);
    if (start < min) min = start;
    if (end > max) max = end;
    if (r.otel!.status.code === 2) error = true;
  }
  return { error, durationMs: Number((max - min) / 1_000_000n) };
}

/** The tail sampler's verdict for a trace, from collector-config.yaml's three policies. */
function predictedKeep(traceId: string, facts: { error: boolean; durationMs: number }): boolean {
  return facts.error || facts.durationMs > LATENCY_MS || stackModule.probabilisticKeeps(traceId, PERCENT);
}

/** The stack with the sampling settings above, its logs under `tmp`, the demo services also writing their runs to `directFile`. */
function startLiveStack(tmp: string, directFile: string, options: Record<string, unknown> = {}): Promise<Stack> {
  return stackModule.startStack({
    binaries,
    dist: snapshotDist(),
    ...options,
    decisionWait: DECISION_WAIT,
    latencyMs: LATENCY_MS,
    logDir: path.join(tmp, 'logs'),
    demoEnv: { LANGSMITH_OTEL_FILE: directFile, DEMO_EXCLUDED_SPAN: 'true', DEMO_SLOW_MS: String(SLOW_MS) },
  });
}

/**
 * Fills `jaeger` with Jaeger's view of every trace in `facts`: waits (60 s at
 * most) for the traces the policies keep — decisions come DECISION_WAIT after
 * a trace's first span, then batch (1 s) and Jaeger's own batch — then gives
 * stragglers of dropped traces (if the collector let any through) time to show up.
 */
async function collectJaeger(
  stack: Stack,
  facts: Map<string, { error: boolean; durationMs: number }>,
  jaeger: Map<string, JaegerTrace | undefined>,
): Promise<void> {
  const expected = [...facts].filter(([id, f]) => predictedKeep(id, f)).map(([id]) => id);
  await until(async () => {
    for (const id of expected) if (!jaeger.get(id)) jaeger.set(id, await stackModule.jaegerTrace(stack.jaeger.queryUrl, id));
    return expected.every((id) => jaeger.get(id));
  }, 60_000);
  await new Promise((r) => setTimeout(r, 2000));
  for (const id of facts.keys()) if (!jaeger.get(id)) jaeger.set(id, await stackModule.jaegerTrace(stack.jaeger.queryUrl, id));
}

// ---------------------------------------------------------------- otelcol validate

describeLive('otelcol validate: the real collector is the authority on config validity', () => {
  beforeAll(requireBinaries);

  it.each([
    ['collector-config.yaml', () => stackModule.COLLECTOR_CONFIG],
    ['collector-config.loadbalancing.yaml', () => stackModule.LOADBALANCING_CONFIG],
  ])('%s is valid for otelcol-langsmith (the same components as otelcol-contrib)', (_name, config) => {
    const result = stackModule.validateConfig(binaries.otelcol, config(), { LANGSMITH_API_KEY: 'x' });
    expect(result.output).not.toMatch(/error/i);
    expect(result.ok).toBe(true);
  });

  it('stack/jaeger-config.yaml is valid for Jaeger v2', () => {
    const result = stackModule.validateConfig(binaries.jaeger, stackModule.JAEGER_CONFIG);
    expect(result.ok, result.output).toBe(true);
  });

  it.each([
    ['an unknown key', (t: string) => t.replace('decision_wait:', 'decision_wiat:'), /decision_wiat/],
    [
      'a filter condition that does not parse',
      (t: string) => t.replace('attributes["langsmith.bridge.excluded"] == true', 'attributes["langsmith.bridge.excluded"] === true'),
      /filter/,
    ],
    [
      'an undefined processor in a pipeline',
      (t: string) => t.replace('processors: [memory_limiter, tail_sampling, batch]', 'processors: [memory_limiter, tail_sampling, batch/x]'),
      /batch\/x/,
    ],
  ])('a copy with %s is rejected', (_rule, mutate, expected) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'otelcol-validate-'));
    try {
      const file = path.join(dir, 'config.yaml');
      const mutated = mutate(readFileSync(stackModule.COLLECTOR_CONFIG, 'utf8'));
      expect(mutated).not.toBe(readFileSync(stackModule.COLLECTOR_CONFIG, 'utf8'));
      writeFileSync(file, mutated);
      const result = stackModule.validateConfig(binaries.otelcol, file, { LANGSMITH_API_KEY: 'x' });
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------- one collector

describeLive(`stack: ${REQUESTS} requests through the demo services into the real collector`, () => {
  let stack: Stack;
  let directFile: string;
  let tmp: string;
  let started = 0;
  const tag = 'single';
  let byTrace: Map<string, IngestRun[]>;
  let facts: Map<string, { error: boolean; durationMs: number }>;
  const jaeger = new Map<string, JaegerTrace | undefined>();

  beforeAll(async () => {
    requireBinaries();
    started = Date.now();
    tmp = mkdtempSync(path.join(tmpdir(), 'stack-live-'));
    directFile = path.join(tmp, 'direct.jsonl');
    stack = await startLiveStack(tmp, directFile);
    const statuses = await drive(stack.gatewayUrl, tag, REQUESTS, CONCURRENCY);
    expect(statuses.filter((s) => s === 200).length).toBe(REQUESTS - REQUESTS / 10);
    // Every bridged run in the stand-in (the direct file is written by the same processor).
    const direct = () => readRuns(directFile).length;
    await until(
      () => direct() > 0 && otlpRunsByTrace(stack.ingest).size === REQUESTS && [...otlpRunsByTrace(stack.ingest).values()].flat().length >= direct(),
      60_000,
    );
    byTrace = otlpRunsByTrace(stack.ingest, tag);
    facts = new Map([...byTrace].map(([id, runs]) => [id, traceFacts(runs)]));
    await collectJaeger(stack, facts, jaeger);
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    process.stderr.write(`[stack-live] single-collector describe: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }, 60_000);

  // ---- LangSmith pipeline (unsampled)

  it('LangSmith: every trace arrives whole, 0 orphans, no invariant broken', () => {
    expect(byTrace.size).toBe(REQUESTS);
    expect(stack.ingest.orphans()).toEqual([]);
    expect(stack.ingest.violations()).toEqual([]);
    // One tree per request: the OTLP runs of gateway and agent plus the native service's REST runs.
    expect(stack.ingest.traces().length).toBeGreaterThanOrEqual(REQUESTS);
  });

  it('LangSmith: the same run ids, parents and dotted orders as the direct path', () => {
    const key = (r: IngestRun) => `${r.id} ${r.trace_id} ${r.parent_run_id ?? '-'} ${r.dotted_order}`;
    const direct = readRuns(directFile).map(key).sort();
    const viaCollector = [...otlpRunsByTrace(stack.ingest).values()].flat().map(key).sort();
    expect(direct.length).toBeGreaterThan(REQUESTS * 4);
    expect(viaCollector).toEqual(direct);
  });

  it('LangSmith: spans flagged excluded never reach it (the collector filter drops them)', () => {
    const flagged = stack.ingest.runs().filter((r) => r.attributes?.[EXCLUDED] === true || r.name === 'fs readFile');
    expect(flagged).toEqual([]);
    // …and the collector did receive them: every kept trace in Jaeger has its one excluded span.
    const kept = [...jaeger.values()].filter(Boolean) as JaegerTrace[];
    expect(kept.length).toBeGreaterThan(0);
    for (const t of kept) expect(t.spans.filter((s) => s.tags[EXCLUDED] === true).map((s) => s.name)).toEqual(['fs readFile']);
  });

  // ---- Jaeger pipeline (tail-sampled)

  it('Jaeger: every trace with an error span and every trace over the latency threshold is kept', () => {
    const errors = [...facts].filter(([, f]) => f.error).map(([id]) => id);
    const slow = [...facts].filter(([, f]) => f.durationMs > LATENCY_MS).map(([id]) => id);
    expect(errors.length).toBe(REQUESTS / 10);
    expect(slow.length).toBeGreaterThanOrEqual(REQUESTS / 10);
    expect(errors.filter((id) => !jaeger.get(id))).toEqual([]);
    expect(slow.filter((id) => !jaeger.get(id))).toEqual([]);
  });

  it(`Jaeger: the kept share of the rest is within the 99.9% binomial interval around ${PERCENT}%, trace by trace as the policy hashes`, () => {
    const rest = [...facts].filter(([, f]) => !f.error && f.durationMs <= LATENCY_MS).map(([id]) => id);
    const kept = rest.filter((id) => jaeger.get(id));
    const [lo, hi] = stackModule.binomialInterval(rest.length, PERCENT / 100, 0.999);
    process.stderr.write(
      `[stack-live] rest ${rest.length} traces, kept ${kept.length} (${((100 * kept.length) / rest.length).toFixed(1)}%; 99.9% interval ${lo}..${hi})\n`,
    );
    expect(rest.length).toBeGreaterThan(REQUESTS / 2);
    expect(kept.length).toBeGreaterThanOrEqual(lo);
    expect(kept.length).toBeLessThanOrEqual(hi);
    // Exactly the traces whose id hashes under the threshold (FNV-1a, default salt).
    expect(kept.sort()).toEqual(rest.filter((id) => stackModule.probabilisticKeeps(id, PERCENT)).sort());
  });

  it('Jaeger: each kept trace is complete (every span of gateway and agent), and nothing of a dropped trace is there', async () => {
    for (const [id, runs] of byTrace) {
      const t = jaeger.get(id);
      if (!t) continue;
      const inJaeger = t.spans
        .filter((s) => s.tags[EXCLUDED] !== true)
        .map((s) => s.spanId)
        .sort();
      expect(inJaeger, `trace ${id}`).toEqual(runs.map((r) => r.otel!.spanId).sort());
      expect(new Set(t.spans.map((s) => s.service))).toEqual(new Set(['gateway', 'agent']));
    }
    const listed = new Set<string>();
    for (const service of ['gateway', 'agent']) for (const t of await stackModule.jaegerTraceIds(stack.jaeger.queryUrl, service)) listed.add(t.traceId);
    const kept = [...byTrace.keys()].filter((id) => jaeger.get(id));
    expect([...listed].sort()).toEqual(kept.sort());
  });

  // ---- cross-links

  it("cross-links: a sampled run's OTel trace (its own otel_trace_id, else its nearest ancestor's) is in Jaeger, whose span names the run", async () => {
    // On the OTLP path `otel_trace_id` is written where the OTel trace enters
    // the LangSmith trace (MAPPING.md, "What ingest derives"); below that the
    // run shares its parent's. A run id is the padded span id unless the span
    // carries `langsmith.span.id`.
    const kept = [...byTrace].filter(([id]) => jaeger.get(id));
    expect(kept.length).toBeGreaterThan(REQUESTS / 10);
    for (const [, runs] of kept.slice(0, 25)) {
      const byId = new Map(runs.map((r) => [r.id, r]));
      for (const run of runs) {
        let at: typeof run | undefined = run;
        while (at && at.extra?.metadata?.otel_trace_id === undefined) at = at.parent_run_id ? byId.get(at.parent_run_id) : undefined;
        expect(at, `run ${run.id}: no otel_trace_id on it or an ancestor`).toBeDefined();
        const t = await stackModule.jaegerTrace(stack.jaeger.queryUrl, String(at!.extra!.metadata!.otel_trace_id));
        expect(t, `run ${run.id}`).toBeDefined();
        const span = t!.spans.find((s) => s.spanId === run.otel!.spanId);
        expect(span, `run ${run.id}: span ${run.otel!.spanId} in its Jaeger trace`).toBeDefined();
        expect(span!.tags['langsmith.span.id'] ?? runIdFromSpanId(span!.spanId)).toBe(run.id);
      }
    }
  });

  // ---- protocols (after the sampling assertions: new demo services, same collector)

  it.each(['http/json', 'grpc', 'http/protobuf'])(
    'protocol %s: the demo services export to the real collector, runs arrive whole',
    async (protocol) => {
      const transport = protocol === 'grpc' ? /transport="grpc"/ : /transport="http"/;
      const metric = 'otelcol_receiver_accepted_spans';
      const before = await stackModule.collectorMetric(stack.entry.metricsUrl, metric, transport);
      await stack.restartDemo(protocol, { LANGSMITH_OTEL_FILE: directFile, DEMO_EXCLUDED_SPAN: 'true' });
      const ptag = `protocol-${protocol}`;
      const statuses = await drive(stack.gatewayUrl, ptag, 20, 4);
      expect(statuses.filter((s) => s === 200).length).toBe(18);
      const arrived = await until(() => otlpRunsByTrace(stack.ingest, ptag).size === 20, 30_000);
      expect(arrived).toBe(true);
      await until(async () => (await stackModule.collectorMetric(stack.entry.metricsUrl, metric, transport)) > before, 10_000);
      expect(await stackModule.collectorMetric(stack.entry.metricsUrl, metric, transport)).toBeGreaterThan(before);
      const direct = new Set(readRuns(directFile).map((r) => `${r.id} ${r.parent_run_id ?? '-'} ${r.dotted_order}`));
      for (const runs of otlpRunsByTrace(stack.ingest, ptag).values()) {
        for (const r of runs) expect(direct.has(`${r.id} ${r.parent_run_id ?? '-'} ${r.dotted_order}`)).toBe(true);
      }
      // A trace shows up with its first run; the LangSmith-native service's runs (posted straight to
      // the stand-in) wait as orphans until their OTLP parents have come through the collector's batch.
      await until(() => stack.ingest.orphans().length === 0, 30_000);
      expect(stack.ingest.orphans()).toEqual([]);
    },
    90_000,
  );

  // ---- collector restart mid-run

  it("collector restart mid-run: the bridge's retries deliver what was queued; what was lost is counted", async () => {
    await stack.restartDemo('http/protobuf', { LANGSMITH_OTEL_FILE: directFile, DEMO_EXCLUDED_SPAN: 'true' });
    const rtag = 'restart';
    const total = 120;
    const load = drive(stack.gatewayUrl, rtag, total, 4, 50);
    await new Promise((r) => setTimeout(r, 1500));
    const collector = stack.entry;
    const exit = await collector.stop();
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 3000)); // down for 3 s while requests keep coming
    await collector.start();
    const upAt = Date.now();
    await load;
    // The services flush on stop; their bridge stats say what they could not deliver.
    const reports = await stack.restartDemo('http/protobuf', { LANGSMITH_OTEL_FILE: directFile });
    const direct = readRuns(directFile).filter((r) => JSON.stringify(r.inputs ?? {}).includes(`${rtag} #`));
    const directIds = new Set(direct.map((r) => r.id));
    await until(() => [...otlpRunsByTrace(stack.ingest, rtag).values()].flat().length >= directIds.size, 20_000);
    const arrivedIds = new Set([...stack.ingest.runs(), ...stack.ingest.orphans()].filter((r) => r.source === 'otlp').map((r) => r.id));
    const lost = [...directIds].filter((id) => !arrivedIds.has(id)).length;
    const exporter = ['gateway', 'agent'].map((n) => reports[n]?.bridgeStats?.queues.exporter);
    const droppedByBridge = exporter.reduce((sum, q) => sum + (q ? q.droppedExportFailed + q.droppedQueueFull : 0), 0);
    const retries = exporter.reduce((sum, q) => sum + (q?.retries ?? 0), 0);
    process.stderr.write(
      `[stack-live] restart: collector exit ${JSON.stringify(exit)}; ${directIds.size} runs of ${total} requests; ` +
        `arrived ${directIds.size - lost}, lost ${lost}; bridge retries ${retries}, dropped by the bridge ${droppedByBridge}\n`,
    );
    expect(directIds.size).toBeGreaterThan(total * 4);
    // The outage was real: runs ended while nothing listened on the collector's port.
    const duringOutage = direct.filter((r) => {
      const end = Date.parse(String((r as unknown as { end_time: string }).end_time));
      return end >= downAt && end <= upAt;
    }).length;
    process.stderr.write(`[stack-live] restart: ${duringOutage} runs ended during the ${upAt - downAt} ms outage\n`);
    expect(duringOutage).toBeGreaterThan(0);
    // Every loss is one the bridge itself reports (dropped after retries), none silent. Spans
    // the exporter sent: a span the bridge counts dropped may still have arrived (a request
    // that timed out client-side but reached the collector), so lost ≤ dropped.
    expect(lost).toBeLessThanOrEqual(droppedByBridge);
  }, 120_000);
});

// ---------------------------------------------------------------- scale-out

describeLive('stack, scaled out: the loadbalancing tier (routing_key: traceID) in front of two sampling replicas', () => {
  let stack: Stack;
  let tmp: string;
  const tag = 'scale-out';
  const total = 200;
  const replicaOf = new Map<string, Set<number>>();
  let facts: Map<string, { error: boolean; durationMs: number }>;
  const jaeger = new Map<string, JaegerTrace | undefined>();
  let directFile: string;

  beforeAll(async () => {
    requireBinaries();
    tmp = mkdtempSync(path.join(tmpdir(), 'stack-scale-'));
    directFile = path.join(tmp, 'direct.jsonl');
    stack = await startLiveStack(tmp, directFile, { scaleOut: true, replicaIngests: true });
    await drive(stack.gatewayUrl, tag, total, CONCURRENCY);
    const both = () => stack.replicaIngests.reduce((n, ing) => n + otlpRunsByTrace(ing).size, 0);
    await until(() => both() >= total && stack.replicaIngests.reduce((n, ing) => n + ing.runs().length, 0) >= readRuns(directFile).length, 60_000);
    const all = new Map<string, IngestRun[]>();
    stack.replicaIngests.forEach((ingest, n) => {
      for (const [id, runs] of otlpRunsByTrace(ingest)) {
        replicaOf.set(id, (replicaOf.get(id) ?? new Set()).add(n));
        all.set(id, [...(all.get(id) ?? []), ...runs]);
      }
    });
    facts = new Map([...all].map(([id, runs]) => [id, traceFacts(runs)]));
    await collectJaeger(stack, facts, jaeger);
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('every span of a trace reached the same replica, and both replicas got traces', () => {
    expect(replicaOf.size).toBe(total);
    expect([...replicaOf.values()].filter((set) => set.size !== 1)).toEqual([]);
    const perReplica = [0, 1].map((n) => [...replicaOf.values()].filter((set) => set.has(n)).length);
    process.stderr.write(`[stack-live] scale-out: traces per replica ${perReplica.join(' / ')}\n`);
    for (const count of perReplica) expect(count).toBeGreaterThan(total / 5);
    // Nothing lost or duplicated on the way: the replicas together hold exactly the direct path's runs.
    const viaReplicas = stack.replicaIngests.flatMap((ing) => ing.runs().map((r) => r.id)).sort();
    expect(viaReplicas).toEqual(
      readRuns(directFile)
        .map((r) => r.id)
        .sort(),
    );
  });

  it('the sampling results equal the single-replica run: the same policies decide every trace the same way', async () => {
    const kept = [...facts.keys()].filter((id) => jaeger.get(id)).sort();
    const predicted = [...facts]
      .filter(([id, f]) => predictedKeep(id, f))
      .map(([id]) => id)
      .sort();
    process.stderr.write(`[stack-live] scale-out: kept ${kept.length} of ${facts.size} traces\n`);
    expect(kept).toEqual(predicted);
    for (const id of kept) {
      const t = jaeger.get(id)!;
      expect(new Set(t.spans.map((s) => s.service))).toEqual(new Set(['gateway', 'agent']));
    }
    const listed = new Set<string>();
    for (const service of ['gateway', 'agent']) for (const t of await stackModule.jaegerTraceIds(stack.jaeger.queryUrl, service)) listed.add(t.traceId);
    expect([...listed].sort()).toEqual(kept);
  });
});
