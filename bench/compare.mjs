// Before/after in one run (issue 13: "the propagator and processor benchmarks
// did not regress, same run, before/after"). Builds <ref> into a temporary
// worktree (node_modules symlinked from this tree, so both load the very same
// @opentelemetry/* and langsmith modules), loads both trees' dist/esm into
// one process, and runs the propagator and processor candidates of both,
// interleaved round by round with the shared anchors. Reports after/before
// per round as median [min–max]; an A/A run (`--base HEAD` on a clean tree)
// shows the noise floor of the moment.
//
//   npm run bench:compare -- --base main [--keep]   (builds this tree, then runs)
//   Env: BENCH_SCALE as for bench/run.mjs. Raw figures: .bench/compare.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compare, compareAsync, fmtMachine, fmtNsSpread, fmtRatio, machine, ratios, spread, table } from './harness.mjs';
import * as propagator from './propagator.mjs';
import * as processor from './processor.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '..');
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const BASE = arg('base') ?? 'main';
const KEEP = process.argv.includes('--keep');
const log = (line) => process.stderr.write(`compare: ${line}\n`);
const git = (...args) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();

/** A built checkout of `ref` in a temporary worktree; reused while the commit is the same. */
function buildBase(ref) {
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = join(tmpdir(), `langsmith-otel-bridge-bench-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, 'dist/esm/index.js'))) {
    if (existsSync(dir)) {
      git('worktree', 'remove', '--force', dir);
      rmSync(dir, { recursive: true, force: true });
    }
    log(`building ${ref} (${sha.slice(0, 12)}) in ${dir}`);
    git('worktree', 'add', '--detach', dir, sha);
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  } else {
    log(`reusing the build of ${ref} (${sha.slice(0, 12)}) in ${dir}`);
  }
  return { sha, dir };
}

function prefixed(prefix, group) {
  return Object.fromEntries(Object.entries(group).map(([k, v]) => [`${prefix}.${k}`, v]));
}

async function main() {
  const base = buildBase(BASE);
  const headSha = git('rev-parse', 'HEAD');
  const dirty = git('status', '--porcelain', '--', 'src').length > 0;
  const before = await import(pathToFileURL(join(base.dir, 'dist/esm/index.js')).href);
  const after = await import(pathToFileURL(join(ROOT, 'dist/esm/index.js')).href);
  const m = machine();
  const rows = [];
  const raw = { date: new Date().toISOString(), machine: m, base: { ref: BASE, sha: base.sha }, head: { sha: headSha, srcModified: dirty } };

  // ---- propagator ----
  log('propagator');
  const pa = propagator.anchors();
  const pb = propagator.candidates(before);
  const pc = propagator.candidates(after);
  raw.propagator = {};
  const anchorOf = { extract: 'otel', inject: 'otel', big64: 'otel' };
  for (const group of Object.keys(propagator.SETTINGS)) {
    const s = compare({ ...prefixed('before', pb[group]), ...prefixed('after', pc[group]), ...pa[group] }, propagator.SETTINGS[group]);
    raw.propagator[group] = s;
    for (const name of Object.keys(pc[group])) {
      const anchor = group === 'extract' && name === 'bridgeUsed' ? 'otelUsed' : anchorOf[group];
      rows.push([
        `propagator ${group}: ${name}`,
        fmtNsSpread(spread(s[`before.${name}`])),
        fmtNsSpread(spread(s[`after.${name}`])),
        fmtRatio(spread(ratios(s[`after.${name}`], s[`before.${name}`]))),
        `${fmtRatio(spread(ratios(s[`before.${name}`], s[anchor])))} → ${fmtRatio(spread(ratios(s[`after.${name}`], s[anchor])))} (${anchor})`,
      ]);
    }
  }

  // ---- processor ----
  log('processor');
  const spansBefore = processor.endedSpans(before, processor.SHAPES.chat);
  const spansAfter = processor.endedSpans(after, processor.SHAPES.chat);
  const qa = processor.anchors(spansAfter);
  const qb = processor.candidates(before, spansBefore);
  const qc = processor.candidates(after, spansAfter);
  const all = { ...prefixed('before', qb.candidates), ...prefixed('after', qc.candidates), ...qa.candidates };
  const s = await compareAsync(all, processor.SETTINGS);
  processor.verifyExported(all);
  raw.processor = s;
  const plainOf = { http: 'httpPlain', chat: 'chatPlain', serialize: 'serializePlain' };
  for (const name of Object.keys(qc.candidates)) {
    rows.push([
      `processor ${name} (per span)`,
      fmtNsSpread(spread(s[`before.${name}`])),
      fmtNsSpread(spread(s[`after.${name}`])),
      fmtRatio(spread(ratios(s[`after.${name}`], s[`before.${name}`]))),
      `${fmtRatio(spread(ratios(s[`before.${name}`], s[plainOf[name]])))} → ${fmtRatio(spread(ratios(s[`after.${name}`], s[plainOf[name]])))} (${plainOf[name]})`,
    ]);
  }
  const bytes = (e) => (e.stats.bytes / Math.max(1, e.stats.spans)).toFixed(0);
  raw.bytesPerChatSpan = { before: Number(bytes(qb.exporters.serialize)), after: Number(bytes(qc.exporters.serialize)) };

  console.log(
    [
      `Before: ${BASE} (${base.sha.slice(0, 12)}); after: this tree (${headSha.slice(0, 12)}${dirty ? ', src/ modified' : ''}), its dist/ as built. One process, both trees' candidates and the anchors interleaved round by round; ns per op (per span for the processor), median [min–max]. ${fmtMachine(m)}.`,
      '',
      table(['benchmark', 'before', 'after', 'after / before per round', 'vs anchor: before → after'], rows),
      '',
      `OTLP bytes per chat span: ${raw.bytesPerChatSpan.before} → ${raw.bytesPerChatSpan.after}.`,
    ].join('\n'),
  );
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  writeFileSync(join(ROOT, '.bench/compare.json'), JSON.stringify(raw, null, 2));
  if (!KEEP) {
    git('worktree', 'remove', '--force', base.dir);
    log(`removed ${base.dir} (--keep keeps it for the next run)`);
  }
}

await main();
