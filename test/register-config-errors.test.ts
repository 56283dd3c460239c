/**
 * Issue 8 through the real register entry (`node --import …/register.js`):
 * a bad setting stops the process with exit 1 and one line naming the
 * variable — before the application runs — never a native abort (134), and
 * never a process that starts with a wider trust policy than asked for.
 *
 * Runs the compiled entry: the e2e snapshot of test/global-setup.ts (made
 * now when this run did not make it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSnapshot, type E2eBuild } from './global-setup.js';

let register = '';
let cwd = '';

beforeAll(() => {
  let build: E2eBuild = inject('e2eBuild');
  if (!build.ok) build = buildSnapshot(); // not made by this run (no e2e file selected): the same cached snapshot
  if (!build.ok) throw new Error(`could not compile src/: ${build.message}`);
  register = path.join(build.dir, 'dist/esm/register.js');
  cwd = mkdtempSync(path.join(os.tmpdir(), 'register-config-cwd-'));
}, 180_000);

afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

function start(env: Record<string, string>) {
  const run = spawnSync(process.execPath, ['--import', register, '-e', "console.log('app ran')"], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LANGSMITH_OTEL_PRINT: 'false', ...env },
  });
  return { status: run.status, signal: run.signal, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

const ON = { LANGSMITH_OTEL_ENABLED: 'true' };

describe('register entry: a bad setting stops the process before the app runs', () => {
  it.each([
    ['a prefix of -0 (a native abort, exit 134, before)', { ...ON, LANGSMITH_OTEL_TRUST: '10.0.0.0/-0' }, /"10.0.0.0\/-0" is not a CIDR block/],
    ['a trailing space as prefix (trusted every IPv4 peer, before)', { ...ON, LANGSMITH_OTEL_TRUST: '127.0.0.1/32,10.0.0.0/ ' }, /is not a CIDR block/],
    ['a hex prefix', { ...ON, LANGSMITH_OTEL_TRUST: '10.0.0.0/0x8' }, /"10.0.0.0\/0x8" is not a CIDR block/],
    [
      'TRUST=true plus a token (trusted everyone, before)',
      { ...ON, LANGSMITH_OTEL_TRUST: 'true', LANGSMITH_OTEL_TRUST_TOKEN: 'a-long-enough-secret-token' },
      /token would check nothing/,
    ],
    ['a token over 1024 characters', { ...ON, LANGSMITH_OTEL_TRUST_TOKEN: 'x'.repeat(1025) }, /could never match/],
    ['ENABLED=maybe', { LANGSMITH_OTEL_ENABLED: 'maybe' }, /^langsmith-otel-bridge: LANGSMITH_OTEL_ENABLED=maybe: set true or false/],
    ['QUIET=maybe, bridge off', { LANGSMITH_OTEL_QUIET: 'maybe' }, /LANGSMITH_OTEL_QUIET=maybe: set true or false/],
    ['PRINT=maybe', { ...ON, LANGSMITH_OTEL_PRINT: 'maybe' }, /LANGSMITH_OTEL_PRINT=maybe: set true or false/],
  ])('%s: exit 1 and one line', (_rule, env, message) => {
    const run = start(env);
    expect(run.stderr).toMatch(message);
    expect({ status: run.status, signal: run.signal, app: run.stdout }).toEqual({ status: 1, signal: null, app: '' });
  });

  it.each([
    ['ENABLED=yes is on, as every boolean', { LANGSMITH_OTEL_ENABLED: 'yes', LANGSMITH_OTEL_QUIET: 'off' }, /inbound context trusted from no caller/],
    ['ENABLED=no is off, and QUIET=ON silences that too', { LANGSMITH_OTEL_ENABLED: 'no', LANGSMITH_OTEL_QUIET: 'ON' }, /^$/],
  ])('%s', (_rule, env, stderr) => {
    const run = start(env);
    expect(run.stderr).toMatch(stderr);
    expect({ status: run.status, app: run.stdout }).toEqual({ status: 0, app: 'app ran' });
  });
});
