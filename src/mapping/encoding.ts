/**
 * Encoding (a): a run as the span attributes LangSmith's OTLP ingest reads
 * (langsmith.md §3–4), plus `gen_ai.prompt` / `gen_ai.completion` JSON as
 * LangSmith's own JS SDK writes them. Stamped on the copy of the span that
 * is exported, so a collector can forward one stream to Jaeger (an ordinary
 * span) and to LangSmith (exactly this run).
 *
 * Ingest derives most of a run from the span itself (MAPPING.md, "What
 * ingest derives"): the processor passes `derived`, saying which fields
 * ingest would get right on its own, and only the others are written
 * (issue 10). Without `derived` every field is written.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  AI_OPERATION_ID,
  AI_TOOL_CALL_NAME,
  DEFAULT_RUN_TYPE,
  GEN_AI_COMPLETION,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROMPT,
  GEN_AI_TOOL_NAME,
  LLM_PROMPT_TEMPLATE_VARIABLES,
  LLM_REQUEST_TYPE,
  OPENINFERENCE_SPAN_KIND,
  TOOL_NAME,
  TRACELOOP_ENTITY_NAME,
  TRACELOOP_SPAN_KIND,
  LANGSMITH_DOTTED_ORDER,
  LANGSMITH_IS_ROOT,
  LANGSMITH_METADATA_PREFIX,
  LANGSMITH_NAME,
  LANGSMITH_PARENT_RUN_ID,
  LANGSMITH_RUN_ID,
  LANGSMITH_RUN_TYPE,
  LANGSMITH_SESSION_NAME,
  LANGSMITH_TAGS,
  LANGSMITH_TRACE_ID,
  LANGSMITH_USAGE_METADATA,
} from './conventions.js';
import type { Run, SpanLike } from './types.js';
import { LINEAGE_DOTTED_ORDER, LINEAGE_IS_ROOT, LINEAGE_PARENT, LINEAGE_TRACE_ID } from '../lineage/lineage.js';

/**
 * Bit flags: the run fields LangSmith's OTLP ingest cannot derive, so the
 * encoding writes them. The lineage fields are lineage's LINEAGE_* bits, so
 * lineageToWrite's result is a WRITE_* combination as it is.
 */
export const WRITE_RUN_ID = 1;
export const WRITE_PARENT = LINEAGE_PARENT;
export const WRITE_TRACE_ID = LINEAGE_TRACE_ID;
export const WRITE_DOTTED_ORDER = LINEAGE_DOTTED_ORDER;
/** `langsmith.is_root`: true on a run whose span has a parent span; false over a stray `true` the span carried. */
export const WRITE_IS_ROOT = LINEAGE_IS_ROOT;
export const WRITE_NAME = 32;
export const WRITE_RUN_TYPE = 64;
export const WRITE_PROJECT = 128;
export const WRITE_LINEAGE = WRITE_RUN_ID | WRITE_PARENT | WRITE_TRACE_ID | WRITE_DOTTED_ORDER | WRITE_IS_ROOT;
export const WRITE_ALL = WRITE_LINEAGE | WRITE_NAME | WRITE_RUN_TYPE | WRITE_PROJECT;

/**
 * The `langsmith.*` attributes describing `run`, written into `attributes`
 * (a fresh object by default) and returned. `write` (WRITE_* flags, default
 * all) selects the id, lineage, name, type and project fields; inputs (when
 * not empty), outputs, usage, tags and metadata are always written (ingest
 * cannot infer them from what the bridge maps).
 */
export function runToAttributes(run: Run, attributes: Attributes = {}, write: number = WRITE_ALL): Attributes {
  if (write & WRITE_RUN_ID) attributes[LANGSMITH_RUN_ID] = run.id;
  if (write & WRITE_NAME) attributes[LANGSMITH_NAME] = run.name;
  if (write & WRITE_RUN_TYPE) attributes[LANGSMITH_RUN_TYPE] = run.run_type;
  if (write & WRITE_IS_ROOT) {
    // Only roots say so: `false` is ingest's default. A `true` the span itself
    // carried is overwritten, or ingest would cut the run off its parent.
    if (run.parent_run_id === undefined) attributes[LANGSMITH_IS_ROOT] = true;
    else if (attributes[LANGSMITH_IS_ROOT] !== undefined) attributes[LANGSMITH_IS_ROOT] = false;
  }
  if (write & WRITE_TRACE_ID && run.trace_id) attributes[LANGSMITH_TRACE_ID] = run.trace_id;
  if (write & WRITE_PARENT && run.parent_run_id) attributes[LANGSMITH_PARENT_RUN_ID] = run.parent_run_id;
  if (write & WRITE_DOTTED_ORDER && run.dotted_order) attributes[LANGSMITH_DOTTED_ORDER] = run.dotted_order;
  if (write & WRITE_PROJECT && run.session_name) attributes[LANGSMITH_SESSION_NAME] = run.session_name;
  if (run.tags?.length) attributes[LANGSMITH_TAGS] = run.tags.join(',');
  const metadata = run.extra.metadata;
  for (const key in metadata) {
    const value = metadata[key];
    if (value === undefined || value === null) continue;
    if (key === 'usage_metadata') {
      attributes[LANGSMITH_USAGE_METADATA] = safeJson(value);
      continue;
    }
    attributes[LANGSMITH_METADATA_PREFIX + key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : safeJson(value);
  }
  // No inputs, no attribute: an empty `{}` tells ingest nothing (and would
  // cost every span without inputs 15 bytes and a copy).
  if (hasKeys(run.inputs)) attributes[GEN_AI_PROMPT] = safeJson(run.inputs);
  if (run.outputs !== undefined) attributes[GEN_AI_COMPLETION] = safeJson(run.outputs);
  return attributes;
}

function hasKeys(value: Record<string, unknown>): boolean {
  for (const _ in value) return true;
  return false;
}

function safeJson(value: unknown): string {
  try {
    // Without a replacer first: a replacer function makes JSON.stringify several times slower.
    return JSON.stringify(value) ?? 'null';
  } catch {
    try {
      return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
    } catch {
      return '"[unserializable]"';
    }
  }
}

/** Attributes from which ingest takes a run name other than the span name (langsmith.md §4). */
const NAME_SOURCES = [LANGSMITH_NAME, TRACELOOP_ENTITY_NAME, TOOL_NAME, AI_TOOL_CALL_NAME];
/** Attributes from which ingest infers a run type other than `chain` (langsmith.md §4). */
const RUN_TYPE_SOURCES = [
  LANGSMITH_RUN_TYPE,
  GEN_AI_OPERATION_NAME,
  GEN_AI_TOOL_NAME,
  LLM_REQUEST_TYPE,
  OPENINFERENCE_SPAN_KIND,
  TRACELOOP_SPAN_KIND,
  LLM_PROMPT_TEMPLATE_VARIABLES,
  AI_OPERATION_ID,
];

/**
 * WRITE_NAME / WRITE_RUN_TYPE where ingest would not infer the run's name
 * (the span name) or type (`chain`) by itself. Ingest's own inference from
 * GenAI, Traceloop, OpenInference or Vercel attributes differs from the
 * bridge's in places (langsmith.md §4: `execute_tool` → chain, …), so any
 * span carrying one of them gets the bridge's value written.
 */
export function nameAndTypeToWrite(run: Run, span: SpanLike): number {
  const attributes = span.attributes;
  let write = 0;
  if (run.name !== span.name || hasAny(attributes, NAME_SOURCES)) write |= WRITE_NAME;
  if (run.run_type !== DEFAULT_RUN_TYPE || hasAny(attributes, RUN_TYPE_SOURCES)) write |= WRITE_RUN_TYPE;
  return write;
}

function hasAny(attributes: Attributes, keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) if (attributes[keys[i]!] !== undefined) return true;
  return false;
}
