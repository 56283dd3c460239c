/**
 * Export faults. A fault-injecting loopback proxy stands in front of the
 * local ingest server (`startIngestServer()`): it goes down (ECONNREFUSED),
 * answers 503/429 with `Retry-After: 1`, stalls, resets connections, and
 * returns malformed bodies. Behind it: the REAL OTLPTraceExporter (proto) as
 * the processor's `exporter`, and LangSmithClientSink over the REAL
 * `langsmith` Client as a sink. Meanwhile a loopback app server keeps
 * answering requests.
 *
 * Checked: the app keeps serving with flat latency; the processor's queue
 * never holds more than `maxQueueSize`; failed exports are retried by one layer,
 * the destination's own (the OTLP exporter's transport, the langsmith Client), with
 * backoff and Retry-After; the queue adds no second layer (#8);
 * after recovery everything still queued is delivered and
 * `ended = exported + dropped` with `delivered = exported`; shutdown flushes.
 * Each scenario prints one line of measurements.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Client } from 'langsmith';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as codecs from '../src/headers/index.js';
import { decodeMultipartRuns, decodeOtlpTraceRequest, flattenOtlpSpans, startIngestServer, type IngestServer } from '../src/ingest/index.js';
import type { BatchQueue } from '../src/processor/batch-queue.js';
import { LangSmithSpanProcessor, type LangSmithSpanProcessorOptions } from '../src/processor/LangSmithSpanProcessor.js';
import { LangSmithClientSink } from '../src/sinks/langsmith-client.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- the fault proxy ----

type Mode = 'pass' | 'down' | '503' | '429' | 'stall' | 'reset' | 'garbage' | '400';

interface Hit {
  at: number;
  path: string;
  mode: Mode;
}

interface FaultProxy {
  readonly url: string;
  /** Every request that reached the proxy (none while down). */
  readonly hits: Hit[];
  /** Run ids (OTLP spans as padded run ids) the ingest server accepted, with how often. */
  readonly delivered: Map<string, number>;
  setMode(mode: Mode): Promise<void>;
  /** Ingest requests (not `/info`) that reached the proxy in a mode, after `since`. */
  attempts(mode: Mode, since?: number): Hit[];
  close(): Promise<void>;
}

function readAll(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The ids in an ingest request body the server accepted. */
function idsIn(path: string, headers: http.IncomingHttpHeaders, raw: Buffer): string[] {
  const body = headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
  const contentType = headers['content-type'];
  if (path.endsWith('/otel/v1/traces')) {
    const decoded = decodeOtlpTraceRequest(body, contentType);
    return decoded.ok ? flattenOtlpSpans(decoded.request).map((r) => codecs.runIdFromSpanId(r.span.spanId)) : [];
  }
  if (path.endsWith('/runs/multipart')) {
    const decoded = decodeMultipartRuns(body, contentType);
    return decoded.ok ? decoded.value.posts.map((p) => String(p['id'])) : [];
  }
  if (path.endsWith('/runs/batch')) {
    const doc = JSON.parse(body.toString('utf8')) as { post?: Array<{ id: string }> };
    return (doc.post ?? []).map((p) => p.id);
  }
  return [];
}

async function startFaultProxy(target: IngestServer): Promise<FaultProxy> {
  let mode: Mode = 'pass';
  const hits: Hit[] = [];
  const delivered = new Map<string, number>();
  const agent = new http.Agent({ keepAlive: true });

  const server = http.createServer((req, res) => {
    const m = mode;
    const path = req.url ?? '/';
    hits.push({ at: Date.now(), path, mode: m });
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    if (m === 'reset') {
      req.socket.destroy();
      return;
    }
    if (m === 'stall') {
      req.resume(); // read the body, never answer
      return;
    }
    void readAll(req).then(async (body) => {
      if (m === '503' || m === '429') {
        res.writeHead(Number(m), { 'retry-after': '1', 'content-type': 'text/plain' });
        res.end('try later');
        return;
      }
      if (m === 'garbage') {
        res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
        res.end(randomBytes(64));
        return;
      }
      if (m === '400') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":"malformed request body"}');
        return;
      }
      const upstream = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const out = http.request(
          { host: '127.0.0.1', port: target.port, method: req.method, path, headers: { ...req.headers, host: `127.0.0.1:${target.port}` }, agent },
          (r) => void readAll(r).then((b) => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: b }), reject),
        );
        out.on('error', reject);
        out.end(body);
      }).catch((err: unknown) => ({ status: 502, headers: {}, body: Buffer.from(String(err)) }));
      if (upstream.status < 300) for (const id of idsIn(path, req.headers, body)) delivered.set(id, (delivered.get(id) ?? 0) + 1);
      const headers = { ...upstream.headers };
      delete headers['transfer-encoding'];
      delete headers['connection'];
      headers['content-length'] = String(upstream.body.length);
      res.writeHead(upstream.status, headers);
      res.end(upstream.body);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const closeListener = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    delivered,
    async setMode(next) {
      if (next === mode) return;
      const previous = mode;
      mode = next;
      if (next === 'down') await closeListener();
      else if (previous === 'down') await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      else if (previous === 'stall') server.closeAllConnections(); // release what hangs
    },
    attempts(m, since = 0) {
      return hits.filter((h) => h.mode === m && h.at >= since && !h.path.endsWith('/info'));
    },
    async close() {
      if (mode !== 'down') await closeListener();
      agent.destroy();
    },
  };
}

// ---- the application under load ----

interface Load {
  ok: number;
  failed: number;
  latencies: number[];
}

async function startApp(tracer: Tracer, produced: Set<string>): Promise<{ url: string }> {
  const server = http.createServer((req, res) => {
    const span = tracer.startSpan(`GET ${req.url}`, { kind: SpanKind.SERVER });
    const step = tracer.startSpan('step', {}, trace.setSpan(ROOT_CONTEXT, span));
    step.end();
    span.end();
    produced.add(codecs.runIdFromSpanId(span.spanContext().spanId));
    produced.add(codecs.runIdFromSpanId(step.spanContext().spanId));
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/work` };
}

/** Requests one after another (with a pause) for `ms`; every answer timed. */
async function drive(url: string, ms: number, load: Load, pauseMs = 4): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const t0 = performance.now();
    try {
      const r = await fetch(url);
      await r.text();
      if (r.ok) load.ok++;
      else load.failed++;
    } catch {
      load.failed++;
    }
    load.latencies.push(performance.now() - t0);
    await sleep(pauseMs);
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

// ---- the stack under test ----

const QUEUE: LangSmithSpanProcessorOptions = {
  maxQueueSize: 64,
  maxExportBatchSize: 16,
  scheduledDelayMillis: 20,
  retryBaseMillis: 100,
  maxRetries: 5,
  /** Above the exporter's own timeoutMillis, so the queue never abandons a running export. */
  exportTimeoutMillis: 2500,
};
const OTLP_TIMEOUT_MS = 1500;

interface Stack {
  ingest: IngestServer;
  proxy: FaultProxy;
  processor: LangSmithSpanProcessor;
  provider: BasicTracerProvider;
  exporter: OTLPTraceExporter | undefined;
  client: Client | undefined;
  app: { url: string };
  produced: Set<string>;
  /** Largest queue size and exporter in-flight count seen (sampled every 2 ms). */
  peaks: { queue: number; inFlight: number };
  /** What the langsmith Client wrote to console.warn / console.error (its only failure signal). */
  clientLog: string[];
  queueName: 'exporter' | 'langsmith';
}

async function makeStack(
  destination: 'otlp' | 'langsmith',
  options: { queue?: LangSmithSpanProcessorOptions; otlpTimeoutMillis?: number; clientTimeoutMs?: number } = {},
): Promise<Stack> {
  const ingest = await startIngestServer();
  cleanups.push(() => ingest.close());
  const proxy = await startFaultProxy(ingest);
  cleanups.push(() => proxy.close());

  let exporter: OTLPTraceExporter | undefined;
  let client: Client | undefined;
  const queue = { ...QUEUE, ...options.queue };
  let processor: LangSmithSpanProcessor;
  const clientLog: string[] = [];
  if (destination === 'otlp') {
    exporter = new OTLPTraceExporter({ url: `${proxy.url}/otel/v1/traces`, timeoutMillis: options.otlpTimeoutMillis ?? OTLP_TIMEOUT_MS });
    processor = new LangSmithSpanProcessor({ exporter, project: 'faults', ...queue });
  } else {
    client = new Client({
      apiUrl: proxy.url,
      apiKey: 'test',
      autoBatchTracing: true,
      timeout_ms: options.clientTimeoutMs ?? 1000,
      // The batch-ingest caller takes maxRetries from here (default 4, p-retry: 1 s, 2 s, 4 s, 8 s).
      callerOptions: { maxRetries: 1 },
    });
    processor = new LangSmithSpanProcessor({ sinks: [new LangSmithClientSink({ client: client as never })], project: 'faults', ...queue });
    const capture = (...args: unknown[]) => void clientLog.push(args.map(String).join(' '));
    const warn = vi.spyOn(console, 'warn').mockImplementation(capture);
    const error = vi.spyOn(console, 'error').mockImplementation(capture);
    cleanups.push(async () => (warn.mockRestore(), error.mockRestore()));
  }
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  cleanups.push(() => provider.shutdown());
  const produced = new Set<string>();
  const app = await startApp(provider.getTracer('app'), produced);

  const peaks = { queue: 0, inFlight: 0 };
  const queues = (processor as unknown as { _queues: Array<BatchQueue<unknown>> })._queues;
  const sendingPromises = exporter
    ? (exporter as unknown as { _delegate: { _promiseQueue: { _sendingPromises: unknown[] } } })._delegate._promiseQueue._sendingPromises
    : undefined;
  const sampler = setInterval(() => {
    for (const q of queues) peaks.queue = Math.max(peaks.queue, q.size);
    if (sendingPromises) peaks.inFlight = Math.max(peaks.inFlight, sendingPromises.length);
  }, 2);
  cleanups.push(async () => clearInterval(sampler));

  return {
    ingest,
    proxy,
    processor,
    provider,
    exporter,
    client,
    app,
    produced,
    peaks,
    clientLog,
    queueName: destination === 'otlp' ? 'exporter' : 'langsmith',
  };
}

/** Warm up (so the Client has fetched /info), then a fault for `faultMs` under load, then recovery and a flush. */
async function scenario(stack: Stack, mode: Mode, faultMs: number) {
  const warm: Load = { ok: 0, failed: 0, latencies: [] };
  await drive(stack.app.url, 150, warm);
  await stack.processor.forceFlush();
  const warmDelivered = stack.proxy.delivered.size;

  const faultStart = Date.now();
  await stack.proxy.setMode(mode);
  const during: Load = { ok: 0, failed: 0, latencies: [] };
  await drive(stack.app.url, faultMs, during);
  const statsAtRecovery = stack.processor.stats;
  await stack.proxy.setMode('pass');
  const recoveredAt = Date.now();

  const after: Load = { ok: 0, failed: 0, latencies: [] };
  await drive(stack.app.url, 150, after);
  const flushStart = Date.now();
  await stack.processor.forceFlush();
  const flushMs = Date.now() - flushStart;
  return { warm, warmDelivered, during, after, faultStart, recoveredAt, flushMs, statsAtRecovery, stats: stack.processor.stats };
}

type Result = Awaited<ReturnType<typeof scenario>>;

function report(name: string, stack: Stack, r: Result, extra = ''): void {
  const q = r.stats.queues[stack.queueName]!;
  const attempts = stack.proxy.hits.filter((h) => h.at >= r.faultStart && h.at < r.recoveredAt && !h.path.endsWith('/info'));
  const gaps = attempts.slice(1).map((h, i) => h.at - attempts[i]!.at);
  console.log(
    `[export-faults] ${name}: ended=${r.stats.ended} exported=${q.exported} droppedQueueFull=${q.droppedQueueFull} ` +
      `droppedExportFailed=${q.droppedExportFailed} failedExports=${q.failedExports} retries=${q.retries} ` +
      `delivered=${stack.proxy.delivered.size} dupes=${[...stack.proxy.delivered.values()].filter((n) => n > 1).length} ` +
      `faultRequests=${attempts.length} gapsMs=[${gaps.slice(0, 8).join(',')}] peakQueue=${stack.peaks.queue} ` +
      `peakInFlight=${stack.peaks.inFlight} clientLogged=${stack.clientLog.length} flushMs=${r.flushMs} ` +
      `app: ${r.during.ok} ok/${r.during.failed} failed p50=${percentile(r.during.latencies, 50).toFixed(1)}ms ` +
      `p99=${percentile(r.during.latencies, 99).toFixed(1)}ms max=${Math.max(...r.during.latencies).toFixed(1)}ms${extra}`,
  );
}

/** The app kept serving: every request answered, latency flat (exports never block the request path). */
function expectAppUnaffected(r: Result): void {
  expect(r.during.failed).toBe(0);
  expect(r.during.ok).toBeGreaterThan(20);
  expect(percentile(r.during.latencies, 99)).toBeLessThan(100);
  expect(Math.max(...r.during.latencies)).toBeLessThan(500); // an export attempt here lasts 1500 ms
}

/**
 * Honest accounting on the processor's exporter queue: never above
 * maxQueueSize; every ended span exported or counted dropped; the ingest
 * received exactly the spans counted exported, each once; nothing still
 * queued at recovery was dropped afterwards — except, with `inFlightAtRecovery`,
 * the one batch whose request the stalled destination never answers: its
 * timeout used the exporter's whole retry budget, and the queue adds no
 * retry layer of its own (#8).
 */
function expectOtlpAccounting(stack: Stack, r: Result, inFlightAtRecovery = false): void {
  const q = r.stats.queues['exporter']!;
  expect(stack.peaks.queue).toBeLessThanOrEqual(QUEUE.maxQueueSize!);
  expect(stack.peaks.inFlight).toBeLessThanOrEqual(1);
  expect(r.stats.ended).toBe(stack.produced.size);
  expect(q.exported + q.droppedQueueFull + q.droppedExportFailed).toBe(r.stats.ended);
  expect(r.stats.dropped).toBe(q.droppedQueueFull + q.droppedExportFailed);
  expect(stack.proxy.delivered.size).toBe(q.exported);
  for (const id of stack.proxy.delivered.keys()) expect(stack.produced.has(id)).toBe(true);
  expect([...stack.proxy.delivered.values()].every((n) => n === 1)).toBe(true);
  const droppedAfterRecovery = q.droppedExportFailed - r.statsAtRecovery.queues['exporter']!.droppedExportFailed;
  expect(droppedAfterRecovery).toBeLessThanOrEqual(inFlightAtRecovery ? QUEUE.maxExportBatchSize! : 0);
}

function gapsOf(hits: Hit[]): number[] {
  return hits.slice(1).map((h, i) => h.at - hits[i]!.at);
}

describe('export faults — OTLPTraceExporter (proto) through the processor queue', () => {
  it('destination down (ECONNREFUSED): bounded queue, drops counted, everything queued delivered after recovery', async () => {
    const stack = await makeStack('otlp');
    const r = await scenario(stack, 'down', 2000);
    report('otlp down 2s', stack, r);
    expectAppUnaffected(r);
    expectOtlpAccounting(stack, r);
    expect(r.statsAtRecovery.queues['exporter']!.failedExports).toBeGreaterThanOrEqual(1);
    expect(r.stats.dropped).toBeGreaterThan(0); // 2 s of load does not fit in 64
  }, 10_000);

  for (const status of ['503', '429'] as const) {
    it(`${status} + Retry-After: 1 — one retry layer: the exporter's own retry waits 1 s, the queue adds none; no storm; delivered after recovery`, async () => {
      const stack = await makeStack('otlp');
      const r = await scenario(stack, status, 2500);
      report(`otlp ${status} 2.5s`, stack, r);
      expectAppUnaffected(r);
      expectOtlpAccounting(stack, r);
      const gaps = gapsOf(stack.proxy.attempts(status));
      expect(gaps.length).toBeGreaterThanOrEqual(1);
      expect(gaps.length).toBeLessThanOrEqual(5);
      // Retry-After honoured inside one export call (OTLP exporter: up to its timeoutMillis)…
      expect(gaps.some((g) => g >= 950 && g <= 1400)).toBe(true);
      // …and no second layer above it (#8: the queue's 5 retries multiplied the exporter's).
      expect(r.stats.queues['exporter']!.retries).toBe(0);
    }, 10_000);
  }

  it('stall (never answers): each attempt ends at the exporter timeout; delivered after recovery, but for the batch in flight then', async () => {
    const stack = await makeStack('otlp');
    const r = await scenario(stack, 'stall', 2000);
    report('otlp stall 2s', stack, r);
    expectAppUnaffected(r);
    expectOtlpAccounting(stack, r, true);
    const attempts = stack.proxy.attempts('stall');
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.length).toBeLessThanOrEqual(3);
  }, 10_000);

  it('connection reset: retried with backoff; delivered after recovery', async () => {
    const stack = await makeStack('otlp');
    const r = await scenario(stack, 'reset', 2000);
    report('otlp reset 2s', stack, r);
    expectAppUnaffected(r);
    expectOtlpAccounting(stack, r);
    expect(stack.proxy.attempts('reset').length).toBeLessThanOrEqual(8);
  }, 10_000);

  it('a persistent 400 is not retried (not retryable for the exporter; the queue adds no layer): each batch tried once, dropped and counted', async () => {
    const stack = await makeStack('otlp');
    const r = await scenario(stack, '400', 3500);
    report('otlp 400 3.5s', stack, r);
    expectAppUnaffected(r);
    expectOtlpAccounting(stack, r);
    const q = r.stats.queues['exporter']!;
    expect(q.droppedExportFailed).toBeGreaterThanOrEqual(QUEUE.maxExportBatchSize!);
    expect(q.retries).toBe(0);
    expect(stack.proxy.attempts('400').length).toBe(q.failedExports);
  }, 10_000);

  it('200 with a garbage body: counted exported (a 2xx is final) — what the proxy swallowed never reaches ingest', async () => {
    const stack = await makeStack('otlp');
    const r = await scenario(stack, 'garbage', 1000);
    report('otlp garbage-200 1s', stack, r);
    expectAppUnaffected(r);
    const q = r.stats.queues['exporter']!;
    expect(q.exported + q.droppedQueueFull + q.droppedExportFailed).toBe(r.stats.ended);
    expect(stack.proxy.attempts('garbage').length).toBeGreaterThan(0);
    expect(q.failedExports).toBe(0);
    expect(stack.proxy.delivered.size).toBeLessThan(q.exported);
  }, 10_000);

  it('documented limit: exportTimeoutMillis below the exporter timeout — abandoned exports still run and may deliver spans counted dropped (keep it above)', async () => {
    const stack = await makeStack('otlp', { queue: { exportTimeoutMillis: 400 }, otlpTimeoutMillis: 4000 });
    const r = await scenario(stack, '503', 2500);
    report('otlp 503 2.5s, queue timeout 400 < exporter 4000', stack, r);
    expectAppUnaffected(r);
    const q = r.stats.queues['exporter']!;
    expect(q.exported + q.droppedQueueFull + q.droppedExportFailed).toBe(r.stats.ended);
    // withTimeout() does not cancel the exporter's call: it retries on, beside the queue's next attempt…
    expect(stack.peaks.inFlight).toBeGreaterThan(1);
    // …and after recovery delivers batches the queue had already counted as dropped.
    expect(stack.proxy.delivered.size).toBeGreaterThan(q.exported);
  }, 10_000);
});

describe('export faults — shutdown', () => {
  it('shutdown() flushes what is queued once the destination is back', async () => {
    const stack = await makeStack('otlp');
    const load: Load = { ok: 0, failed: 0, latencies: [] };
    await stack.proxy.setMode('503');
    await drive(stack.app.url, 500, load);
    const queue = (stack.processor as unknown as { _queues: Array<BatchQueue<unknown>> })._queues[0]!;
    const queued = queue.size;
    await stack.proxy.setMode('pass');
    const t0 = Date.now();
    await stack.provider.shutdown();
    const shutdownMs = Date.now() - t0;
    const s = stack.processor.stats;
    const q = s.queues['exporter']!;
    console.log(`[export-faults] shutdown after 503: queuedAtShutdown=${queued} exported=${q.exported} dropped=${s.dropped} shutdownMs=${shutdownMs}`);
    expect(queued).toBeGreaterThan(0);
    expect(queue.size).toBe(0);
    expect(q.droppedExportFailed).toBe(0);
    expect(q.exported + q.droppedQueueFull).toBe(s.ended);
    expect(stack.proxy.delivered.size).toBe(q.exported);
  }, 10_000);

  it('shutdown() against a destination that stays stalled: one attempt per batch, then dropped and counted — bounded time', async () => {
    // Default maxRetries (5). Before the fix each batch was retried with backoff at shutdown too:
    // measured 6.7 s per 16-span batch here; with defaults ≈ 4 × (6 × 10 s + 15.5 s) ≈ 5 min.
    const stack = await makeStack('otlp', { queue: { exportTimeoutMillis: 800 }, otlpTimeoutMillis: 600 });
    const load: Load = { ok: 0, failed: 0, latencies: [] };
    await drive(stack.app.url, 100, load);
    await stack.processor.forceFlush();
    await stack.proxy.setMode('stall');
    await drive(stack.app.url, 300, load);
    const queued = (stack.processor as unknown as { _queues: Array<BatchQueue<unknown>> })._queues[0]!.size;
    const before = stack.processor.stats.queues['exporter']!;
    const t0 = Date.now();
    await stack.provider.shutdown();
    const shutdownMs = Date.now() - t0;
    const s = stack.processor.stats;
    const q = s.queues['exporter']!;
    const batches = Math.ceil(queued / QUEUE.maxExportBatchSize!);
    console.log(
      `[export-faults] shutdown while stalled: queued=${queued} batches=${batches} shutdownMs=${shutdownMs} ` +
        `failedExports=${q.failedExports - before.failedExports} droppedExportFailed=${q.droppedExportFailed}`,
    );
    expect(q.exported + q.droppedQueueFull + q.droppedExportFailed).toBe(s.ended);
    expect(q.droppedExportFailed).toBeGreaterThanOrEqual(queued);
    // At most one more attempt than batches (an export may already be running when shutdown starts).
    expect(q.failedExports - before.failedExports).toBeLessThanOrEqual(batches + 1);
    expect(shutdownMs).toBeLessThan((batches + 1) * 800 + 500);
  }, 10_000);
});

/**
 * The LangSmith queue of the processor, and the ingest's view of what arrived:
 * every ended span is delivered or counted as dropped, and what the queue
 * counts as exported is exactly what arrived (the sink's write() settles when
 * LangSmith answered), once.
 */
function expectSinkSideAccounting(stack: Stack, r: Result): void {
  const q = r.stats.queues['langsmith']!;
  expect(stack.peaks.queue).toBeLessThanOrEqual(QUEUE.maxQueueSize!);
  expect(r.stats.ended).toBe(stack.produced.size);
  expect(q.exported + q.droppedQueueFull + q.droppedExportFailed).toBe(r.stats.ended);
  expect(r.stats.dropped).toBe(q.droppedQueueFull + q.droppedExportFailed);
  for (const id of stack.proxy.delivered.keys()) expect(stack.produced.has(id)).toBe(true);
  expect([...stack.proxy.delivered.values()].every((n) => n === 1)).toBe(true);
}

describe('export faults — LangSmithClientSink over the real langsmith Client (timeout_ms 1000, 1 retry)', () => {
  for (const [mode, ms] of [
    ['down', 600],
    ['503', 600],
    ['429', 600],
    ['reset', 600],
  ] as const) {
    it(`${mode} for ${ms} ms: delivered after recovery; what did not fit the queue meanwhile is counted`, async () => {
      const stack = await makeStack('langsmith');
      const r = await scenario(stack, mode, ms);
      report(`langsmith ${mode} ${ms}ms`, stack, r);
      expectAppUnaffected(r);
      expectSinkSideAccounting(stack, r);
      expect(stack.proxy.delivered.size).toBe(r.stats.queues['langsmith']!.exported);
      expect(stack.proxy.delivered.size).toBeGreaterThan(0);
    }, 10_000);
  }

  for (const [mode, ms, why] of [
    ['stall', 1500, 'a request times out in the Client'],
    ['400', 600, 'LangSmith refuses the batch'],
    ['down', 3000, 'down longer than the Client retries'],
  ] as const) {
    it(`${mode} for ${ms} ms — ${why}: the failure reaches the queue (after the Client's own retry: counted, not retried again), nothing is lost silently`, async () => {
      const stack = await makeStack('langsmith');
      const r = await scenario(stack, mode, ms);
      report(`langsmith ${mode} ${ms}ms`, stack, r);
      expectAppUnaffected(r);
      expectSinkSideAccounting(stack, r);
      const q = r.stats.queues['langsmith']!;
      expect(q.failedExports).toBeGreaterThan(0);
      expect(q.retries).toBe(0); // the Client retries; the queue adds no layer (#8)
      expect(stack.proxy.delivered.size).toBe(q.exported);
    }, 10_000);
  }

  it('200 with a garbage body: accepted as sent (a 2xx is final) — lost, counted exported', async () => {
    const stack = await makeStack('langsmith');
    const r = await scenario(stack, 'garbage', 600);
    report('langsmith garbage 600ms', stack, r);
    expectAppUnaffected(r);
    expectSinkSideAccounting(stack, r);
    expect(stack.proxy.delivered.size).toBeLessThan(r.stats.queues['langsmith']!.exported);
  }, 10_000);
});
