/**
 * SDK 3.x leg: the README's recipes on the 3.x line (issue 12), as
 * test/readme.test.ts runs them on 2.x. The blocks are read from the
 * checkout's README.md (SDK3_README, set by scripts/sdk3-leg.sh); the app is
 * this leg's project (the README's 3.x install line, its
 * `@opentelemetry/sdk-node` for 3.x, `langsmith`). Compiled with
 * `tsc --strict` (module NodeNext), then run on Node 24: the NodeSDK recipe
 * under an ESM and a CommonJS app, the `runTreeForActiveSpan()` recipe in
 * REST mode with a real Client posting to the local ingest.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startIngestServer, type IngestServer } from 'langsmith-otel-bridge/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeBlocks, restModeEnv, STRICT_TSCONFIG } from './readme-blocks.js';

const README = readFileSync(process.env.SDK3_README ?? path.resolve('README.md'), 'utf8');
const APP = process.cwd();

/** The ts block whose first line is `firstLine` (list indentation removed). */
function block(firstLine: string): string {
  const found = readmeBlocks(README).find((b) => b.lang === 'ts' && b.firstLine === firstLine);
  if (!found) throw new Error(`README.md has no ts block starting ${firstLine}`);
  return found.code;
}

let dir: string;
let tsc: ReturnType<typeof spawnSync>;
let ingest: IngestServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(APP, 'readme-'));
  writeFileSync(path.join(dir, 'telemetry.mts'), block('// telemetry.ts (compiled to telemetry.js); start the app with: node --import ./telemetry.js app.js'));
  writeFileSync(path.join(dir, 'recipe.mts'), block("import { traceable, withRunTree } from 'langsmith/traceable';"));
  writeFileSync(path.join(dir, 'tsconfig.json'), STRICT_TSCONFIG);
  tsc = spawnSync(process.execPath, [path.join(APP, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  ingest = await startIngestServer();
}, 180_000);

afterAll(async () => {
  await ingest?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const HTTP_APP = `
const server = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/hello');
  console.log('status ' + res.status + ' ' + (await res.text()));
  server.close();
});
`;

describe('the README recipes on SDK 3.x', () => {
  it('compile with tsc --strict, module NodeNext, against the tarball and the 3.x packages', () => {
    expect(`${tsc.stdout}${tsc.stderr}`.trim()).toBe('');
    expect(tsc.status).toBe(0);
  });

  for (const [kind, file, source] of [
    ['an ESM app', 'app.mjs', `import http from 'node:http';\n${HTTP_APP}`],
    ['a CommonJS app', 'app.cjs', `const http = require('node:http');\n${HTTP_APP}`],
  ] as const) {
    it(`the NodeSDK recipe under ${kind}: server and client spans become runs`, async () => {
      expect(tsc.status).toBe(0);
      writeFileSync(path.join(dir, file), source);
      const runs = path.join(dir, `${file}.runs.jsonl`);
      const result = await run(['--import', './out/telemetry.mjs', file], {
        LANGSMITH_OTEL_FILE: runs,
        LANGSMITH_OTEL_PRINT: 'false',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'none',
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('status 200 ok\n');
      const names = readFileSync(runs, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { name: string }).name);
      expect(names).toEqual(['GET /hello', 'GET /hello']);
    });
  }

  it("the runTreeForActiveSpan recipe: answer under the server run; the Client's own calls are no runs", async () => {
    expect(tsc.status).toBe(0);
    writeFileSync(
      path.join(dir, 'rest-app.mjs'),
      `import { registerLangSmithBridge } from 'langsmith-otel-bridge';
import { RunTree } from 'langsmith';
const bridge = await registerLangSmithBridge({ langsmithOtelMode: false, quiet: true });
const http = await import('node:http');
const { handle } = await import('./out/recipe.mjs');
const server = http.createServer(async (req, res) => res.end(await handle('q'))).listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/ask');
  console.log(await res.text());
  server.close();
  await RunTree.getSharedClient().awaitPendingTraceBatches();
  await bridge.shutdown();
});
`,
    );
    const result = await run(['rest-app.mjs'], restModeEnv(ingest.url, 'readme-rest-3x'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('an answer to q\n');
    const runs = ingest.runs();
    expect(runs.map((r) => r.name).sort()).toEqual(['GET /ask', 'GET /ask', 'answer']);
    const answer = runs.find((r) => r.name === 'answer')!;
    expect(runs.find((r) => r.id === answer.parent_run_id)?.name).toBe('GET /ask');
    expect(ingest.orphans()).toEqual([]);
  });
});
