/**
 * Issue 12: a consumer on TypeScript's `node10` module resolution (no
 * `exports`) sees the types of every subpath — `/codecs`, `/ingest`, `/langgraph`,
 * `/register` through `typesVersions`, the root through `types` — and a
 * `node16` consumer still goes through `exports`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'types-node10-'));
  const pkg = path.join(dir, 'pkg');
  // The package's declarations, as the build emits them (both builds: `types` is ESM, typesVersions CJS).
  for (const [project, out] of [
    ['tsconfig.json', 'dist/esm'],
    ['tsconfig.cjs.json', 'dist/cjs'],
  ] as const) {
    execFileSync(
      process.execPath,
      [TSC, '-p', path.join(REPO, project), '--emitDeclarationOnly', '--declarationMap', 'false', '--outDir', path.join(pkg, out)],
      { stdio: 'pipe' },
    );
  }
  writeFileSync(path.join(pkg, 'dist/cjs/package.json'), JSON.stringify({ type: 'commonjs' }) + '\n'); // as scripts/build.mjs
  cpSync(path.join(REPO, 'package.json'), path.join(pkg, 'package.json'));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  const app = path.join(dir, 'app');
  mkdirSync(path.join(app, 'node_modules'), { recursive: true });
  symlinkSync(pkg, path.join(app, 'node_modules', 'langsmith-otel-bridge'), 'dir');
  writeFileSync(
    path.join(app, 'index.ts'),
    [
      "import { LangSmithPropagator } from 'langsmith-otel-bridge';",
      "import { parseTraceParent } from 'langsmith-otel-bridge/codecs';",
      "import { formatTree } from 'langsmith-otel-bridge/ingest';",
      "import { langChainSpanHandler } from 'langsmith-otel-bridge/langgraph';",
      "import * as registerEntry from 'langsmith-otel-bridge/register';",
      'export const used = [LangSmithPropagator, parseTraceParent, formatTree, langChainSpanHandler, registerEntry];',
      '',
    ].join('\n'),
  );
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function typecheck(moduleResolution: 'node10' | 'node16') {
  const run = spawnSync(
    process.execPath,
    [
      TSC,
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--types',
      'node',
      '--typeRoots',
      path.join(REPO, 'node_modules/@types'),
      '--module',
      moduleResolution === 'node10' ? 'commonjs' : 'node16',
      '--moduleResolution',
      moduleResolution,
      '--ignoreDeprecations',
      '5.0',
      'index.ts',
    ],
    { cwd: path.join(dir, 'app'), encoding: 'utf8' },
  );
  return { status: run.status, output: (run.stdout + run.stderr).trim() };
}

describe('module resolution: every entry point has types', () => {
  it.each(['node10', 'node16'] as const)('%s: the root, /codecs, /ingest, /langgraph and /register resolve with types', (resolution) => {
    expect(typecheck(resolution)).toEqual({ status: 0, output: '' });
  });
});
