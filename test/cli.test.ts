/**
 * The `langsmith-otel-bridge` CLI, run for real: src/cli is compiled (ESM and
 * CommonJS, with the repo's tsconfigs) into a temporary directory once, and
 * every case spawns `node` on the result. `dist/` is left alone, so a
 * concurrent `npm run build` and this file cannot race.
 *
 * Also, in process: the explanation layer of `inspect` finds a problem
 * exactly when the codec rejects (table cases and properties).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RunTree } from 'langsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanIdFromRunId, traceIdFromLsTraceId } from '../src/headers/ids.js';
import type { Run } from '../src/mapping/types.js';
import { JsonlFileSink } from '../src/sinks/jsonl-file.js';
import { finishedRun, type RunParent } from './support/runs.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let tmp = '';
let cliEsm = '';
let cliCjs = '';

/** Compiles src/cli/index.ts and what it imports with `baseConfig` into `tmp/<name>`. */
async function compile(name: string, baseConfig: string, type: 'module' | 'commonjs'): Promise<string> {
  const outDir = path.join(tmp, name);
  const config = path.join(tmp, `tsconfig.${name}.json`);
  await writeFile(
    config,
    JSON.stringify({
      extends: path.join(REPO, baseConfig),
      compilerOptions: { rootDir: path.join(REPO, 'src'), outDir, declaration: false, declarationMap: false, sourceMap: false },
      files: [path.join(REPO, 'src/cli/index.ts')],
      include: [],
    }),
  );
  const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', config], { cwd: REPO });
  } catch (err) {
    const { stdout, stderr } = err as { stdout: string; stderr: string };
    throw new Error(`tsc (${baseConfig}) failed:\n${stdout}${stderr}`, { cause: err });
  }
  await writeFile(path.join(outDir, 'package.json'), JSON.stringify({ type }));
  return path.join(outDir, 'cli', 'index.js');
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'langsmith-otel-bridge-cli-'));
  await symlink(path.join(REPO, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
  // The package root, as in an install: tmp/{esm,cjs}/cli/index.js finds it above its own {type} package.json.
  await writeFile(path.join(tmp, 'package.json'), await readFile(path.join(REPO, 'package.json')));
  [cliEsm, cliCjs] = await Promise.all([compile('esm', 'tsconfig.json', 'module'), compile('cjs', 'tsconfig.cjs.json', 'commonjs')]);
}, 120_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: { input?: string; env?: Record<string, string>; cjs?: boolean } = {}): Result {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (!options.env?.NO_COLOR) delete env.NO_COLOR;
  if (!options.env?.LANGSMITH_OTEL_FILE) delete env.LANGSMITH_OTEL_FILE;
  const result = spawnSync(process.execPath, [options.cjs ? cliCjs : cliEsm, ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    env,
    cwd: tmp,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A row of the ids table: label, OTel column, LangSmith column. */
function idRow(label: string, otel: string, ls: string): string {
  return `  ${label.padEnd(18)}${otel.padEnd(38)}${ls}`.trimEnd();
}

/** `20250102T030405678001Z…` → `2025-01-02T03:04:05.678001Z`. */
function isoOf(segment: string): string {
  const s = segment;
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 21)}Z`;
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const ROOT_SEGMENT = '20250102T030405678001Z019424f8-632e-7000-8000-008074abbf4d';
const CHILD_SEGMENT = '20250102T030405679002Z019424f8-632f-7000-8000-00aa11223344';

// ---------------------------------------------------------------------------

describe('langsmith-otel-bridge inspect', () => {
  const metadata = { user: 'é中', emoji: '🙂', nested: { ok: [1, 2] } };
  /** Headers of the real langsmith JS SDK: root → child → grandchild. */
  function sdkHeaders() {
    const root = new RunTree({ name: 'client', project_name: 'proj / x', extra: { metadata }, tracingEnabled: false });
    const child = root.createChild({ name: 'agent' });
    const grandchild = child.createChild({ name: 'tool', tags: ['a', 'b c'] });
    return { root, child, grandchild, headers: grandchild.toHeaders() };
  }

  it('RunTree.toHeaders() + a matching traceparent: both worlds side by side, consistent by rule 3b', () => {
    const { root, child, grandchild, headers } = sdkHeaders();
    const spanId = spanIdFromRunId(grandchild.id)!;
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const r = cli(['inspect', '--traceparent', `00-${traceId}-${spanId}-01`, '--langsmith-trace', headers['langsmith-trace'], '--baggage', headers.baggage]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const segments = headers['langsmith-trace'].split('.');
    expect(lines).toEqual(
      expect.arrayContaining([
        `  ✓ traceparent     00-${traceId}-${spanId}-01`,
        '  · tracestate      (absent)',
        idRow('trace id', traceId, root.id),
        idRow('parent', `span ${spanId}`, `run ${grandchild.id}`),
        idRow('flags', '01 (sampled)', ''),
        idRow('depth', '', '3 segments'),
        'dotted order (3 segments)',
        `  1  ${isoOf(segments[0]!)}  ${root.id}  root run = LangSmith trace id`,
        `  2  ${isoOf(segments[1]!)}  ${child.id}`,
        `  3  ${isoOf(segments[2]!)}  ${grandchild.id}  caller's run = parent of the receiver's runs`,
        `  rule 2            LangSmith trace → OTel trace id   ${traceIdFromLsTraceId(root.id)}  ≠ traceparent`,
        `  rule 3b           caller's run → OTel span id       ${spanId}  = traceparent`,
        `  rule 1            parent span → LangSmith run id    00000000-0000-0000-${spanId.slice(0, 4)}-${spanId.slice(4)}`,
        "verdict             consistent: the parent span is the caller's run (rule 3b)",
        `extract             OTel parent from traceparent; LangSmith parent run ${grandchild.id} (mode "both", trusted caller)`,
        'baggage (3 members)',
        '  1  langsmith-metadata  {',
        '                           "user": "é中",',
        '                           "emoji": "🙂",',
        '  2  langsmith-tags      a, b c',
        '  3  langsmith-project   proj / x',
        '✓ every header present is valid',
      ]),
    );
    // Rule 3b: a JS RunTree id gives its last 8 bytes.
    expect(spanId).toBe(grandchild.id.replace(/-/g, '').slice(16));
  });

  it('a traceparent from another hop: inconsistent, each family wins in its own world (still exit 0)', () => {
    const { headers, grandchild } = sdkHeaders();
    const r = cli(['inspect', '--traceparent', TRACEPARENT, '--langsmith-trace', headers['langsmith-trace']]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `verdict             INCONSISTENT: parent span 00f067aa0ba902b7 is not the caller's run's span ${spanIdFromRunId(grandchild.id)} (rule 3b),`,
    );
    expect(r.stdout).toContain(`each family wins in its own world: OTel parent span 00f067aa0ba902b7, LangSmith parent run ${grandchild.id}`);
    expect(r.stdout).toContain(`caller's run → OTel span id       ${spanIdFromRunId(grandchild.id)}  ≠ traceparent`);
  });

  it('trace ids that agree by rule 2 (the Python SDK OTel mode) are consistent too', () => {
    const { headers, root } = sdkHeaders();
    const r = cli([
      'inspect',
      '--traceparent',
      `00-${traceIdFromLsTraceId(root.id)}-1111111111111111-00`,
      '--langsmith-trace',
      headers['langsmith-trace'],
      '--json',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.mode).toBe('both');
    expect(json.consistency).toEqual({ consistent: true, spanIdMatches: false, traceIdMatches: true });
    expect(json.traceparent).toMatchObject({ sampled: false, random: false, flags: 0 });
  });

  it('langsmith-trace only: the synthesized OTel parent', () => {
    const r = cli(['inspect', '--langsmith-trace', `${ROOT_SEGMENT}.${CHILD_SEGMENT}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'extract             OTel parent span 800000aa11223344 in trace 019424f8632e70008000008074abbf4d (sampled); LangSmith parent run 019424f8-632f-7000-8000-00aa11223344',
    );
    expect(r.stdout).toContain(idRow('trace id', '—', '019424f8-632e-7000-8000-008074abbf4d'));
  });

  it('--json: one machine-readable object', () => {
    const { root, child, grandchild, headers } = sdkHeaders();
    const spanId = spanIdFromRunId(grandchild.id)!;
    const r = cli([
      'inspect',
      '--json',
      '--traceparent',
      `00-${traceIdFromLsTraceId(root.id)}-${spanId}-03`,
      '--tracestate',
      'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
      '--langsmith-trace',
      headers['langsmith-trace'],
      '--baggage',
      `${headers.baggage},userId=alice;ttl=3`,
    ]);
    expect(r.code).toBe(0);
    const segments = headers['langsmith-trace'].split('.');
    expect(JSON.parse(r.stdout)).toEqual({
      valid: true,
      headers: {
        traceparent: `00-${traceIdFromLsTraceId(root.id)}-${spanId}-03`,
        tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
        'langsmith-trace': headers['langsmith-trace'],
        baggage: `${headers.baggage},userId=alice;ttl=3`,
      },
      traceparent: { valid: true, version: '00', traceId: traceIdFromLsTraceId(root.id), spanId, flags: 3, sampled: true, random: true },
      tracestate: {
        valid: true,
        members: [
          { key: 'rojo', value: '00f067aa0ba902b7', duplicate: false },
          { key: 'congo', value: 't61rcWkgMzE', duplicate: false },
        ],
      },
      langsmithTrace: {
        valid: true,
        lsTraceId: root.id,
        runId: grandchild.id,
        parentRunId: child.id,
        depth: 3,
        segments: [root, child, grandchild].map((run, i) => ({ time: isoOf(segments[i]!), runId: run.id })),
      },
      baggage: {
        valid: true,
        problems: [],
        members: [
          expect.objectContaining({ index: 1, key: 'langsmith-metadata', langsmith: { name: 'langsmith-metadata', decoded: metadata } }),
          expect.objectContaining({ index: 2, key: 'langsmith-tags', value: 'a,b c', langsmith: { name: 'langsmith-tags', decoded: ['a', 'b c'] } }),
          expect.objectContaining({
            index: 3,
            key: 'langsmith-project',
            value: 'proj / x',
            rawValue: 'proj%20%2F%20x',
            langsmith: { name: 'langsmith-project', decoded: 'proj / x' },
          }),
          { index: 4, raw: 'userId=alice;ttl=3', key: 'userId', value: 'alice', rawValue: 'alice', properties: 'ttl=3' },
        ],
      },
      derived: {
        traceIdFromLsTraceId: traceIdFromLsTraceId(root.id),
        spanIdFromRunId: spanId,
        spanIdRule: '3b',
        runIdFromSpanId: `00000000-0000-0000-${spanId.slice(0, 4)}-${spanId.slice(4)}`,
        lsTraceIdFromTraceId: root.id,
      },
      mode: 'both',
      consistency: { consistent: true, spanIdMatches: true, traceIdMatches: true },
      problems: [],
      notes: [],
    });
  });

  describe('names what is invalid, and exits 1', () => {
    const LS = `${ROOT_SEGMENT}.${CHILD_SEGMENT}`;
    it.each([
      ['traceparent version ff', ['--traceparent', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'], 'traceparent: version ff is invalid'],
      [
        'traceparent too short',
        ['--traceparent', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
        'traceparent: is not version-traceid-parentid-flags, 2-32-16-2 lowercase hex digits joined by "-" (field lengths here: 2-31-16-2)',
      ],
      [
        'traceparent uppercase',
        ['--traceparent', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
        'traceparent: trace id 4BF92F3577B34DA6A3CE929D0E0E4736 has uppercase hex digits (W3C requires lowercase)',
      ],
      ['traceparent zero trace id', ['--traceparent', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`], 'traceparent: trace id is all zeros'],
      ['traceparent zero parent id', ['--traceparent', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`], 'traceparent: parent id is all zeros'],
      ['traceparent 00 with more', ['--traceparent', `${TRACEPARENT}-ab`], 'traceparent: version 00 is exactly 55 characters, this one has 58'],
      [
        'traceparent repeated',
        ['-H', `traceparent: ${TRACEPARENT}`, '-H', `Traceparent: ${TRACEPARENT}`],
        'traceparent: sent 2 times; a repeated traceparent is ignored',
      ],
      ['tracestate key', ['--tracestate', 'rojo=1,Congo=2'], 'tracestate: member 2: key "Congo" must start with a lowercase letter or a digit'],
      ['tracestate value', ['--tracestate', 'rojo=a=b'], 'tracestate: member 1: the value of "rojo" has "=" (allowed: printable ASCII except "," and "=")'],
      ['tracestate no =', ['--tracestate', 'rojo'], 'tracestate: member 1 "rojo" has no "="'],
      ['tracestate 33 members', ['--tracestate', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')], 'tracestate: has more than 32 members'],
      [
        'langsmith-trace 3 fractional digits',
        ['--langsmith-trace', `${ROOT_SEGMENT}.20250102T030405679Z019424f8-632f-7000-8000-00aa11223344`],
        'langsmith-trace: segment 2 has 3 fractional digits, expected exactly 6',
      ],
      [
        'langsmith-trace 9 fractional digits',
        ['--langsmith-trace', '20250102T030405678001002Z019424f8-632e-7000-8000-008074abbf4d'],
        'langsmith-trace: segment 1 has 9 fractional digits, expected exactly 6',
      ],
      [
        'langsmith-trace uppercase',
        ['--langsmith-trace', ROOT_SEGMENT.replace('abbf4d', 'ABBF4D')],
        'langsmith-trace: segment 1 run id 019424f8-632e-7000-8000-008074ABBF4D has uppercase hex digits (LangSmith writes lowercase)',
      ],
      [
        'langsmith-trace child before parent',
        ['--langsmith-trace', `${ROOT_SEGMENT}.${CHILD_SEGMENT.replace('679002', '600000')}`],
        'langsmith-trace: segment 2 starts at 2025-01-02T03:04:05.600000Z, before segment 1 (2025-01-02T03:04:05.678001Z): a child must not start before its parent',
      ],
      [
        'langsmith-trace repeated run',
        ['--langsmith-trace', `${ROOT_SEGMENT}.${ROOT_SEGMENT}`],
        'langsmith-trace: segment 2 repeats the run id of segment 1 (a run cannot be its own ancestor)',
      ],
      [
        'langsmith-trace nil run',
        ['--langsmith-trace', '20250102T030405678001Z00000000-0000-0000-0000-000000000000'],
        'langsmith-trace: segment 1 run id is the nil UUID',
      ],
      [
        'langsmith-trace impossible date',
        ['--langsmith-trace', ROOT_SEGMENT.replace('20250102', '20250230')],
        'langsmith-trace: segment 1 timestamp 2025-02-30 03:04:05 is not a valid UTC date and time (from 1970 on)',
      ],
      ['langsmith-trace stray dot', ['--langsmith-trace', `${LS}.`], 'langsmith-trace: segment 3 is empty (a stray ".")'],
      [
        'langsmith-trace not a dotted order',
        ['--langsmith-trace', 'garbage'],
        'langsmith-trace: segment 1 does not start with a YYYYMMDDTHHMMSS timestamp ("garbage")',
      ],
      ['baggage broken %', ['--baggage', 'a=1,b=2,c=%E4%B8'], 'baggage member 3: broken percent-encoding (%E4%B8 is not UTF-8)'],
      ['baggage bad %', ['--baggage', 'a=%zz'], 'baggage member 1: broken percent-encoding ("%zz" at offset 0 is not "%" and two hex digits)'],
      ['baggage no =', ['--baggage', 'a=1,lonely'], 'baggage member 2: has no "="'],
      ['baggage raw space', ['--baggage', 'k=a b'], 'baggage member 1: value has a space, which must be percent-encoded'],
      ['baggage key', ['--baggage', 'k(1)=v'], 'baggage member 1: key "k(1)" has "(", not allowed in a token'],
      ['metadata not JSON', ['--baggage', 'langsmith-metadata=%7Bnope'], 'baggage member 1 (langsmith-metadata): is not JSON'],
      ['metadata an array', ['--baggage', 'langsmith-metadata=%5B1%5D'], 'baggage member 1 (langsmith-metadata): is a JSON array, not an object'],
      ['project with a control character', ['--baggage', 'langsmith-project=a%0Ab'], 'baggage member 1 (langsmith-project): has a control character'],
    ])('%s', (_name, args, expected) => {
      const r = cli(['inspect', ...args]);
      expect(r.code).toBe(1);
      const problems = r.stdout.slice(r.stdout.lastIndexOf('\n✗ '));
      expect(problems).toContain(`\n  ${expected}`);
      const json = JSON.parse(cli(['inspect', '--json', ...args]).stdout);
      expect(json.valid).toBe(false);
      expect(json.problems.some((p: string) => p.startsWith(expected))).toBe(true);
    });

    it('shows the reason under the header too, and still decodes the valid ones', () => {
      const r = cli(['inspect', '--traceparent', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '--langsmith-trace', LS]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('  ✗ traceparent     ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n                    version ff is invalid\n');
      expect(r.stdout).toContain('verdict             langsmith-trace only: the OTel parent is synthesized from it');
      expect(r.stdout).toContain('✗ 1 problem\n  traceparent: version ff is invalid\n');
    });
  });

  it('reads curl -v style header lines on stdin (request lines only)', () => {
    const { headers, grandchild } = sdkHeaders();
    const input = [
      '*   Trying 127.0.0.1:3000...',
      '> GET /ask HTTP/1.1',
      '> Host: localhost:3000',
      `> traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-${spanIdFromRunId(grandchild.id)}-01`,
      `> langsmith-trace: ${headers['langsmith-trace']}`,
      `> Baggage: ${headers.baggage}`,
      '>',
      '< HTTP/1.1 200 OK',
      '< traceparent: not-this-one',
      'tracestate: rojo=00f067aa0ba902b7',
      'garbage line',
    ].join('\r\n');
    const r = cli(['inspect'], { input });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  ✓ traceparent     00-4bf92f3577b34da6a3ce929d0e0e4736-${spanIdFromRunId(grandchild.id)}-01\n`);
    expect(r.stdout).toContain('  ✓ tracestate      rojo=00f067aa0ba902b7\n');
    expect(r.stdout).toContain("verdict             consistent: the parent span is the caller's run (rule 3b)");
    expect(r.stdout).toContain('  3  langsmith-project   proj / x\n');
  });

  it('stdin with a broken header: exit 1', () => {
    const r = cli(['inspect'], { input: 'traceparent: 00-xyz\n' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('traceparent: is not version-traceid-parentid-flags');
  });

  it('-H and --name=value forms', () => {
    const r = cli(['inspect', '-H', `TraceParent:${TRACEPARENT}`, `--langsmith-trace=${ROOT_SEGMENT}`, '-H', 'x-other: ignored']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(idRow('trace id', '4bf92f3577b34da6a3ce929d0e0e4736', '019424f8-632e-7000-8000-008074abbf4d'));
    expect(r.stdout).toContain(
      "  1  2025-01-02T03:04:05.678001Z  019424f8-632e-7000-8000-008074abbf4d  root run = LangSmith trace id; caller's run = parent of the receiver's runs",
    );
  });

  describe('cites the README, never a source file', () => {
    const { headers, grandchild } = sdkHeaders();
    const ls = headers['langsmith-trace'];
    const consistentTp = `00-4bf92f3577b34da6a3ce929d0e0e4736-${spanIdFromRunId(grandchild.id)}-01`;
    it.each([
      ['both', ['--traceparent', consistentTp, '--langsmith-trace', ls, '--baggage', headers.baggage]],
      ['inconsistent', ['--traceparent', TRACEPARENT, '--langsmith-trace', ls]],
      ['traceparent only', ['--traceparent', TRACEPARENT, '--tracestate', 'rojo=1']],
      ['langsmith-trace only', ['--langsmith-trace', ls]],
      ['invalid', ['--traceparent', 'ff-x', '--tracestate', 'A=1', '--langsmith-trace', 'x', '--baggage', 'a=%zz,langsmith-metadata=1']],
      ['help', ['--help']],
    ])('%s', (_name, args) => {
      const r = cli(['inspect', ...args]);
      expect(r.stdout).not.toMatch(/\bsrc\/|\.ts\b|\.md\b/);
      if (args.includes('--langsmith-trace') && !args.includes('x')) {
        expect(r.stdout).toContain('\nconversions (README › Propagation modes › Ids)\n');
        expect(r.stdout).toContain('\nsee                 README › Propagation modes\n');
      }
      if (r.code === 1)
        expect(r.stdout).toMatch(/\nsee README › Limits for what is accepted, README › Propagation modes for what extract does with the rest\n$/);
    });

    it('the sections cited exist in README.md', async () => {
      const readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
      expect(readme).toMatch(/^## Propagation modes\n(?:(?!^## )[\s\S])*^### Ids\n/m);
      expect(readme).toMatch(/^## Limits\n/m);
    });
  });

  it('usage errors say what to run, exit 2', () => {
    expect(cli(['inspect', '--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'inspect: unknown option "--bogus".\nRun \'langsmith-otel-bridge inspect --help\' for usage.\n',
    });
    expect(cli(['inspect', '--traceparent'])).toMatchObject({ code: 2, stderr: expect.stringContaining('inspect: --traceparent needs a value.') });
    expect(cli(['inspect', '-H', 'no colon'])).toMatchObject({ code: 2, stderr: expect.stringContaining("inspect: -H takes 'name: value'") });
    expect(cli(['inspect'])).toMatchObject({
      code: 2,
      stderr:
        "inspect: no tracing header found (looked for traceparent, tracestate, langsmith-trace, baggage on stdin).\nRun 'langsmith-otel-bridge inspect --help' for usage.\n",
    });
    expect(cli(['inspect', 'x'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'inspect: unknown argument "x".\nRun \'langsmith-otel-bridge inspect --help\' for usage.\n',
    });
    expect(cli(['inspect', '--json=1'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^inspect: --json takes no value \(got "--json=1"\)\.\n/) });
    expect(cli(['inspect', '-H'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^inspect: -H needs a value\.\n/) });
    expect(cli(['inspect', '--traceparent', '--json'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^inspect: --traceparent needs a value\.\n/) });
    for (const args of [
      ['inspect', '--help'],
      ['inspect', '-h'],
      ['inspect', '--traceparent', TRACEPARENT, '-h'],
      ['help', 'inspect'],
    ]) {
      const help = cli(args);
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/^Usage: langsmith-otel-bridge inspect /);
    }
  });

  it('-H and --traceparent for the same header keep their order on the command line', () => {
    const other = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const r = cli(['inspect', '--json', '--traceparent', TRACEPARENT, '-H', `traceparent: ${other}`, '--traceparent', TRACEPARENT]);
    expect(JSON.parse(r.stdout).headers.traceparent).toBe(`${TRACEPARENT}, ${other}, ${TRACEPARENT}`);
  });
});

// ---------------------------------------------------------------------------

describe('langsmith-otel-bridge tree', () => {
  const A = '01942a00-0000-7000-8000-00000000000a';
  const A1 = '01942a00-0000-7000-8000-0000000000a1';
  const A2 = '01942a00-0000-7000-8000-0000000000a2';
  const A21 = '01942a00-0000-7000-8000-000000000a21';
  const B = '01942b00-0000-7000-8000-00000000000b';
  const B_ORPHAN = '01942b00-0000-7000-8000-0000000000b9';
  const MISSING = '01942b00-0000-7000-8000-0000000000b8';

  /** A dotted-order segment for a run that started at the ISO time `start`. */
  function segment(start: string, runId: string): string {
    return `${start.replace(/[-:.]/g, '')}${runId}`;
  }

  /** A finished run under `parent` (a Run, the id of a run not in the file, or none). */
  function run(id: string, name: string, runType: Run['run_type'], parent: RunParent, start: string, end: string, more: Partial<Run> = {}): Run {
    return finishedRun({ id, name, run_type: runType, parent, segment: segment(start, id), start_time: start, end_time: end }, more);
  }

  let file = '';
  beforeAll(async () => {
    file = path.join(tmp, 'runs', 'runs.jsonl');
    const sink = new JsonlFileSink(file);
    const b = run(B, 'cron', 'chain', undefined, '2025-01-02T04:00:00.000000Z', '2025-01-02T04:00:01.500000Z', { session_name: 'jobs' });
    const missing = `${b.dotted_order}.${segment('2025-01-02T04:00:00.050000Z', MISSING)}`;
    const bOrphan = run(B_ORPHAN, 'late', 'tool', [MISSING, missing], '2025-01-02T04:00:00.100000Z', '2025-01-02T04:00:00.150000Z', { session_name: 'jobs' });
    const a = run(A, 'handle-request', 'chain', undefined, '2025-01-02T03:04:05.000000Z', '2025-01-02T03:04:05.041200Z');
    const a1 = run(A1, 'retrieve', 'retriever', a, '2025-01-02T03:04:05.001000Z', '2025-01-02T03:04:05.007000Z');
    const a2 = run(A2, 'generate', 'llm', a, '2025-01-02T03:04:05.008000Z', '2025-01-02T03:04:05.038500Z', {
      error: 'RateLimitError: slow down\n    at call (llm.ts:1:1)',
    });
    const a21 = run(A21, 'search', 'tool', a2, '2025-01-02T03:04:05.020000Z', '2025-01-02T03:04:05.022000Z');
    // The newer trace is written first (the output puts it last); children before parents, as spans end.
    await sink.write([b, bOrphan]);
    await writeFile(file, (await readFile(file, 'utf8')) + '\nnot json\n{"no":"id"}\n\n', 'utf8');
    await sink.write([a21, a2, a1, a]);
  });

  const TREE_A = [
    `trace ${A} · project demo · 4 runs`,
    'handle-request  chain  41.2 ms',
    '├─ retrieve  retriever  6.0 ms',
    '└─ generate  llm  30.5 ms  ✗ RateLimitError: slow down',
    '   └─ search  tool  2.0 ms',
  ].join('\n');
  const TREE_B = [`trace ${B} · project jobs · 2 runs`, 'cron  chain  1500 ms', `(parent run ${MISSING} is not in the file)`, 'late  tool  50.0 ms'].join('\n');

  it('prints every trace, oldest first, and counts lines that are not runs', () => {
    const r = cli(['tree', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${TREE_A}\n\n${TREE_B}\n`);
    expect(r.stderr).toBe('warning: skipped 2 lines that are not a run: 1 is not JSON (line 4); 1 is an object without a string "id" (line 5)\n');
  });

  it('--trace selects one trace, by UUID, OTel hex form or prefix', () => {
    for (const id of [B, B.replace(/-/g, ''), '01942b']) {
      const r = cli(['tree', file, '--trace', id]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${TREE_B}\n`);
    }
    const missing = cli(['tree', file, '--trace', '01942c00-0000-7000-8000-00000000000c']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`tree: no trace 01942c00-0000-7000-8000-00000000000c (traces in the file: ${A}, ${B})`);
    const ambiguous = cli(['tree', file, '--trace=01942']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('tree: 2 traces start with 01942');
  });

  it('--ids and --color', () => {
    const ids = cli(['tree', file, '--trace', A, '--ids']);
    expect(ids.stdout.split('\n')[1]).toBe(`handle-request  chain  41.2 ms  ${A}`);
    const colored = cli(['tree', file, '--trace', A, '--color']);
    expect(colored.stdout).toContain('\u001b[1mhandle-request\u001b[0m  \u001b[36mchain\u001b[0m  41.2 ms');
    expect(colored.stdout).toContain('\u001b[31m✗ RateLimitError: slow down\u001b[0m');
    // Not a terminal: no colour unless asked.
    expect(cli(['tree', file]).stdout).not.toContain('\u001b[');
    expect(cli(['tree', file, '--color', '--no-color']).stdout).not.toContain('\u001b[');
  });

  it('reads LANGSMITH_OTEL_FILE when no file is given', () => {
    const r = cli(['tree', '--trace', A], { env: { LANGSMITH_OTEL_FILE: file } });
    expect(r.stdout).toBe(`${TREE_A}\n`);
  });

  it('a missing file: says how it gets created', () => {
    const r = cli(['tree', path.join(tmp, 'nope.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `tree: ${path.join(tmp, 'nope.jsonl')} does not exist.\n` +
        "Runs are written there by the bridge's JSONL file sink: run the demo (`npm run demo` writes .langsmith-otel/runs.jsonl), " +
        'or set LANGSMITH_OTEL_FILE=<path> in the service you trace, then pass that path.\n',
    );
    expect(cli(['tree']).stderr).toContain('tree: .langsmith-otel/runs.jsonl does not exist.');
  });

  describe('a file with no run in it: exit 1 with the reason', () => {
    it.each([
      ['empty', '', 'is empty: no run has been written to it yet.\n'],
      ['blank lines only', '\n  \n\n', 'is empty (blank lines only): no run has been written to it yet.\n'],
    ])('%s', async (name, content, reason) => {
      const empty = path.join(tmp, `${name}.jsonl`);
      await writeFile(empty, content);
      const r = cli(['tree', empty]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `tree: ${empty} ${reason}` +
          'The JSONL file sink appends a line per run as the bridge exports its spans (in batches): ' +
          'let the traced service handle a request, or shut it down so it flushes, then try again.\n',
      );
    });

    it('lines that are not runs: how many, and why each kind was rejected', async () => {
      const junk = path.join(tmp, 'junk.jsonl');
      // Pretty-printed JSON, an array of runs, objects without an id or with a number or empty one.
      await writeFile(junk, ['{', '  "id": "x"', '}', '[{"id":"a"}]', '"run"', '{"name":"no id"}', '', '{"id":7}', '{"id":""}'].join('\n'));
      const r = cli(['tree', junk]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `tree: no runs in ${junk}: none of its 8 lines is a run — 3 are not JSON (line 1, 2, 3); ` +
          '2 are JSON but not objects (line 4, 5); 3 are objects without a string "id" (line 6, 8, 9).\n' +
          'tree reads JSON lines: one run object with an "id" per line, as the bridge\'s JSONL file sink writes them.\n',
      );
      const one = path.join(tmp, 'one.jsonl');
      await writeFile(one, 'null\n');
      expect(cli(['tree', one, '--trace', 'abc'])).toMatchObject({
        code: 1,
        stderr: expect.stringContaining(`tree: no runs in ${one}: its only line is not a run — 1 is JSON but not an object (line 1).\n`),
      });
    });
  });

  it('usage errors and help', () => {
    expect(cli(['tree', '--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tree: unknown option "--bogus".\nRun \'langsmith-otel-bridge tree --help\' for usage.\n',
    });
    expect(cli(['tree', 'a', 'b', 'c'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tree: one file at a time \(got 3: "a", "b", "c"\)\.\n/) });
    expect(cli(['tree', '--trace']).code).toBe(2);
    expect(cli(['tree', '--trace=']).stderr).toMatch(/^tree: --trace needs a trace id\.\n/);
    for (const args of [
      ['tree', '--help'],
      ['tree', '-h'],
      ['tree', 'some.jsonl', '--ids', '-h'],
      ['help', 'tree'],
    ]) {
      expect(cli(args), args.join(' ')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: langsmith-otel-bridge tree /) });
    }
  });

  it('util.parseArgs rules: a forgotten value, a value given to a flag, "--" before a file name', () => {
    // Before parseArgs, `--trace --ids` looked for a trace named "--ids".
    expect(cli(['tree', file, '--trace', '--ids'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "tree: --trace needs a value.\nRun 'langsmith-otel-bridge tree --help' for usage.\n",
    });
    expect(cli(['tree', file, '--ids=yes'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tree: --ids takes no value (got "--ids=yes").\nRun \'langsmith-otel-bridge tree --help\' for usage.\n',
    });
    expect(cli(['tree', '--', '-runs.jsonl'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^tree: -runs\.jsonl does not exist\.\n/) });
    // The last of --color and --no-color wins.
    expect(cli(['tree', file, '--no-color', '--color']).stdout).toContain('\u001b[');
  });
});

describe('control characters from the wire are shown, not obeyed (issue 8)', () => {
  // Real sequences: OSC 52 writes the clipboard, CSI 2J clears the screen, U+009B is an 8-bit CSI,
  // U+202E reverses what follows on the line.
  const OSC52 = '\u001b]52;c;aGVsbG8=\u0007';
  const CLEAR = '\u001b[2J';
  const C1_CSI = '\u009b31m';
  const RLO = '\u202e';
  /** Our own colours, the only escape sequences allowed out. */
  const OUR_SGR = /\u001b\[(?:0|1|2|31|36)m/g;
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

  it('tree: names, types, errors, projects and ids, with and without --color', async () => {
    const id = '01942d00-0000-7000-8000-00000000000d';
    const child = '01942d00-0000-7000-8000-0000000000d1';
    const seg = (t: string, runId: string) => `20250102T0304050000${t}Z${runId}`;
    const runs = [
      {
        id,
        trace_id: id,
        dotted_order: seg('00', id),
        name: `evil${OSC52}`,
        run_type: `chain${CLEAR}`,
        start_time: '2025-01-02T03:04:05.000000Z',
        end_time: '2025-01-02T03:04:05.001000Z',
        session_name: `p${RLO}x`,
        error: `Boom${C1_CSI}\rX`,
      },
      {
        id: child,
        trace_id: id,
        parent_run_id: `${id}${CLEAR}`,
        dotted_order: `${seg('00', id)}.${seg('01', child)}`,
        name: `c\tn`,
        run_type: 'tool',
        start_time: '2025-01-02T03:04:05.000100Z',
        end_time: '2025-01-02T03:04:05.000200Z',
        session_name: 'p',
      },
    ];
    const file = path.join(tmp, 'evil.jsonl');
    await writeFile(file, runs.map((r) => JSON.stringify(r)).join('\n') + '\n');

    const plain = cli(['tree', file, '--ids']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toMatch(RAW);
    expect(plain.stdout).toContain('evil\\x1b]52;c;aGVsbG8=\\x07  chain\\x1b[2J');
    expect(plain.stdout).toContain('✗ Boom\\x9b31m\\rX');
    expect(plain.stdout).toContain('project p\\u202ex');
    expect(plain.stdout).toContain(`(parent run ${id}\\x1b[2J is not in the file)`);
    expect(plain.stdout).toContain('c\\tn  tool');

    const colored = cli(['tree', file, '--color']);
    expect(colored.stdout).toContain('\u001b[1mevil\\x1b]52;c;aGVsbG8=\\x07\u001b[0m');
    expect(colored.stdout.replace(OUR_SGR, '')).not.toMatch(RAW);

    const message = cli(['tree', file, '--trace', `zz${CLEAR}`]);
    expect(message.code).toBe(1);
    expect(message.stderr).not.toMatch(RAW);
    expect(message.stderr).toContain('no trace zz\\x1b[2J');
  });

  it('inspect: header values, decoded baggage and metadata; --json stays the same JSON', () => {
    const metadata = { note: `${C1_CSI}${RLO}`, ok: 'é' };
    const args = [
      'inspect',
      '--traceparent',
      `00-${CLEAR}`,
      '--baggage',
      `k=%1B%5D52%3Bc%3BaGk%3D%07,m=%C2%9B2J,langsmith-metadata=${encodeURIComponent(JSON.stringify(metadata))}`,
    ];
    const text = cli(args);
    expect(text.code).toBe(1);
    expect(text.stdout).not.toMatch(RAW);
    expect(text.stdout).toContain('00-\\x1b[2J');
    expect(text.stdout).toContain('\\x1b]52;c;aGk=\\x07');
    expect(text.stdout).toContain('\\x9b2J');
    expect(text.stdout).toContain('"note": "\\x9b31m\\u202e"');

    const json = cli([...args, '--json']);
    expect(json.stdout).not.toMatch(RAW);
    const parsed = JSON.parse(json.stdout) as { headers: Record<string, string>; baggage: { members: Array<{ key?: string; value?: string }> } };
    expect(parsed.headers['traceparent']).toBe(`00-${CLEAR}`);
    expect(parsed.baggage.members.map((m) => m.value)).toEqual(['\u001b]52;c;aGk=\u0007', '\u009b2J', JSON.stringify(metadata)]);

    const usage = cli(['inspect', `--bogus${C1_CSI}`]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).not.toMatch(RAW);
  });
});

describe('langsmith-otel-bridge', () => {
  it('--help, help <command>, unknown command', () => {
    expect(cli(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('inspect   decode traceparent') });
    expect(cli(['-h'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: langsmith-otel-bridge <command>/) });
    expect(cli(['help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: langsmith-otel-bridge <command>/) });
    expect(cli(['--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'langsmith-otel-bridge: unknown option "--bogus".\nRun \'langsmith-otel-bridge --help\' for usage.\n',
    });
    expect(cli(['help', 'tree', 'inspect'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^langsmith-otel-bridge: help takes one command, got 2 arguments\.\n/),
    });
    expect(cli(['help', 'frob'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frob"') });
    expect(cli(['help', 'tree'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: langsmith-otel-bridge tree /) });
    expect(cli([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^Usage: langsmith-otel-bridge <command>/) });
    expect(cli(['frob'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'langsmith-otel-bridge: unknown command "frob". Run \'langsmith-otel-bridge --help\' for the commands (inspect, tree).\n',
    });
  });

  it('--version prints the version in package.json, from the ESM and the CommonJS build', async () => {
    const { version } = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(cli(['--version'], { cjs: true })).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('the compiled entry keeps its shebang, and the CommonJS build runs the same', async () => {
    expect((await readFile(cliEsm, 'utf8')).split('\n', 1)[0]).toBe('#!/usr/bin/env node');
    expect((await readFile(cliCjs, 'utf8')).split('\n', 1)[0]).toBe('#!/usr/bin/env node');
    const args = ['inspect', '--traceparent', TRACEPARENT, '--langsmith-trace', ROOT_SEGMENT];
    const cjs = cli(args, { cjs: true });
    expect(cjs.code).toBe(0);
    expect(cjs.stdout).toBe(cli(args).stdout);
  });
});
