/**
 * Prints each trace as a tree on the terminal once its root run has ended
 * (after a short grace period for stragglers).
 *
 * Bounded (issue 8): a service that continues an upstream trace never sees
 * its root end, and used to hold every run of it for as long as it ran. Now
 * at most `maxRunsPerTrace` runs of one trace and `maxRuns` in all are held;
 * a trace with no new run for `idleMillis` is printed with what it has, as
 * is the oldest trace when `maxTraces` or `maxRuns` is reached. Runs of a
 * full trace are dropped until it is printed, counted in `stats` and
 * reported on stderr (`notices`). Timers are unref'd: the printer never
 * keeps a process alive. Later runs of a printed trace start a new tree.
 */
import { buildTree, formatTree } from '../tree/index.js';
import type { Run } from '../mapping/types.js';
import { notices } from '../notices.js';
import type { RunSink } from './types.js';

export interface TreePrinterSinkOptions {
  /** Where to write. Default: process.stdout. */
  write?: (text: string) => void;
  color?: boolean;
  /** Wait this long after a root ends before printing. Default 250 ms. */
  graceMillis?: number;
  /** Print a trace that has had no new run for this long, root or not. Default 5000 ms. */
  idleMillis?: number;
  /** Open traces held; past it the oldest is printed as it is. Default 1000. */
  maxTraces?: number;
  /** Runs held for one trace; later ones are dropped (counted) until it is printed. Default 1000. */
  maxRunsPerTrace?: number;
  /** Runs held in all; past it the oldest trace is printed as it is. Default 10,000. */
  maxRuns?: number;
}

export interface TreePrinterStats {
  /** Traces held now. */
  bufferedTraces: number;
  /** Runs held now. */
  bufferedRuns: number;
  /** Times a trace was printed (a trace printed in parts counts once per part). */
  printedTraces: number;
  /** Of those, printed without their root (idle, a bound, a flush). */
  partialTraces: number;
  /** Runs not printed: their trace was full (`maxRunsPerTrace`). */
  droppedRuns: number;
}

export const DEFAULT_TREE_GRACE_MILLIS = 250;
export const DEFAULT_TREE_IDLE_MILLIS = 5000;
export const DEFAULT_TREE_MAX_TRACES = 1000;
export const DEFAULT_TREE_MAX_RUNS_PER_TRACE = 1000;
export const DEFAULT_TREE_MAX_RUNS = 10_000;

const DROP_NOTICE = 'tree-printer:dropped';

interface OpenTrace {
  runs: Run[];
  /** Runs of this trace dropped since it was last printed. */
  dropped: number;
  /** Idle timer until the root ends, then the grace timer. */
  timer: NodeJS.Timeout | undefined;
  rootEnded: boolean;
}

type PrintReason = 'root' | 'idle' | 'bound' | 'flush';

const PARTIAL_REASON: Record<Exclude<PrintReason, 'root'>, string> = {
  idle: 'no new run for a while, and its root has not ended in this process',
  bound: 'printed early to stay within the printer’s bounds',
  flush: 'flushed before its root ended',
};

export class TreePrinterSink implements RunSink {
  readonly name = 'tree-printer';
  private readonly _traces = new Map<string, OpenTrace>();
  private readonly _write: (text: string) => void;
  private readonly _grace: number;
  private readonly _idle: number;
  private readonly _maxTraces: number;
  private readonly _maxRuns: number;
  private readonly _maxRunsPerTrace: number;
  private _buffered = 0;
  private _printed = 0;
  private _partial = 0;
  private _dropped = 0;

  constructor(private readonly _options: TreePrinterSinkOptions = {}) {
    this._write = _options.write ?? ((text) => process.stdout.write(text));
    this._grace = _options.graceMillis ?? DEFAULT_TREE_GRACE_MILLIS;
    this._idle = _options.idleMillis ?? DEFAULT_TREE_IDLE_MILLIS;
    this._maxTraces = Math.max(1, _options.maxTraces ?? DEFAULT_TREE_MAX_TRACES);
    this._maxRuns = Math.max(1, _options.maxRuns ?? DEFAULT_TREE_MAX_RUNS);
    this._maxRunsPerTrace = Math.max(1, Math.min(_options.maxRunsPerTrace ?? DEFAULT_TREE_MAX_RUNS_PER_TRACE, this._maxRuns));
  }

  get stats(): TreePrinterStats {
    return {
      bufferedTraces: this._traces.size,
      bufferedRuns: this._buffered,
      printedTraces: this._printed,
      partialTraces: this._partial,
      droppedRuns: this._dropped,
    };
  }

  async write(runs: Run[]): Promise<void> {
    for (const run of runs) {
      const lsTraceId = run.trace_id ?? run.id;
      let trace = this._traces.get(lsTraceId);
      if (trace !== undefined && trace.runs.length >= this._maxRunsPerTrace) {
        // Not a new run for the idle timer: a full trace still prints once its runs stop being kept.
        trace.dropped++;
        this._dropped++;
        notices.warn(
          DROP_NOTICE,
          `tree printer: trace ${lsTraceId} holds ${this._maxRunsPerTrace} runs (maxRunsPerTrace); ` + 'its later runs are dropped until it is printed',
        );
        continue;
      }
      while (this._buffered >= this._maxRuns || (trace === undefined && this._traces.size >= this._maxTraces)) {
        const oldest = this._traces.keys().next();
        if (oldest.done) break;
        this._print(oldest.value, 'bound');
        if (oldest.value === lsTraceId) trace = undefined;
      }
      if (trace === undefined) {
        trace = { runs: [], dropped: 0, timer: undefined, rootEnded: false };
        this._traces.set(lsTraceId, trace);
      }
      trace.runs.push(run);
      this._buffered++;
      if (run.id === lsTraceId && !trace.rootEnded) {
        trace.rootEnded = true;
        this._arm(lsTraceId, trace, this._grace, 'root');
      } else if (!trace.rootEnded) {
        if (trace.timer === undefined) this._arm(lsTraceId, trace, this._idle, 'idle');
        else trace.timer.refresh();
      }
    }
  }

  async forceFlush(): Promise<void> {
    for (const [lsTraceId, trace] of [...this._traces]) this._print(lsTraceId, trace.rootEnded ? 'root' : 'flush');
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }

  private _arm(lsTraceId: string, trace: OpenTrace, millis: number, reason: PrintReason): void {
    if (trace.timer !== undefined) clearTimeout(trace.timer);
    trace.timer = setTimeout(() => this._print(lsTraceId, reason), millis);
    trace.timer.unref?.();
  }

  private _print(lsTraceId: string, reason: PrintReason): void {
    const trace = this._traces.get(lsTraceId);
    if (!trace) return;
    this._traces.delete(lsTraceId);
    this._buffered -= trace.runs.length;
    if (trace.timer) clearTimeout(trace.timer);
    const partial = !trace.rootEnded;
    this._printed++;
    if (partial) this._partial++;
    const notes: string[] = [];
    if (partial) notes.push(PARTIAL_REASON[reason === 'root' ? 'flush' : reason]);
    else if (reason === 'bound') notes.push(PARTIAL_REASON.bound);
    if (trace.dropped > 0) notes.push(`${trace.dropped} more run${trace.dropped === 1 ? '' : 's'} dropped (maxRunsPerTrace ${this._maxRunsPerTrace})`);
    const color = this._options.color ?? false;
    const project = trace.runs.find((r) => r.id === lsTraceId)?.session_name ?? trace.runs[0]?.session_name ?? 'default';
    for (const root of buildTree(trace.runs)) {
      const tree = { lsTraceId, project, runs: trace.runs.length, root };
      let text = formatTree(tree, { color });
      // Complete trees print exactly as before; a partial one says so under its header.
      if (notes.length > 0) {
        const nl = text.indexOf('\n');
        text = `${text.slice(0, nl)}\n(partial: ${notes.join('; ')})${text.slice(nl)}`;
      }
      try {
        this._write(text + '\n\n');
      } catch {
        // stdout closed: nothing else to tell
      }
    }
  }
}
