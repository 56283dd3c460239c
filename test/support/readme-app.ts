/**
 * One empty app with the README's SDK 2.x install line, installed from the
 * packed tarball exactly as a user would (issue 12), shared by
 * test/install.test.ts and test/readme.test.ts: each vitest file runs in its
 * own process, so the app is built once per tarball and README line, under a
 * lock, in the OS temp dir, and reused by the other file (and by later runs
 * while neither changes).
 *
 * Besides the install line it holds what the README tells users to add for
 * the recipes it shows (`@opentelemetry/sdk-node` for the NodeSDK recipe,
 * `langsmith`), and `@types/node` for the strict TypeScript check.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error -- a plain .mjs script without types
import { readmeInstallLine, readmeNodeSdkSpec } from '../../scripts/readme-install-line.mjs';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The README's install line for SDK 2.x, without the package itself. */
export const installSpecs = (readmeInstallLine as (readme: string, line: string) => string[] | undefined)(README, '2.x');
/** The README's `@opentelemetry/sdk-node` spec for the 2.x line (the NodeSDK recipe). */
export const nodeSdkSpec = (readmeNodeSdkSpec as (readme: string, line: string) => string | undefined)(README, '2.x');
/** What the README says to add for the `langsmith` SDK, and the types a strict TS app has. */
const EXTRA = ['langsmith', '@types/node@^20'];

const CACHE = path.join(os.tmpdir(), `lob-readme-app-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}`);
const COMPLETE = '.complete';
const LOCK_STALE_MS = 10 * 60_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * `npm pack --ignore-scripts` packs whatever dist/ holds: a stale build would
 * test old code under the new README line. Fails first, saying what to run.
 */
function assertDistIsFresh(): void {
  const built = path.join(ROOT, 'dist', 'esm', 'index.js');
  if (!existsSync(built)) throw new Error(`${path.relative(ROOT, built)} is missing: run npm run build`);
  const builtAt = statSync(built).mtimeMs;
  const newer: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (statSync(file).mtimeMs > builtAt) newer.push(path.relative(ROOT, file));
    }
  };
  walk(path.join(ROOT, 'src'));
  if (newer.length > 0) {
    throw new Error(
      `dist/ is older than src/ (${newer.slice(0, 5).join(', ')}${newer.length > 5 ? `, and ${newer.length - 5} more` : ''} ` +
        'changed after dist/esm/index.js was built): run npm run build',
    );
  }
}

/**
 * The app's directory: `node_modules` with the tarball and the README's
 * lines, a `package.json` without `"type"` (so `.js` is CommonJS; the tests
 * use `.mjs`/`.cjs`/`.mts` names). Tests write their files into a fresh
 * subdirectory (`scratchDir`), never next to `node_modules`' package.json.
 */
export function readmeApp(): string {
  assertDistIsFresh();
  if (!installSpecs) throw new Error('README.md has no SDK 2.x install line');
  if (!nodeSdkSpec) throw new Error('README.md names no @opentelemetry/sdk-node version for the 2.x line');
  mkdirSync(CACHE, { recursive: true });
  const specs = [...installSpecs, nodeSdkSpec, ...EXTRA];
  // Keyed by what the app runs (package.json and dist/), not the README text in the tarball:
  // editing prose does not reinstall; a changed build or README install line does.
  const app = path.join(CACHE, packageKey(specs));
  const lock = `${app}.lock`;
  for (;;) {
    if (existsSync(path.join(app, COMPLETE))) return touched(app);
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is installing it: wait, unless its lock is stale (a killed run).
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      sleep(500);
    }
  }
  try {
    if (existsSync(path.join(app, COMPLETE))) return app;
    rmSync(app, { recursive: true, force: true });
    const scratch = mkdtempSync(path.join(CACHE, '.app-'));
    const tarball = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', scratch], { cwd: ROOT, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
    writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'readme-app', private: true, version: '1.0.0' }));
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `./${tarball}`, ...specs], {
      cwd: scratch,
      encoding: 'utf8',
      timeout: 280_000,
    });
    if (install.status !== 0) {
      rmSync(scratch, { recursive: true, force: true });
      throw new Error(`npm install of the README lines failed:\n${install.stderr}`);
    }
    writeFileSync(path.join(scratch, COMPLETE), new Date().toISOString());
    renameSync(scratch, app);
    pruneOlderApps(app);
    return app;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Apps of older builds (about 150 MB each) go once unused for six hours. */
function pruneOlderApps(keep: string): void {
  for (const name of readdirSync(CACHE)) {
    const dir = path.join(CACHE, name);
    if (dir === keep || name.endsWith('.lock')) continue;
    try {
      if (Date.now() - statSync(dir).mtimeMs > 6 * 60 * 60_000) rmSync(dir, { recursive: true, force: true });
    } catch {
      // in use or gone: next time
    }
  }
}

function packageKey(specs: string[]): string {
  const hash = createHash('sha256')
    .update(specs.join(' '))
    .update('\0')
    .update(readFileSync(path.join(ROOT, 'package.json')));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(path.relative(ROOT, full)).update('\0').update(readFileSync(full)).update('\0');
    }
  };
  walk(path.join(ROOT, 'dist'));
  return hash.digest('hex').slice(0, 16);
}

function touched(app: string): string {
  const now = new Date();
  utimesSync(app, now, now); // in use: not pruned
  return app;
}

/** A fresh directory inside the app (its node_modules resolve from there). */
export function scratchDir(app: string, name: string): string {
  return mkdtempSync(path.join(app, `${name}-`));
}

/** The version of a package installed in the app. */
export function installedVersion(app: string, name: string): string {
  return (JSON.parse(readFileSync(path.join(app, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}
