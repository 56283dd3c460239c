/**
 * The export path (#8), in process against real parts: the real OTel SDK,
 * the real OTLPTraceExporter and `langsmith` Client, loopback HTTP servers
 * that refuse, stall or answer 503/429 with Retry-After.
 *
 * - unsampled (RECORD_ONLY) spans are not exported, as BatchSpanProcessor;
 * - forceFlush waits only for what was queued at the call, bounded;
 * - shutdown is bounded by `shutdownTimeoutMillis` and counts what it discards;
 * - one retry layer per destination (attempts per batch counted at the server);
 * - nothing dropped without a line: a destination down, back, a full queue.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type SpanKind, type Attributes, type Context, type Link } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { Client } from 'langsmith';
import { afterEach, describe, expect, it } from 'vitest';
import { notices } from '../src/notices.js';
import { LangSmithSpanProcessor, type LangSmithSpanProcessorOptions } from '../src/processor/LangSmithSpanProcessor.js';
import { resolveConfig, BridgeConfigError } from '../src/setup/config.js';
import { LangSmithClientSink } from '../src/sinks/langsmith-client.js';
import type { Run } from '../src/mapping/types.js';
import type { RunSink } from '../src/sinks/types.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  notices.reset();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function captureNotices(): string[] {
  const lines: string[] = [];
  notices.configure({ write: (line) => lines.push(line) });
  return lines;
}

function setup(options: LangSmithSpanProcessorOptions) {
  const processor = new LangSmithSpanProcessor(options);
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  cleanups.push(() => provider.shutdown());
  const tracer = provider.getTracer('t');
  const end = (n: number, prefix = 's') => {
    for (let i = 0; i < n; i++) tracer.startSpan(`${prefix}${i}`).end();
  };
  return { processor, provider, tracer, end };
}

/** A sink that records runs; each write takes `delayMs` (or never ends, `hang`). */
function slowSink(delayMs: number, options: { hang?: boolean } = {}): RunSink & { runs: Run[] } {
  const runs: Run[] = [];
  return {
    name: 'slow',
    runs,
    async write(batch) {
      if (options.hang) return new Promise<void>(() => undefined);
      await sleep(delayMs);
      runs.push(...batch);
    },
  };
}

interface Hit {
  at: number;
  url: string;
}

async function server(handler: (req: http.IncomingMessage, res: http.ServerResponse, hits: Hit[]) => void, port = 0) {
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();
  const srv = http.createServer((req, res) => {
    hits.push({ at: Date.now(), url: req.url ?? '' });
    handler(req, res, hits);
  });
  srv.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => srv.listen(port, '127.0.0.1', resolve));
  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => srv.close(resolve));
  };
  cleanups.push(close);
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, port: (srv.address() as AddressInfo).port, hits, close };
}

/** A LangSmith API stand-in: `/info` answers `{}`, every other request `status` with `Retry-After: retryAfter` and `body`. */
function busyLangSmithApi(status: number, retryAfter: string, body: string) {
  return server((req, res) => {
    req.resume();
    if (req.url === '/info') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    res.writeHead(status, { 'retry-after': retryAfter }).end(body);
  });
}

describe('sampling', () => {
  /** Records every span, samples none: RECORD_ONLY, traceFlags 0. */
  class RecordOnly implements Sampler {
    shouldSample(_c: Context, _t: string, _n: string, _k: SpanKind, _a: Attributes, _l: Link[]): SamplingResult {
      return { decision: SamplingDecision.RECORD };
    }
    toString() {
      return 'RecordOnly';
    }
  }

  it('a RECORD_ONLY span (traceFlags 0) is not exported; a sampled one is', async () => {
    const sink = slowSink(0);
    const processor = new LangSmithSpanProcessor({ sinks: [sink], scheduledDelayMillis: 1 });
    const recordOnly = new BasicTracerProvider({ sampler: new RecordOnly(), spanProcessors: [processor] });
    const sampled = new BasicTracerProvider({ spanProcessors: [processor] });
    const span = recordOnly.getTracer('t').startSpan('unsampled');
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceFlags).toBe(0);
    span.end();
    sampled.getTracer('t').startSpan('sampled').end();
    await processor.forceFlush();
    expect(sink.runs.map((r) => r.name)).toEqual(['sampled']);
    expect(processor.stats.queues.slow!.queued).toBe(1);
  });
});

describe('forceFlush', () => {
  it('waits only for what was queued at the call, under steady load into a slow sink', async () => {
    const sink = slowSink(20);
    const { processor, end } = setup({ sinks: [sink], maxExportBatchSize: 10, scheduledDelayMillis: 1, maxQueueSize: 100_000 });
    end(50, 'before');
    let stop = false;
    const load = (async () => {
      for (let i = 0; !stop && i < 2000; i++) {
        end(10, `after${i}-`);
        await sleep(5);
      }
    })();
    const started = Date.now();
    const flushed = await Promise.race([processor.forceFlush().then(() => true), sleep(5000).then(() => false)]);
    const took = Date.now() - started;
    stop = true;
    await load;
    expect(flushed).toBe(true);
    expect(took).toBeLessThan(3000); // 5 batches × 20 ms, on a loaded machine
    expect(sink.runs.filter((r) => r.name.startsWith('before')).length).toBe(50);
  });

  it('is bounded by exportTimeoutMillis against a destination that never answers', async () => {
    const { processor, end } = setup({ sinks: [slowSink(0, { hang: true })], scheduledDelayMillis: 1, exportTimeoutMillis: 400 });
    end(5);
    const started = Date.now();
    await processor.forceFlush();
    expect(Date.now() - started).toBeLessThan(400 + 300);
  });
});

describe('shutdown', () => {
  it('is bounded by shutdownTimeoutMillis, counts what it discards, reports it in one line', async () => {
    const lines = captureNotices();
    const { processor, end } = setup({ sinks: [slowSink(0, { hang: true })], scheduledDelayMillis: 1, maxExportBatchSize: 4, shutdownTimeoutMillis: 300 });
    end(10);
    await sleep(20); // the first batch of 4 is in flight, unanswered
    const started = Date.now();
    await processor.shutdown();
    expect(Date.now() - started).toBeLessThan(300 + 200);
    expect(processor.stats.queues.slow!.discardedAtShutdown).toBe(10);
    expect(lines).toEqual([
      'langsmith-otel-bridge: 10 span(s) not delivered at shutdown; slow: 10 (no answer within 300 ms, LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS)',
    ]);
    await processor.shutdown();
    expect(lines).toHaveLength(1);
  });
});

describe('one retry layer per destination', () => {
  it('OTLP: the exporter retries a 503 with Retry-After; the queue does not retry on top', async () => {
    const collector = await server((req, res) => {
      req.resume();
      res.writeHead(503, { 'retry-after': '3' }).end();
    });
    // Retry-After 3 s, longer than any backoff of the exporter's own that fits its 7 s timeout
    // (1 s, 1.5 s, 2.25 s, each ±20%: at most 2.7 s), so a gap ≥ 2.9 s can only be Retry-After.
    const exporter = new OTLPTraceExporter({ url: `${collector.url}/v1/traces`, timeoutMillis: 7000 });
    const { processor, end } = setup({ exporter, scheduledDelayMillis: 1, exportTimeoutMillis: 10_000 });
    end(3);
    for (let i = 0; i < 150 && processor.stats.queues.exporter!.droppedExportFailed === 0; i++) await sleep(100);
    await sleep(2500); // time for any retry layer above the exporter's
    const gaps = collector.hits.slice(1).map((h, i) => h.at - collector.hits[i]!.at);
    // Attempts at ~0, 3, 6 s: the exporter's own, Retry-After honoured, within its 7 s timeout.
    expect(collector.hits.length).toBeGreaterThanOrEqual(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(2900);
    expect(collector.hits.length).toBeLessThanOrEqual(3);
    expect(processor.stats.queues.exporter).toMatchObject({ failedExports: 1, retries: 0, droppedExportFailed: 3 });
  }, 30_000);

  it('LangSmith: the Client retries a 429; the queue does not retry on top', async () => {
    const api = await busyLangSmithApi(429, '1', 'slow down');
    // A Client configured by the user, with 2 retries instead of 4 to keep the test short.
    const client = new Client({ apiUrl: api.url, apiKey: 'test', autoBatchTracing: true, timeout_ms: 2000, callerOptions: { maxRetries: 2 } });
    const { processor, end } = setup({ sinks: [new LangSmithClientSink({ client: client as never })], scheduledDelayMillis: 1, exportTimeoutMillis: 25_000 });
    end(3);
    for (let i = 0; i < 250 && processor.stats.queues.langsmith!.droppedExportFailed === 0; i++) await sleep(100);
    await sleep(1500);
    const ingest = api.hits.filter((h) => h.url !== '/info');
    expect(ingest.length).toBe(3); // 1 + the Client's 2 retries (before: × the queue's 6 attempts)
    expect(processor.stats.queues.langsmith).toMatchObject({ failedExports: 1, retries: 0, droppedExportFailed: 3 });
  }, 45_000);

  it.each([
    [429, 'langsmith 0.12 loses it'],
    [503, 'the Client never reads it on 503'],
  ])(
    'LangSmith: a %i with Retry-After is honoured by the sink’s own Client (%s)',
    async (status) => {
      const api = await busyLangSmithApi(status, '3', 'busy');
      // The sink builds its own Client (the path the register entry takes).
      const sink = new LangSmithClientSink({ apiKey: 'test', apiUrl: api.url });
      const { end } = setup({ sinks: [sink], scheduledDelayMillis: 1, shutdownTimeoutMillis: 100 });
      end(2);
      const ingest = () => api.hits.filter((h) => h.url !== '/info');
      for (let i = 0; i < 100 && ingest().length < 2; i++) await sleep(100);
      const [first, second] = ingest();
      expect(second).toBeDefined();
      // Without it the Client's own backoff retries after 1–2 s.
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(2900);
    },
    20_000,
  );

  it('a sink without retries of its own gets the queue’s: backoff with jitter, Retry-After from the error', async () => {
    const attempts: number[] = [];
    const sink: RunSink = {
      name: 'flaky',
      async write() {
        attempts.push(Date.now());
        if (attempts.length < 3) throw Object.assign(new Error('503'), { retryAfterMillis: 300 });
      },
    };
    const { processor, end } = setup({ sinks: [sink], scheduledDelayMillis: 1 });
    end(2);
    await processor.forceFlush();
    expect(attempts).toHaveLength(3);
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(290);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(290);
    expect(processor.stats.queues.flaky).toMatchObject({ retries: 2, exported: 2 });
  });
});

describe('nothing dropped without a line', () => {
  it('a collector down says so once, and says when delivery resumes', async () => {
    const lines = captureNotices();
    const first = await server((req, res) => void (req.resume(), res.end()));
    const port = first.port;
    await first.close(); // down: connection refused
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces`, timeoutMillis: 300 });
    const { processor, end } = setup({ exporter, exporterLabel: 'OTLP test', scheduledDelayMillis: 20 });
    for (let i = 0; i < 10; i++) {
      end(2);
      await sleep(100);
    }
    expect(processor.stats.queues.exporter!.droppedExportFailed).toBeGreaterThan(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^langsmith-otel-bridge: OTLP test: spans not delivered \(.*ECONNREFUSED/);
    await server((req, res) => void (req.resume(), req.on('end', () => res.end())), port); // back
    end(2);
    for (let i = 0; i < 50 && lines.length < 3; i++) await sleep(100);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/OTLP test: spans not delivered .*\(\d+ more since the last report, \d+ in all\)$/),
      'langsmith-otel-bridge: OTLP test: delivering again',
    ]);
  }, 20_000);

  it('a full queue: one line at once, then the running count', async () => {
    const lines = captureNotices();
    const { end } = setup({
      sinks: [slowSink(0, { hang: true })],
      maxQueueSize: 4,
      maxExportBatchSize: 4,
      scheduledDelayMillis: 1000,
      shutdownTimeoutMillis: 100,
    });
    end(20);
    expect(lines).toEqual([expect.stringMatching(/^langsmith-otel-bridge: slow: export queue full \(4\), spans dropped/)]);
    notices.flush();
    expect(lines[1]).toMatch(/\(15 more since the last report, 16 in all\)$/);
  });
});

describe('configuration', () => {
  it('traceparentOnly attach with a run store is refused at start, with what to do', () => {
    const env = { LANGSMITH_OTEL_TRACEPARENT_ONLY: 'attach', LANGSMITH_OTEL_FILE: '/tmp/runs.jsonl' };
    expect(() => resolveConfig({ env })).toThrow(BridgeConfigError);
    expect(() => resolveConfig({ env })).toThrow(/LANGSMITH_OTEL_TRACEPARENT_ONLY=attach cannot be used with the run file .*OTLP only/);
    expect(() => resolveConfig({ env: { LANGSMITH_OTEL_TRACEPARENT_ONLY: 'attach' } })).toThrow(/default \.langsmith-otel\/runs\.jsonl/);
    expect(resolveConfig({ env: { LANGSMITH_OTEL_TRACEPARENT_ONLY: 'attach', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' } }).traceparentOnly).toBe('attach');
  });

  it('LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS: the one deadline, default 5000', () => {
    expect(resolveConfig({ env: {} }).shutdownTimeoutMillis).toBe(5000);
    expect(resolveConfig({ env: { LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS: '1500' } }).shutdownTimeoutMillis).toBe(1500);
    expect(() => resolveConfig({ env: { LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS: 'soon' } })).toThrow(/LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS=soon/);
  });
});
