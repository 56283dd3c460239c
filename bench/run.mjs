// `npm run bench`: every benchmark, side by side with its anchors, in one run.
import { writeFileSync, mkdirSync } from 'node:fs';
import { run as processor } from './processor.mjs';
import { run as propagator } from './propagator.mjs';

// The full-size runs are separate scripts: bench/two-hop.mjs, bench/load.mjs,
// node --expose-gc bench/processor-stall.mjs, scripts/fuzz.mjs.
const results = { node: process.version, date: new Date().toISOString(), propagator: propagator(), processor: processor() };
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
console.log('\nraw figures: .bench/results.json');
