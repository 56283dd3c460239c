/**
 * What `npm pack` ships (issue 12): the files a user's tools resolve must be
 * in the tarball — every source map's sources, the MAPPING.md the README
 * links, LICENSE, CHANGELOG — the CLI must keep its run bit, and the demo
 * stays out. Reads the real `npm pack --dry-run --json` of the built tree.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const { LAYERS } = (await import('../eslint.layers.mjs' as string)) as { LAYERS: Record<string, string[]> };
const TOP_LEVEL_FILES = ['constants', 'errors', 'terminal', 'notices', 'index', 'register', 'register-cjs'];

interface PackedFile {
  path: string;
  mode: number;
}

function pack(): PackedFile[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Array<{ files: PackedFile[] }>)[0]!.files;
}

describe('the packed tarball', () => {
  const files = pack();
  const paths = new Set(files.map((f) => f.path));

  it('holds LICENSE, CHANGELOG.md, README.md and the MAPPING.md the README links', () => {
    for (const name of ['LICENSE', 'CHANGELOG.md', 'README.md', 'src/mapping/MAPPING.md']) expect(paths, name).toContain(name);
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)].map((m) => path.normalize(m[1]!));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !paths.has(link))).toEqual([]);
  });

  it('resolves every source map source inside the tarball', () => {
    const maps = files.filter((f) => f.path.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    const unresolved: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(path.join(ROOT, map.path), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const target = path.normalize(path.join(path.dirname(map.path), source));
        if (!paths.has(target)) unresolved.push(`${map.path} → ${target}`);
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('ships the CLI executable and leaves the demo out', () => {
    const bin = files.find((f) => f.path === 'dist/esm/cli/index.js');
    expect(bin, 'the bin entry').toBeDefined();
    expect(bin!.mode & 0o111, 'run bits of dist/esm/cli/index.js').toBe(0o111);
    expect([...paths].filter((p) => p.includes('/demo/'))).toEqual([]);
  });
});

/** The rows of the README table under `## <heading>` whose first cell is one backticked name. */
function readmeTable(heading: string): Map<string, string[]> {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README section "## ${heading}"`).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const rows = new Map<string, string[]>();
  for (const line of readme.slice(start, end === -1 ? undefined : end).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name) rows.set(name, cells.slice(2, -1));
  }
  return rows;
}

describe('the public surface (issue 13)', () => {
  it("the root module's runtime exports are exactly the README's API table", async () => {
    const exported = Object.keys(await import('../src/index.js')).sort();
    const documented = [...readmeTable('API').keys()].sort();
    expect(
      exported.filter((n) => !documented.includes(n)),
      'exported, not in the README',
    ).toEqual([]);
    expect(
      documented.filter((n) => !exported.includes(n)),
      'in the README, not exported',
    ).toEqual([]);
  });

  it("the root's type exports are exactly the README's Types line", () => {
    const index = readFileSync(path.join(ROOT, 'src/index.ts'), 'utf8');
    const types = [...index.matchAll(/export type \{([^}]*)\}/g)]
      .flatMap((m) =>
        m[1]!
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      )
      .sort();
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const line = /\nTypes: ([^]*?)\.\n/.exec(readme.slice(readme.indexOf('\n## API\n')))?.[1] ?? '';
    expect([...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).sort()).toEqual(types);
  });

  it('serves the codecs at langsmith-otel-bridge/codecs (import and require) and not from the root', async () => {
    const codecs = Object.keys(await import('../src/headers/index.js')).sort();
    expect(codecs).toEqual(expect.arrayContaining(['parseTraceParent', 'parseDottedOrder', 'runIdFromSpanId', 'parseBaggage']));
    // Self-reference by package name goes through package.json `exports`, as a user's import does.
    const viaImport = await import('langsmith-otel-bridge/codecs' as string);
    expect(Object.keys(viaImport).sort()).toEqual(codecs);
    const viaRequire = createRequire(import.meta.url)('langsmith-otel-bridge/codecs') as object;
    expect(
      Object.keys(viaRequire)
        .filter((k) => k !== '__esModule')
        .sort(),
    ).toEqual(codecs);
    const root = await import('langsmith-otel-bridge' as string);
    expect(Object.keys(root)).not.toContain('codecs');
    expect(Object.keys(root).filter((k) => codecs.includes(k))).toEqual([]);
  });
});

describe('the dependency map (README "Architecture" = eslint.layers.mjs)', () => {
  it('states the same allowed imports for every module', () => {
    const fromReadme = Object.fromEntries(
      [...readmeTable('Architecture')].map(([module, cells]) => [
        module.replace(/\/$|\.ts$/, ''),
        [...(cells[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!).sort(),
      ]),
    );
    const fromConfig = Object.fromEntries(Object.entries(LAYERS).map(([module, allowed]) => [module, [...allowed].sort()]));
    expect(fromReadme).toEqual(fromConfig);
  });

  it('has a line for every folder and top-level module of src/', () => {
    const entries = readdirSync(path.join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.name.endsWith('.ts'))
      .map((e) => e.name.replace(/\.ts$/, ''));
    expect(entries.filter((e) => !(e in LAYERS))).toEqual([]);
  });
});

describe('npm run lint enforces the dependency map', () => {
  const probes = Object.keys(LAYERS).flatMap((module) => [
    [module, `src/${module}.ts`, './'],
    [module, `src/${module}/probe.ts`, '../'],
  ]);
  it.each(probes)('flags exactly the imports src/%s may not make (a file at %s)', async (module, file, up) => {
    const { ESLint } = await import('eslint');
    // A file of the module importing every other module, the way it would spell the path.
    const others = Object.keys(LAYERS).filter((m) => m !== module);
    const text = others.map((m, i) => `import * as m${i} from '${up}${m}${TOP_LEVEL_FILES.includes(m) ? '.js' : '/index.js'}';`).join('\n');
    const [result] = await new ESLint({ cwd: ROOT }).lintText(text, { filePath: path.join(ROOT, file) });
    const flagged = result!.messages
      .filter((m) => m.ruleId === 'no-restricted-imports')
      .map((m) => others[m.line - 1])
      .sort();
    expect(flagged).toEqual(others.filter((m) => !LAYERS[module]!.includes(m)).sort());
  });
});
