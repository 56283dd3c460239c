// The stack's two Go programs: where scripts/build-stack.sh puts them, Jaeger and
// collector processes on free loopback ports, and what a collector says and counts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BUILD_SCRIPT, COLLECTOR_CONFIG, JAEGER_CONFIG, LOOPBACK } from './paths.mjs';
import { freePort, goProgram } from './processes.mjs';

/**
 * Paths of the two binaries; with `build`, builds what is missing first
 * (scripts/build-stack.sh; its progress goes to stderr).
 * @returns {{ otelcol: string, jaeger: string }}
 */
export function stackBinaries({ build = false } = {}) {
  const run = spawnSync('bash', [BUILD_SCRIPT, ...(build ? [] : ['--paths'])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', build ? 'inherit' : 'pipe'],
  });
  if (run.status !== 0) throw new Error(`scripts/build-stack.sh failed (exit ${run.status})${run.stderr ? `:\n${run.stderr}` : ''}`);
  const get = (key) => new RegExp(`^${key}=(.*)$`, 'm').exec(run.stdout)?.[1];
  return { otelcol: get('OTELCOL'), jaeger: get('JAEGER') };
}

/** Jaeger v2 with stack/jaeger-config.yaml on free loopback ports. */
export async function startJaeger(bin, { logDir }) {
  const [grpc, http, query, queryGrpc, health, metrics] = await Promise.all(Array.from({ length: 6 }, freePort));
  const env = {
    ...process.env,
    JAEGER_OTLP_GRPC_ENDPOINT_LISTEN: `${LOOPBACK}:${grpc}`,
    JAEGER_OTLP_HTTP_ENDPOINT_LISTEN: `${LOOPBACK}:${http}`,
    JAEGER_QUERY_HTTP_ENDPOINT: `${LOOPBACK}:${query}`,
    JAEGER_QUERY_GRPC_ENDPOINT: `${LOOPBACK}:${queryGrpc}`,
    JAEGER_HEALTH_ENDPOINT: `${LOOPBACK}:${health}`,
    JAEGER_METRICS_HOST: LOOPBACK,
    JAEGER_METRICS_PORT: String(metrics),
  };
  const program = goProgram('jaeger', bin, [`--config=${JAEGER_CONFIG}`], env, {
    log: join(logDir, 'jaeger.log'),
    readyUrl: `http://${LOOPBACK}:${health}/status`,
  });
  await program.start();
  return Object.assign(program, { otlpGrpc: `${LOOPBACK}:${grpc}`, queryUrl: `http://${LOOPBACK}:${query}` });
}

/**
 * One collector process running `config` (unmodified) with its listeners on
 * free loopback ports and `env` for the rest of its ${env:…} values.
 */
export async function startCollector(bin, { name = 'collector', config = COLLECTOR_CONFIG, env = {}, logDir }) {
  const [grpc, http, health, metrics] = await Promise.all(Array.from({ length: 4 }, freePort));
  const fullEnv = {
    ...process.env,
    COLLECTOR_OTLP_GRPC_ENDPOINT: `${LOOPBACK}:${grpc}`,
    COLLECTOR_OTLP_HTTP_ENDPOINT: `${LOOPBACK}:${http}`,
    COLLECTOR_HEALTH_ENDPOINT: `${LOOPBACK}:${health}`,
    COLLECTOR_METRICS_HOST: LOOPBACK,
    COLLECTOR_METRICS_PORT: String(metrics),
    ...env,
  };
  const program = goProgram(name, bin, [`--config=${config}`], fullEnv, {
    log: join(logDir, `${name}.log`),
    readyUrl: `http://${LOOPBACK}:${health}/`,
  });
  await program.start();
  return Object.assign(program, {
    grpcEndpoint: `${LOOPBACK}:${grpc}`,
    grpcUrl: `http://${LOOPBACK}:${grpc}`,
    httpUrl: `http://${LOOPBACK}:${http}`,
    metricsUrl: `http://${LOOPBACK}:${metrics}/metrics`,
  });
}

/** `otelcol validate --config=<file>`: what the collector itself says about a config. */
export function validateConfig(bin, config, env = {}) {
  const run = spawnSync(bin, ['validate', `--config=${config}`], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { ok: run.status === 0, status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

/** Sum of a counter in the collector's Prometheus metrics, over the series whose labels match. */
export async function collectorMetric(metricsUrl, name, labelMatch = /.*/) {
  const text = await (await fetch(metricsUrl)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\w+)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && (m[1] === name || m[1] === `${name}_total`) && labelMatch.test(m[2] ?? '')) sum += Number(m[3]);
  }
  return sum;
}
