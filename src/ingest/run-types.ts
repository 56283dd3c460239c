/**
 * The shapes the ingest server stores and returns: runs as they arrived
 * (multipart, batch, OTLP), their lineage, trace trees, and the run store's
 * options and counters. Kept apart from the store itself (run-store.ts) so
 * that file holds one idea: merging, resolving and bounding runs.
 */
import type { OtlpAttributes, OtlpEvent, OtlpLink, OtlpStatus } from './otlp/index.js';

/** How a run reached the server. */
export type RunSource = 'multipart' | 'batch' | 'runs' | 'otlp';

export interface IngestedAttachment {
  contentType: string;
  data: Uint8Array;
}

/** The OTel view of a run that arrived as an OTLP span. */
export interface IngestedSpanInfo {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  traceState: string;
  flags: number;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: OtlpStatus;
  events: OtlpEvent[];
  links: OtlpLink[];
  scope: { name: string; version: string };
}

/**
 * A run as the server stores it: LangSmith's wire field names (snake_case),
 * times normalised to ISO 8601 with 6 fractional digits.
 */
export interface IngestedRun {
  id: string;
  /** Set once the lineage is resolved (always set on runs from `runs()`/`traces()`). */
  trace_id?: string;
  parent_run_id?: string;
  /** Set once the lineage is resolved. */
  dotted_order?: string;
  name: string;
  run_type: string;
  start_time?: string;
  end_time?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  error?: string;
  extra?: Record<string, unknown>;
  tags?: string[];
  events?: unknown[];
  serialized?: unknown;
  reference_example_id?: string;
  /** The project (LangSmith "session") the run is recorded in. */
  session_name: string;
  attachments?: Record<string, IngestedAttachment>;
  /** Span attributes, verbatim (OTLP only). */
  attributes?: OtlpAttributes;
  /** Resource attributes, verbatim (OTLP only). */
  resource?: OtlpAttributes;
  /** OTLP only. */
  otel?: IngestedSpanInfo;
  source: RunSource;
}

/** A post or patch: every field optional except `id`. */
export type RunUpdate = Partial<IngestedRun> & { id: string };

/** How the run's lineage is to be completed at resolution. */
export interface RunLineage {
  /** No dotted order was sent: compute it from the parent's (or as a root). */
  computeDottedOrder: boolean;
  /** A trace id the sender gave explicitly (else: the parent's, or the run's own id for a root). */
  explicitTraceId?: string;
  /** The run's start in µs since the epoch, for a computed dotted order. */
  startMicros?: number;
}

export interface RunNode {
  run: IngestedRun;
  /** Sorted by dotted order (= start time, then id). */
  children: RunNode[];
}

export interface TraceTree {
  /** The LangSmith trace id: the root run's id. */
  lsTraceId: string;
  root: RunNode;
  /** Number of runs in the tree, the root included. */
  runs: number;
  project: string;
}

export interface RunStoreOptions {
  /** Called with the run each time it is resolved or updated after resolution. Errors are swallowed. */
  onRun?: (run: IngestedRun) => void;
  /** Past this many runs the oldest whole traces are evicted. Default 100,000. */
  maxRuns?: number;
  /** Past this estimated size the oldest whole traces are evicted. Default 64 MiB. */
  maxBytes?: number;
  /** Distinct violation messages kept. Default 10,000. */
  maxViolations?: number;
}

export interface RunStoreStats {
  /** Resolved runs. */
  runs: number;
  /** Runs waiting for their parent. */
  orphans: number;
  /** Runs with patches or attachments held for a post that has not arrived. */
  pending: number;
  /** Estimated size of everything held. */
  bytes: number;
  /** Runs evicted by the bounds (orphans and held patches included). */
  evictedRuns: number;
  /** Traces (or orphan groups) evicted whole. */
  evictedTraces: number;
  /** Violation messages not kept past `maxViolations`. */
  droppedViolations: number;
}
