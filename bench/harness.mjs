// Minimal side-by-side timing: candidates run interleaved in the same process,
// several rounds, median ns/op reported, so machine noise hits all alike.

/** Runs `fn` `iterations` times and returns ns per call. */
function time(fn, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}

/**
 * @param {Record<string, (i: number) => unknown>} candidates
 * @returns {Record<string, number>} median ns/op per candidate
 */
export function compare(candidates, { iterations = 20_000, rounds = 15, warmup = 3 } = {}) {
  const names = Object.keys(candidates);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    for (const name of r % 2 ? names : [...names].reverse()) {
      const ns = time(candidates[name], iterations);
      if (r >= warmup) samples[name].push(ns);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function fmtNs(ns) {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}

/** Prints a markdown table row per comparison and returns the rows for JSON output. */
export function report(title, rows) {
  console.log(`\n### ${title}\n`);
  console.log('| measurement | bridge | anchor | ratio | target | met |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${fmtNs(row.bridge)} | ${row.anchorName}: ${fmtNs(row.anchor)} | ${row.ratioText} | ${row.target} | ${row.met ? 'yes' : '**no**'} |`,
    );
  }
  return rows;
}
