/**
 * What the ingest server keeps: runs merged from posts and patches, resolved
 * into lineages, checked against LangSmith's server invariants
 * (langsmith.md §2), and grouped into trace trees.
 *
 * Orphan buffering (langsmith.md §3): a run whose parent has not arrived is
 * held back — not in `runs()`, not in `traces()`, but in `orphans()` — and is
 * resolved, with its whole waiting subtree, when the parent arrives. A run
 * that brings no dotted order (an OTLP span without `langsmith.*` lineage, a
 * legacy run) gets one computed from its parent's once the parent is known,
 * and the root run's id as its trace id.
 *
 * Bounded (issue 8): at most `maxRuns` runs and `maxBytes` (estimated) in
 * all, orphans and held patches included. Past either bound the oldest
 * trace goes whole — its runs and every run waiting on them — and is
 * counted in `stats()` and reported once on stderr (then at most once a
 * minute). Nothing here recurses: a parent with 200,000 waiting children
 * resolves them in a loop.
 */
import { childDottedOrder, formatDottedOrderSegment, parseDottedOrder } from '../headers/dotted-order.js';
import { notices } from '../notices.js';
import { estimateBytes } from './json-limits.js';
import type { IngestedAttachment, IngestedRun, RunLineage, RunNode, RunStoreOptions, RunStoreStats, RunUpdate, TraceTree } from './run-types.js';
export type * from './run-types.js';

interface Entry {
  run: IngestedRun;
  lineage: RunLineage;
  resolved: boolean;
  order: number;
  /** `estimateBytes(run)`, kept in the store's total. */
  bytes: number;
  /** The group this run is evicted with: its trace id, else its own id. */
  traceKey: string;
}

interface TraceGroup {
  ids: Set<string>;
  /** Creation order: a key evicted and seen again is a new group. */
  seq: number;
}

/** Default bound on stored runs (resolved, orphans and held patches alike). */
export const DEFAULT_MAX_STORED_RUNS = 100_000;
/** Default bound on the stored runs' estimated size (about their JSON size; the heap they take was 3–4× that, measured). */
export const DEFAULT_MAX_STORED_BYTES = 64 * 1024 * 1024;
/** Distinct violation messages kept; later ones are counted, not kept. */
export const DEFAULT_MAX_VIOLATIONS = 10_000;

const EVICTION_NOTICE = 'ingest:evicted';
const VIOLATION_NOTICE = 'ingest:violations';

export class RunStore {
  private readonly entries = new Map<string, Entry>();
  /** parent run id → ids of runs waiting for it. */
  private readonly waiting = new Map<string, Set<string>>();
  /** Patches whose post has not arrived, merged when it does. */
  private readonly pendingPatches = new Map<string, RunUpdate[]>();
  private readonly pendingAttachments = new Map<string, Record<string, IngestedAttachment>>();
  private readonly pendingBytes = new Map<string, number>();
  private readonly violationSet = new Set<string>();
  /** trace key → ids of the runs evicted with it. */
  private readonly traceIndex = new Map<string, TraceGroup>();
  /**
   * Trace groups oldest first, read from `traceHead`. Not `entries.keys().next()`:
   * a Map read from the front after many deletions skips every deleted slot,
   * which made a store at its bound several times slower.
   */
  private traceOrder: Array<{ key: string; seq: number }> = [];
  private traceHead = 0;
  private groupSeq = 0;
  private counter = 0;
  private bytes = 0;
  private resolvedCount = 0;
  private evictedRuns = 0;
  private evictedTraces = 0;
  private droppedViolations = 0;
  private readonly maxRuns: number;
  private readonly maxBytes: number;
  private readonly maxViolations: number;

  constructor(private readonly options: RunStoreOptions = {}) {
    this.maxRuns = positive(options.maxRuns, DEFAULT_MAX_STORED_RUNS, 'maxRuns');
    this.maxBytes = positive(options.maxBytes, DEFAULT_MAX_STORED_BYTES, 'maxBytes');
    this.maxViolations = positive(options.maxViolations, DEFAULT_MAX_VIOLATIONS, 'maxViolations');
  }

  /** A run create. A second post for the same id is merged like a patch (a retry). */
  post(run: IngestedRun, lineage: RunLineage): void {
    const existing = this.entries.get(run.id);
    if (existing !== undefined) {
      this.update(existing, run, lineage);
      this.enforceBounds();
      return;
    }
    let merged: IngestedRun = run;
    for (const patch of this.pendingPatches.get(run.id) ?? []) merged = mergeRun(merged, patch);
    const attachments = this.pendingAttachments.get(run.id);
    if (attachments !== undefined) merged = { ...merged, attachments: { ...merged.attachments, ...attachments } };
    this.dropPending(run.id);
    const entry: Entry = { run: merged, lineage, resolved: false, order: this.counter++, bytes: 0, traceKey: '' };
    this.entries.set(run.id, entry);
    this.setRun(entry, merged);
    this.settle(run.id);
    this.enforceBounds();
  }

  /** A run update; held until its post arrives. */
  patch(update: RunUpdate): void {
    const entry = this.entries.get(update.id);
    if (entry === undefined) {
      const list = this.pendingPatches.get(update.id) ?? [];
      list.push(update);
      this.pendingPatches.set(update.id, list);
      this.addPending(update.id, estimateBytes(update));
      this.enforceBounds();
      return;
    }
    this.update(entry, update, undefined);
    this.enforceBounds();
  }

  attach(runId: string, name: string, attachment: IngestedAttachment): void {
    const entry = this.entries.get(runId);
    if (entry === undefined) {
      const pending = this.pendingAttachments.get(runId) ?? {};
      pending[name] = attachment;
      this.pendingAttachments.set(runId, pending);
      this.addPending(runId, estimateBytes(attachment) + name.length);
      this.enforceBounds();
      return;
    }
    this.update(entry, { id: runId, attachments: { ...entry.run.attachments, [name]: attachment } }, undefined);
    this.enforceBounds();
  }

  addViolation(message: string): void {
    if (this.violationSet.has(message)) return;
    if (this.violationSet.size >= this.maxViolations) {
      this.droppedViolations++;
      notices.warn(VIOLATION_NOTICE, `local ingest: over ${this.maxViolations} violation messages; later ones are counted, not kept`);
      return;
    }
    this.violationSet.add(message);
  }

  stats(): RunStoreStats {
    return {
      runs: this.resolvedCount,
      orphans: this.entries.size - this.resolvedCount,
      pending: this.pendingBytes.size,
      bytes: this.bytes,
      evictedRuns: this.evictedRuns,
      evictedTraces: this.evictedTraces,
      droppedViolations: this.droppedViolations,
    };
  }

  /** Resolved runs, sorted by dotted order. */
  runs(): IngestedRun[] {
    return this.sorted(true).map((e) => e.run);
  }

  /** Runs waiting for a parent that has not arrived, in arrival order. */
  orphans(): IngestedRun[] {
    return this.sorted(false).map((e) => e.run);
  }

  violations(): string[] {
    return [...this.violationSet];
  }

  /** One tree per resolved root run, oldest first. */
  traces(): TraceTree[] {
    const resolved = this.sorted(true);
    const nodes = new Map<string, RunNode>();
    for (const e of resolved) nodes.set(e.run.id, { run: e.run, children: [] });
    const roots: RunNode[] = [];
    // Sorted by dotted order, so every children list comes out sorted too.
    for (let i = 0; i < resolved.length; i++) {
      const run = resolved[i]!.run;
      const node = nodes.get(run.id)!;
      const parentId = run.parent_run_id;
      if (parentId === undefined) roots.push(node);
      else nodes.get(parentId)?.children.push(node);
    }
    return roots.map((root) => ({
      lsTraceId: root.run.trace_id ?? root.run.id,
      root,
      runs: countNodes(root),
      project: root.run.session_name,
    }));
  }

  clear(): void {
    this.entries.clear();
    this.waiting.clear();
    this.pendingPatches.clear();
    this.pendingAttachments.clear();
    this.pendingBytes.clear();
    this.violationSet.clear();
    this.traceIndex.clear();
    this.traceOrder = [];
    this.traceHead = 0;
    this.counter = 0;
    this.bytes = 0;
    this.resolvedCount = 0;
    this.evictedRuns = 0;
    this.evictedTraces = 0;
    this.droppedViolations = 0;
  }

  private sorted(resolved: boolean): Entry[] {
    const list = [...this.entries.values()].filter((e) => e.resolved === resolved);
    if (resolved) list.sort((a, b) => compare(a.run.dotted_order ?? '', b.run.dotted_order ?? '') || a.order - b.order);
    else list.sort((a, b) => a.order - b.order);
    return list;
  }

  private update(entry: Entry, update: RunUpdate, lineage: RunLineage | undefined): void {
    this.setRun(entry, mergeRun(entry.run, update));
    if (lineage !== undefined && !lineage.computeDottedOrder) entry.lineage = lineage;
    if (entry.resolved) {
      this.validate(entry);
      this.emit(entry.run);
    } else {
      this.settle(entry.run.id);
    }
  }

  /** Resolves `id` if its parent is resolved, then every run waiting on it, breadth first, in a loop. */
  private settle(id: string): void {
    const queue = [id];
    // An index, not shift(): shifting 200,000 waiters one by one is quadratic.
    for (let head = 0; head < queue.length; head++) {
      const current = queue[head]!;
      const entry = this.entries.get(current);
      if (entry === undefined || entry.resolved) continue;
      const parentId = entry.run.parent_run_id;
      const parent = parentId === undefined ? undefined : this.entries.get(parentId);
      if (parentId !== undefined && (parent === undefined || !parent.resolved)) {
        const set = this.waiting.get(parentId) ?? new Set<string>();
        set.add(current);
        this.waiting.set(parentId, set);
        continue;
      }
      this.resolve(entry, parent);
      const waiters = this.waiting.get(current);
      if (waiters !== undefined) {
        this.waiting.delete(current);
        // Not push(...waiters): spreading 200,000 arguments overflows the stack.
        for (const waiter of waiters) queue.push(waiter);
      }
    }
  }

  private resolve(entry: Entry, parent: Entry | undefined): void {
    const run = entry.run;
    const { lineage } = entry;
    let dottedOrder = run.dotted_order;
    let traceId = run.trace_id ?? lineage.explicitTraceId;
    if (lineage.computeDottedOrder || dottedOrder === undefined) {
      const micros = lineage.startMicros ?? 0;
      if (parent === undefined) {
        dottedOrder = formatDottedOrderSegment(micros, run.id);
      } else {
        const parentOrder = parseDottedOrder(parent.run.dotted_order ?? '');
        dottedOrder =
          parentOrder !== undefined
            ? childDottedOrder(parentOrder, micros, run.id).value
            : `${parent.run.dotted_order ?? ''}.${formatDottedOrderSegment(micros, run.id)}`;
      }
    }
    traceId ??= parent === undefined ? run.id : parent.run.trace_id;
    entry.resolved = true;
    this.resolvedCount++;
    // Only these two fields change: adjust the byte total by their difference rather than walking the run again.
    const resolved: IngestedRun = { ...run, dotted_order: dottedOrder, trace_id: traceId };
    const delta = fieldBytes(resolved, 'dotted_order') + fieldBytes(resolved, 'trace_id') - fieldBytes(run, 'dotted_order') - fieldBytes(run, 'trace_id');
    entry.run = resolved;
    entry.bytes += delta;
    this.bytes += delta;
    this.reindex(entry);
    this.validate(entry);
    this.emit(entry.run);
  }

  private validate(entry: Entry): void {
    const run = entry.run;
    const parent = run.parent_run_id === undefined ? undefined : this.entries.get(run.parent_run_id)?.run;
    for (const problem of runViolations(run, parent)) {
      this.addViolation(`run ${run.id} (${JSON.stringify(run.name)}): ${problem}`);
    }
  }

  /** Replaces an entry's run, keeping the byte total and the trace index current. */
  private setRun(entry: Entry, run: IngestedRun): void {
    entry.run = run;
    const bytes = estimateBytes(run);
    this.bytes += bytes - entry.bytes;
    entry.bytes = bytes;
    this.reindex(entry);
  }

  /** Files an entry under its trace key (its trace id, else its explicit one, else its own id) if that changed. */
  private reindex(entry: Entry): void {
    const run = entry.run;
    const key = run.trace_id ?? entry.lineage.explicitTraceId ?? run.id;
    if (key === entry.traceKey) return;
    this.unindex(entry.traceKey, run.id);
    entry.traceKey = key;
    let group = this.traceIndex.get(key);
    if (group === undefined) {
      group = { ids: new Set(), seq: this.groupSeq++ };
      this.traceIndex.set(key, group);
      this.traceOrder.push({ key, seq: group.seq });
    }
    group.ids.add(run.id);
  }

  private unindex(key: string, id: string): void {
    const group = this.traceIndex.get(key);
    if (group === undefined) return;
    group.ids.delete(id);
    if (group.ids.size === 0) this.traceIndex.delete(key);
  }

  private addPending(id: string, bytes: number): void {
    this.pendingBytes.set(id, (this.pendingBytes.get(id) ?? 0) + bytes);
    this.bytes += bytes;
  }

  private dropPending(id: string): void {
    this.bytes -= this.pendingBytes.get(id) ?? 0;
    this.pendingBytes.delete(id);
    this.pendingPatches.delete(id);
    this.pendingAttachments.delete(id);
  }

  /**
   * Evicts until both bounds hold: held patches first (oldest first: they
   * may never get their post), then the oldest trace, whole.
   */
  private enforceBounds(): void {
    while (this.entries.size + this.pendingBytes.size > this.maxRuns || this.bytes > this.maxBytes) {
      const pendingId = this.pendingBytes.keys().next();
      if (!pendingId.done) {
        this.dropPending(pendingId.value);
        this.countEviction(1, `patches held for run ${pendingId.value}`);
        continue;
      }
      const key = this.oldestTrace();
      if (key === undefined) break;
      this.evictTrace(key);
    }
  }

  /** The key of the oldest trace group still held. */
  private oldestTrace(): string | undefined {
    while (this.traceHead < this.traceOrder.length) {
      const { key, seq } = this.traceOrder[this.traceHead]!;
      if (this.traceIndex.get(key)?.seq === seq) return key;
      this.traceHead++; // that group is gone (evicted, or every run re-keyed)
    }
    if (this.traceHead > 1024) {
      this.traceOrder = [];
      this.traceHead = 0;
    }
    return undefined;
  }

  /** Removes a trace: every run indexed under its key, and every run waiting on one of them. */
  private evictTrace(key: string): void {
    const doomed = [...(this.traceIndex.get(key)?.ids ?? [])];
    const seen = new Set(doomed);
    for (let i = 0; i < doomed.length; i++) {
      const id = doomed[i]!;
      for (const waiter of this.waiting.get(id) ?? []) {
        if (!seen.has(waiter)) {
          seen.add(waiter);
          doomed.push(waiter);
        }
      }
      this.waiting.delete(id);
      const e = this.entries.get(id);
      if (e === undefined) continue;
      this.entries.delete(id);
      this.bytes -= e.bytes;
      if (e.resolved) this.resolvedCount--;
      this.unindex(e.traceKey, id);
      const parentId = e.run.parent_run_id;
      if (parentId !== undefined) {
        const siblings = this.waiting.get(parentId);
        siblings?.delete(id);
        if (siblings?.size === 0) this.waiting.delete(parentId);
      }
    }
    if (this.traceHead > 1024 && this.traceHead * 2 > this.traceOrder.length) {
      this.traceOrder = this.traceOrder.slice(this.traceHead);
      this.traceHead = 0;
    }
    this.countEviction(seen.size, `trace ${key}`);
  }

  private countEviction(runs: number, what: string): void {
    this.evictedRuns += runs;
    this.evictedTraces++;
    notices.warn(
      EVICTION_NOTICE,
      `local ingest: store full (maxRuns ${this.maxRuns}, maxBytes ${this.maxBytes}): evicted the oldest, ${what} (${runs} run${runs === 1 ? '' : 's'})`,
      runs,
    );
  }

  private emit(run: IngestedRun): void {
    try {
      this.options.onRun?.(run);
    } catch {
      // A consumer's bug must not take the ingest server down.
    }
  }
}

/**
 * The server invariants of langsmith.md §2 for one resolved run, as
 * human-readable problems (empty when the run is valid).
 */
export function runViolations(run: IngestedRun, parent: IngestedRun | undefined): string[] {
  const problems: string[] = [];
  const value = run.dotted_order;
  if (value === undefined) return ['no dotted_order'];
  const parsed = parseDottedOrder(value);
  if (parsed === undefined) return [`dotted_order ${JSON.stringify(value)} is invalid: ${explainDottedOrder(value)}`];
  if (run.trace_id !== parsed.lsTraceId) {
    problems.push(`trace_id ${run.trace_id ?? '(none)'} is not the first dotted_order segment's UUID ${parsed.lsTraceId}`);
  }
  if (run.id !== parsed.runId) problems.push(`id is not the last dotted_order segment's UUID ${parsed.runId}`);
  if (run.parent_run_id === undefined) {
    if (parsed.depth !== 1) problems.push(`a root run (no parent_run_id) has ${parsed.depth} dotted_order segments, expected 1`);
  } else {
    if (parsed.depth < 2) problems.push('a child run (with parent_run_id) has 1 dotted_order segment, expected at least 2');
    else if (run.parent_run_id !== parsed.parentRunId) {
      problems.push(`parent_run_id ${run.parent_run_id} is not the second-to-last dotted_order segment's UUID ${parsed.parentRunId ?? ''}`);
    }
    if (parent?.dotted_order !== undefined && !value.startsWith(`${parent.dotted_order}.`)) {
      problems.push(`dotted_order does not extend its parent's dotted_order ${parent.dotted_order}`);
    }
  }
  return problems;
}

/** Why `parseDottedOrder` rejected a value, segment by segment. */
export function explainDottedOrder(value: string): string {
  const segments = value.split('.');
  let previous: number | undefined;
  const seen = new Set<string>();
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const label = `segment ${i + 1} ${JSON.stringify(segment.slice(0, 64))}`;
    const zAt = segment.indexOf('Z');
    if (zAt >= 0 && zAt !== 21 && /^[0-9]{8}T[0-9]+Z/.test(segment)) {
      return `${label} has ${zAt - 15} fractional second digits, expected exactly 6`;
    }
    const one = parseDottedOrder(segment);
    if (one === undefined) return `${label} is not YYYYMMDDTHHMMSSffffffZ followed by a lowercase UUID`;
    if (previous !== undefined && one.startMicros < previous) {
      return `${label} starts before its parent segment (a child's timestamp must not be earlier than its parent's)`;
    }
    if (seen.has(one.runId)) return `${label} repeats run id ${one.runId}`;
    seen.add(one.runId);
    previous = one.startMicros;
  }
  return 'too long or malformed';
}

/** Fields of `update` that are set (not undefined/null) replace those of `run`. */
function mergeRun(run: IngestedRun, update: RunUpdate): IngestedRun {
  const out: Record<string, unknown> = { ...run };
  for (const [key, value] of Object.entries(update)) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out as unknown as IngestedRun;
}

/** What `run[key]` adds to `estimateBytes(run)`: its name and its value, nothing when the key is absent. */
function fieldBytes(run: IngestedRun, key: 'dotted_order' | 'trace_id'): number {
  return Object.prototype.hasOwnProperty.call(run, key) ? key.length + estimateBytes(run[key]) : 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function countNodes(root: RunNode): number {
  let n = 0;
  const stack = [root];
  while (stack.length > 0) {
    n++;
    // Not push(...children): a run with 200,000 children would overflow the stack.
    for (const child of stack.pop()!.children) stack.push(child);
  }
  return n;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`RunStore: ${name} must be positive (got ${value})`);
  return value;
}
