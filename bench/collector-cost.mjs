// Collector cost per 1,000 spans/s: the real collector (scripts/build-stack.sh's
// otelcol-langsmith running collector-config.yaml, both pipelines, Jaeger and the
// ingest stand-in behind it) fed at a fixed span rate, once with spans that went
// through the bridge (its langsmith.* attributes: ~3× the OTLP payload) and once
// with the same spans from a plain OpenTelemetry BatchSpanProcessor. CPU seconds
// (utime + stime) and peak RSS of the collector process from /proc, in one run.
//
//   npm run build && node bench/collector-cost.mjs [--rate 2000] [--seconds 20]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ROOT, procUsage, stackBinaries, startCollector, startJaeger, collectorMetric } from '../scripts/stack.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RATE = arg('rate', 2000); // spans per second
const SECONDS = arg('seconds', 20);
const SPANS_PER_TRACE = 5;

const { startIngestServer } = await import(pathToFileURL(join(ROOT, 'dist/esm/ingest/index.js')).href);
const { createLangSmithBridge } = await import(pathToFileURL(join(ROOT, 'dist/esm/index.js')).href);

const logDir = mkdtempSync(join(tmpdir(), 'collector-cost-'));
const binaries = stackBinaries();
const ingest = await startIngestServer();
const jaeger = await startJaeger(binaries.jaeger, { logDir });
const collector = await startCollector(binaries.otelcol, {
  logDir,
  env: {
    LANGSMITH_API_KEY: 'bench',
    LANGSMITH_OTLP_TRACES_ENDPOINT: `${ingest.url}/otel/v1/traces`,
    JAEGER_OTLP_GRPC_ENDPOINT: jaeger.otlpGrpc,
    TAIL_SAMPLING_DECISION_WAIT: '5s',
  },
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const url = `${collector.httpUrl}/v1/traces`;
const queue = { maxQueueSize: 65536, maxExportBatchSize: 512, scheduledDelayMillis: 200 };

/** One trace like the demo agent's: a server span, a chain, two LLM calls and a tool. */
function emitTrace(tracer) {
  tracer.startActiveSpan('POST /run', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'url.path': '/run' } }, (server) => {
    tracer.startActiveSpan('agent', { attributes: { 'input.value': 'How does OpenTelemetry propagate context?' } }, (agent) => {
      for (const name of ['chat fake-gpt', 'chat fake-gpt']) {
        const llm = tracer.startSpan(name, {
          kind: SpanKind.CLIENT,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'fake-gpt',
            'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan how to answer the question.' }] }]),
            'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'search, then answer' }] }]),
            'gen_ai.usage.input_tokens': 27,
            'gen_ai.usage.output_tokens': 19,
          },
        });
        llm.end();
      }
      const tool = tracer.startSpan('execute_tool search', { attributes: { 'gen_ai.tool.name': 'search', 'input.value': 'context' } });
      tool.setStatus({ code: SpanStatusCode.UNSET });
      tool.end();
      agent.end();
    });
    server.end();
  });
}

async function phase(name, spanProcessor) {
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': `cost-${name}` }), spanProcessors: [spanProcessor] });
  const tracer = provider.getTracer('collector-cost');
  const acceptedBefore = await collectorMetric(collector.metricsUrl, 'otelcol_receiver_accepted_spans');
  const before = procUsage(collector.pid);
  let peakRss = before.rssBytes;
  const tracesPerTick = RATE / SPANS_PER_TRACE / 10; // 100 ms ticks
  let carry = 0;
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000) {
    carry += tracesPerTick;
    for (; carry >= 1; carry--) emitTrace(tracer);
    peakRss = Math.max(peakRss, procUsage(collector.pid)?.rssBytes ?? 0);
    await new Promise((r) => setTimeout(r, 100));
  }
  await provider.forceFlush();
  await provider.shutdown();
  // Let the collector finish the window's work (decision wait 5 s + batch 1 s).
  for (let i = 0; i < 70; i++) {
    peakRss = Math.max(peakRss, procUsage(collector.pid)?.rssBytes ?? 0);
    await new Promise((r) => setTimeout(r, 100));
  }
  const after = procUsage(collector.pid);
  const accepted = (await collectorMetric(collector.metricsUrl, 'otelcol_receiver_accepted_spans')) - acceptedBefore;
  const elapsed = (Date.now() - started) / 1000;
  const spansPerSecond = accepted / SECONDS;
  const cpu = after.cpuSeconds - before.cpuSeconds;
  return {
    name,
    accepted,
    spansPerSecond: Math.round(spansPerSecond),
    collectorCpuSeconds: +cpu.toFixed(2),
    // CPU over the send window plus the drain, as a share of one core, per 1,000 spans/s sent.
    cpuCoresPer1kSpansPerSecond: +(cpu / SECONDS / (spansPerSecond / 1000)).toFixed(3),
    peakRssMiB: +(peakRss / 2 ** 20).toFixed(0),
    elapsed: +elapsed.toFixed(1),
  };
}

try {
  const bridge = await createLangSmithBridge({
    otlp: { url },
    instrumentHttp: false,
    instrumentFetch: false,
    quiet: true,
    langsmithOtelMode: false,
    queue,
    env: {},
  });
  const results = [];
  // Idle first: the baseline RSS and CPU of a collector with nothing to do.
  const idle0 = procUsage(collector.pid);
  await new Promise((r) => setTimeout(r, 5000));
  const idle1 = procUsage(collector.pid);
  results.push({ name: 'idle', collectorCpuSeconds: +(idle1.cpuSeconds - idle0.cpuSeconds).toFixed(2), peakRssMiB: +(idle1.rssBytes / 2 ** 20).toFixed(0) });
  results.push(await phase('plain', new BatchSpanProcessor(new OTLPTraceExporter({ url }), queue)));
  results.push(await phase('bridge', bridge.spanProcessor));
  console.log(JSON.stringify({ rate: RATE, seconds: SECONDS, results }, null, 2));
} finally {
  await collector.stop();
  await jaeger.stop();
  await ingest.close();
}
