// `npm run bench`: every benchmark, each side by side with its anchors, in one
// run of this tree's dist/. Prints the markdown the README's "Benchmarks"
// section shows (between its bench:begin / bench:end markers) and writes the
// raw figures to .bench/results.json.
//
//   npm run bench                     full settings (sized for < 12 min on 2 cores)
//   BENCH_QUICK=1 npm run bench       smoke settings (72 s on a loaded 2-core machine): proves the harness, figures too short to quote
//   node bench/run.mjs --write-readme replaces the README section with this run's output
//
// Finer knobs: BENCH_SCALE (rounds and iterations of the in-process benches),
// TWO_HOP_* (bench/two-hop.mjs), SPAN_LOAD_* (bench/load-spans.mjs), STALL_SPANS.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
if (QUICK) {
  const quick = {
    BENCH_SCALE: '0.2',
    TWO_HOP_REQUESTS: '900',
    TWO_HOP_ROUNDS: '3',
    TWO_HOP_WARMUP: '300',
    TWO_HOP_PAUSE_MS: '1200',
    SPAN_LOAD_TOTAL: '50000',
    SPAN_LOAD_ROUNDS: '2',
    STALL_SPANS: '100000',
  };
  for (const [k, v] of Object.entries(quick)) process.env[k] ??= v;
}
// Notices on stderr (queue full, …) are behaviour under test, not noise to hide; the
// services' own start-up banners are.
process.env.LANGSMITH_OTEL_QUIET ??= 'true';

// Imported after the knobs are set: the modules read them at load.
const harness = await import('./harness.mjs');
const propagator = await import('./propagator.mjs');
const processor = await import('./processor.mjs');
const twoHop = await import('./two-hop.mjs');
const loadSpans = await import('./load-spans.mjs');

const log = (line) => process.stderr.write(`bench: ${line}\n`);
const m = harness.machine();
const started = Date.now();
const results = { date: new Date().toISOString(), quick: QUICK, machine: m };

log('propagator');
results.propagator = await propagator.run();
log('processor');
results.processor = await processor.run();
log('stalled sink (processor-stall.mjs)');
const stallSpans = Number(process.env.STALL_SPANS ?? 1_000_000);
results.stall = JSON.parse(
  execFileSync(process.execPath, ['--expose-gc', join(here, 'processor-stall.mjs')], {
    env: { ...process.env, STALL_SPANS: String(stallSpans) },
    encoding: 'utf8',
  }),
);
log('two hops');
results.twoHop = await twoHop.run();
log('drops and RSS under a span load');
results.loadSpans = await loadSpans.run();
results.seconds = (Date.now() - started) / 1000;

const s = results.stall;
const md = [
  `Measured ${results.date.slice(0, 16).replace('T', ' ')} UTC on ${harness.fmtMachine(m)}${QUICK ? ' — **smoke settings (BENCH_QUICK=1): too short to quote**' : ''}; \`npm run bench\` took ${Math.round(results.seconds)} s. Regenerate with \`npm run bench:readme\`; raw figures in \`.bench/results.json\`.`,
  '',
  `**Propagator** (\`bench/propagator.mjs\`; a realistic carrier: both families, 3 tracestate members, 3 LangSmith baggage members + 2 foreign; ns per call, median [min–max] over ${results.propagator.samples.extract.bridge.length} interleaved rounds; ratios round by round). OTel's composite parses eagerly, the bridge defers \`tracestate\` and \`baggage\` to their first use, so "extract + first use" (every baggage entry, the tracestate, the LangSmith members read once) is the fair row. The parse-only lower bound is the least a parser of these headers must do (see the file).`,
  '',
  propagator.markdown(results.propagator),
  '',
  `**Span processor** (\`bench/processor.mjs\`; every candidate feeds the same exporter, which serializes with the SDK's \`ProtobufTraceSerializer\` — what \`OTLPTraceExporter\` runs — and drops the bytes; each round awaits \`forceFlush()\`, so export is inside the timing; 1,000 spans per round, median [min–max] over ${results.processor.samples.http.length} rounds):`,
  '',
  processor.markdown(results.processor),
  '',
  `Stalled sink (\`bench/processor-stall.mjs\`, one run): ${s.spans.toLocaleString('en-US')} spans, heap +${s.heapGrowthMB.toFixed(1)} MB after GC (peak +${s.peakGrowthMB.toFixed(1)} MB); ${s.queued.toLocaleString('en-US')} queued + ${s.droppedQueueFull.toLocaleString('en-US')} dropped and counted ${s.counted ? '= every span' : '**≠ spans ended**'}; target ≤ 64 MB ${s.peakGrowthMB <= 64 && s.counted ? '✔' : '**✘**'}.`,
  '',
  `**Two hops over HTTP** (\`bench/two-hop.mjs\`):`,
  '',
  twoHop.markdown(results.twoHop),
  '',
  `**Drops and RSS under load** (\`bench/load-spans.mjs\`):`,
  '',
  loadSpans.markdown(results.loadSpans),
].join('\n');

console.log(md);
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
writeFileSync('.bench/results.md', md + '\n');
log('raw figures: .bench/results.json, the table: .bench/results.md');

if (process.argv.includes('--write-readme')) {
  const readme = join(here, '../README.md');
  const text = readFileSync(readme, 'utf8');
  const begin = '<!-- bench:begin (generated by `npm run bench:readme`; edit bench/, not this) -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${begin} … ${end} section`);
  writeFileSync(readme, text.slice(0, a + begin.length) + '\n' + md + '\n' + text.slice(b));
  log('README.md: Benchmarks section replaced');
}
