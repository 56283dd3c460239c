// The three demo services (src/demo/run.ts's wiring) on loopback, reporting to
// a local LangSmith-compatible ingest server in this process — as a library
// for bench/load.mjs and test/load.test.ts.
//
//   gateway (OTel + bridge, trusts no caller) → agent (OTel + bridge +
//   traceable in OTel mode, trusts loopback) → native (LangSmith-native)
//
// `dist` is the compiled `dist/esm` to run (default: this checkout's); the
// tests pass a private snapshot so a concurrent `npm run build` cannot pull
// the files from under them.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// track(): every child started by any stack in this process is killed if the process exits first.
import { track } from '../scripts/stack.mjs';

export { rssOf } from '../scripts/stack.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_DIST = resolve(here, '../dist/esm');
const STATS_LINE = /^BRIDGE_STATS (.*)$/m;
/** stderr lines per service echoed to ours (the rest are counted, not shown). */
const ECHO_LINES = 20;

/**
 * `options.ingest`: an ingest server the caller started (and closes); the
 * stack test passes the one that also stands in for LangSmith's /otel behind
 * the collector.
 *
 * @param {{ dist?: string, project?: string, env?: Record<string,string>, echoStderr?: boolean, startTimeoutMs?: number, ingest?: { url: string, close(): Promise<void> } }} [options]
 */
export async function startDemoStack(options = {}) {
  const dist = options.dist ?? DEFAULT_DIST;
  const { startIngestServer } = await import(pathToFileURL(join(dist, 'ingest/index.js')).href);
  // The same three services, trust policies and wiring as `npm run demo`.
  const { startDemoServices } = await import(pathToFileURL(join(dist, 'demo/topology.js')).href);
  const registerEntry = join(dist, 'register.js');
  // The load check counts every run of every request (10,000 requests × 11 runs by default):
  // bounds well above that, not the ingest server's defaults (100,000 runs, 64 MiB), which would evict.
  const ownIngest = options.ingest === undefined;
  const ingest = options.ingest ?? (await startIngestServer({ maxRuns: 2_000_000, maxBytes: 4 * 1024 ** 3 }));

  const baseEnv = { ...process.env };
  // Local ingest only, whatever the calling shell exports.
  for (const key of Object.keys(baseEnv)) {
    if (key.startsWith('OTEL_EXPORTER_OTLP_') || key.startsWith('LANGCHAIN_')) delete baseEnv[key];
  }
  Object.assign(baseEnv, {
    LANGSMITH_PROJECT: options.project ?? 'langsmith-otel-bridge-load',
    LANGSMITH_TRACING: 'true',
    LANGSMITH_ENDPOINT: ingest.url,
    LANGSMITH_API_KEY: 'local-demo',
    LANGSMITH_OTEL_FILE: '',
    DEMO_BRIDGE_STATS: 'true',
    // The agent makes ~6 spans a request: at ~450 req/s that is ~2,700 spans/s into
    // a direct-ingest queue; OpenTelemetry's default bound (2048) absorbs under a
    // second of a stalled export. A service this busy raises the bound:
    OTEL_BSP_MAX_QUEUE_SIZE: process.env.OTEL_BSP_MAX_QUEUE_SIZE ?? '16384',
    ...options.env,
  });
  const services = {};
  const start = (name, nodeArgs, env) => startService(name, join(dist, 'demo/services', `${name}.js`), nodeArgs, env, options);
  try {
    await startDemoServices(start, registerEntry, baseEnv, services);
  } catch (err) {
    await Promise.all(Object.values(services).map((s) => s.stop(2000)));
    if (ownIngest) await ingest.close();
    throw err;
  }

  let stopped;
  const stopAll = (killAfterMs) =>
    (stopped ??= (async () => {
      const names = Object.keys(services);
      const results = await Promise.all(names.map((n) => services[n].stop(killAfterMs)));
      return Object.fromEntries(names.map((n, i) => [n, results[i]]));
    })());
  return {
    ingest,
    services,
    gatewayUrl: services.gateway.url,
    /**
     * SIGTERM to every service (they flush on exit), SIGKILL after `killAfterMs`.
     * Resolves per service: exit code/signal, whether it had to be killed, its
     * bridge stats (gateway, agent), its stderr line count and notable lines.
     */
    stop: (killAfterMs = 60_000) => stopAll(killAfterMs),
    /** Stops the services (if not yet) and closes the ingest server. */
    close: async (killAfterMs = 10_000) => {
      const result = await stopAll(killAfterMs);
      if (ownIngest) await ingest.close();
      return result;
    },
  };
}

function startService(name, script, nodeArgs, env, options) {
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const pid = child.pid;
  let stdout = '';
  let stderr = '';
  let stderrLines = 0;
  let exited;
  const exitPromise = new Promise((res) => child.once('exit', (code, signal) => res((exited = { code, signal }))));
  // The langsmith SDK's OTel-mode translator logs (console.debug) an update whose span it does not hold:
  // a patch processed before its post, after which the traceable's span is never ended.
  let sdkUpdatesWithoutSpan = 0;
  child.stdout.on('data', (d) => {
    const text = d.toString();
    sdkUpdatesWithoutSpan += (text.match(/No span found for run \S+ during update/g) ?? []).length;
    if (stdout.length < 64 * 1024) stdout += text;
  });
  child.stderr.on('data', (d) => {
    const text = d.toString();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      stderrLines++;
      if (line.startsWith('BRIDGE_STATS ') || stderr.length < 256 * 1024) stderr += line + '\n';
      if (options.echoStderr !== false && stderrLines <= ECHO_LINES && !line.startsWith('BRIDGE_STATS ')) {
        process.stderr.write(`[${name}] ${line}\n`);
      }
    }
  });
  let killed = false;
  const stop = async (killAfterMs) => {
    if (!exited) {
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, killAfterMs);
      child.kill('SIGTERM');
      await exitPromise;
      clearTimeout(timer);
    }
    const statsMatch = STATS_LINE.exec(stderr);
    return {
      pid,
      ...exited,
      killed,
      bridgeStats: statsMatch ? JSON.parse(statsMatch[1]) : undefined,
      stderrLines,
      // The langsmith Client's own drop warning (AutoBatchQueue over its memory limit).
      clientDropWarnings: (stderr.match(/Dropping run with id/g) ?? []).length,
      sdkUpdatesWithoutSpan,
      stderr,
    };
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${options.startTimeoutMs ?? 20_000} ms:\n${stdout}${stderr}`));
    }, options.startTimeoutMs ?? 20_000);
    child.stdout.on('data', () => {
      const match = /LISTENING (\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ name, pid, child, url: `http://127.0.0.1:${match[1]}`, stop });
      }
    });
    exitPromise.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}, signal ${signal}) before listening:\n${stdout}${stderr}`));
    });
  });
}
