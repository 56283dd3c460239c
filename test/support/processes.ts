/**
 * Child processes for the e2e and LangGraph tests: services (Node ones
 * started with the compiled bridge, `node --import <snapshot>/dist/esm/register.js`)
 * which print `LISTENING <port>` when ready. Every child is killed when the
 * test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Service {
  name: string;
  url: string;
  /** Milliseconds from spawn to `LISTENING`. */
  startMs: number;
  output(): string;
  /** SIGTERM (the bridge flushes and exits), SIGKILL after `graceMs` (default: the `stopGraceMs` it was started with). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** process.env without LangSmith/LangChain/OTel settings (nothing real leaks in), plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(LANGSMITH|LANGCHAIN|OTEL)_/i.test(key) || key === 'NODE_OPTIONS' || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** A port free on 127.0.0.1 right now (for servers that cannot bind port 0 themselves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `command args`; resolves once it prints `LISTENING <port>`, or, with
 * `health`, once `health.url` answers 200 (within `timeoutMs`, default 20 s).
 * `stop()` waits `stopGraceMs` (default 8 s) before it kills.
 */
export function startService(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number; stopGraceMs?: number; health?: { url: string } } = {},
): Promise<Service> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: childEnv({ OTEL_SERVICE_NAME: name, SERVICE: name, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-64 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (live.delete(child), resolve())));
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = options.stopGraceMs ?? 8_000) =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    })());
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop(1_000).then(() => reject(new Error(`${name}: ${why}\n${out.slice(-6000)}`)));
    };
    const timer = setTimeout(() => fail(`did not print LISTENING within ${timeoutMs} ms`), timeoutMs);
    child.stdout!.on('data', () => {
      const match = /^LISTENING (\d+)$/m.exec(out);
      if (match && stopping === undefined) {
        clearTimeout(timer);
        resolve({ name, url: `http://127.0.0.1:${match[1]}`, startMs: Date.now() - started, output: () => out, stop });
      }
    });
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before listening`));
    const health = options.health;
    if (health) {
      void (async () => {
        while (stopping === undefined && Date.now() - started < timeoutMs) {
          try {
            const res = await fetch(health.url, { signal: AbortSignal.timeout(2_000) });
            await res.arrayBuffer();
            if (res.status === 200) {
              clearTimeout(timer);
              resolve({ name, url: new URL(health.url).origin, startMs: Date.now() - started, output: () => out, stop });
              return;
            }
          } catch {
            // not up yet
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
    }
  });
}
