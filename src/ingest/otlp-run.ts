/**
 * An OTLP span as LangSmith's OTLP ingest turns it into a run — the lineage
 * rules in full (langsmith.md §3), the rest kept minimal (§4): this server's
 * job is lineage plus the raw attributes, which stay on the run so tests can
 * inspect exactly what was exported.
 *
 * Lineage, explicit attributes first:
 * - run id: `langsmith.span.id`, else the span id right-aligned in a zero UUID;
 * - parent: none if `langsmith.is_root` is true, else `langsmith.span.parent_id`,
 *   else the parent in `langsmith.span.dotted_order`, else the padded parent span id;
 * - dotted order: `langsmith.span.dotted_order`, else computed from the
 *   parent's once the parent has arrived (the run store does that);
 * - trace id: `langsmith.trace.id`, else the dotted order's first UUID, else
 *   the root run's id;
 * - project: `langsmith.trace.session_name`, else the `Langsmith-Project`
 *   header, else `default`;
 * - metadata: the resource attributes (isResourceMetadataKey), then
 *   `langsmith.metadata.*`.
 *
 * These are the rules real ingest applies and no more (the bridge's encoding
 * (a) relies on them to leave derivable fields out): sources in
 * src/mapping/MAPPING.md, "Encoding (a): what ingest derives".
 */
import { parseDottedOrder } from '../headers/dotted-order.js';
import { isLowerHex } from '../headers/hex.js';
import { isUuid, runIdFromSpanId } from '../headers/ids.js';
import { exceptionHead } from '../mapping/attributes/index.js';
import {
  DEFAULT_PROJECT,
  DEFAULT_RUN_TYPE,
  GEN_AI_COMPLETION,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROMPT,
  INPUT_VALUE,
  LANGSMITH_DOTTED_ORDER,
  LANGSMITH_IS_ROOT,
  LANGSMITH_METADATA_PREFIX,
  LANGSMITH_NAME,
  LANGSMITH_PARENT_RUN_ID,
  LANGSMITH_REFERENCE_EXAMPLE_ID,
  LANGSMITH_RUN_ID,
  LANGSMITH_RUN_TYPE,
  LANGSMITH_SESSION_NAME,
  LANGSMITH_TAGS,
  LANGSMITH_TRACE_ID,
  isResourceMetadataKey,
  MAX_RESOURCE_METADATA,
  OUTPUT_VALUE,
  RUN_TYPES,
  TRACELOOP_ENTITY_INPUT,
  TRACELOOP_ENTITY_OUTPUT,
} from '../mapping/conventions.js';
import { parseBoundedJson } from './json-limits.js';
import type { OtlpAttributes, OtlpSpanRecord, OtlpValue } from './otlp/index.js';
import { isoFromMicros } from '../time.js';
import type { IngestedRun, RunLineage } from './run-store.js';

export { DEFAULT_PROJECT };

const INPUT_KEYS = [INPUT_VALUE, TRACELOOP_ENTITY_INPUT, GEN_AI_PROMPT, 'prompt'];
const OUTPUT_KEYS = [OUTPUT_VALUE, TRACELOOP_ENTITY_OUTPUT, GEN_AI_COMPLETION];
const EXCEPTION_EVENT = 'exception';

export interface SpanRun {
  run: IngestedRun;
  lineage: RunLineage;
  /** Explicit `langsmith.*` attributes that were present but unusable. */
  problems: string[];
}

export type SpanRunResult = { ok: true; value: SpanRun } | { ok: false; error: string };

/** Maps one decoded span; fails only when the span cannot be named (bad span id). */
export function runFromOtlpSpan(record: OtlpSpanRecord, headerProject?: string): SpanRunResult {
  const { span, resource, scope } = record;
  const attrs = span.attributes;
  const problems: string[] = [];
  if (!isSpanId(span.spanId)) {
    return { ok: false, error: `span ${JSON.stringify(span.name)}: span_id "${span.spanId}" is not 8 non-zero bytes` };
  }
  const label = `span ${span.spanId} (${JSON.stringify(span.name)})`;
  if (!isTraceId(span.traceId)) problems.push(`${label}: trace_id "${span.traceId}" is not 16 non-zero bytes`);

  const explicitId = uuidAttr(attrs, LANGSMITH_RUN_ID, label, problems);
  const id = explicitId ?? runIdFromSpanId(span.spanId);

  const dottedAttr = stringAttr(attrs, LANGSMITH_DOTTED_ORDER);
  const dotted = dottedAttr === undefined ? undefined : parseDottedOrder(dottedAttr);
  const isRoot = attrs[LANGSMITH_IS_ROOT] === true || attrs[LANGSMITH_IS_ROOT] === 'true';
  const explicitParent = uuidAttr(attrs, LANGSMITH_PARENT_RUN_ID, label, problems);
  let parentRunId: string | undefined;
  if (!isRoot) {
    const implicit = span.parentSpanId !== undefined && isSpanId(span.parentSpanId) ? runIdFromSpanId(span.parentSpanId) : undefined;
    parentRunId = explicitParent ?? (dotted !== undefined ? dotted.parentRunId : implicit);
  }
  const explicitTraceId = uuidAttr(attrs, LANGSMITH_TRACE_ID, label, problems) ?? dotted?.lsTraceId;

  const project = stringAttr(attrs, LANGSMITH_SESSION_NAME) || headerProject || DEFAULT_PROJECT;
  const kind = stringAttr(attrs, LANGSMITH_RUN_TYPE)?.toLowerCase();
  // Resource attributes show as metadata (langsmith.md §4), under the span's
  // own `langsmith.metadata.*`: the keys of isResourceMetadataKey, as
  // spanToRun gives direct ingest (MAPPING.md, "What ingest derives").
  const metadata: Record<string, unknown> = {};
  let n = 0;
  for (const key of Object.keys(resource.attributes)) {
    if (n++ >= MAX_RESOURCE_METADATA) break;
    if (isResourceMetadataKey(key)) metadata[key] = resource.attributes[key];
  }
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith(LANGSMITH_METADATA_PREFIX)) metadata[key.slice(LANGSMITH_METADATA_PREFIX.length)] = value;
  }
  const tags = stringAttr(attrs, LANGSMITH_TAGS)
    ?.split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');

  const run: IngestedRun = {
    id,
    trace_id: explicitTraceId,
    parent_run_id: parentRunId,
    dotted_order: dottedAttr,
    name: stringAttr(attrs, LANGSMITH_NAME) || span.name,
    run_type: kind !== undefined && RUN_TYPES.has(kind) ? kind : runTypeFromGenAi(attrs),
    start_time: isoFromMicros(span.startMicros),
    end_time: span.endTimeUnixNano === '0' ? undefined : isoFromMicros(span.endMicros),
    inputs: ioFromAttributes(attrs, INPUT_KEYS, 'input'),
    outputs: ioFromAttributes(attrs, OUTPUT_KEYS, 'text'),
    error: errorFromEvents(record),
    extra: Object.keys(metadata).length > 0 ? { metadata } : undefined,
    tags,
    reference_example_id: uuidAttr(attrs, LANGSMITH_REFERENCE_EXAMPLE_ID, label, problems),
    session_name: project,
    attributes: attrs,
    resource: resource.attributes,
    otel: {
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      traceState: span.traceState,
      flags: span.flags,
      kind: span.kind,
      startTimeUnixNano: span.startTimeUnixNano,
      endTimeUnixNano: span.endTimeUnixNano,
      status: span.status,
      events: span.events,
      links: span.links,
      scope: { name: scope.name, version: scope.version },
    },
    source: 'otlp',
  };
  return {
    ok: true,
    value: {
      run,
      lineage: { computeDottedOrder: dottedAttr === undefined, explicitTraceId, startMicros: span.startMicros },
      problems,
    },
  };
}

/** `gen_ai.operation.name`: chat/completion → llm, embedding → embedding, else chain (langsmith.md §4). */
function runTypeFromGenAi(attrs: OtlpAttributes): string {
  const op = stringAttr(attrs, GEN_AI_OPERATION_NAME);
  if (op === 'chat' || op === 'completion') return 'llm';
  if (op === 'embedding') return 'embedding';
  return DEFAULT_RUN_TYPE;
}

/** The first of `keys` that is a string: a JSON object becomes the dict, any other string `{ [wrapKey]: s }`. */
function ioFromAttributes(attrs: OtlpAttributes, keys: string[], wrapKey: string): Record<string, unknown> | undefined {
  for (const key of keys) {
    const value = stringAttr(attrs, key);
    if (value === undefined) continue;
    // Not JSON, not an object, or too deep to serialize again: kept as the string it came as.
    const parsed = parseBoundedJson(value);
    if (parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value)) {
      return parsed.value as Record<string, unknown>;
    }
    return { [wrapKey]: value };
  }
  return undefined;
}

/**
 * The run error from `exception` events: message, then stack trace. Like
 * LangSmith ingest, the span status alone does not make an error
 * (langsmith.md §4); it stays visible as `otel.status`.
 */
function errorFromEvents(record: OtlpSpanRecord): string | undefined {
  const texts: string[] = [];
  for (const event of record.span.events) {
    if (event.name !== EXCEPTION_EVENT) continue;
    const type = stringAttr(event.attributes, 'exception.type');
    const message = stringAttr(event.attributes, 'exception.message');
    const stack = stringAttr(event.attributes, 'exception.stacktrace');
    const head = type !== undefined && message !== undefined ? exceptionHead(type, message) : (message ?? type ?? 'exception');
    // A JS stack already starts with "Type: message"; do not repeat it.
    if (stack === undefined || stack === '') texts.push(head);
    else texts.push(stack.startsWith(head) ? stack : `${head}\n${stack}`);
  }
  return texts.length > 0 ? texts.join('\n\n') : undefined;
}

function stringAttr(attrs: OtlpAttributes, key: string): string | undefined {
  const v: OtlpValue | undefined = Object.prototype.hasOwnProperty.call(attrs, key) ? attrs[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

function uuidAttr(attrs: OtlpAttributes, key: string, label: string, problems: string[]): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(attrs, key)) return undefined;
  const v = attrs[key];
  if (typeof v === 'string' && isUuid(v.toLowerCase())) return v.toLowerCase();
  problems.push(`${label}: attribute ${key}=${describe(v)} is not a UUID; ignored`);
  return undefined;
}

function isSpanId(hex: string): boolean {
  return hex.length === 16 && isLowerHex(hex, 0, 16) && hex !== '0000000000000000';
}

function isTraceId(hex: string): boolean {
  return hex.length === 32 && isLowerHex(hex, 0, 32) && !/^0+$/.test(hex);
}

function describe(value: OtlpValue | undefined): string {
  try {
    return JSON.stringify(value, (_key, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'undefined';
  } catch {
    return String(value);
  }
}
