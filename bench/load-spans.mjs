// Drops and memory under a span load: the bridge's processor against a bare
// BatchSpanProcessor, each in a fresh process, both with their default queues
// (2,048 spans, batches of 512, 1 s delay) and the same OTLP/protobuf exporter
// to a fast local receiver (bench/two-hop/drain.mjs: answers at once). A fast
// exporter should never cause drops (issue 10).
//
// The generator ends HTTP server spans (instrumentation-http's attributes, two
// children per trace) at a fixed rate in 10 ms ticks, after a warm-up export,
// then flushes and shuts down. Dropped = spans ended − spans handed to the exporter (the same count
// for both: BatchSpanProcessor keeps its own drop count private). RSS from
// process.memoryUsage() every 100 ms: the rise is peak − before the first span.
//
//   node bench/load-spans.mjs   Env: SPAN_LOAD_TOTAL (512000), SPAN_LOAD_RATE
//   (spans/s, 25000), SPAN_LOAD_ROUNDS (processes per variant, alternating; 3)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { fmtRatio, ratios, spread, table } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TOTAL = Number(process.env.SPAN_LOAD_TOTAL ?? 512_000);
const RATE = Number(process.env.SPAN_LOAD_RATE ?? 25_000);
const ROUNDS = Number(process.env.SPAN_LOAD_ROUNDS ?? 3);
const TICK_MS = 10;

async function worker(variant, url) {
  const { ROOT_CONTEXT, SpanKind, trace } = await import('@opentelemetry/api');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { httpAttributes } = await import('./processor.mjs');
  const otlp = new OTLPTraceExporter({ url });
  let exported = 0;
  const exporter = {
    export(spans, cb) {
      exported += spans.length;
      otlp.export(spans, cb);
    },
    shutdown: () => otlp.shutdown(),
    forceFlush: () => otlp.forceFlush(),
  };
  let processor;
  if (variant === 'bridge') {
    const lib = await import('../dist/esm/index.js');
    processor = new lib.LangSmithSpanProcessor({ exporter });
  } else {
    processor = new BatchSpanProcessor(exporter);
  }
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('load');
  const attrs = Array.from({ length: 64 }, (_, i) => httpAttributes(i));
  // Warm-up, not counted: the exporter's first export loads its HTTP and
  // protobuf modules (hundreds of ms on a busy machine), which would turn the
  // first second into a burst larger than any queue.
  for (let i = 0; i < 1024; i++) tracer.startSpan('warm-up', { attributes: attrs[i % 64] }).end();
  await processor.forceFlush();
  exported = 0;
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  let ended = 0;
  const t0 = performance.now();
  while (ended < TOTAL) {
    // Catch up to the schedule, by at most two ticks' worth at once: a
    // generator that fell behind (a GC pause, a busy core) does not turn its
    // delay into a burst no real service would send; the rate achieved says
    // whether it kept up.
    const due = Math.min(TOTAL, Math.ceil(((performance.now() - t0) / 1000) * RATE), ended + Math.ceil((2 * RATE * TICK_MS) / 1000));
    while (ended < due) {
      const root = tracer.startSpan('POST /ask', { kind: SpanKind.SERVER, attributes: attrs[ended % 64] });
      const ctx = trace.setSpan(ROOT_CONTEXT, root);
      for (let c = 0; c < 2 && ended + 1 < due; c++) {
        tracer.startSpan('handle', { kind: SpanKind.INTERNAL }, ctx).end();
        ended++;
      }
      root.end();
      ended++;
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const seconds = (performance.now() - t0) / 1000;
  await processor.forceFlush();
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(sampler);
  await provider.shutdown();
  const bridgeDropped = variant === 'bridge' ? processor.stats.dropped : undefined;
  process.stdout.write(
    `RESULT ${JSON.stringify({ variant, ended, exported, dropped: ended - exported, bridgeDropped, seconds, rate: ended / seconds, rssBeforeMB: rssBefore / 2 ** 20, rssRiseMB: (peak - rssBefore) / 2 ** 20 })}\n`,
  );
}

function child(args, env = {}) {
  const c = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...args], {
    env: { ...process.env, ...env, LANGSMITH_OTEL_QUIET: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return c;
}

function outputOf(c, pattern) {
  return new Promise((resolve, reject) => {
    let out = '';
    c.stdout.on('data', (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) resolve(m[1]);
    });
    c.on('exit', (code) => reject(new Error(`load-spans child exited ${code} before answering`)));
  });
}

export async function run() {
  const drain = spawn(process.execPath, [join(here, 'two-hop/drain.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await outputOf(drain, /LISTENING (\d+)/);
    const results = { plain: [], bridge: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const variant of r % 2 ? ['bridge', 'plain'] : ['plain', 'bridge']) {
        const c = child(['--worker', variant, `http://127.0.0.1:${port}/${variant}/v1/traces`]);
        const result = JSON.parse(await outputOf(c, /RESULT (.*)\n/));
        // Nothing exported would read as "no RSS, no work": refuse it.
        if (!(result.exported > 0)) throw new Error(`load-spans: the ${variant} variant exported no spans`);
        results[variant].push(result);
      }
    }
    const f = (v, k) => results[v].map((x) => x[k]);
    return {
      title: 'Drops and RSS under a span load',
      settings: { total: TOTAL, rate: RATE, rounds: ROUNDS },
      results,
      dropped: { plain: spread(f('plain', 'dropped')), bridge: spread(f('bridge', 'dropped')) },
      rssRiseMB: { plain: spread(f('plain', 'rssRiseMB')), bridge: spread(f('bridge', 'rssRiseMB')) },
      rssRiseRatio: spread(ratios(f('bridge', 'rssRiseMB'), f('plain', 'rssRiseMB'))),
      rate: { plain: spread(f('plain', 'rate')), bridge: spread(f('bridge', 'rate')) },
    };
  } finally {
    drain.kill('SIGTERM');
  }
}

const n0 = (s, d = 0) => `${s.median.toFixed(d)} [${s.min.toFixed(d)}–${s.max.toFixed(d)}]`;

export function markdown(r) {
  const { settings: st } = r;
  return [
    `${st.total.toLocaleString('en-US')} HTTP spans at ${st.rate.toLocaleString('en-US')} spans/s per process, default queues, OTLP/protobuf to a local receiver that answers at once; ${st.rounds} processes per variant, alternating; median [min–max]. Dropped = spans ended − spans handed to the exporter.`,
    '',
    table(
      ['variant', 'spans dropped', 'peak RSS rise', 'rate achieved'],
      ['plain', 'bridge'].map((v) => [
        v === 'plain' ? 'bare `BatchSpanProcessor` → OTLP' : 'the bridge (`LangSmithSpanProcessor` → OTLP)',
        n0(r.dropped[v]),
        `${n0(r.rssRiseMB[v], 1)} MB`,
        `${n0(r.rate[v])} spans/s`,
      ]),
    ),
    '',
    `Targets (issue 10): no drops with a fast exporter (${r.dropped.bridge.max === 0 ? '✔' : '**✘**'}); peak RSS rise ≤ 1.3× plain's (${fmtRatio(r.rssRiseRatio)} ${r.rssRiseRatio.median <= 1.3 ? '✔' : '**✘**'}).`,
  ].join('\n');
}

if (process.argv[2] === '--worker') {
  await worker(process.argv[3], process.argv[4]);
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(markdown(await run()));
}
