/**
 * The library's runtime path loads nothing of the dev ingest server or the
 * CLI (issue 13: "the dev ingest server's modules should not load in
 * production").
 *
 * Walks the graph the built entries `dist/esm/index.js` and `register.js`
 * load: every module reachable through static imports, re-exports and
 * `import()` of a literal. Each source is compiled in memory with the repo's
 * own tsconfig.json options (`ts.transpileModule`: exact here, since the
 * project sets `isolatedModules`), so the walk sees the very imports tsc
 * emits — type-only imports erased — without a build and never a stale dist.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
/** The package entries on the library's runtime path (package.json "." and "./register"). */
const ENTRIES = ['index.ts', 'register.ts', 'register-cjs.ts'];
/** Folders of dev tooling that production must not load. */
const FORBIDDEN = /^(ingest|cli|demo)\//;

const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (p) => ts.sys.readFile(p));
const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);

type ReadSource = (file: string) => string;
const readSource: ReadSource = (file) => readFileSync(file, 'utf8');

const compiled = new Map<string, string>();

/** The relative modules (as src/ paths) that the compiled JS of `file` loads. */
function runtimeImports(file: string, read: ReadSource): string[] {
  const source = read(file);
  const cacheKey = `${file}\0${source}`;
  let js = compiled.get(cacheKey);
  if (js === undefined) {
    js = ts.transpileModule(source, { compilerOptions: options, fileName: file }).outputText;
    compiled.set(cacheKey, js);
  }
  const { importedFiles } = ts.preProcessFile(js, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
}

/** Every src/ module reachable from the entries, with the path by which it is first reached. */
function reachable(read: ReadSource = readSource): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = ENTRIES.map((entry) => [join(SRC, entry)]);
  while (queue.length > 0) {
    const path = queue.shift()!;
    const file = path[path.length - 1]!;
    const key = relative(SRC, file);
    if (seen.has(key)) continue;
    seen.set(
      key,
      path.map((p) => relative(SRC, p)),
    );
    for (const next of runtimeImports(file, read)) queue.push([...path, next]);
  }
  return seen;
}

function forbidden(graph: Map<string, string[]>): string[] {
  return [...graph].filter(([key]) => FORBIDDEN.test(key)).map(([, path]) => path.join(' → '));
}

describe('the runtime path of the root entry and register', () => {
  const graph = reachable();

  it('reaches the modules it is made of (the walk follows imports)', () => {
    for (const key of ['index.ts', 'register.ts', 'sinks/tree-printer.ts', 'tree/format-tree.ts', 'time.ts']) {
      expect(graph.has(key), key).toBe(true);
    }
    expect(graph.size).toBeGreaterThan(20);
  });

  it('loads nothing from ingest/, cli/ or demo/', () => {
    expect(forbidden(graph)).toEqual([]);
  });

  describe('the check fails when such an import is added', () => {
    const edit =
      (target: string, line: string): ReadSource =>
      (file) =>
        readSource(file) + (relative(SRC, file) === target ? `\n${line}\n` : '');

    it.each([
      ['a static import', "import { RunStore } from '../ingest/run-store.js'; void RunStore;"],
      ['a re-export', "export { parseCommandArgs } from '../cli/args.js';"],
      ['a side-effect import', "import '../ingest/server.js';"],
      ['an import()', "export const lazy = () => import('../ingest/server.js');"],
    ])('%s in sinks/tree-printer.ts', (_kind, line) => {
      const found = forbidden(reachable(edit('sinks/tree-printer.ts', line)));
      expect(found.length).toBeGreaterThan(0);
      expect(found[0]).toMatch(/^index\.ts → sinks\/tree-printer\.ts → (ingest|cli)\//);
    });

    it('but not a type-only import, which tsc erases', () => {
      const line = "import type { RunStore } from '../ingest/run-store.js'; export type Store = RunStore;";
      expect(forbidden(reachable(edit('sinks/tree-printer.ts', line)))).toEqual([]);
    });
  });
});
