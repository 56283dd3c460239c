// Child processes for the stack: free ports, readiness polling, a long-running Go
// program with a log and a restart, CPU and memory from /proc. Every child is
// SIGKILLed when this process exits.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { LOOPBACK } from './paths.mjs';

/** A free TCP port on 127.0.0.1 (the OS picks it; another process could still take it first). */
export function freePort() {
  return new Promise((res, rej) => {
    const server = createServer();
    server.unref();
    server.once('error', rej);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address();
      server.close(() => res(port));
    });
  });
}

const live = new Set();
let exitHook = false;
/** Keeps `child` until it exits: every child still running is SIGKILLed when this process exits. */
export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

async function waitFor(what, probe, { timeoutMs = 60_000, intervalMs = 100, exited } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (exited?.()) throw new Error(`${what}: the process exited before it was ready${exited()}`);
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms${last ? ` (${last.message})` : ''}`);
}

async function httpOk(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

/**
 * A long-running Go program: stdout+stderr to `log`, ready when `readyUrl`
 * answers 2xx. `stop()` sends SIGTERM (SIGKILL after `killAfterMs`);
 * `start()` again reuses the same arguments and environment (a restart).
 */
export function goProgram(name, bin, args, env, { log, readyUrl }) {
  let child;
  let exitInfo;
  const handle = {
    name,
    get pid() {
      return child?.pid;
    },
    log,
    async start() {
      const out = createWriteStream(log, { flags: 'a' });
      child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      track(child);
      child.stdout.pipe(out);
      child.stderr.pipe(out);
      exitInfo = undefined;
      const exited = new Promise((r) => child.once('exit', (code, signal) => r((exitInfo = { code, signal }))));
      handle.exited = exited;
      const tail = () => (exitInfo ? ` (code ${exitInfo.code}, signal ${exitInfo.signal}); log ${log}:\n${tailOf(log)}` : '');
      await waitFor(`${name} (${readyUrl})`, () => httpOk(readyUrl), { exited: () => (exitInfo ? tail() : '') });
      return handle;
    },
    async stop(killAfterMs = 15_000) {
      if (!child || exitInfo) return exitInfo;
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.kill('SIGTERM');
      await handle.exited;
      clearTimeout(timer);
      return exitInfo;
    },
    /** CPU seconds (user + system) and resident bytes from /proc, or undefined once gone. */
    usage() {
      return procUsage(child?.pid);
    },
  };
  return handle;
}

function tailOf(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Resident bytes from the text of /proc/<pid>/status (its `VmRSS` line), or undefined without one. */
function vmRss(status) {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Resident set size of a process in bytes (`VmRSS` in /proc/<pid>/status), or undefined when gone / not Linux. */
export function rssOf(pid) {
  try {
    return vmRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
/** `{ cpuSeconds, rssBytes }` of a live process (Linux /proc), or undefined. */
export function procUsage(pid) {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
    return { cpuSeconds, rssBytes: vmRss(readFileSync(`/proc/${pid}/status`, 'utf8')) };
  } catch {
    return undefined;
  }
}
