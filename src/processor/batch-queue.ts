/**
 * A bounded export queue with batching, retry and honest accounting — the
 * part of OTel's BatchSpanProcessor the bridge needs, without depending on an
 * SDK package (so one build serves SDK 2.x and 3.x).
 *
 * - `push` is O(1) and never blocks; past `maxQueueSize` the item is dropped
 *   and counted.
 * - One export runs at a time, `maxExportBatchSize` items per call, started
 *   when a batch is full or after `scheduledDelayMillis`.
 * - A failed batch goes back to the head of the queue (space permitting) and
 *   is retried with exponential backoff; what no longer fits is dropped and
 *   counted. Nothing is lost silently.
 * - `forceFlush` resolves when everything queued before the call has been
 *   exported or dropped; `shutdown` flushes, then refuses new items.
 */
import { diag } from '@opentelemetry/api';

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
  /** Retries of a failed batch before it is dropped. Default 5. */
  maxRetries?: number;
  /** First retry delay, doubled each time up to 30 s. Default 500 ms. */
  retryBaseMillis?: number;
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
}

export type ExportFn<T> = (batch: T[]) => Promise<void>;

const log = diag.createComponentLogger({ namespace: 'langsmith-otel-bridge' });

export class BatchQueue<T> {
  readonly stats: BatchQueueStats = {
    queued: 0,
    exported: 0,
    droppedQueueFull: 0,
    droppedExportFailed: 0,
    failedExports: 0,
    retries: 0,
    timedOut: 0,
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
  private _warnedFull = false;

  constructor(
    private readonly _name: string,
    private readonly _export: ExportFn<T>,
    options: BatchQueueOptions = {},
  ) {
    this._maxQueueSize = positive(options.maxQueueSize, 2048, 'maxQueueSize');
    this._maxBatch = Math.min(positive(options.maxExportBatchSize, 512, 'maxExportBatchSize'), this._maxQueueSize);
    this._delay = positive(options.scheduledDelayMillis, 1000, 'scheduledDelayMillis');
    this._timeout = positive(options.exportTimeoutMillis, 30_000, 'exportTimeoutMillis');
    this._maxRetries = options.maxRetries ?? 5;
    this._retryBase = positive(options.retryBaseMillis, 500, 'retryBaseMillis');
  }

  get size(): number {
    return this._items.length - this._head;
  }

  push(item: T): boolean {
    if (this._shutdown) return false;
    if (this.size >= this._maxQueueSize) {
      this.stats.droppedQueueFull++;
      if (!this._warnedFull) {
        this._warnedFull = true;
        log.warn(
          `${this._name}: export queue full (${this._maxQueueSize}); dropping and counting. ` +
            'Is the destination down or slow? Raise maxQueueSize if bursts are expected.',
        );
      }
      return false;
    }
    this._items.push(item);
    this.stats.queued++;
    // One timer at a time: a full batch asks for an immediate export once, not on every push.
    if (this.size >= this._maxBatch) {
      if (!this._immediate) this._kick(0);
    } else if (this._timer === undefined) {
      this._kick(this._delay);
    }
    return true;
  }

  /** Resolves once everything queued now has been exported or dropped. */
  async forceFlush(): Promise<void> {
    for (;;) {
      if (this._exporting) await this._exporting;
      if (this.size === 0) return;
      const wait = this._retryAt - Date.now();
      if (wait > 0) await sleep(wait);
      this._clearTimer();
      await this._exportNext();
    }
  }

  async shutdown(): Promise<void> {
    if (this._shutdown) return;
    this._closing = true;
    await this.forceFlush();
    this._shutdown = true;
    this._clearTimer();
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
    this._exporting = this._run(batch).finally(() => {
      this._exporting = undefined;
      if (this.size > 0 && !this._shutdown) this._kick(this.size >= this._maxBatch ? 0 : this._delay);
    });
    return this._exporting;
  }

  private async _run(batch: T[]): Promise<void> {
    try {
      await withTimeout(this._export(batch), this._timeout);
      this.stats.exported += batch.length;
      this._attempt = 0;
      this._retryAt = 0;
    } catch (err) {
      this.stats.failedExports++;
      if (err instanceof ExportTimeout) {
        // The export may still complete: retrying it could deliver the batch twice,
        // so it is abandoned and counted. Destinations time out on their own first
        // (OTLP exporter 10 s, langsmith Client 90 s) and then fail normally.
        this.stats.droppedExportFailed += batch.length;
        this.stats.timedOut++;
        log.warn(`${this._name}: an export took longer than ${this._timeout} ms; its ${batch.length} item(s) are counted as dropped`);
        return;
      }
      this._attempt++;
      // At shutdown no retries: with backoff they would hold the process for minutes
      // (batches × (maxRetries + 1) × exportTimeoutMillis + backoff) against a dead destination.
      const giveUp = this._attempt > this._maxRetries || this._closing;
      if (giveUp) {
        this.stats.droppedExportFailed += batch.length;
        this._attempt = 0;
        this._retryAt = 0;
        log.warn(`${this._name}: dropped ${batch.length} item(s) after failed exports`, err);
        return;
      }
      this.stats.retries++;
      this._retryAt = Date.now() + Math.min(this._retryBase * 2 ** (this._attempt - 1), 30_000);
      // Back to the head of the queue, within the bound; the rest is dropped and counted.
      const room = this._maxQueueSize - this.size;
      const keep = batch.slice(0, Math.max(0, room));
      this.stats.droppedQueueFull += batch.length - keep.length;
      this._items = keep.concat(this._items.slice(this._head));
      this._head = 0;
      log.debug(`${this._name}: export failed (attempt ${this._attempt}); retrying`, err);
    }
  }
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
