// Side-by-side timing shared by every benchmark: candidates run interleaved in
// the same process, several rounds, so machine noise hits all alike. Every
// figure is reported as median [min–max] over the rounds, and every ratio is
// taken round by round (a candidate against its anchor timed in the same
// round), so a busy moment on this shared machine widens the spread instead
// of tilting one side.
import os from 'node:os';

/** Runs `fn` `iterations` times and returns ns per call. */
function time(fn, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}

/** As `time` for a function that returns a promise per batch: ns per unit of work. */
async function timeAsync(fn, units) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / units;
}

/** Rounds and iterations scale with BENCH_SCALE (e.g. 0.2 for a smoke run). */
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const scaled = (n, min) => Math.max(min, Math.round(n * SCALE));

function order(names, r) {
  // Alternating direction: no candidate always runs right after the same one.
  return r % 2 ? names : [...names].reverse();
}

/**
 * @param {Record<string, (i: number) => unknown>} candidates
 * @returns {Record<string, number[]>} ns/op per candidate, one sample per round
 */
export function compare(candidates, { iterations = 20_000, rounds = 15, warmup = 3 } = {}) {
  const names = Object.keys(candidates);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const its = scaled(iterations, 100);
  const total = warmup + scaled(rounds, 3);
  for (let r = 0; r < total; r++) {
    for (const name of order(names, r)) {
      const ns = time(candidates[name], its);
      if (r >= warmup) samples[name].push(ns);
    }
  }
  return samples;
}

/**
 * Async variant: each candidate is `{ units, run }`, `run()` doing `units`
 * units of work (e.g. end 1,000 spans and await their export).
 * @returns {Record<string, number[]>} ns per unit, one sample per round
 */
export async function compareAsync(candidates, { rounds = 15, warmup = 3 } = {}) {
  const names = Object.keys(candidates);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const total = warmup + scaled(rounds, 3);
  for (let r = 0; r < total; r++) {
    for (const name of order(names, r)) {
      const ns = await timeAsync(candidates[name].run, candidates[name].units);
      if (r >= warmup) samples[name].push(ns);
    }
  }
  return samples;
}

/** Median (the lower middle for an even count: a value that was measured), min and max. */
export function spread(values) {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)], min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** Per-round ratios a[i] / b[i] (same round, interleaved). */
export function ratios(a, b) {
  const n = Math.min(a.length, b.length);
  const out = [];
  for (let i = 0; i < n; i++) out.push(a[i] / b[i]);
  return out;
}

export function fmtNs(ns) {
  if (!Number.isFinite(ns)) return 'n/a';
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}

/** `1.23 µs [1.10–1.50]`: the median with the range, in the median's unit. */
export function fmtNsSpread(s) {
  if (!Number.isFinite(s.median)) return 'n/a';
  if (s.median >= 1000) return `${(s.median / 1000).toFixed(2)} µs [${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)}]`;
  return `${s.median.toFixed(0)} ns [${s.min.toFixed(0)}–${s.max.toFixed(0)}]`;
}

/** `1.07× [0.98–1.21]` */
export function fmtRatio(s, digits = 2) {
  if (!Number.isFinite(s.median)) return 'n/a';
  return `${s.median.toFixed(digits)}× [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]`;
}

/** `+7% [−2, +21]` for ratios 1.07 [0.98–1.21]. */
export function fmtPercent(s) {
  if (!Number.isFinite(s.median)) return 'n/a';
  const p = (r) => {
    const v = Math.round((r - 1) * 100);
    return v < 0 ? `−${-v}` : `+${v}`;
  };
  return `${p(s.median)}% [${p(s.min)}, ${p(s.max)}]`;
}

/** `61,234/s [55,010–64,900]` for ns-per-unit samples. */
export function fmtRate(s) {
  if (!Number.isFinite(s.median)) return 'n/a';
  const r = (ns) => Math.round(1e9 / ns).toLocaleString('en-US');
  // A higher ns is a lower rate: the range flips.
  return `${r(s.median)}/s [${r(s.max)}–${r(s.min)}]`;
}

/** The machine every figure was taken on. */
export function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadavg: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
}

export function fmtMachine(m) {
  return `${m.cores} cores, ${m.cpu}, Node ${m.node}, ${m.platform}; load average at start ${m.loadavg.join(' / ')}`;
}

/**
 * A markdown table; `rows` are arrays of cells. Returns the text (callers
 * print it and keep it for the README).
 */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
