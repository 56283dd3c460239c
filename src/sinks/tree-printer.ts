/**
 * Prints each trace as a tree on the terminal once its root run has ended
 * (after a short grace period for stragglers). Buffers are bounded: at most
 * `maxTraces` open traces; the oldest is printed incomplete past that.
 */
import { formatTree, type TreeNode } from '../ingest/format-tree.js';
import type { Run } from '../mapping/types.js';
import type { RunSink } from './types.js';

export interface TreePrinterSinkOptions {
  /** Where to write. Default: process.stdout. */
  write?: (text: string) => void;
  color?: boolean;
  /** Wait this long after a root ends before printing. Default 250 ms. */
  graceMillis?: number;
  maxTraces?: number;
}

export class TreePrinterSink implements RunSink {
  readonly name = 'tree-printer';
  private readonly _traces = new Map<string, { runs: Run[]; timer?: NodeJS.Timeout }>();
  private readonly _write: (text: string) => void;
  private readonly _grace: number;
  private readonly _maxTraces: number;

  constructor(private readonly _options: TreePrinterSinkOptions = {}) {
    this._write = _options.write ?? ((text) => process.stdout.write(text));
    this._grace = _options.graceMillis ?? 250;
    this._maxTraces = _options.maxTraces ?? 1000;
  }

  async write(runs: Run[]): Promise<void> {
    for (const run of runs) {
      const lsTraceId = run.trace_id!;
      let trace = this._traces.get(lsTraceId);
      if (!trace) {
        if (this._traces.size >= this._maxTraces) this._print(this._traces.keys().next().value!);
        trace = { runs: [] };
        this._traces.set(lsTraceId, trace);
      }
      trace.runs.push(run);
      if (run.id === lsTraceId && !trace.timer) {
        trace.timer = setTimeout(() => this._print(lsTraceId), this._grace);
        trace.timer.unref?.();
      }
    }
  }

  async forceFlush(): Promise<void> {
    for (const lsTraceId of [...this._traces.keys()]) this._print(lsTraceId);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }

  private _print(lsTraceId: string): void {
    const trace = this._traces.get(lsTraceId);
    if (!trace) return;
    this._traces.delete(lsTraceId);
    if (trace.timer) clearTimeout(trace.timer);
    const color = this._options.color ?? false;
    for (const root of buildTree(trace.runs)) {
      const tree = { lsTraceId, project: trace.runs[0]?.session_name ?? 'default', runs: trace.runs.length, root };
      this._write(formatTree(tree, { color }) + '\n\n');
    }
  }
}

/** Runs of one trace → trees (a root, plus any run whose parent is missing as its own tree). */
export function buildTree(runs: Run[]): TreeNode[] {
  const nodes = new Map<string, TreeNode & { run: Run }>();
  for (const run of runs) nodes.set(run.id, { run, children: [] });
  const roots: TreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.run.parent_run_id ? nodes.get(node.run.parent_run_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const order = (n: TreeNode) => (n.run as Run).dotted_order ?? '';
  const byOrder = (a: TreeNode, b: TreeNode) => (order(a) < order(b) ? -1 : 1);
  for (const node of nodes.values()) node.children.sort(byOrder);
  return roots.sort(byOrder);
}
