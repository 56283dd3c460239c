/**
 * Conversions between the OTel id world (`traceId`: 32 hex, `spanId`: 16 hex)
 * and the LangSmith one (`runId`, `lsTraceId`: UUID strings). Pure and total.
 *
 * Rules and their sources:
 * 1. `runIdFromSpanId`: the run id of an OTel span is its 8 span-id bytes
 *    right-aligned in a zero UUID — LangSmith's OTLP ingest rule
 *    (span 0102030405060708 → run 00000000-0000-0000-0102-030405060708).
 * 2. `traceIdFromLsTraceId`: a LangSmith trace UUID becomes the OTel trace id
 *    as its 32 hex digits — the rule of the Python SDK's OTel mode, so a
 *    `langsmith-trace`-only caller lands in the same Jaeger trace as its
 *    hybrid-mode Python peers.
 * 3. `spanIdFromRunId`: a full run UUID (16 bytes) must become an 8-byte
 *    remote parent span id. In order:
 *    a. a padded span id (bytes 0–7 zero) gives back bytes 8–15: the exact
 *       inverse of rule 1, so runs of OTel spans round-trip;
 *    b. a LangSmith JS UUIDv7 (`tttttttt-tttt-7000-8000-…`: bytes 0–5 are the
 *       millisecond clock and bytes 6–7 the constant `7000`, so its first 8
 *       bytes repeat for every run created in the same millisecond) gives
 *       bytes 8–15, where the JS SDK puts its randomness;
 *    c. any other UUID gives bytes 0–7 — the Python SDK's OTel-mode rule, so
 *       Jaeger links our spans to the span a hybrid-mode Python service
 *       exported for that run.
 *    An all-zero result falls back to the other half; both zero is invalid.
 */
import { isAllZero, isLowerHex } from './hex.js';

/** Lowercase canonical UUID: 8-4-4-4-12 lowercase hex, not the nil UUID. */
export function isUuid(value: string): boolean {
  return value.length === 36 && isUuidAt(value, 0) && !isAllZero(value);
}

/** True when `value[start..start+36)` is a lowercase 8-4-4-4-12 UUID. */
export function isUuidAt(value: string, start: number): boolean {
  return (
    value.charCodeAt(start + 8) === 0x2d &&
    value.charCodeAt(start + 13) === 0x2d &&
    value.charCodeAt(start + 18) === 0x2d &&
    value.charCodeAt(start + 23) === 0x2d &&
    isLowerHex(value, start, start + 8) &&
    isLowerHex(value, start + 9, start + 13) &&
    isLowerHex(value, start + 14, start + 18) &&
    isLowerHex(value, start + 19, start + 23) &&
    isLowerHex(value, start + 24, start + 36)
  );
}

/** Rule 1 (ingest): span id → run id. `spanId` must be 16 hex digits. */
export function runIdFromSpanId(spanId: string): string {
  const s = spanId.toLowerCase();
  return `00000000-0000-0000-${s.slice(0, 4)}-${s.slice(4, 16)}`;
}

/** True when the run id is a padded span id (rule 1's image). */
export function isPaddedSpanRunId(runId: string): boolean {
  return runId.startsWith('00000000-0000-0000-');
}

/** Rule 2: LangSmith trace UUID → OTel trace id; `undefined` if not a UUID. */
export function traceIdFromLsTraceId(lsTraceId: string): string | undefined {
  return isUuid(lsTraceId) ? uuidHex(lsTraceId) : undefined;
}

/** The inverse of rule 2, used to show both id worlds side by side. */
export function lsTraceIdFromTraceId(traceId: string): string {
  const t = traceId.toLowerCase();
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20, 32)}`;
}

/** Rule 3: run UUID → remote parent span id; `undefined` if not derivable. */
export function spanIdFromRunId(runId: string): string | undefined {
  return isUuid(runId) ? spanIdOfValidUuid(runId) : undefined;
}

/**
 * Rule 3 for a UUID already validated (e.g. by parseDottedOrder, which
 * rejects the nil UUID): extract's hot path skips the second check.
 */
export function spanIdOfValidUuid(runId: string): string | undefined {
  // 8-4-4-4-12: bytes 0–7 are the first 18 characters less dashes, 8–15 the rest.
  const head = runId.slice(0, 8) + runId.slice(9, 13) + runId.slice(14, 18);
  const tail = runId.slice(19, 23) + runId.slice(24, 36);
  const preferTail = head === ZERO_HALF || runId.startsWith(JS_RUN_TREE_MARK, 14);
  const first = preferTail ? tail : head;
  const second = preferTail ? head : tail;
  if (first !== ZERO_HALF) return first;
  return second !== ZERO_HALF ? second : undefined;
}

const ZERO_HALF = '0000000000000000';
/** `tttttttt-tttt-7000-8000-…`: the LangSmith JS RunTree id layout (rand_a and the top of rand_b zero). */
const JS_RUN_TREE_MARK = '7000-8000';

/** Rule 2 for a UUID already validated. */
export function traceIdOfValidUuid(lsTraceId: string): string {
  return uuidHex(lsTraceId);
}

function uuidHex(uuid: string): string {
  return uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24, 36);
}
