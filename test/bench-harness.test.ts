/**
 * The pure helpers of bench/harness.mjs that every benchmark figure goes
 * through: median [min–max], per-round ratios and their formatting. No
 * timing is asserted here (a benchmark is never a timed test).
 */
import { describe, expect, it } from 'vitest';

interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}
interface Harness {
  spread(values: number[]): Spread;
  ratios(a: number[], b: number[]): number[];
  fmtNsSpread(s: Spread): string;
  fmtRatio(s: Spread, digits?: number): string;
  fmtPercent(s: Spread): string;
  fmtRate(s: Spread): string;
  table(header: string[], rows: string[][]): string;
}

// A path, not a module specifier: bench/ is plain JavaScript without declarations.
const h = (await import(new URL('../bench/harness.mjs', import.meta.url).href)) as Harness;

describe('spread', () => {
  it.each([
    ['odd count: the middle value', [5, 1, 3], { median: 3, min: 1, max: 5, n: 3 }],
    ['even count: the lower middle, a value that was measured', [4, 1, 3, 2], { median: 2, min: 1, max: 4, n: 4 }],
    ['one value', [7], { median: 7, min: 7, max: 7, n: 1 }],
  ])('%s', (_, values, expected) => {
    expect(h.spread(values)).toEqual(expected);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    h.spread(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('is n/a for no values', () => {
    expect(h.fmtRatio(h.spread([]))).toBe('n/a');
  });
});

describe('ratios', () => {
  it('pairs samples of the same round, up to the shorter series', () => {
    expect(h.ratios([2, 6, 9], [1, 3])).toEqual([2, 2]);
  });
});

describe('formatting', () => {
  it.each([
    ['ns below a microsecond', { median: 512.4, min: 480, max: 700.6, n: 3 }, '512 ns [480–701]'],
    ['µs from a microsecond', { median: 1234, min: 1100, max: 1500, n: 3 }, '1.23 µs [1.10–1.50]'],
  ])('fmtNsSpread: %s', (_, s, text) => {
    expect(h.fmtNsSpread(s)).toBe(text);
  });

  it('fmtRatio keeps min and max in order', () => {
    expect(h.fmtRatio({ median: 1.07, min: 0.98, max: 1.21, n: 3 })).toBe('1.07× [0.98–1.21]');
  });

  it('fmtPercent signs both sides, with a true minus', () => {
    expect(h.fmtPercent({ median: 1.07, min: 0.98, max: 1.21, n: 3 })).toBe('+7% [−2, +21]');
  });

  it('fmtRate turns ns per unit into units per second, the range flipped', () => {
    expect(h.fmtRate({ median: 20_000, min: 10_000, max: 40_000, n: 3 })).toBe('50,000/s [25,000–100,000]');
  });

  it('table is markdown with one separator row', () => {
    expect(h.table(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
});
