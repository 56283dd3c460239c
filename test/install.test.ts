/**
 * The README's SDK 2.x install line, exactly as written, into an empty app
 * (issue 12): the packed tarball stands in for `langsmith-otel-bridge`, the
 * rest of the line is the README's, and `npm install` must resolve it. Then
 * the app (test/support/readme-app.ts, shared with test/readme.test.ts) runs as a user would write it — ESM under `--import
 * langsmith-otel-bridge/register`, CommonJS with `registerLangSmithBridge()` —
 * and its HTTP calls become runs. The 3.x line is installed the same way by
 * the Node 24 leg (scripts/sdk3-leg.sh).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installSpecs as specs, readmeApp, scratchDir } from './support/readme-app.js';

let appRoot: string;
let app: string;

const HTTP_APP = `
const server = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/hello');
  console.log('status ' + res.status + ' ' + (await res.text()));
  server.close();
});
`;

interface WrittenRun {
  id: string;
  name: string;
  parent_run_id?: string;
  trace_id: string;
}

/** The client span's run and the server span's run under it: one trace. */
function expectClientServerTree(file: string): void {
  const runs = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as WrittenRun);
  expect(runs.map((r) => r.name)).toEqual(['GET /hello', 'GET /hello']);
  // The caller is on loopback, which the app trusts (LANGSMITH_OTEL_TRUST): the server run continues the client's.
  const root = runs.find((r) => r.parent_run_id === undefined);
  const child = runs.find((r) => r.parent_run_id !== undefined);
  expect(root, 'a root run').toBeDefined();
  expect(child?.parent_run_id).toBe(root!.id);
  expect(child?.trace_id).toBe(root!.id);
}

describe('the README install line for SDK 2.x, in an empty app', () => {
  beforeAll(() => {
    // Shared with test/readme.test.ts: installed once (tarball + README lines), each file in its own subdirectory.
    appRoot = readmeApp();
    app = scratchDir(appRoot, 'install');
  }, 600_000);

  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('the README has the line', () => {
    expect(specs).toContain('@opentelemetry/api@~1.9.0');
  });

  it('resolves the 2.x line only: api 1.9, SDK 2.x, no 3.x package', () => {
    const version = (name: string) => JSON.parse(readFileSync(path.join(appRoot, 'node_modules', name, 'package.json'), 'utf8')).version as string;
    expect(version('@opentelemetry/api')).toMatch(/^1\.9\./);
    expect(version('@opentelemetry/sdk-trace-base')).toMatch(/^2\./);
    expect(version('@opentelemetry/core')).toMatch(/^2\./);
  });

  it('an ESM app under --import langsmith-otel-bridge/register traces its HTTP calls', () => {
    writeFileSync(path.join(app, 'app.mjs'), `import http from 'node:http';\n${HTTP_APP}`);
    const file = path.join(app, 'esm-runs.jsonl');
    const run = spawnSync(process.execPath, ['--import', 'langsmith-otel-bridge/register', 'app.mjs'], {
      cwd: app,
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        LANGSMITH_OTEL_ENABLED: 'true',
        LANGSMITH_OTEL_FILE: file,
        LANGSMITH_OTEL_PRINT: 'false',
        LANGSMITH_OTEL_TRUST: '127.0.0.0/8',
      },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('status 200 ok\n');
    expectClientServerTree(file);
  });

  it('a CommonJS app with registerLangSmithBridge() traces its HTTP calls', () => {
    writeFileSync(
      path.join(app, 'app.cjs'),
      `const { registerLangSmithBridge } = require('langsmith-otel-bridge');\n` +
        `registerLangSmithBridge().then((bridge) => {\n  const http = require('node:http');\n${HTTP_APP.replace('server.close();', 'server.close(() => bridge.shutdown());')}\n});\n`,
    );
    const file = path.join(app, 'cjs-runs.jsonl');
    const run = spawnSync(process.execPath, ['app.cjs'], {
      cwd: app,
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH, LANGSMITH_OTEL_FILE: file, LANGSMITH_OTEL_PRINT: 'false', LANGSMITH_OTEL_TRUST: '127.0.0.0/8' },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('status 200 ok\n');
    expectClientServerTree(file);
  });
});
