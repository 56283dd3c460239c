/**
 * A bounded export queue with batching, retry and honest accounting — the
 * part of OTel's BatchSpanProcessor the bridge needs, without depending on an
 * SDK package (so one build serves SDK 2.x and 3.x).
 *
 * - `push` is O(1) and never blocks; past `maxQueueSize` the item is dropped
 *   and counted.
 * - One export runs at a time, `maxExportBatchSize` items per call, started
 *   when a batch is full or after `scheduledDelayMillis`.
 * - Retries are the destination's own by default (`maxRetries` 0): the OTLP
 *   exporter's transport and the `langsmith` Client retry with backoff,
 *   jitter and Retry-After, so a second layer here would multiply attempts
 *   (#8: up to 30 per batch). A destination without retries of its own gets
 *   this queue's: the batch goes back to the head of the queue (space
 *   permitting), retried with exponential backoff and jitter, or after the
 *   `retryAfterMillis` its error carries; what no longer fits is dropped and
 *   counted.
 * - Nothing is lost silently: every drop is counted in `stats` and told
 *   through `notices` (stderr, once per cause, then at most once a minute),
 *   and so is a destination that fails and later delivers again.
 * - `forceFlush` waits only for what was queued at the call (a sequence
 *   watermark: later items do not hold it), at most `exportTimeoutMillis`;
 *   `shutdown(deadline)` tries each remaining batch once, discards what is
 *   left at the deadline, counts it and refuses new items.
 */
import { notices } from '../notices.js';

export interface BatchQueueOptions {
  /** Items held at most; more are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Items per export call. Default 512. */
  maxExportBatchSize?: number;
  /** Delay before a partial batch is exported. Default 1000 ms. */
  scheduledDelayMillis?: number;
  /**
   * An export call that takes longer is abandoned and its items counted as
   * dropped (not retried: it may still arrive). Keep it above the
   * destination's own timeout. Default 30000 ms.
   */
  exportTimeoutMillis?: number;
  /**
   * Retries of a failed batch before it is dropped. Default 0: the
   * destination retries itself (an OTLP exporter's transport, the
   * `langsmith` Client). The processor sets 5 for sinks without retries.
   */
  maxRetries?: number;
  /** First retry delay, doubled each time up to 30 s, ±20% jitter. Default 500 ms. */
  retryBaseMillis?: number;
  /** How the destination is named in notices (stderr). Default: the queue's name. */
  label?: string;
}

export interface BatchQueueStats {
  queued: number;
  exported: number;
  /** Dropped because the queue was full (a stalled or slow destination). */
  droppedQueueFull: number;
  /** Dropped after `maxRetries` failed exports, or at shutdown. */
  droppedExportFailed: number;
  failedExports: number;
  retries: number;
  /** Exports abandoned after `exportTimeoutMillis` (their items are in droppedExportFailed). */
  timedOut: number;
  /** Still queued or in flight when the shutdown deadline passed, discarded. */
  discardedAtShutdown: number;
}

/** What `shutdown` could not deliver. */
export interface ShutdownResult {
  /** Items queued or in flight at the deadline, discarded. */
  discarded: number;
  /** Why: the last export error, or that the deadline passed. */
  reason: string | undefined;
}

/** An error a destination raises to ask for a retry after a given time (Retry-After). */
export interface RetryAfterHint {
  retryAfterMillis?: number;
}

export type ExportFn<T> = (batch: T[]) => Promise<void>;

/** A retry waits at most this long (also for a larger Retry-After). */
const MAX_RETRY_DELAY_MS = 30_000;
const JITTER = 0.2;

export class BatchQueue<T> {
  readonly stats: BatchQueueStats = {
    queued: 0,
    exported: 0,
    droppedQueueFull: 0,
    droppedExportFailed: 0,
    failedExports: 0,
    retries: 0,
    timedOut: 0,
    discardedAtShutdown: 0,
  };

  private readonly _maxQueueSize: number;
  private readonly _maxBatch: number;
  private readonly _delay: number;
  private readonly _timeout: number;
  private readonly _maxRetries: number;
  private readonly _retryBase: number;
  private _items: T[] = [];
  private _head = 0;
  private _timer: NodeJS.Timeout | undefined;
  /** The pending timer is an immediate export of a full batch. */
  private _immediate = false;
  private _exporting: Promise<void> | undefined;
  private _attempt = 0;
  private _retryAt = 0;
  private _shutdown = false;
  /** Set when shutdown starts: its flush tries each batch once and drops (and counts) what fails. */
  private _closing = false;
  /** shutdown() has begun (a second call returns at once). */
  private _stopping = false;
  /** Items accepted by `push` (the forceFlush watermark) and items whose fate is settled, in order. */
  private _accepted = 0;
  private _settled = 0;
  /** The batch being exported, and whether shutdown gave up on it (a late result is not counted twice). */
  private _inFlight: T[] | undefined;
  private _abandoned = false;
  private _lastError: string | undefined;
  private _failing = false;
  private readonly _label: string;

  constructor(
    private readonly _name: string,
    private readonly _export: ExportFn<T>,
    options: BatchQueueOptions = {},
  ) {
    this._maxQueueSize = positive(options.maxQueueSize, 2048, 'maxQueueSize');
    this._maxBatch = Math.min(positive(options.maxExportBatchSize, 512, 'maxExportBatchSize'), this._maxQueueSize);
    this._delay = positive(options.scheduledDelayMillis, 1000, 'scheduledDelayMillis');
    this._timeout = positive(options.exportTimeoutMillis, 30_000, 'exportTimeoutMillis');
    this._maxRetries = options.maxRetries ?? 0;
    this._retryBase = positive(options.retryBaseMillis, 500, 'retryBaseMillis');
    this._label = options.label ?? _name;
    this._queueFullCause = `queue-full:${_name}`;
  }

  private readonly _queueFullCause: string;
  private readonly _queueFullMessage = (): string =>
    `${this._label}: export queue full (${this._maxQueueSize}), spans dropped` +
    `${this._failing ? ` while it fails (${this._lastError})` : ': the destination is slow or not answering'}; ` +
    'raise OTEL_BSP_MAX_QUEUE_SIZE if bursts are expected';

  /** Queued and in flight: what a shutdown now would still have to deliver. */
  get pending(): number {
    return this.size + (this._inFlight && !this._abandoned ? this._inFlight.length : 0);
  }

  /** The last export error, if the destination is failing now. */
  get lastError(): string | undefined {
    return this._failing ? this._lastError : undefined;
  }

  get size(): number {
    return this._items.length - this._head;
  }

  push(item: T): boolean {
    if (this._shutdown) return false;
    if (this.size >= this._maxQueueSize) {
      this.stats.droppedQueueFull++;
      // Every span while the queue is full: a count, the line built only when written.
      notices.warn(this._queueFullCause, this._queueFullMessage);
      return false;
    }
    this._items.push(item);
    this._accepted++;
    this.stats.queued++;
    // One timer at a time: a full batch asks for an immediate export once, not on every push.
    if (this.size >= this._maxBatch) {
      if (!this._immediate) this._kick(0);
    } else if (this._timer === undefined) {
      this._kick(this._delay);
    }
    return true;
  }

  /**
   * Resolves once everything queued before the call has been exported or
   * dropped — items pushed later do not hold it up — or after `timeoutMillis`
   * (default `exportTimeoutMillis`). Never rejects.
   */
  async forceFlush(timeoutMillis = this._timeout): Promise<void> {
    await this._drain(this._accepted, Date.now() + timeoutMillis);
  }

  /**
   * The last flush, at exit or shutdown: each batch queued now is tried once
   * (no retries: with backoff they would hold the process for minutes) until
   * `deadline` (epoch ms). Returns how many items were not delivered (failed,
   * or still queued or in flight at the deadline) and why. The queue stays
   * open (an app's `beforeExit` handler may still end spans).
   */
  async finalFlush(deadline: number): Promise<ShutdownResult> {
    const droppedBefore = this.stats.droppedExportFailed;
    this._closing = true;
    let done: boolean;
    try {
      done = await this._drain(this._accepted, deadline);
    } finally {
      if (!this._stopping) this._closing = false; // a shutdown begun meanwhile keeps it
    }
    const failed = this.stats.droppedExportFailed - droppedBefore;
    const left = done ? 0 : this.pending;
    const reason = failed > 0 || this._failing ? this._lastError : undefined;
    return { discarded: failed + left, reason };
  }

  /**
   * `finalFlush(deadline)`, then what is still queued or in flight is
   * discarded (counted in `discardedAtShutdown`) and later pushes are refused.
   */
  async shutdown(deadline = Date.now() + this._timeout): Promise<ShutdownResult> {
    if (this._stopping) return { discarded: 0, reason: undefined };
    this._stopping = true;
    this._closing = true;
    const result = await this.finalFlush(deadline);
    this._shutdown = true;
    this._clearTimer();
    const left = this.pending;
    if (left > 0) {
      this._abandoned = true;
      this._items = [];
      this._head = 0;
      this.stats.discardedAtShutdown += left;
      this._settled += left;
    }
    return result;
  }

  /** True when everything up to `watermark` is settled before `deadline`. */
  private async _drain(watermark: number, deadline: number): Promise<boolean> {
    while (this._settled < watermark) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      if (this._exporting) {
        if (!(await within(this._exporting, left))) return false;
        continue;
      }
      if (this.size === 0) return true; // settled by a drop that left no items
      const wait = this._retryAt - Date.now();
      if (wait > 0) {
        if (wait >= deadline - Date.now()) return false;
        await sleep(wait);
        continue; // the scheduled retry may have run meanwhile
      }
      this._clearTimer();
      await within(this._exportNext(), deadline - Date.now());
    }
    return true;
  }

  private _kick(delay: number): void {
    if (this._exporting) return; // the running export re-kicks when done
    const wait = Math.max(delay, this._retryAt - Date.now());
    this._clearTimer();
    this._immediate = delay === 0;
    this._timer = setTimeout(() => {
      this._timer = undefined;
      this._immediate = false;
      void this._exportNext();
    }, wait);
    this._timer.unref?.();
  }

  private _clearTimer(): void {
    if (this._timer !== undefined) clearTimeout(this._timer);
    this._timer = undefined;
    this._immediate = false;
  }

  private _take(): T[] {
    const end = Math.min(this._head + this._maxBatch, this._items.length);
    const batch = this._items.slice(this._head, end);
    this._head = end;
    if (this._head > 1024 && this._head * 2 > this._items.length) {
      this._items = this._items.slice(this._head);
      this._head = 0;
    }
    return batch;
  }

  private _exportNext(): Promise<void> {
    if (this._exporting) return this._exporting;
    if (this.size === 0) return Promise.resolve();
    const batch = this._take();
    this._inFlight = batch;
    this._exporting = this._run(batch).finally(() => {
      this._exporting = undefined;
      this._inFlight = undefined;
      if (this.size > 0 && !this._shutdown) this._kick(this.size >= this._maxBatch ? 0 : this._delay);
    });
    return this._exporting;
  }

  private async _run(batch: T[]): Promise<void> {
    let error: unknown;
    try {
      await withTimeout(this._export(batch), this._timeout);
    } catch (err) {
      error = err;
    }
    if (this._abandoned) return; // shutdown already counted this batch as discarded
    if (error === undefined) {
      this.stats.exported += batch.length;
      this._settled += batch.length;
      this._attempt = 0;
      this._retryAt = 0;
      if (this._failing) {
        this._failing = false;
        notices.resolved([`retry:${this._name}`, `export:${this._name}`], `${this._label}: delivering again`);
      }
      return;
    }
    this.stats.failedExports++;
    this._failing = true;
    this._lastError = describeError(error);
    if (error instanceof ExportTimeout) {
      // The export may still complete: retrying it could deliver the batch twice,
      // so it is abandoned and counted. Destinations time out on their own first
      // (OTLP exporter 10 s, langsmith Client 90 s) and then fail normally.
      this.stats.timedOut++;
      this._drop(batch);
      return;
    }
    this._attempt++;
    // At shutdown no retries: with backoff they would hold the process for minutes
    // (batches × (maxRetries + 1) × exportTimeoutMillis + backoff) against a dead destination.
    if (this._attempt > this._maxRetries || this._closing) {
      this._attempt = 0;
      this._retryAt = 0;
      this._drop(batch);
      return;
    }
    this.stats.retries++;
    // Its own cause: a retry notice must not turn the first real drop into a summary a minute later.
    notices.warn(`retry:${this._name}`, `${this._label}: export failed (${this._lastError}); retrying`, 0);
    this._retryAt = Date.now() + retryDelay(this._retryBase, this._attempt, error);
    // Back to the head of the queue, within the bound; the rest is dropped and counted.
    const room = this._maxQueueSize - this.size;
    const keep = batch.slice(0, Math.max(0, room));
    this.stats.droppedQueueFull += batch.length - keep.length;
    this._settled += batch.length - keep.length;
    this._items = keep.concat(this._items.slice(this._head));
    this._head = 0;
  }

  /** A batch that will not be delivered: counted, and told once per cause on stderr. */
  private _drop(batch: T[]): void {
    this.stats.droppedExportFailed += batch.length;
    this._settled += batch.length;
    if (this._closing) return; // the final flush reports what it could not deliver, in one line
    notices.warn(`export:${this._name}`, `${this._label}: spans not delivered (${this._lastError})`, batch.length);
  }
}

/** Exponential from `base`, ±20% jitter, or the destination's Retry-After; at most 30 s. */
function retryDelay(base: number, attempt: number, error: unknown): number {
  const hint = (error as RetryAfterHint | undefined)?.retryAfterMillis;
  if (typeof hint === 'number' && Number.isFinite(hint) && hint >= 0) return Math.min(hint, MAX_RETRY_DELAY_MS);
  const backoff = base * 2 ** (attempt - 1) * (1 + (Math.random() * 2 - 1) * JITTER);
  return Math.min(backoff, MAX_RETRY_DELAY_MS);
}

/** One line, no stack: what a user needs to see on stderr. */
export function describeError(error: unknown): string {
  if (Array.isArray(error)) return error.map(describeError).join('; ');
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = (error as { cause?: unknown }).cause;
    let text = error.message || error.name;
    if (typeof code === 'string' && !text.includes(code)) text = `${code}: ${text}`;
    if (typeof code === 'number' && code >= 100 && code < 600) text = `HTTP ${code}: ${text}`; // OTLPExporterError
    if (cause !== undefined && cause !== error) text += ` (${describeError(cause)})`;
    return text.replace(/\s+/g, ' ').slice(0, 300);
  }
  return String(error).slice(0, 300);
}

/**
 * Whether `promise` settled within `ms`. Never rejects: a rejection goes to
 * `onError` (default: absorbed, as the queue accounts for it) — also when `ms`
 * has already run out, so nothing is ever left unhandled. Shared by the
 * queue, the processor's flush/shutdown and the bridge's exit paths.
 */
export function within(promise: Promise<unknown>, ms: number, onError?: (err: unknown) => void): Promise<boolean> {
  const settled = promise.then(
    () => true,
    (err: unknown) => {
      onError?.(err);
      return true;
    },
  );
  if (ms <= 0) return Promise.resolve(false);
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    settled,
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`BatchQueue: \`${name}\` must be a positive number (got ${String(value)}).`);
  }
  return value;
}

class ExportTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ExportTimeout(`export timed out after ${ms} ms`)), ms);
      timer.unref?.();
    }),
  ]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
