/**
 * What the bridge tells the user with no configuration at all: a drop, a
 * destination that is down, an unwritable file, a refused batch. Each cause
 * reaches stderr once, at once; while it goes on, at most one line per
 * interval (default a minute) with the running count; when it clears (a
 * destination answers again), one line says so. Every line written also
 * goes to `diag`, at the same rate (not once per event: 197,982 drops must
 * not become as many log records). When OTEL_LOG_LEVEL is set, setup turns
 * the stderr lines off (`enabled: false`) and diag alone carries them, at
 * that level (README, "Logging").
 *
 * One instance per process, shared by the ESM and CommonJS builds through a
 * global symbol: two module instances must not each print the same cause.
 */
import { diag } from '@opentelemetry/api';
import { safeForTerminal } from './terminal.js';

export interface NoticeOptions {
  /** Where lines go. Default: `process.stderr`, one line per call. */
  write?: (line: string) => void;
  /** Least time between two lines of one cause. Default 60,000 ms. */
  intervalMs?: number;
  /** `false` writes nothing to stderr (diag still gets every notice). Default true. */
  enabled?: boolean;
}

export interface NoticeCount {
  /** Events (or items, when a count was given) since the cause first appeared. */
  total: number;
  /** Still going on: not resolved since it was last reported. */
  active: boolean;
}

const PREFIX = 'langsmith-otel-bridge: ';
const DEFAULT_INTERVAL_MS = 60_000;

interface CauseState {
  total: number;
  /** Counted since the last line was written. */
  pending: number;
  /** Built only when written: a cause hit on every span (a full queue) costs a count, not a string. */
  lastMessage: string | (() => string);
  lastWrite: number;
  active: boolean;
  timer: NodeJS.Timeout | undefined;
}

const log = diag.createComponentLogger({ namespace: 'langsmith-otel-bridge' });

export class Notices {
  private readonly _causes = new Map<string, CauseState>();
  private _write: (line: string) => void = defaultWrite;
  private _interval = DEFAULT_INTERVAL_MS;
  private _enabled = true;

  configure(options: NoticeOptions): void {
    if (options.write !== undefined) this._write = options.write;
    if (options.intervalMs !== undefined) this._interval = options.intervalMs;
    if (options.enabled !== undefined) this._enabled = options.enabled;
  }

  /**
   * Something went wrong for `cause` (a stable key, e.g. `export:otlp`):
   * `message` is written now if the cause is new or was resolved, else
   * counted and summarised at most once per interval. `count` is how many
   * items the event concerns (default 1). `message` may be a function, called
   * only when a line is written (callers on hot paths pass one).
   */
  warn(cause: string, message: string | (() => string), count = 1): void {
    let state = this._causes.get(cause);
    if (state === undefined) {
      state = { total: 0, pending: 0, lastMessage: message, lastWrite: 0, active: false, timer: undefined };
      this._causes.set(cause, state);
    }
    state.total += count;
    state.lastMessage = message;
    if (!state.active) {
      state.active = true;
      state.pending = 0;
      state.lastWrite = Date.now();
      this._line(textOf(message));
      return;
    }
    state.pending += count;
    if (state.timer === undefined) {
      const wait = Math.max(0, state.lastWrite + this._interval - Date.now());
      state.timer = setTimeout(() => this._summarise(state!), wait);
      state.timer.unref?.();
    }
  }

  /** `cause` (or any of several) is over (delivery resumed): says so once, if it had been reported. */
  resolved(cause: string | readonly string[], message: string): void {
    let reported = false;
    for (const key of typeof cause === 'string' ? [cause] : cause) {
      const state = this._causes.get(key);
      if (state === undefined || !state.active) continue;
      this._summarise(state);
      state.active = false;
      reported = true;
    }
    // One line however many of the causes had been reported.
    if (reported) this._line(message, 'info');
  }

  /** Writes every pending summary now (at exit: nothing counted stays unsaid). */
  flush(): void {
    for (const state of this._causes.values()) this._summarise(state);
  }

  counts(): Record<string, NoticeCount> {
    const out: Record<string, NoticeCount> = {};
    for (const [cause, state] of this._causes) out[cause] = { total: state.total, active: state.active };
    return out;
  }

  /** Forgets every cause and restores the defaults (tests). */
  reset(): void {
    for (const state of this._causes.values()) if (state.timer) clearTimeout(state.timer);
    this._causes.clear();
    this._write = defaultWrite;
    this._interval = DEFAULT_INTERVAL_MS;
    this._enabled = true;
  }

  private _summarise(state: CauseState): void {
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = undefined;
    if (state.pending === 0) return;
    const line = `${textOf(state.lastMessage)} (${state.pending} more since the last report, ${state.total} in all)`;
    state.pending = 0;
    state.lastWrite = Date.now();
    this._line(line);
  }

  private _line(message: string, level: 'warn' | 'info' = 'warn'): void {
    // One line, and nothing from the wire (a file path, an error text) obeyed by a terminal,
    // on stderr and through diag alike.
    const text = safeForTerminal(message.replace(/[\r\n]+/g, ' '));
    // Called from span.end() and from timers: a throwing diag logger or a closed stderr must
    // never reach the application.
    try {
      log[level](text);
    } catch {
      // the app's diag logger failed: stderr below still says it
    }
    if (!this._enabled) return;
    try {
      this._write(PREFIX + text);
    } catch {
      // stderr closed: nothing else to tell
    }
  }
}

function textOf(message: string | (() => string)): string {
  return typeof message === 'string' ? message : message();
}

function defaultWrite(line: string): void {
  process.stderr.write(line + '\n');
}

const KEY = Symbol.for('langsmith-otel-bridge.notices');

/** The process-wide notices (one for the ESM and CommonJS builds alike). */
export const notices: Notices =
  ((globalThis as Record<symbol, unknown>)[KEY] as Notices | undefined) ?? (((globalThis as Record<symbol, unknown>)[KEY] = new Notices()) as Notices);
