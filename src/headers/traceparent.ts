/**
 * W3C `traceparent` (trace-context level 2). Pure and total: nothing throws;
 * `readTraceParent` says why it rejects an input, `parseTraceParent` only
 * returns `undefined`.
 *
 *   traceparent = version "-" trace-id "-" parent-id "-" trace-flags
 *
 * Rules (W3C trace-context §3.2, conformance suite at strict level 2):
 * - surrounding optional whitespace (SP / HTAB) is ignored;
 * - every field is lowercase hex; version `ff` is invalid;
 * - version `00` is exactly 55 characters; a higher version is parsed by its
 *   first four fields and may only be followed by `-` and more data;
 * - an all-zero trace id or parent id is invalid.
 */
import { KNOWN_TRACE_FLAGS, MAX_TRACE_PARENT_LENGTH, TRACE_PARENT_LENGTH } from '../constants.js';
import { isLowerHex } from './hex.js';
import { accepted, quote, rejected, type Parsed } from './result.js';

export interface TraceParent {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits: the caller's span. */
  spanId: string;
  /** The flags byte as received (0..255). Inject keeps only the known bits. */
  traceFlags: number;
}

const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

/** `header` parsed, or `undefined` when it is rejected (readTraceParent says why). */
export function parseTraceParent(header: string): TraceParent | undefined {
  const result = parseTraceParentOrReason(header);
  return typeof result === 'string' ? undefined : result;
}

const SHAPE = 'version-traceid-parentid-flags, 2-32-16-2 lowercase hex digits joined by "-"';

/** `header` parsed, or the reason it is rejected (the first rule it breaks, in the order above). */
export function readTraceParent(header: string): Parsed<TraceParent> {
  const result = parseTraceParentOrReason(header);
  return typeof result === 'string' ? rejected(result) : accepted(result);
}

/** The parse itself: the header, or the reason as a string (no result object on extract's path). */
export function parseTraceParentOrReason(header: string): TraceParent | string {
  // The cap comes first: nothing longer is even trimmed.
  if (header.length > MAX_TRACE_PARENT_LENGTH) return `is ${header.length} characters, over the ${MAX_TRACE_PARENT_LENGTH} limit`;
  const value = trimOws(header);
  if (value.length === 0) return 'is empty';
  if (value.length < TRACE_PARENT_LENGTH || value.charCodeAt(2) !== DASH || value.charCodeAt(35) !== DASH || value.charCodeAt(52) !== DASH) {
    return `is not ${SHAPE} (field lengths here: ${value
      .split('-')
      .map((field) => field.length)
      .join('-')})`;
  }
  if (!isLowerHex(value, 0, 2)) return `version ${quote(value.slice(0, 2))} is not 2 lowercase hex digits`;
  if (value.charCodeAt(0) === 0x66 && value.charCodeAt(1) === 0x66) return 'version ff is invalid';
  if (value.charCodeAt(0) === 0x30 && value.charCodeAt(1) === 0x30) {
    if (value.length !== TRACE_PARENT_LENGTH) {
      return `version 00 is exactly ${TRACE_PARENT_LENGTH} characters, this one has ${value.length}`;
    }
  } else if (value.length > TRACE_PARENT_LENGTH && value.charCodeAt(TRACE_PARENT_LENGTH) !== DASH) {
    return `version ${value.slice(0, 2)}: data after the flags must start with "-", found ${quote(value[TRACE_PARENT_LENGTH]!)}`;
  }
  if (!isLowerHex(value, 3, 35) || !isLowerHex(value, 36, 52) || !isLowerHex(value, 53, 55)) {
    return hexFieldProblem(value);
  }
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  if (traceId === ZERO_TRACE_ID) return 'trace id is all zeros';
  if (spanId === ZERO_SPAN_ID) return 'parent id is all zeros';
  return { traceId, spanId, traceFlags: (hexValue(value.charCodeAt(53)) << 4) | hexValue(value.charCodeAt(54)) };
}

/** Which field of a well-shaped header is not lowercase hex (the caller knows one is not). */
function hexFieldProblem(value: string): string {
  const fields: Array<[string, number, number]> = [
    ['trace id', 3, 35],
    ['parent id', 36, 52],
    ['flags', 53, 55],
  ];
  for (const [name, start, end] of fields) {
    if (isLowerHex(value, start, end)) continue;
    const text = value.slice(start, end);
    return isLowerHex(text.toLowerCase(), 0, text.length)
      ? `${name} ${text} has uppercase hex digits (W3C requires lowercase)`
      : `${name} ${quote(text)} is not hex`;
  }
  return 'a field is not lowercase hex';
}

/** A lowercase hex digit's value (the caller has checked it is one). */
function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x57;
}

/**
 * Formats a version-00 header. Ids are lowercased (OTel's `isValidTraceId`
 * accepts uppercase, which its own extract then rejects) and the flags keep
 * only the sampled and random bits: W3C says unknown flags MUST be zeroed,
 * and core's `0${flags.toString(16)}` emits three digits for flags ≥ 0x10.
 */
export function formatTraceParent(traceId: string, spanId: string, traceFlags: number): string {
  const flags = traceFlags & KNOWN_TRACE_FLAGS;
  return `00-${traceId.toLowerCase()}-${spanId.toLowerCase()}-0${flags.toString(16)}`;
}

const DASH = 0x2d;

/** Strips W3C optional whitespace (SP and HTAB) from both ends. */
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}
