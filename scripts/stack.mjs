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
//
// The pieces live in scripts/local-stack/ (paths, processes, programs, start-stack,
// jaeger-query, tail-sampling); this file re-exports them and is the command line.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jaegerTrace } from './local-stack/jaeger-query.mjs';
import { ROOT } from './local-stack/paths.mjs';
import { stackBinaries } from './local-stack/programs.mjs';
import { startStack } from './local-stack/start-stack.mjs';

export { COLLECTOR_CONFIG, JAEGER_CONFIG, LOADBALANCING_CONFIG, ROOT } from './local-stack/paths.mjs';
export { freePort, procUsage, rssOf, track } from './local-stack/processes.mjs';
export { collectorMetric, stackBinaries, startCollector, startJaeger, validateConfig } from './local-stack/programs.mjs';
export { startStack } from './local-stack/start-stack.mjs';
export { jaegerTrace, jaegerTraceIds } from './local-stack/jaeger-query.mjs';
export { binomialInterval, probabilisticKeeps } from './local-stack/tail-sampling.mjs';

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
  const traceIds = [
    ...new Set(
      stack.ingest
        .runs()
        .filter((r) => r.source === 'otlp' && r.otel)
        .map((r) => r.otel.traceId),
    ),
  ];
  for (const traceId of traceIds) {
    const runs = stack.ingest.runs().filter((r) => r.otel?.traceId === traceId);
    const error = runs.some((r) => r.otel.status?.code === 2);
    const inJaeger = await jaegerTrace(stack.jaeger.queryUrl, traceId).catch(() => undefined);
    console.log(
      `trace ${traceId}${error ? ' (error)' : ''}: LangSmith stand-in ${runs.length} runs (root ${runs.find((r) => !r.parent_run_id)?.id ?? '?'}); ` +
        (inJaeger
          ? `Jaeger ${inJaeger.spans.length} spans: ${stack.jaeger.queryUrl}/api/traces/${traceId}`
          : 'Jaeger: sampled away (10% of error-free, fast traces are kept)'),
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
