/**
 * The `langsmith` SDK integration against the lowest and the newest
 * `langsmith` it supports (issue 12), each in an isolated app: the packed
 * tarball, the README's SDK 2.x install line and that `langsmith`, from the
 * registry. Lowest: 0.3.35, the first release with
 * `langsmith/experimental/otel/setup` (`initializeOTEL`), which OTel mode
 * needs. Newest: what `npm view langsmith version` says today.
 *
 * In each app, as separate processes with real HTTP and fetch
 * instrumentation:
 * - OTel mode under `--import langsmith-otel-bridge/register`: traceable runs
 *   become spans of the request's trace, with no notice that a feature of the
 *   SDK is missing (the feature tests in src/setup/langsmith-sdk.ts find the
 *   translator and the transport they patch);
 * - REST mode with the README's `runTreeForActiveSpan()` recipe: the
 *   traceable nests under the server span's run, and the Client's own HTTP
 *   calls (`GET /info`, `POST /runs/multipart`) are no runs.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestServer, type IngestServer } from '../src/ingest/index.js';
import { restModeEnv } from './sdk3/readme-blocks.js';
import { installSpecs, ROOT } from './support/readme-app.js';

const LOWEST = '0.3.35';
const NEWEST = execFileSync('npm', ['view', 'langsmith', 'version'], { encoding: 'utf8', timeout: 60_000 }).trim();

let work: string;
let tarball: string;
let ingest: IngestServer;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lob-langsmith-range-'));
  tarball = path.join(
    work,
    execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!,
  );
  ingest = await startIngestServer();
}, 120_000);

afterAll(async () => {
  await ingest?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const OTEL_APP = `import http from 'node:http';
import { traceable } from 'langsmith/traceable';
const retrieve = traceable(async (q) => ['doc about ' + q], { name: 'retrieve', run_type: 'retriever' });
const answer = traceable(async (q) => ({ answer: (await retrieve(q)).length + ' document(s)' }), { name: 'answer' });
const server = http.createServer(async (req, res) => res.end(JSON.stringify(await answer('q')))).listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/ask');
  console.log(await res.text());
  server.close();
});
`;

const REST_APP = `import { registerLangSmithBridge, runTreeForActiveSpan } from 'langsmith-otel-bridge';
import { RunTree } from 'langsmith';
import { traceable, withRunTree } from 'langsmith/traceable';
const bridge = await registerLangSmithBridge({ langsmithOtelMode: false, quiet: true });
const http = await import('node:http');
const answer = traceable(async (q) => 'an answer to ' + q, { name: 'answer' });
const server = http.createServer(async (req, res) => {
  const parent = await runTreeForActiveSpan();
  res.end(await (parent ? withRunTree(parent, () => answer('q')) : answer('q')));
}).listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/ask');
  console.log(await res.text());
  server.close();
  await RunTree.getSharedClient().awaitPendingTraceBatches();
  await bridge.shutdown();
});
`;

function run(app: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd: app, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

for (const version of [LOWEST, NEWEST]) {
  describe(`langsmith ${version}`, () => {
    let app: string;

    beforeAll(() => {
      app = path.join(work, `langsmith-${version}`);
      execFileSync('mkdir', ['-p', app]);
      writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'range', private: true, version: '1.0.0' }));
      const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...installSpecs!, `langsmith@${version}`], {
        cwd: app,
        encoding: 'utf8',
        timeout: 280_000,
      });
      if (install.status !== 0) throw new Error(`npm install langsmith@${version} failed:\n${install.stderr}`);
      writeFileSync(path.join(app, 'otel-app.mjs'), OTEL_APP);
      writeFileSync(path.join(app, 'rest-app.mjs'), REST_APP);
    }, 300_000);

    it('is the version asked for', () => {
      expect(JSON.parse(readFileSync(path.join(app, 'node_modules', 'langsmith', 'package.json'), 'utf8')).version).toBe(version);
    });

    it("OTel mode: traceable runs are spans of the request's trace; no SDK feature reported missing", async () => {
      const file = path.join(app, 'otel-runs.jsonl');
      const result = await run(app, ['--import', 'langsmith-otel-bridge/register', 'otel-app.mjs'], {
        LANGSMITH_OTEL_ENABLED: 'true',
        LANGSMITH_TRACING: 'true',
        LANGSMITH_ENDPOINT: ingest.url,
        LANGSMITH_API_KEY: 'test',
        LANGSMITH_OTEL_FILE: file,
        LANGSMITH_OTEL_PRINT: 'false',
        LANGSMITH_OTEL_QUIET: 'true',
        LANGSMITH_OTEL_TRUST: '127.0.0.0/8',
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('{"answer":"1 document(s)"}\n');
      // A feature test that fails says so on stderr: none may here.
      expect(result.stderr).toBe('');
      const runs = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; name: string; parent_run_id?: string; trace_id: string });
      expect(runs.map((r) => r.name).sort()).toEqual(['GET /ask', 'GET /ask', 'answer', 'retrieve']);
      const byName = (name: string) => runs.filter((r) => r.name === name);
      const root = runs.find((r) => r.parent_run_id === undefined)!;
      const server = byName('GET /ask').find((r) => r.parent_run_id === root.id)!;
      expect(server, 'the server run under the client run').toBeDefined();
      expect(byName('answer')[0]!.parent_run_id).toBe(server.id);
      expect(byName('retrieve')[0]!.parent_run_id).toBe(byName('answer')[0]!.id);
      expect(new Set(runs.map((r) => r.trace_id))).toEqual(new Set([root.id]));
    });

    it("REST mode: runTreeForActiveSpan() nests the traceable; the Client's own calls are no runs", async () => {
      ingest.clear();
      const result = await run(app, ['rest-app.mjs'], restModeEnv(ingest.url, 'range-rest'));
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('an answer to q\n');
      expect(result.stderr).toBe('');
      const runs = ingest.runs();
      expect(runs.map((r) => r.name).sort()).toEqual(['GET /ask', 'GET /ask', 'answer']);
      const answer = runs.find((r) => r.name === 'answer')!;
      expect(answer.source).toBe('multipart');
      expect(runs.find((r) => r.id === answer.parent_run_id)?.name).toBe('GET /ask');
      expect(ingest.orphans()).toEqual([]);
      expect(ingest.violations()).toEqual([]);
    });
  });
}
