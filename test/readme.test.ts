/**
 * Every fenced block of README.md, as a user would paste it (issue 12): the
 * blocks are read from the README itself, and each one is run, compiled,
 * compared with the file that runs it, or listed in CLASSIFIED below with
 * the reason it cannot run as it stands. A new block that is not classified
 * fails the first test, and so does a classification whose block is gone:
 * the README cannot drift from what CI checks.
 *
 * The app is the one test/install.test.ts uses (test/support/readme-app.ts):
 * the packed tarball and the README's SDK 2.x install line, plus what the
 * README tells users to add (`@opentelemetry/sdk-node`, `langsmith`).
 * TypeScript blocks are compiled together by one `tsc --strict` (module
 * NodeNext) in that app, so `langsmith-otel-bridge` resolves from the
 * tarball's own declarations, as in a user's app.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestServer, type IngestServer } from '../src/ingest/index.js';
import { readmeBlocks, restModeEnv, STRICT_TSCONFIG, type ReadmeBlock } from './sdk3/readme-blocks.js';
import { readmeApp, ROOT, scratchDir } from './support/readme-app.js';

type How =
  /** Compiled with tsc --strict in the app (and run by a named test below where `run` says so). */
  | { how: 'typecheck'; run?: string }
  /** Run by a named test below. */
  | { how: 'run'; run: string }
  /** The block is in `file` as it stands (`lines`: its lines appear there in order, the file adds what the block leaves to the reader). */
  | { how: 'verbatim'; file: string; lines?: boolean }
  /** Not runnable as it stands; `mirror` must appear in `file`, where that code runs. */
  | { how: 'mirrored'; file: string; mirror: string; reason: string }
  /** Not run, for `reason`. */
  | { how: 'not-run'; reason: string };

/** Each block, by its first line (exact, trimmed). */
const CLASSIFIED: Record<string, How> = {
  'npm ci && npm run demo    # three services on loopback, a few requests, one tree per request': {
    how: 'not-run',
    reason: "the repository's own commands, not a user app: .ci/run runs `npm ci`; test/e2e.test.ts runs the demo",
  },
  'trace 00000000-0000-0000-e3b6-b033d8b2d758 · project langsmith-otel-bridge-demo · 11 runs': {
    how: 'not-run',
    reason: "an output sample (ids and timings differ per run); test/e2e.test.ts asserts the demo's tree shape",
  },
  'npm install langsmith-otel-bridge @opentelemetry/api@~1.9.0 @opentelemetry/sdk-trace-base@^2.12.0 @opentelemetry/context-async-hooks@^2.12.0 @opentelemetry/resources@^2.12.0 @opentelemetry/exporter-trace-otlp-proto@^0.223.0 @opentelemetry/instrumentation-http@^0.223.0 @opentelemetry/instrumentation-undici@^0.33.0':
    { how: 'run', run: 'the install line' },
  'npm install langsmith-otel-bridge @opentelemetry/api@~1.10.0 @opentelemetry/sdk-trace@^3.1.0 @opentelemetry/context-async-hooks@^3.1.0 @opentelemetry/resources@^3.1.0 @opentelemetry/exporter-trace-otlp-proto@^0.301.0 @opentelemetry/instrumentation-http@^0.301.0 @opentelemetry/instrumentation-undici@^0.34.0':
    { how: 'not-run', reason: 'needs Node ≥ 22.15: scripts/sdk3-leg.sh installs exactly this line on Node 24 (.ci/run)' },
  'LANGSMITH_OTEL_ENABLED=true OTEL_SERVICE_NAME=agent \\': { how: 'run', run: 'the register one-liner' },
  'langsmith-otel-bridge: agent → OTLP http://collector:4318/v1/traces; inbound context trusted from callers matching the trust policy': {
    how: 'run',
    run: 'the register one-liner',
  },
  'langsmith-otel-bridge: not enabled (set LANGSMITH_OTEL_ENABLED=true to trace this process)': {
    how: 'verbatim',
    file: 'test/config-env.test.ts',
  },
  '// telemetry.ts (compiled to telemetry.js); start the app with: node --import ./telemetry.js app.js': {
    how: 'typecheck',
    run: 'the NodeSDK recipe',
  },
  "import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';": { how: 'typecheck' },
  "import { traceable, withRunTree } from 'langsmith/traceable';": { how: 'typecheck', run: 'the runTreeForActiveSpan recipe' },
  '// caller: node --import langsmith-otel-bridge/register app.js (LANGSMITH_OTEL_ENABLED=true)': {
    how: 'mirrored',
    file: 'test/langgraph/agent-server-support.ts',
    mirror: 'onRequest: agentServerRequestHook()',
    reason: "a fragment (`question` is the caller's) that needs a LangGraph Agent Server: test/langgraph/agent-server.test.ts",
  },
  "import { context } from '@opentelemetry/api';": { how: 'verbatim', file: 'test/langgraph/js-server/graph.mjs' },
  "import { Hono } from 'hono';": { how: 'verbatim', file: 'test/langgraph/js-server/app.mjs' },
  'import contextlib, hmac, json, os': { how: 'verbatim', file: 'test/python/agent_server/agent.py', lines: true },
  "import { withRunTree } from 'langsmith/traceable';": {
    how: 'mirrored',
    file: 'test/langgraph/in-process.test.ts',
    mirror: 'await withRunTree(parent!, () => graph.invoke(',
    reason: "a fragment (`graph`, `input` are the user's LangGraph graph): test/langgraph/in-process.test.ts runs it",
  },
  "import { langChainSpanHandler } from 'langsmith-otel-bridge/langgraph';": {
    how: 'mirrored',
    file: 'test/langgraph/in-process-otel.test.ts',
    mirror: '[await langChainSpanHandler()]',
    reason: "a fragment (`graph`, `input` are the user's LangGraph graph): test/langgraph/in-process-otel.test.ts runs it",
  },
  'npm run stack          # builds what is missing, then everything on 127.0.0.1; Ctrl-C stops it': {
    how: 'not-run',
    reason: 'starts the long-running stack (Go builds, then servers until Ctrl-C): test/stack-live.test.ts',
  },
  'LANGSMITH_API_KEY=... docker compose up --build': {
    how: 'not-run',
    reason: 'needs Docker and an API key; scripts/validate-stack.mjs checks the compose file',
  },
  "npx langsmith-otel-bridge inspect --traceparent 00-… --langsmith-trace 2025…Z0194… --baggage 'langsmith-project=x'": {
    how: 'not-run',
    reason: 'placeholders (…) and a clipboard (pbpaste); test/cli.test.ts runs each command',
  },
  'npm ci': { how: 'not-run', reason: "the repository's development commands: .ci/run runs them" },
};

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const BLOCKS = readmeBlocks(README);
const classOf = (block: ReadmeBlock): How | undefined => CLASSIFIED[block.firstLine];
const blockRunBy = (name: string): ReadmeBlock => {
  const found = BLOCKS.filter((b) => {
    const how = classOf(b);
    return how !== undefined && 'run' in how && how.run === name && (b.lang === 'ts' || b.lang === 'sh' || b.lang === '');
  });
  if (found.length === 0) throw new Error(`README.md has no block for "${name}"`);
  return found[0]!;
};

describe('README.md: every block is accounted for', () => {
  it('every fenced block is classified, and every classification names a block', () => {
    const unclassified = BLOCKS.filter((b) => classOf(b) === undefined).map((b) => `README.md:${b.line} \`\`\`${b.lang}: ${b.firstLine}`);
    expect(unclassified, 'new README blocks: run them in test/readme.test.ts or classify them with a reason').toEqual([]);
    const firstLines = new Set(BLOCKS.map((b) => b.firstLine));
    expect(
      Object.keys(CLASSIFIED).filter((k) => !firstLines.has(k)),
      'classified blocks no longer in the README',
    ).toEqual([]);
    expect(BLOCKS.length).toBeGreaterThanOrEqual(19);
  });

  it('every ts/js block is compiled, run or kept verbatim by a test; the others say why not', () => {
    for (const block of BLOCKS) {
      const how = classOf(block)!;
      if (block.lang === 'ts') expect(['typecheck', 'mirrored'], `README.md:${block.line}`).toContain(how.how);
      if (how.how === 'not-run') expect(how.reason.length, `README.md:${block.line}`).toBeGreaterThan(20);
    }
  });

  it('the blocks kept in test files are there as the README shows them', () => {
    for (const block of BLOCKS) {
      const how = classOf(block)!;
      if (how.how === 'verbatim') {
        const file = readFileSync(path.join(ROOT, how.file), 'utf8');
        if (!how.lines) {
          expect(file.includes(block.code.trimEnd()), `README.md:${block.line} is not verbatim in ${how.file}`).toBe(true);
          continue;
        }
        // In order, line by line: the file adds the graph the README leaves to the reader.
        const fileLines = file.split('\n');
        let at = 0;
        for (const line of block.code.split('\n').filter((l) => l.trim() !== '')) {
          const next = fileLines.indexOf(line, at);
          expect(next, `README.md:${block.line}: "${line}" not found (in order) in ${how.file}`).toBeGreaterThanOrEqual(0);
          at = next + 1;
        }
      }
      if (how.how === 'mirrored') {
        expect(
          block.code.includes(how.mirror.replace('parent!', 'parent')) || block.code.includes(how.mirror),
          `README.md:${block.line} no longer shows ${how.mirror}`,
        ).toBe(true);
        expect(readFileSync(path.join(ROOT, how.file), 'utf8')).toContain(how.mirror);
      }
    }
  });
});

describe('README.md: the blocks, in an empty app', () => {
  let app: string;
  let dir: string;
  let tsc: ReturnType<typeof spawnSync>;
  const emitted = new Map<number, string>();

  beforeAll(() => {
    app = readmeApp();
    dir = scratchDir(app, 'readme');
    // Every TS block that is compiled, as its own ES module (.mts: top-level await, as the recipes use it).
    for (const block of BLOCKS) {
      if (block.lang !== 'ts' || classOf(block)?.how !== 'typecheck') continue;
      const name = `block-${block.line}`;
      writeFileSync(path.join(dir, `${name}.mts`), block.code);
      emitted.set(block.line, path.join(dir, 'out', `${name}.mjs`));
    }
    writeFileSync(path.join(dir, 'tsconfig.json'), STRICT_TSCONFIG);
    tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the install line: the app holds the README's SDK 2.x line", () => {
    const line = blockRunBy('the install line');
    // readmeApp() installed these specs; a failure there fails beforeAll.
    expect(
      line.code
        .trim()
        .split(/\s+/)
        .slice(3)
        .every((spec) => spec.startsWith('@opentelemetry/')),
    ).toBe(true);
  });

  it('the TypeScript blocks compile with tsc --strict, module NodeNext, against the tarball', () => {
    expect(emitted.size).toBeGreaterThanOrEqual(3);
    expect(`${tsc.stdout}${tsc.stderr}`.trim()).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('the register one-liner starts and prints the line the README shows', () => {
    const command = blockRunBy('the register one-liner').code;
    const shown = BLOCKS.find((b) => b.lang === '' && classOf(b)?.how === 'run' && (classOf(b) as { run: string }).run === 'the register one-liner')!;
    writeFileSync(path.join(dir, 'app.js'), "console.log('app ran');\n");
    const run = spawnSync('sh', ['-c', command], { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('app ran\n');
    expect(run.stderr).toBe(shown.code);
  });

  const HTTP_APP = `
const server = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/hello');
  console.log('status ' + res.status + ' ' + (await res.text()));
  server.close();
});
`;
  const runNames = (file: string): string[] =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { name: string }).name);

  for (const [kind, file, source] of [
    ['an ESM app', 'app.mjs', `import http from 'node:http';\n${HTTP_APP}`],
    ['a CommonJS app', 'app.cjs', `const http = require('node:http');\n${HTTP_APP}`],
  ] as const) {
    it(`the NodeSDK recipe, compiled, under ${kind}: server and client spans become runs`, () => {
      expect(tsc.status, String(tsc.stdout)).toBe(0);
      const recipe = blockRunBy('the NodeSDK recipe');
      copyFileSync(emitted.get(recipe.line)!, path.join(dir, 'telemetry.mjs'));
      writeFileSync(path.join(dir, file), source);
      const runs = path.join(dir, `${file}.runs.jsonl`);
      const run = spawnSync(process.execPath, ['--import', './telemetry.mjs', file], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 30_000,
        // As the README says where nothing receives NodeSDK's own logs and metrics.
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          LANGSMITH_OTEL_FILE: runs,
          LANGSMITH_OTEL_PRINT: 'false',
          OTEL_LOGS_EXPORTER: 'none',
          OTEL_METRICS_EXPORTER: 'none',
        },
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe('status 200 ok\n');
      // The server span (instrumentation-http, through the loader hook in ESM) and fetch's client span.
      expect(runNames(runs)).toEqual(['GET /hello', 'GET /hello']);
    });
  }

  describe('the runTreeForActiveSpan recipe, REST mode, real Client and HTTP instrumentation', () => {
    let ingest: IngestServer;
    beforeAll(async () => {
      ingest = await startIngestServer();
    });
    afterAll(async () => {
      await ingest?.close();
    });

    it("answer nests under the server span's run; the Client's own calls are no runs", async () => {
      expect(tsc.status, String(tsc.stdout)).toBe(0);
      const recipe = blockRunBy('the runTreeForActiveSpan recipe');
      copyFileSync(emitted.get(recipe.line)!, path.join(dir, 'recipe.mjs'));
      writeFileSync(
        path.join(dir, 'rest-app.mjs'),
        `import { registerLangSmithBridge } from 'langsmith-otel-bridge';
import { RunTree } from 'langsmith';
const bridge = await registerLangSmithBridge({ langsmithOtelMode: false, quiet: true });
const http = await import('node:http');
const { handle } = await import('./recipe.mjs');
const server = http.createServer(async (req, res) => res.end(await handle('q'))).listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/ask');
  console.log(await res.text());
  server.close();
  await RunTree.getSharedClient().awaitPendingTraceBatches();
  await bridge.shutdown();
});
`,
      );
      const child = spawn(process.execPath, ['rest-app.mjs'], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ...restModeEnv(ingest.url, 'readme-rest'),
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).toBe(0);
      expect(stdout).toBe('an answer to q\n');
      const runs = ingest.runs();
      // GET /ask twice (client and server span, one trace: loopback is not trusted, so two roots), answer under the server run.
      expect(runs.map((r) => r.name).sort()).toEqual(['GET /ask', 'GET /ask', 'answer']);
      const answer = runs.find((r) => r.name === 'answer')!;
      const parent = runs.find((r) => r.id === answer.parent_run_id);
      expect(parent?.name).toBe('GET /ask');
      expect(answer.source).toBe('multipart');
      expect(ingest.orphans()).toEqual([]);
      expect(ingest.violations()).toEqual([]);
    });
  });
});
