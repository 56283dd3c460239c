/**
 * The shapes the mapping reads and writes, stated structurally so the
 * package needs no SDK package for its types: a ReadableSpan of OTel SDK 2.x
 * or 3.x satisfies `SpanLike`, and `Run` uses LangSmith's field names.
 */
import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { RUN_TYPE_VALUES } from './conventions.js';

export interface SpanEventLike {
  name: string;
  time: HrTime;
  attributes?: Attributes;
}

/** What spanToRun reads from an ended span (SDK 2.x / 3.x ReadableSpan). */
export interface SpanLike {
  readonly name: string;
  readonly kind: SpanKind;
  spanContext(): SpanContext;
  /** SDK 2.x+; SDK 1.x had `parentSpanId`. */
  readonly parentSpanContext?: SpanContext | undefined;
  readonly parentSpanId?: string | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: SpanEventLike[];
  readonly resource?: { attributes: Attributes } | undefined;
  readonly instrumentationScope?: { name: string; version?: string } | undefined;
  readonly instrumentationLibrary?: { name: string; version?: string } | undefined;
}

export type RunType = (typeof RUN_TYPE_VALUES)[number];

export interface UsageMetadata {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  input_token_details?: Record<string, number>;
  output_token_details?: Record<string, number>;
}

/** A LangSmith run, with the field names of LangSmith's run ingest API. */
export interface Run {
  id: string;
  trace_id: string | undefined;
  parent_run_id: string | undefined;
  dotted_order: string | undefined;
  name: string;
  run_type: RunType;
  /** ISO 8601 with microseconds, e.g. 2025-01-02T03:04:05.678901Z. */
  start_time: string;
  end_time: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | undefined;
  error: string | undefined;
  extra: {
    metadata: Record<string, unknown>;
    invocation_params?: Record<string, unknown>;
    runtime?: Record<string, unknown>;
  };
  tags: string[] | undefined;
  events: Array<{ name: string; time: string; kwargs?: Record<string, unknown> }>;
  session_name: string | undefined;
}

/**
 * What the attribute mapping derives from a span's own data (everything but
 * lineage, times and project, which spanToRun adds).
 */
export interface MappedAttributes {
  name: string;
  run_type: RunType;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | undefined;
  error: string | undefined;
  /** langsmith.metadata.*, ai.telemetry.metadata.*, ls_provider, ls_model_name, usage_metadata. */
  metadata: Record<string, unknown>;
  invocation_params: Record<string, unknown> | undefined;
  usage_metadata: UsageMetadata | undefined;
  tags: string[] | undefined;
  /** Span events other than the ones consumed as inputs/outputs/errors. */
  events: Array<{ name: string; time: string; kwargs?: Record<string, unknown> }>;
}
