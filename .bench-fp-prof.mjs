import { endedSpans, SHAPES } from './bench/processor.mjs';
const lib = await import('./dist/esm/index.js');
const spans = endedSpans(lib, SHAPES.chat);
const p = new lib.LangSmithSpanProcessor({ exporter: { export: (s, d) => d({ code: 0 }), shutdown: async () => {} } });
let n = 0;
const N = Number(process.env.N ?? 200);
for (let r = 0; r < 20; r++) for (const s of spans) p._encode(s);
const t0 = process.hrtime.bigint();
for (let r = 0; r < N; r++) for (const s of spans) { p._encode(s); n++; }
const ns = Number(process.hrtime.bigint() - t0);
console.log(`encode only: ${(n / (ns / 1e9)).toFixed(0)} chat spans/s (${(ns / n / 1000).toFixed(2)} µs/span)`);
