// `npm run bench`: every benchmark, side by side with its anchors, in one run.
import { writeFileSync, mkdirSync } from 'node:fs';
import { run as propagator } from './propagator.mjs';

const results = { node: process.version, date: new Date().toISOString(), propagator: propagator() };
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
console.log('\nraw figures: .bench/results.json');
