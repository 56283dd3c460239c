// startStack(): the ingest stand-in, Jaeger, the collector tier (one collector, or
// the load-balancing tier and two sampling replicas) and the demo services.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LOADBALANCING_CONFIG, ROOT } from './paths.mjs';
import { startCollector, startJaeger } from './programs.mjs';

/**
 * The stack: ingest stand-in, Jaeger, the collector tier, the demo services.
 *
 * @param {{
 *   binaries: { otelcol: string, jaeger: string },
 *   scaleOut?: boolean,          // load_balancing tier + two sampling replicas
 *   replicaIngests?: boolean,    // scale-out: each replica exports to its own ingest server (stack.replicaIngests)
 *   decisionWait?: string,       // TAIL_SAMPLING_DECISION_WAIT
 *   latencyMs?: number,          // TAIL_SAMPLING_LATENCY_MS
 *   protocol?: string,           // OTEL_EXPORTER_OTLP_PROTOCOL of the demo services
 *   demoEnv?: Record<string,string>,
 *   onRun?: (run) => void,       // the ingest stand-in's onRun
 *   logDir?: string,
 *   echoStderr?: boolean,
 *   dist?: string,               // compiled dist/esm to run (default: this checkout's)
 * }} options
 */
export async function startStack(options) {
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'lsob-stack-'));
  mkdirSync(logDir, { recursive: true });
  const dist = options.dist ?? join(ROOT, 'dist', 'esm');
  const { startIngestServer } = await import(pathToFileURL(join(dist, 'ingest', 'index.js')).href);
  const { startDemoStack } = await import(pathToFileURL(join(ROOT, 'bench', 'demo-stack.mjs')).href);
  const stopped = [];
  const stack = { logDir, collectors: [], replicaIngests: [] };
  const startDemo = (protocol = 'http/protobuf', demoEnv = {}) =>
    startDemoStack({
      dist,
      ingest: stack.ingest,
      echoStderr: options.echoStderr ?? false,
      project: 'langsmith-otel-bridge-stack',
      env: {
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT: protocol === 'grpc' ? stack.entry.grpcUrl : stack.entry.httpUrl,
        // Spans leave each service within 200 ms, well inside the decision wait.
        OTEL_BSP_SCHEDULE_DELAY: '200',
        ...demoEnv,
      },
    });
  try {
    stack.ingest = await startIngestServer(options.onRun ? { onRun: options.onRun } : {});
    stopped.push(() => stack.ingest.close());
    stack.jaeger = await startJaeger(options.binaries.jaeger, { logDir });
    stopped.push(() => stack.jaeger.stop());

    const samplingEnv = (ingestUrl) => ({
      LANGSMITH_API_KEY: 'local-stack',
      LANGSMITH_OTLP_TRACES_ENDPOINT: `${ingestUrl}/otel/v1/traces`,
      JAEGER_OTLP_GRPC_ENDPOINT: stack.jaeger.otlpGrpc,
      TAIL_SAMPLING_DECISION_WAIT: options.decisionWait ?? '30s',
      TAIL_SAMPLING_LATENCY_MS: String(options.latencyMs ?? 2000),
    });
    if (options.scaleOut) {
      // With `replicaIngests`, each replica reports LangSmith-bound spans to its own
      // ingest server, so the test can tell which replica received which span.
      const replicas = [];
      for (const n of [1, 2]) {
        let ingestUrl = stack.ingest.url;
        if (options.replicaIngests) {
          const ingest = await startIngestServer();
          stack.replicaIngests.push(ingest);
          stopped.push(() => ingest.close());
          ingestUrl = ingest.url;
        }
        const replica = await startCollector(options.binaries.otelcol, { name: `collector-sampling-${n}`, env: samplingEnv(ingestUrl), logDir });
        stopped.push(() => replica.stop());
        replicas.push(replica);
      }
      const lb = await startCollector(options.binaries.otelcol, {
        name: 'loadbalancer',
        config: LOADBALANCING_CONFIG,
        env: { SAMPLING_TIER_1: replicas[0].grpcEndpoint, SAMPLING_TIER_2: replicas[1].grpcEndpoint },
        logDir,
      });
      stopped.push(() => lb.stop());
      stack.collectors = [lb, ...replicas];
      stack.entry = lb;
    } else {
      const collector = await startCollector(options.binaries.otelcol, { env: samplingEnv(stack.ingest.url), logDir });
      stopped.push(() => collector.stop());
      stack.collectors = [collector];
      stack.entry = collector;
    }

    stack.demo = await startDemo(options.protocol, options.demoEnv);
    stopped.push(() => stack.demo.stop(20_000));
  } catch (err) {
    for (const stop of stopped.reverse()) await stop().catch(() => {});
    err.message += `\n(stack logs in ${logDir})`;
    throw err;
  }
  stack.gatewayUrl = stack.demo.gatewayUrl;
  /**
   * Stops the demo services (they flush; resolves with their exit reports and
   * bridge stats) and starts new ones with `protocol` and `demoEnv`.
   */
  stack.restartDemo = async (protocol, demoEnv) => {
    const report = await stack.demo.stop(20_000);
    stack.demo = await startDemo(protocol, demoEnv);
    stack.gatewayUrl = stack.demo.gatewayUrl;
    return report;
  };
  /** Stops everything, services first (they flush into the collector), in reverse start order. */
  stack.close = async () => {
    const results = [];
    for (const stop of stopped.reverse()) results.push(await stop().catch((err) => err));
    stopped.length = 0;
    return results;
  };
  return stack;
}
