/**
 * What `npm pack` ships (issue 12): the files a user's tools resolve must be
 * in the tarball — every source map's sources, the MAPPING.md the README
 * links, LICENSE, CHANGELOG — the CLI must keep its run bit, and the demo
 * stays out. Reads the real `npm pack --dry-run --json` of the built tree.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

interface PackedFile { path: string; mode: number }

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
