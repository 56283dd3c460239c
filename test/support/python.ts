/**
 * Helpers for tests that talk to the Python LangSmith SDK.
 *
 * The interpreter is `<repo>/.venv/bin/python`, created by
 * `scripts/setup-python.sh` (test/python/requirements.txt). When it is missing or
 * cannot import the SDK, tests skip (`describe.skipIf(!python.ok)`) and say so
 * loudly on stderr; in CI (`CI=true`) or with REQUIRE_PYTHON_INTEROP=1 that is a failure.
 *
 * Child processes get an environment without LANGSMITH_* / LANGCHAIN_*
 * variables (no real API key can leak into a test), and every process started
 * here is killed on stop(), and at the latest when this process exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PYTHON_DIR = path.join(REPO_ROOT, 'test', 'python');
export const VENV_PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');

const IMPORT_CHECK = 'import langsmith, fastapi, uvicorn, httpx';

export type PythonAvailability = { ok: true; python: string } | { ok: false; reason: string };

let availability: PythonAvailability | undefined;

/** Whether `.venv/bin/python` exists and imports langsmith, fastapi, uvicorn and httpx. Memoized. */
export function pythonAvailable(): PythonAvailability {
  if (availability) return availability;
  if (!existsSync(VENV_PYTHON)) {
    availability = { ok: false, reason: `${VENV_PYTHON} not found; run scripts/setup-python.sh` };
    return availability;
  }
  const check = spawnSync(VENV_PYTHON, ['-c', IMPORT_CHECK], {
    encoding: 'utf8',
    timeout: 30_000,
    env: childEnv({}),
  });
  if (check.error || check.status !== 0) {
    const detail = (check.error?.message ?? check.stderr.trim().split('\n').pop() ?? '').slice(0, 300);
    availability = { ok: false, reason: `${VENV_PYTHON} cannot \`${IMPORT_CHECK}\`: ${detail}` };
    return availability;
  }
  availability = { ok: true, python: VENV_PYTHON };
  return availability;
}

let announced = false;

/**
 * Prints the loud skip banner once per process. In CI (`CI=true`) or with
 * REQUIRE_PYTHON_INTEROP=1 it throws instead: a skipped leg fails the run.
 */
export function announcePythonSkip(reason: string): void {
  if (process.env.REQUIRE_PYTHON_INTEROP === '1' || process.env.CI === 'true') {
    throw new Error(`Python interop tests required (CI=true or REQUIRE_PYTHON_INTEROP=1) but unavailable: ${reason}`);
  }
  if (announced) return;
  announced = true;
  const line = `PYTHON INTEROP SKIPPED: ${reason}`;
  const bar = '*'.repeat(Math.min(100, Math.max(40, line.length)));
  process.stderr.write(`\n${bar}\n${line}\n${bar}\n\n`);
}

/** The check and the banner in one call: `describe.skipIf(!requirePython().ok)`. */
export function requirePython(): PythonAvailability {
  const result = pythonAvailable();
  if (!result.ok) announcePythonSkip(result.reason);
  return result;
}

function interpreter(): string {
  const result = pythonAvailable();
  if (!result.ok) throw new Error(`Python unavailable: ${result.reason}`);
  return result.python;
}

/** `script` relative to test/python unless absolute. */
function scriptPath(script: string): string {
  return path.isAbsolute(script) ? script : path.join(PYTHON_DIR, script);
}

/** The parent environment minus LangSmith/LangChain settings, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(LANGSMITH|LANGCHAIN)_/i.test(key) || key === 'PYTHONPATH' || key === 'PYTHONHOME') continue;
    env[key] = value;
  }
  env.PYTHONIOENCODING = 'utf-8';
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONDONTWRITEBYTECODE = '1';
  return { ...env, ...extra };
}

// Every child still running; killed when this process exits, whatever happens.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export interface PythonResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when killed (a timeout sets `timedOut`). */
  code: number | null;
  timedOut: boolean;
}

/** Runs `python <script> ...args` with `input` on stdin; kills it after `timeoutMs`. */
export function runPython(
  script: string,
  args: string[] = [],
  input?: string,
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<PythonResult> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const child = spawn(interpreter(), [scriptPath(script), ...args], {
      cwd: REPO_ROOT,
      env: childEnv(options.env ?? {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    track(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, timedOut });
    });
    child.stdin.on('error', () => {}); // the script may exit before reading everything
    child.stdin.end(input ?? '');
  });
}

/** runPython for scripts that print one JSON document; throws with the script's output otherwise. */
export async function runPythonJson<T = unknown>(script: string, args: string[], input?: unknown): Promise<T> {
  const result = await runPython(script, args, input === undefined ? undefined : JSON.stringify(input));
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    parsed = undefined;
  }
  if (result.code !== 0 || parsed === undefined) {
    throw new Error(
      `${script} ${args.join(' ')} exited ${result.code}${result.timedOut ? ' (timed out)' : ''}\n` +
        `stdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(-4000)}`,
    );
  }
  return parsed as T;
}

export interface PythonService {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Everything the service wrote so far (the last 64 KiB of each stream). */
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const MAX_CAPTURE = 64 * 1024;

/**
 * Starts `python <script>` as an HTTP service on 127.0.0.1. Contract with the
 * script: it binds a free port itself and prints `LISTENING <port>` on stdout
 * (no port race). Then this polls `healthPath` until it answers.
 */
export async function startPythonService(
  script: string,
  env: Record<string, string> = {},
  options: { startTimeoutMs?: number; healthPath?: string } = {},
): Promise<PythonService> {
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const healthPath = options.healthPath ?? '/health';
  const child = spawn(interpreter(), [scriptPath(script)], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let stdout = '';
  let stderr = '';
  const keep = (s: string) => (s.length > MAX_CAPTURE ? s.slice(-MAX_CAPTURE) : s);
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = keep(stdout + d)));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = keep(stderr + d)));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5_000): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  const fail = async (why: string): Promise<never> => {
    await stop(500);
    throw new Error(`${script}: ${why}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-4000)}`);
  };

  const deadline = Date.now() + startTimeoutMs;
  let port: number | undefined;
  while (port === undefined) {
    const match = /^LISTENING (\d+)\s*$/m.exec(stdout);
    if (match) port = Number(match[1]);
    else if (child.exitCode !== null || child.signalCode !== null) return fail(`exited (${child.exitCode ?? child.signalCode}) before listening`);
    else if (Date.now() > deadline) return fail(`did not print "LISTENING <port>" within ${startTimeoutMs} ms`);
    else await sleep(50);
  }
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      const res = await fetch(url + healthPath, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      break;
    } catch {
      if (child.exitCode !== null || child.signalCode !== null) return fail('exited before answering');
      if (Date.now() > deadline) return fail(`did not answer ${healthPath} within ${startTimeoutMs} ms`);
      await sleep(100);
    }
  }
  return { url, output: () => ({ stdout, stderr }), stop };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
