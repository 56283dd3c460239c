/**
 * Issue 12 through the real register entry (`node --import …/register.js`,
 * a child process): OTEL_SDK_DISABLED, OTEL_RESOURCE_ATTRIBUTES into the
 * resource and so the run metadata, OTEL_PROPAGATORS on the wire, the
 * langsmith SDK's variable names, and every missing package named at once.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSnapshot, REPO, type E2eBuild } from './global-setup.js';

const API = path.join(REPO, 'node_modules/@opentelemetry/api/build/src/index.js');
/** Left out of the partial install: what an OTLP + b3 configuration needs beyond the basics. */
const LEFT_OUT = ['@opentelemetry/exporter-trace-otlp-proto', '@opentelemetry/instrumentation-undici', '@opentelemetry/propagator-b3'];
/** The compiled package (the snapshot of test/global-setup.ts: dist/esm, dist/cjs, node_modules, package.json). */
let full = '';
/** The same build beside a node_modules without LEFT_OUT. */
let own = '';
let cwd = '';

beforeAll(() => {
  let build: E2eBuild = inject('e2eBuild');
  if (!build.ok) build = buildSnapshot(); // not made by this run (no e2e file selected): the same cached snapshot
  if (!build.ok) throw new Error(`could not compile src/: ${build.message}`);
  full = build.dir;
  own = mkdtempSync(path.join(os.tmpdir(), 'register-env-'));
  // Each package but LEFT_OUT linked in.
  const partial = path.join(own, 'partial');
  cpSync(path.join(full, 'dist'), path.join(partial, 'dist'), { recursive: true });
  cpSync(path.join(REPO, 'package.json'), path.join(partial, 'package.json'));
  for (const entry of readdirSync(path.join(REPO, 'node_modules'))) {
    const names = entry.startsWith('@') ? readdirSync(path.join(REPO, 'node_modules', entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) {
      if (LEFT_OUT.includes(name)) continue;
      mkdirSync(path.dirname(path.join(partial, 'node_modules', name)), { recursive: true });
      symlinkSync(path.join(REPO, 'node_modules', name), path.join(partial, 'node_modules', name));
    }
  }
  cwd = mkdtempSync(path.join(os.tmpdir(), 'register-env-cwd-'));
}, 180_000);

afterAll(() => {
  if (own) rmSync(own, { recursive: true, force: true });
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

/** The app: one span, then the headers the registered propagator writes, on stdout. */
const APP = `
const api = require(${JSON.stringify(API)});
const span = api.trace.getTracer('app').startSpan('work');
const headers = {};
api.propagation.inject(api.trace.setSpan(api.context.active(), span), headers);
span.end();
console.log(JSON.stringify({ registered: globalThis[Symbol.for('langsmith-otel-bridge.registered')] !== undefined, headers: Object.keys(headers).sort() }));
`;

function start(env: Record<string, string>, build: 'full' | 'partial' | 'cjs' = 'full') {
  const entry =
    build === 'cjs'
      ? ['-r', path.join(full, 'dist/cjs/register-cjs.js')]
      : ['--import', path.join(build === 'full' ? full : path.join(own, 'partial'), 'dist/esm/register.js')];
  const run = spawnSync(process.execPath, [...entry, '-e', APP], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LANGSMITH_OTEL_PRINT: 'false', ...env },
  });
  const app = run.stdout.trim() ? (JSON.parse(run.stdout.trim().split('\n').pop()!) as { registered: boolean; headers: string[] }) : undefined;
  return { status: run.status, stderr: run.stderr.trim(), app };
}

const ON = { LANGSMITH_OTEL_ENABLED: 'true' };

describe('register entry: the standard OpenTelemetry variables', () => {
  it('OTEL_SDK_DISABLED=true: nothing is set up (no-op API), one line says so, the app runs', () => {
    const file = path.join(cwd, 'disabled.jsonl');
    const run = start({ ...ON, OTEL_SDK_DISABLED: 'true', LANGSMITH_OTEL_FILE: file });
    expect(run.stderr).toBe('langsmith-otel-bridge: OTEL_SDK_DISABLED=true: nothing set up (no tracer provider, propagator or instrumentation)');
    expect({ status: run.status, app: run.app }).toEqual({ status: 0, app: { registered: false, headers: [] } });
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    ['OTEL_SDK_DISABLED=1 (not a value the spec reads)', { ...ON, OTEL_SDK_DISABLED: '1' }, /^langsmith-otel-bridge: OTEL_SDK_DISABLED=1: set true or false/],
    ['OTEL_PROPAGATORS=ottrace', { ...ON, OTEL_PROPAGATORS: 'ottrace' }, /^langsmith-otel-bridge: OTEL_PROPAGATORS: "ottrace" is not a propagator/],
    [
      'OTEL_RESOURCE_ATTRIBUTES without =',
      { ...ON, OTEL_RESOURCE_ATTRIBUTES: 'prod' },
      /^langsmith-otel-bridge: OTEL_RESOURCE_ATTRIBUTES: "prod" is not key=value/,
    ],
    ['LANGSMITH_TRACING_MODE=otlp', { LANGSMITH_TRACING_MODE: 'otlp' }, /^langsmith-otel-bridge: LANGSMITH_TRACING_MODE=otlp: set otel or langsmith/],
    ['OTEL_LOG_LEVEL=loud', { ...ON, OTEL_LOG_LEVEL: 'loud' }, /^langsmith-otel-bridge: OTEL_LOG_LEVEL=loud: set one of none, error, warn/],
  ])('%s: exit 1 and one line, before the app', (_rule, env, message) => {
    const run = start(env);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n')).toHaveLength(1);
    expect({ status: run.status, app: run.app }).toEqual({ status: 1, app: undefined });
  });

  it('OTEL_RESOURCE_ATTRIBUTES reaches the resource and so the run metadata; OTEL_SERVICE_NAME wins for service.name', () => {
    const file = path.join(cwd, 'resource.jsonl');
    const run = start({
      ...ON,
      LANGSMITH_OTEL_FILE: file,
      OTEL_SERVICE_NAME: 'checkout',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored,deployment.environment=prod,team=search%2Cads',
    });
    expect(run.status).toBe(0);
    const runs = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { extra?: { metadata?: Record<string, unknown> } });
    expect(runs[0]?.extra?.metadata).toMatchObject({ 'service.name': 'checkout', 'deployment.environment': 'prod', team: 'search,ads' });
  });

  it("OTEL_PROPAGATORS=b3multi,xray: the app's outbound headers carry them next to the bridge's", () => {
    const run = start({ ...ON, OTEL_PROPAGATORS: 'tracecontext,baggage,b3multi,xray', LANGSMITH_OTEL_FILE: path.join(cwd, 'p.jsonl') });
    expect(run.status).toBe(0);
    expect(run.app?.headers).toEqual(expect.arrayContaining(['traceparent', 'x-b3-traceid', 'x-b3-spanid', 'x-amzn-trace-id']));
    expect(run.stderr).toMatch(/inbound context trusted from no caller \(new roots\); also propagating b3multi, xray$/);
  });

  it('OTEL_LOG_LEVEL=none: a good value, the bridge runs (its own lines silenced)', () => {
    const run = start({ ...ON, OTEL_LOG_LEVEL: 'NONE', LANGSMITH_OTEL_FILE: path.join(cwd, 'log.jsonl') });
    expect({ status: run.status, registered: run.app?.registered }).toEqual({ status: 0, registered: true });
  });

  it('OTEL_ENABLED=true alone does not switch the bridge on, and the line says why', () => {
    const run = start({ OTEL_ENABLED: 'true' });
    expect(run.stderr).toMatch(/not enabled \(set LANGSMITH_OTEL_ENABLED=true .*OTEL_ENABLED is the langsmith SDK's legacy OTel-mode flag/);
    expect({ status: run.status, registered: run.app?.registered }).toEqual({ status: 0, registered: false });
  });

  it('LANGCHAIN_TRACING_MODE=otel switches it on, as the langsmith SDK reads it', () => {
    const run = start({ LANGCHAIN_TRACING_MODE: 'otel', LANGSMITH_OTEL_FILE: path.join(cwd, 'lc.jsonl') });
    expect({ status: run.status, registered: run.app?.registered }).toEqual({ status: 0, registered: true });
  });
});

describe('the CommonJS entry (`node -r`) reads the same variables', () => {
  it('OTEL_SDK_DISABLED=true: nothing set up and the app runs (with ENABLED, -r alone stops the process)', () => {
    const run = start({ ...ON, OTEL_SDK_DISABLED: 'true' }, 'cjs');
    expect(run.stderr).toBe('langsmith-otel-bridge: OTEL_SDK_DISABLED=true: nothing set up (no tracer provider, propagator or instrumentation)');
    expect({ status: run.status, app: run.app }).toEqual({ status: 0, app: { registered: false, headers: [] } });
  });

  it('OTEL_SDK_DISABLED=yes: exit 1 and one line', () => {
    const run = start({ OTEL_SDK_DISABLED: 'yes' }, 'cjs');
    expect(run.stderr).toMatch(/^langsmith-otel-bridge: OTEL_SDK_DISABLED=yes: set true or false/);
    expect(run.status).toBe(1);
  });

  it('OTEL_ENABLED=true: not enabled, and the line says why', () => {
    const run = start({ OTEL_ENABLED: 'true' }, 'cjs');
    expect(run.stderr).toMatch(/OTEL_ENABLED is the langsmith SDK's legacy OTel-mode flag/);
    expect(run.status).toBe(0);
  });
});

describe('register entry: missing packages', () => {
  it('names every package the configuration needs that is not installed, with the one install command', () => {
    const run = start({ ...ON, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_PROPAGATORS: 'b3' }, 'partial');
    expect(run.stderr.split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^langsmith-otel-bridge: this configuration needs packages that are not installed: @opentelemetry\/exporter-trace-otlp-proto \(OTLP export \(http\/protobuf\)\), @opentelemetry\/instrumentation-undici \(fetch instrumentation .*\), @opentelemetry\/propagator-b3 \(OTEL_PROPAGATORS=b3\) — npm install @opentelemetry\/exporter-trace-otlp-proto @opentelemetry\/instrumentation-undici @opentelemetry\/propagator-b3 /,
    );
    expect({ status: run.status, app: run.app }).toEqual({ status: 1, app: undefined });
  });

  it('only what the configuration needs is named (the run file needs no exporter, no propagator package)', () => {
    const run = start({ ...ON, LANGSMITH_OTEL_FILE: path.join(cwd, 'partial.jsonl') }, 'partial');
    expect(run.stderr).toMatch(/needs packages that are not installed: @opentelemetry\/instrumentation-undici \(fetch instrumentation/);
    expect(run.stderr).not.toMatch(/propagator-b3|exporter-trace-otlp-proto/);
  });
});
