/**
 * The LangSmith dotted order: the lineage of a run from its trace root, one
 * segment per run, joined by `.`. Pure and total.
 *
 *   segment   = timestamp run-uuid
 *   timestamp = YYYYMMDD "T" HHMMSS ffffff "Z"   ; exactly 6 fractional digits
 *
 * Invariants the LangSmith server enforces (400 otherwise), all checked here:
 * - the trace id is the first segment's UUID, the run id the last one's, the
 *   parent run id the second-to-last one's;
 * - exactly 6 fractional digits (3 or 9 are rejected);
 * - a child's timestamp is never earlier than its parent's.
 * Also rejected: a run id repeated in one lineage (a run cannot be its own
 * ancestor), invalid calendar dates, the nil UUID, uppercase hex, more than
 * MAX_DOTTED_ORDER_SEGMENTS segments.
 */
import { MAX_DOTTED_ORDER_LENGTH, MAX_DOTTED_ORDER_SEGMENTS } from '../constants.js';
import { isUuidAt } from './ids.js';
import { accepted, clip, quote, rejected, type Parsed } from './result.js';
import { perSecond } from '../time.js';
import { trimOws } from './traceparent.js';

const TIMESTAMP_LENGTH = 22;
const SEGMENT_PATTERN = '\\d{8}T\\d{12}Z[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const DOTTED_ORDER_PATTERN = new RegExp(`^${SEGMENT_PATTERN}(?:\\.${SEGMENT_PATTERN})*$`);
const SEGMENT_LENGTH = TIMESTAMP_LENGTH + 36;

export interface DottedOrder {
  /** The dotted order string, unchanged. */
  value: string;
  /** Number of segments (1 for a root run). */
  depth: number;
  /** First segment's UUID: the LangSmith trace id (the root run's id). */
  lsTraceId: string;
  /** Last segment's UUID: the run this dotted order names. */
  runId: string;
  /** Second-to-last UUID, absent for a root. */
  parentRunId: string | undefined;
  /** Last segment's time in microseconds since the epoch. */
  startMicros: number;
}

/** `header` parsed, or `undefined` when it is rejected (readDottedOrder says why). */
export function parseDottedOrder(header: string): DottedOrder | undefined {
  return parseTrimmed(trimOws(header));
}

/** `header` parsed, or the reason it is rejected. */
export function readDottedOrder(header: string): Parsed<DottedOrder> {
  const value = trimOws(header);
  const parsed = parseTrimmed(value);
  return parsed ? accepted(parsed) : rejected(dottedOrderProblem(value));
}

/** The fast check: lengths, one pattern, then the invariants. */
function parseTrimmed(value: string): DottedOrder | undefined {
  if (value.length < SEGMENT_LENGTH || value.length > MAX_DOTTED_ORDER_LENGTH) return undefined;
  if ((value.length + 1) % (SEGMENT_LENGTH + 1) !== 0) return undefined;
  const depth = (value.length + 1) / (SEGMENT_LENGTH + 1);
  if (depth > MAX_DOTTED_ORDER_SEGMENTS) return undefined;

  // One linear, unambiguous pattern checks the grammar of every segment
  // (faster in V8 than a character loop); numbers and invariants follow.
  if (!DOTTED_ORDER_PATTERN.test(value)) return undefined;
  let previousMicros = -1;
  for (let i = 0; i < depth; i++) {
    const start = i * (SEGMENT_LENGTH + 1);
    const micros = parseTimestampAt(value, start);
    if (micros === undefined || micros < previousMicros) return undefined;
    if (isNilUuidAt(value, start + TIMESTAMP_LENGTH)) return undefined;
    previousMicros = micros;
  }
  if (depth > 1 && hasRepeatedRunId(value, depth)) return undefined;
  const last = value.length - 36;
  return {
    value,
    depth,
    lsTraceId: value.slice(TIMESTAMP_LENGTH, SEGMENT_LENGTH),
    runId: value.slice(last),
    parentRunId: depth > 1 ? value.slice(last - SEGMENT_LENGTH - 1, last - TIMESTAMP_LENGTH - 1) : undefined,
    startMicros: previousMicros,
  };
}

/**
 * Why parseTrimmed rejected `value`: the same rules, segment by segment, so
 * the first broken one can be named. Runs only after a rejection, which is
 * why it may split and use patterns.
 */
function dottedOrderProblem(value: string): string {
  if (value.length === 0) return 'is empty';
  if (value.length > MAX_DOTTED_ORDER_LENGTH) {
    return `is ${value.length} characters, over the ${MAX_DOTTED_ORDER_LENGTH} limit (${MAX_DOTTED_ORDER_SEGMENTS} segments)`;
  }
  const parts = value.split('.');
  const runIds: string[] = [];
  let previousMicros = -1;
  let previous = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const problem = segmentProblem(part);
    if (problem !== undefined) return `segment ${i + 1} ${problem}`;
    const micros = parseTimestampAt(part, 0)!;
    if (micros < previousMicros) {
      return `segment ${i + 1} starts at ${segmentIso(part)}, before segment ${i} (${segmentIso(previous)}): ` + 'a child must not start before its parent';
    }
    const runId = part.slice(TIMESTAMP_LENGTH);
    const repeated = runIds.indexOf(runId);
    if (repeated !== -1) return `segment ${i + 1} repeats the run id of segment ${repeated + 1} (a run cannot be its own ancestor)`;
    runIds.push(runId);
    previousMicros = micros;
    previous = part;
  }
  if (parts.length > MAX_DOTTED_ORDER_SEGMENTS) return `has ${parts.length} segments, over the ${MAX_DOTTED_ORDER_SEGMENTS} limit`;
  return 'is not a dotted order'; // not reached: every rule of parseTrimmed is checked above
}

/** One segment against `YYYYMMDDTHHMMSS ffffff Z uuid` (README › Limits, `langsmith-trace`). */
function segmentProblem(segment: string): string | undefined {
  if (segment.length === 0) return 'is empty (a stray ".")';
  if (!/^[0-9]{8}T[0-9]{6}/.test(segment)) {
    return `does not start with a YYYYMMDDTHHMMSS timestamp (${quote(clip(segment.slice(0, 15)))})`;
  }
  const z = segment.indexOf('Z', 15);
  if (z === -1) return 'has no "Z" after its timestamp';
  const fraction = segment.slice(15, z);
  if (!/^[0-9]*$/.test(fraction)) return `has a non-digit in its fractional seconds (${quote(clip(fraction))})`;
  if (fraction.length !== 6) return `has ${fraction.length} fractional digits, expected exactly 6`;
  const runId = segment.slice(z + 1);
  if (runId.length === 0) return 'has no run id after "Z"';
  if (runId.length !== 36 || !isUuidAt(runId, 0)) {
    return runId.length === 36 && isUuidAt(runId.toLowerCase(), 0)
      ? `run id ${runId} has uppercase hex digits (LangSmith writes lowercase)`
      : `run id ${quote(clip(runId))} is not a UUID (8-4-4-4-12 lowercase hex digits)`;
  }
  if (isNilUuidAt(runId, 0)) return 'run id is the nil UUID';
  if (parseTimestampAt(segment, 0) === undefined) {
    const t = segment;
    return `timestamp ${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)} is not a valid UTC date and time (from 1970 on)`;
  }
  return undefined;
}

/** `2025-01-02T03:04:05.678001Z`: the time of a grammar-checked segment, as people read it. */
function segmentIso(t: string): string {
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}.${t.slice(15, 21)}Z`;
}

/** One segment for a run that started at `micros` (µs since the epoch). */
export function formatDottedOrderSegment(micros: number, runId: string): string {
  return formatTimestamp(micros) + runId;
}

/**
 * The dotted order of a child run. Its timestamp is clamped to the parent's,
 * so clock skew between services can never produce a lineage the server
 * rejects. Returns the new dotted order and the (possibly clamped) time.
 */
export function childDottedOrder(parent: { value: string; startMicros: number }, startMicros: number, runId: string): { value: string; startMicros: number } {
  const micros = startMicros < parent.startMicros ? parent.startMicros : startMicros;
  return { value: `${parent.value}.${formatDottedOrderSegment(micros, runId)}`, startMicros: micros };
}

/**
 * Latest time held exactly as µs in a JS number (2^53 - 1 µs, in 2255): later
 * times would lose microseconds, and a child could sort before its parent.
 */
const MAX_MICROS = Number.MAX_SAFE_INTEGER;

/** `YYYYMMDDTHHMMSSffffffZ` for a time in µs since the epoch (UTC), clamped to 1970–2255. */
export function formatTimestamp(time: number): string {
  const micros = Number.isFinite(time) ? Math.min(Math.max(time, 0), MAX_MICROS) : 0;
  const seconds = Math.floor(micros / 1e6);
  return compactSecond(seconds) + String(Math.floor(micros - seconds * 1e6)).padStart(6, '0') + 'Z';
}

/** `YYYYMMDDTHHMMSS` of a second since the epoch. */
const compactSecond = perSecond((seconds) => {
  const iso = new Date(seconds * 1000).toISOString(); // 2025-01-02T03:04:05.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + 'T' + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
});

/** Parses the (grammar-checked) timestamp of the segment at `start`; `undefined` for an impossible date. */
function parseTimestampAt(value: string, start: number): number | undefined {
  const year = num(value, start, 4);
  const month = num(value, start + 4, 2);
  const day = num(value, start + 6, 2);
  const hour = num(value, start + 9, 2);
  const minute = num(value, start + 11, 2);
  const second = num(value, start + 13, 2);
  const fraction = num(value, start + 15, 6);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const micros = seconds * 1_000_000 + fraction;
  return micros <= MAX_MICROS ? micros : undefined;
}

function num(value: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) n = n * 10 + (value.charCodeAt(i) - 0x30);
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isNilUuidAt(value: string, start: number): boolean {
  for (let i = start; i < start + 36; i++) {
    const c = value.charCodeAt(i);
    if (c !== 0x30 && c !== 0x2d) return false;
  }
  return true;
}

/** A run cannot be its own ancestor. Short lineages compare in place; long ones use a Set. */
function hasRepeatedRunId(value: string, depth: number): boolean {
  const idAt = (i: number) => i * (SEGMENT_LENGTH + 1) + TIMESTAMP_LENGTH;
  if (depth <= 8) {
    for (let i = 0; i < depth; i++) {
      const id = value.slice(idAt(i), idAt(i) + 36);
      for (let j = i + 1; j < depth; j++) if (value.startsWith(id, idAt(j))) return true;
    }
    return false;
  }
  const seen = new Set<string>();
  for (let i = 0; i < depth; i++) {
    const id = value.slice(idAt(i), idAt(i) + 36);
    if (seen.has(id)) return true;
    seen.add(id);
  }
  return false;
}
