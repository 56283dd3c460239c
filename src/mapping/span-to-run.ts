/**
 * spanToRun: one ended OTel span → one LangSmith run, and the `langsmith.*`
 * attributes that make LangSmith's OTLP ingest rebuild exactly that run.
 * Pure: reads the span and the lineage assigned at its start, nothing else.
 */
import type { Attributes } from '@opentelemetry/api';
import { formatDottedOrderSegment } from '../headers/dotted-order.js';
import { runIdFromSpanId } from '../headers/ids.js';
import { getSpanLineage, type SpanLineage } from '../lineage/lineage.js';
import { hrTimeToIso, hrTimeToMicros } from '../time.js';
import { mapAttributes } from './attributes/index.js';
import { DEFAULT_PROJECT, isResourceMetadataKey, MAX_RESOURCE_METADATA } from './conventions.js';
import type { Run, SpanLike } from './types.js';

export interface RunMappingOptions {
  /** Project (session) for runs whose request brought no trusted `langsmith-project`. Default `default`. */
  project?: string;
  /** `true` replaces inputs with `{}`; a function rewrites them (e.g. to redact). */
  hideInputs?: boolean | ((inputs: Record<string, unknown>) => Record<string, unknown>);
  hideOutputs?: boolean | ((outputs: Record<string, unknown>) => Record<string, unknown>);
  /** Largest serialized inputs/outputs value kept whole; larger ones are truncated with a marker. */
  maxPayloadBytes?: number;
}

/** Metadata keys the bridge adds so a run can be found in the OTel backend. */
export const OTEL_TRACE_ID_METADATA = 'otel_trace_id';
export const OTEL_SPAN_ID_METADATA = 'otel_span_id';
export const OTEL_UPSTREAM_TRACE_ID_METADATA = 'otel_upstream_trace_id';
export const OTEL_UPSTREAM_SPAN_ID_METADATA = 'otel_upstream_span_id';

/**
 * How a run is cut for encoding (a), LangSmith's OTLP ingest, which derives
 * part of the metadata itself (MAPPING.md, "What ingest derives"; issue 10):
 * - resource attributes are left out: ingest shows them as metadata
 *   (langsmith.md §4, "resource attributes show as trace metadata");
 * - `otel_span_id` is left out: the run id is the padded span id and
 *   carries it;
 * - `otel_trace_id` is kept only where `otelTraceId` says so: where the OTel
 *   trace enters the LangSmith trace (a root run, or a run whose parent run
 *   is not its OTel parent span). Everywhere else it is its parent run's.
 * Encoding (b), the run for direct ingest, passes none and keeps them all.
 */
export interface OtlpCut {
  otelTraceId: boolean;
}

/** The run's project: the caller's trusted `langsmith-project`, else the processor's, else `default`. */
export function projectOf(lineage: SpanLineage, options: RunMappingOptions): string {
  return lineage.baggage?.project ?? options.project ?? DEFAULT_PROJECT;
}

export function spanToRun(span: SpanLike, options: RunMappingOptions = {}, otlp?: OtlpCut): Run {
  const mapped = mapAttributes(span, options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes });
  const { traceId, spanId } = span.spanContext();
  const lineage = getSpanLineage(span) ?? lineageFromSpan(span);
  const baggage = lineage.baggage;

  // Caller metadata first: what the local process knows (its resource, the
  // span's own attributes) wins over what a caller says. Keys reserved for
  // LangSmith and the bridge never come from a caller (isReservedMetadataKey).
  const metadata: Record<string, unknown> = {};
  const inbound = baggage?.metadata;
  const resource = span.resource?.attributes;
  if (otlp === undefined) {
    if (inbound) assignOwn(metadata, inbound);
    if (resource) copyResource(resource, metadata);
  } else if (inbound) {
    // Ingest adds the resource itself; a caller's key that the resource
    // would override here is not written, so both encodings agree.
    assignOwnExcept(metadata, inbound, resource);
  }
  assignOwn(metadata, mapped.metadata);
  if (otlp === undefined || otlp.otelTraceId) metadata[OTEL_TRACE_ID_METADATA] = traceId;
  if (otlp === undefined) metadata[OTEL_SPAN_ID_METADATA] = spanId;
  if (lineage.upstream) {
    metadata[OTEL_UPSTREAM_TRACE_ID_METADATA] = lineage.upstream.traceId;
    metadata[OTEL_UPSTREAM_SPAN_ID_METADATA] = lineage.upstream.spanId;
  }

  const tags = mergeTags(baggage?.tags, mapped.tags);
  const extra: Run['extra'] = { metadata };
  if (mapped.invocation_params) extra.invocation_params = mapped.invocation_params;

  return {
    id: runIdFromSpanId(spanId),
    trace_id: lineage.lsTraceId,
    parent_run_id: lineage.parentRunId,
    dotted_order: ownDottedOrder(lineage, spanId),
    name: mapped.name,
    run_type: mapped.run_type,
    start_time: hrTimeToIso(span.startTime),
    end_time: hrTimeToIso(span.endTime),
    inputs: hide(mapped.inputs, options.hideInputs) ?? {},
    outputs: mapped.outputs === undefined ? undefined : hide(mapped.outputs, options.hideOutputs),
    error: mapped.error,
    extra,
    tags,
    events: mapped.events,
    session_name: projectOf(lineage, options),
  };
}

/**
 * The lineage's dotted order names the span's own run — except for a span
 * the filter passed over, whose lineage is its nearest kept ancestor's; such
 * a span is not exported as a run, but mapping it still yields a consistent
 * child of that ancestor.
 */
function ownDottedOrder(lineage: SpanLineage, spanId: string): string | undefined {
  const runId = runIdFromSpanId(spanId);
  if (lineage.runId === runId || lineage.dottedOrder === undefined) return lineage.dottedOrder;
  return `${lineage.dottedOrder}.${formatDottedOrderSegment(lineage.startMicros, runId)}`;
}

/**
 * A span the bridge never saw start (its processor was added later): the
 * ingest rules applied to the span's own ids. A span with a parent gets no
 * dotted order — only LangSmith's OTLP ingest can place it.
 */
function lineageFromSpan(span: SpanLike): SpanLineage {
  const runId = runIdFromSpanId(span.spanContext().spanId);
  const parentSpanId = span.parentSpanContext?.spanId ?? span.parentSpanId;
  const startMicros = hrTimeToMicros(span.startTime) ?? 0;
  if (parentSpanId) {
    return {
      runId,
      lsTraceId: undefined,
      parentRunId: runIdFromSpanId(parentSpanId),
      dottedOrder: undefined,
      startMicros,
      baggage: undefined,
      upstream: undefined,
    };
  }
  return {
    runId,
    lsTraceId: runId,
    parentRunId: undefined,
    dottedOrder: formatDottedOrderSegment(startMicros, runId),
    startMicros,
    baggage: undefined,
    upstream: undefined,
  };
}

function hide(
  value: Record<string, unknown>,
  option: boolean | ((value: Record<string, unknown>) => Record<string, unknown>) | undefined,
): Record<string, unknown> {
  if (option === undefined || option === false) return value;
  if (option === true) return {};
  try {
    const result = option(value);
    return result && typeof result === 'object' ? result : {};
  } catch {
    return {}; // a throwing mask must not leak what it was meant to hide
  }
}

function mergeTags(inbound: readonly string[] | undefined, own: string[] | undefined): string[] | undefined {
  if (!inbound?.length) return own?.length ? own : undefined;
  if (!own?.length) return [...inbound];
  const tags = [...inbound];
  for (const tag of own) if (!tags.includes(tag)) tags.push(tag);
  return tags;
}

/**
 * Object.assign without its `__proto__` setter: a span attribute
 * `langsmith.metadata.__proto__` stays an ordinary key.
 */
function assignOwn(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    // defineProperty only where it matters: it measured 4% of encoding a chat span when used for every key.
    if (key === '__proto__') Object.defineProperty(target, key, { value: source[key], enumerable: true, writable: true, configurable: true });
    else target[key] = source[key];
  }
}

/** Resource attributes (service.name, deployment.environment, …) show as run metadata (isResourceMetadataKey). */
function copyResource(resource: Attributes, metadata: Record<string, unknown>): void {
  let n = 0;
  for (const key in resource) {
    if (n++ >= MAX_RESOURCE_METADATA) break;
    if (!isResourceMetadataKey(key)) continue;
    const value = resource[key];
    if (value !== undefined) metadata[key] = value;
  }
}

/** assignOwn, leaving out the keys copyResource would set from `resource`. */
function assignOwnExcept(target: Record<string, unknown>, source: Record<string, unknown>, resource: Attributes | undefined): void {
  if (resource === undefined) return assignOwn(target, source);
  const shadowed: Record<string, unknown> = {};
  copyResource(resource, shadowed);
  for (const key of Object.keys(source)) {
    if (Object.prototype.hasOwnProperty.call(shadowed, key)) continue;
    if (key === '__proto__') Object.defineProperty(target, key, { value: source[key], enumerable: true, writable: true, configurable: true });
    else target[key] = source[key];
  }
}
