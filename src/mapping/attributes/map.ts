/**
 * One span through every rule family: the attribute and event scans once,
 * then name, run type, inputs, outputs, error, params, usage, metadata, tags.
 */
import type { Attributes } from '@opentelemetry/api';
import { DEFAULT_RUN_TYPE } from '../conventions.js';
import type { MappedAttributes, SpanEventLike, SpanLike } from '../types.js';
import { errorOf, remainingEvents } from './error-and-events.js';
import { inputsOf } from './inputs.js';
import { nameOf, runTypeOf, vercelOperation } from './name-and-type.js';
import { outputsOf } from './outputs.js';
import { invocationParamsOf, metadataOf, tagsOf } from './params-and-metadata.js';
import { type Cx, scanAttributes, scanEvents } from './scan.js';
import { capValues } from './truncation.js';
import { usageOf } from './usage.js';

export interface MapOptions {
  /**
   * Largest serialised size, in UTF-8 bytes, of any single top-level value of
   * `inputs` or `outputs` (a string counts its own bytes, anything else its
   * JSON). A larger value is replaced by that serialisation cut to this many
   * bytes plus `…[truncated N bytes]`, N being the bytes cut off. Default
   * {@link DEFAULT_MAX_PAYLOAD_BYTES}; `Infinity` turns truncation off.
   */
  maxPayloadBytes?: number;
}

/** 256 KiB: far above a typical chat turn, far below LangSmith's 20 MiB batch limit. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;
/**
 * A JSON attribute longer than this many characters (or 4 × maxPayloadBytes,
 * if that is larger) is not parsed: its value would be truncated anyway, so
 * it is kept as an opaque string and truncated as one.
 */
export const MIN_JSON_PARSE_LIMIT = 4 * 1024 * 1024;

/** The `maxPayloadBytes` option as the mapping applies it: a positive number (floored), else the default. */
export function payloadLimit(option: number | undefined): number {
  return typeof option === 'number' && option > 0 ? Math.floor(option) : DEFAULT_MAX_PAYLOAD_BYTES;
}

/** Maps one ended span's own data to LangSmith run fields (see MAPPING.md). */
export function mapAttributes(span: SpanLike, options: MapOptions = {}): MappedAttributes {
  const maxBytes = payloadLimit(options.maxPayloadBytes);
  try {
    return mapSpan(span, maxBytes);
  } catch {
    // Defence in depth: every rule is written not to throw, but a malformed
    // SpanLike (getters that throw, non-arrays) must still yield a run.
    return fallbackMapping(span);
  }
}

function mapSpan(span: SpanLike, maxBytes: number): MappedAttributes {
  const attrs: Attributes = span.attributes ?? {};
  const events: readonly SpanEventLike[] = Array.isArray(span.events) ? span.events : [];
  const spanName = typeof span.name === 'string' ? span.name : String(span.name);
  const scan = scanAttributes(attrs);
  const ev = scanEvents(events);
  const vercelOp = vercelOperation(attrs, spanName);
  const runType = runTypeOf(attrs, vercelOp);
  const parseLimit = Math.max(MIN_JSON_PARSE_LIMIT, maxBytes * 4);
  const cx: Cx = { attrs, scan, events, ev, runType, parseLimit };

  const inputs = inputsOf(cx) ?? {};
  const outputs = outputsOf(cx);
  if (maxBytes !== Infinity) {
    capValues(inputs, maxBytes);
    if (outputs !== undefined) capValues(outputs, maxBytes);
  }
  const error = errorOf(span, cx);
  const invocationParams = invocationParamsOf(cx);
  const usage = usageOf(cx);
  const { metadata, runName } = metadataOf(cx, invocationParams, usage);
  return {
    name: nameOf(attrs, spanName, runName, vercelOp),
    run_type: runType,
    inputs,
    outputs,
    error,
    metadata,
    invocation_params: invocationParams,
    usage_metadata: usage,
    tags: tagsOf(attrs),
    events: remainingEvents(events, ev.consumed),
  };
}

function fallbackMapping(span: SpanLike): MappedAttributes {
  let name = '';
  try {
    name = typeof span.name === 'string' ? span.name : '';
  } catch {
    // keep ''
  }
  return {
    name,
    run_type: DEFAULT_RUN_TYPE,
    inputs: {},
    outputs: undefined,
    error: undefined,
    metadata: {},
    invocation_params: undefined,
    usage_metadata: undefined,
    tags: undefined,
    events: [],
  };
}
