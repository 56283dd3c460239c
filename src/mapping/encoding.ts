/**
 * Encoding (a): a run as the explicit `langsmith.*` attributes that
 * LangSmith's OTLP ingest honours (langsmith.md §3), plus `gen_ai.prompt` /
 * `gen_ai.completion` JSON as LangSmith's own JS SDK writes them. Stamped on
 * the copy of the span that is exported, so a collector can forward one
 * stream to Jaeger (an ordinary span) and to LangSmith (exactly this run).
 */
import type { Attributes } from '@opentelemetry/api';
import type { Run } from './types.js';

export const LS_TRACE_ID = 'langsmith.trace.id';
export const LS_SPAN_ID = 'langsmith.span.id';
export const LS_PARENT_ID = 'langsmith.span.parent_id';
export const LS_DOTTED_ORDER = 'langsmith.span.dotted_order';
export const LS_SESSION_NAME = 'langsmith.trace.session_name';
export const LS_SPAN_KIND = 'langsmith.span.kind';
export const LS_NAME = 'langsmith.trace.name';
export const LS_METADATA_PREFIX = 'langsmith.metadata.';
export const LS_TAGS = 'langsmith.span.tags';
export const LS_USAGE_METADATA = 'langsmith.usage_metadata';
export const LS_IS_ROOT = 'langsmith.is_root';
export const GEN_AI_PROMPT = 'gen_ai.prompt';
export const GEN_AI_COMPLETION = 'gen_ai.completion';
/**
 * Set on spans the span filter keeps out of LangSmith. The collector's
 * LangSmith pipeline drops them (collector-config.yaml); their children
 * already name the nearest kept ancestor as parent.
 */
export const LS_EXCLUDED = 'langsmith.bridge.excluded';

/**
 * The `langsmith.*` attributes describing `run`, written into `attributes`
 * (a fresh object by default) and returned.
 */
export function runToAttributes(run: Run, attributes: Attributes = {}): Attributes {
  attributes[LS_SPAN_ID] = run.id;
  attributes[LS_NAME] = run.name;
  attributes[LS_SPAN_KIND] = run.run_type;
  // Only roots say so: `false` is ingest's default. A `true` the span itself
  // carried is overwritten, or ingest would cut the run off its parent.
  if (run.parent_run_id === undefined) attributes[LS_IS_ROOT] = true;
  else if (attributes[LS_IS_ROOT] !== undefined) attributes[LS_IS_ROOT] = false;
  if (run.trace_id) attributes[LS_TRACE_ID] = run.trace_id;
  if (run.parent_run_id) attributes[LS_PARENT_ID] = run.parent_run_id;
  if (run.dotted_order) attributes[LS_DOTTED_ORDER] = run.dotted_order;
  if (run.session_name) attributes[LS_SESSION_NAME] = run.session_name;
  if (run.tags?.length) attributes[LS_TAGS] = run.tags.join(',');
  const { usage_metadata: usage, ...metadata } = run.extra.metadata;
  if (usage !== undefined) attributes[LS_USAGE_METADATA] = JSON.stringify(usage);
  for (const key in metadata) {
    const value = metadata[key];
    if (value === undefined || value === null) continue;
    attributes[LS_METADATA_PREFIX + key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : safeJson(value);
  }
  attributes[GEN_AI_PROMPT] = safeJson(run.inputs);
  if (run.outputs !== undefined) attributes[GEN_AI_COMPLETION] = safeJson(run.outputs);
  return attributes;
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
