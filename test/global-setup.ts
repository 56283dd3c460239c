/**
 * vitest globalSetup: compiles the package once, before any test file runs,
 * for test/e2e.test.ts — which runs the built entry points (`node --import
 * <dist>/esm/register.js`, `<dist>/esm/demo/run.js`) as separate processes.
 *
 * Not into the shared `dist/`: `scripts/build.mjs` deletes `dist/` first, so
 * any build there (this one, or another engineer's `npm run build` in the
 * same checkout) breaks whoever is reading it at that moment — measured: e2e
 * services failing with ERR_MODULE_NOT_FOUND under a concurrent build.
 * Instead `src/` is compiled with the repo's own tsconfig.json (the same tsc,
 * options and ESM output as `npm run build`, minus declarations and source
 * maps) into a private snapshot in the OS temp dir:
 *
 *   <tmp>/langsmith-otel-bridge-e2e-<checkout>/<content hash>/
 *     dist/esm/…          compiled src/
 *     dist/cjs/…          compiled src/, CommonJS (tsconfig.cjs.json)
 *     test/e2e/*.mjs      copies of the helper services (they import ../../dist/esm)
 *     node_modules  →     the checkout's node_modules (symlink)
 *
 * keyed by a hash of what goes in (src/, tsconfig.json, package.json,
 * test/e2e/*.mjs): an unchanged tree is compiled once and reused by later
 * runs; concurrent runs each compile into a scratch directory and rename it
 * into place (first one wins). Skipped when the command line names test
 * files and none can select the e2e file.
 *
 * A failed compile does not fail the whole run: the outcome is handed to the
 * test files (`inject('e2eBuild')`), and only the e2e file fails, with the
 * compiler's output.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export interface E2eBuild {
  /** The snapshot is complete and usable. */
  ok: boolean;
  /** The snapshot's root (`<dir>/dist/esm/register.js`, `<dir>/test/e2e/…`); empty when not ok. */
  dir: string;
  message: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2eBuild: E2eBuild;
  }
}

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Test files that run the compiled package as separate processes (the others need no compile). */
const E2E_FILES = ['test/e2e.test.ts', 'test/lifecycle.test.ts', 'test/langgraph/agent-server.test.ts'];
const HELPERS = path.join(REPO, 'test', 'e2e');
const CACHE = path.join(os.tmpdir(), `langsmith-otel-bridge-e2e-${createHash('sha1').update(REPO).digest('hex').slice(0, 12)}`);
const COMPLETE = '.complete';
/** Snapshots of older trees are removed once unused for this long. */
const PRUNE_AFTER_MS = 6 * 60 * 60 * 1000;

function listFiles(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, keep));
    else if (keep(entry.name)) out.push(full);
  }
  return out.sort();
}

/** A hash of everything the snapshot is made of. */
function fingerprint(): string {
  const hash = createHash('sha256');
  const inputs = [
    ...listFiles(path.join(REPO, 'src'), () => true),
    ...['tsconfig.json', 'tsconfig.cjs.json', 'package.json'].map((f) => path.join(REPO, f)),
    ...listFiles(HELPERS, (name) => name.endsWith('.mjs') || name.endsWith('.cjs')),
  ];
  for (const file of inputs) {
    if (!existsSync(file)) continue;
    hash.update(path.relative(REPO, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * False only when the command line names test files (path-like filters) and
 * none of them can select the e2e file: then an unrelated run does not pay
 * for a compile. Bare-word filters count as possibly selecting it.
 */
function e2eMaybeSelected(argv: string[]): boolean {
  const filters = argv.filter((a) => !a.startsWith('-') && (a.includes('/') || a.endsWith('.ts')));
  if (filters.length === 0) return true;
  return filters.some((f) => {
    const rel = path.relative(REPO, path.resolve(f)).split(path.sep).join('/');
    return E2E_FILES.some((file) => file.includes(f) || file.includes(rel) || rel === '' || file.startsWith(rel + '/'));
  });
}

function prune(keep: string): void {
  if (!existsSync(CACHE)) return;
  for (const name of readdirSync(CACHE)) {
    const dir = path.join(CACHE, name);
    if (dir === keep) continue;
    try {
      if (Date.now() - statSync(dir).mtimeMs > PRUNE_AFTER_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another run removed it
    }
  }
}

export function buildSnapshot(): E2eBuild {
  const dir = path.join(CACHE, fingerprint());
  if (existsSync(path.join(dir, COMPLETE))) {
    const now = new Date();
    utimesSync(dir, now, now); // in use: not pruned
    return { ok: true, dir, message: `reusing ${dir}` };
  }
  mkdirSync(CACHE, { recursive: true });
  const scratch = path.join(CACHE, `.build-${process.pid}-${Date.now()}`);
  const started = Date.now();
  try {
    const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const outDir = path.join(scratch, 'dist', 'esm');
    try {
      execFileSync(
        process.execPath,
        [tsc, '-p', path.join(REPO, 'tsconfig.json'), '--outDir', outDir, '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'],
        { cwd: REPO, encoding: 'utf8', stdio: 'pipe', timeout: 180_000 },
      );
    } catch (err) {
      const { stdout, stderr, message } = err as { stdout?: string; stderr?: string; message: string };
      return { ok: false, dir: '', message: `tsc -p tsconfig.json failed: ${`${stdout ?? ''}${stderr ?? ''}`.trim().slice(-4000) || message}` };
    }
    // The CommonJS build too (as `npm run build`): the entry tests require() it next to the ESM one.
    const cjsDir = path.join(scratch, 'dist', 'cjs');
    try {
      execFileSync(process.execPath, [tsc, '-p', path.join(REPO, 'tsconfig.cjs.json'), '--outDir', cjsDir, '--declaration', 'false', '--sourceMap', 'false'], {
        cwd: REPO,
        encoding: 'utf8',
        stdio: 'pipe',
        timeout: 180_000,
      });
    } catch (err) {
      const { stdout, stderr, message } = err as { stdout?: string; stderr?: string; message: string };
      return { ok: false, dir: '', message: `tsc -p tsconfig.cjs.json failed: ${`${stdout ?? ''}${stderr ?? ''}`.trim().slice(-4000) || message}` };
    }
    writeFileSync(path.join(cjsDir, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
    cpSync(HELPERS, path.join(scratch, 'test', 'e2e'), { recursive: true, filter: (src) => !src.endsWith('.ts') });
    symlinkSync(path.join(REPO, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
    // "type": "module": without it the compiled .js files would load as CommonJS.
    cpSync(path.join(REPO, 'package.json'), path.join(scratch, 'package.json'));
    writeFileSync(path.join(scratch, COMPLETE), new Date().toISOString());
    try {
      renameSync(scratch, dir);
    } catch {
      // A concurrent run finished first: use its snapshot (same inputs).
      if (!existsSync(path.join(dir, COMPLETE))) throw new Error(`cannot move ${scratch} to ${dir}`);
    }
    prune(dir);
    return { ok: true, dir, message: `compiled src/ into ${dir} in ${Date.now() - started} ms` };
  } catch (err) {
    return { ok: false, dir: '', message: `snapshot failed: ${(err as Error).message}` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export default function setup(project: TestProject): void {
  let build: E2eBuild;
  if (!e2eMaybeSelected(process.argv.slice(2))) build = { ok: false, dir: '', message: 'not compiled: the e2e tests are not selected' };
  else {
    build = buildSnapshot();
    process.stderr.write(`[global-setup] e2e: ${build.message.split('\n')[0]}\n`);
  }
  project.provide('e2eBuild', build);
}
