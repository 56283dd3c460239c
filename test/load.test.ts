/**
 * The CI share of bench/load.mjs: the three demo services (gateway → agent →
 * native) with the local ingest, 300 requests at concurrency 16 (every 10th
 * failing), then: count in = count out, one connected tree per request, zero
 * orphans. The full size (10,000 at 64) is `node bench/load.mjs`.
 *
 * Runs the compiled sources from the private snapshot test/global-setup.ts
 * makes (not the shared dist/, which a concurrent `npm run build` deletes);
 * compiled here when global setup skipped it (this file run alone).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSnapshot, REPO, type E2eBuild } from './global-setup.js';

interface LoadReport {
  requests: number;
  failing: number;
  latencyMs: { p50: number; p99: number; max: number };
  throughputPerSecond: number;
  expectedRunsPerRequest: { ok: number; fail: number };
  runs: { expected: number; arrived: number };
  traces: number;
  orphans: number;
  violations: number;
  violationKinds: Record<string, number>;
  dropped: number;
  spansNeverEnded: number;
  failures: string[];
  pass: boolean;
}
type RunLoad = (options: {
  requests: number;
  concurrency: number;
  dist: string;
  timeoutMs?: number;
  echoStderr?: boolean;
  log?: (line: string) => void;
}) => Promise<LoadReport>;

const REQUESTS = 300;
const CONCURRENCY = 16;

describe(`load (CI share): ${REQUESTS} requests at concurrency ${CONCURRENCY} through the three demo services`, () => {
  let build: E2eBuild;
  let report: LoadReport;

  beforeAll(async () => {
    build = inject('e2eBuild');
    if (!build.ok) build = buildSnapshot();
    if (!build.ok) throw new Error(`could not compile src/: ${build.message}`);
    // A path, not a module specifier: bench/ is plain JavaScript without declarations.
    const { runLoad } = (await import(pathToFileURL(path.join(REPO, 'bench/load.mjs')).href)) as { runLoad: RunLoad };
    report = await runLoad({
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      dist: path.join(build.dir, 'dist/esm'),
      timeoutMs: 100_000,
      echoStderr: false,
      log: () => undefined,
    });
    process.stderr.write(
      `[load] p50 ${report.latencyMs.p50.toFixed(1)} ms, p99 ${report.latencyMs.p99.toFixed(1)} ms, ` +
        `${report.throughputPerSecond.toFixed(0)} req/s; runs ${report.runs.arrived}/${report.runs.expected}, ` +
        `traces ${report.traces}, orphans ${report.orphans}, violations ${report.violations}, dropped ${report.dropped}\n` +
        report.failures.map((f) => `[load] ${f.slice(0, 400)}\n`).join(''),
    );
  }, 120_000);

  it('every request produced runs of its shape (a failing request fewer than a successful one)', () => {
    expect(report.expectedRunsPerRequest.ok).toBeGreaterThan(report.expectedRunsPerRequest.fail);
    expect(report.expectedRunsPerRequest.fail).toBeGreaterThan(0);
    expect(report.failing).toBe(REQUESTS / 10);
  });

  it('count in = count out: every request’s runs arrived, none extra', () => {
    expect(report.runs.arrived).toBe(report.runs.expected);
    expect(report.dropped).toBe(0);
  });

  it('one connected tree per request, each with the run count of its shape', () => {
    expect(report.traces).toBe(REQUESTS);
    const perRequest = report.failures.filter((f) => /without a trace|split over several traces|wrong run count|not attributable|wrong error marking/.test(f));
    expect(perRequest).toEqual([]);
  });

  it('zero orphans', () => {
    expect(report.orphans).toBe(0);
  });
});
