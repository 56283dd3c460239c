/**
 * `langsmith-otel-bridge inspect`: decodes one request's tracing headers and
 * shows both id worlds side by side — the OTel trace and parent span of
 * `traceparent`, the LangSmith trace, parent run and lineage of
 * `langsmith-trace` — the conversions between them (README › Propagation
 * modes › Ids, rules 1–3), whether the two families name the same hop, and every member of
 * `tracestate` and `baggage`.
 *
 * The codecs return `undefined` without saying why. The `*Problem` functions
 * here re-check the same grammar to name the reason; the codec stays the
 * judge of validity, and test/cli.test.ts asserts that a problem is found
 * exactly when the codec rejects.
 */
import {
  BAGGAGE_HEADER,
  LANGSMITH_ADDRESS_MEMBER,
  LANGSMITH_METADATA_MEMBER,
  LANGSMITH_PROJECT_MEMBER,
  LANGSMITH_REPLICAS_MEMBER,
  LANGSMITH_TAGS_MEMBER,
  LANGSMITH_TRACE_HEADER,
  MAX_BAGGAGE_BYTES,
  MAX_BAGGAGE_MEMBERS,
  MAX_DOTTED_ORDER_LENGTH,
  MAX_DOTTED_ORDER_SEGMENTS,
  MAX_METADATA_BYTES,
  MAX_PROJECT_LENGTH,
  MAX_TRACE_PARENT_LENGTH,
  MAX_TRACE_STATE_LENGTH,
  MAX_TRACE_STATE_MEMBERS,
  MAX_TRACE_STATE_VALUE_LENGTH,
  TRACE_FLAG_RANDOM,
  TRACE_FLAG_SAMPLED,
  TRACE_PARENT_HEADER,
  TRACE_PARENT_LENGTH,
  TRACE_STATE_HEADER,
} from '../constants.js';
import { isValidProperties, parseBaggage, percentDecode, utf8Length } from '../headers/baggage.js';
import { parseDottedOrder } from '../headers/dotted-order.js';
import { isAllZero, isLowerHex } from '../headers/hex.js';
import { isUuidAt, lsTraceIdFromTraceId, runIdFromSpanId, spanIdFromRunId, traceIdFromLsTraceId } from '../headers/ids.js';
import { decodeMetadata, decodeProject, decodeTags } from '../headers/langsmith-baggage.js';
import { parseTraceParent, trimOws } from '../headers/traceparent.js';
import { parseTraceState } from '../headers/tracestate.js';
import { isoFromMicros } from '../time.js';
import { safeForTerminal, safeJsonForTerminal } from '../terminal.js';
import { parseCommandArgs } from './args.js';

// ---------------------------------------------------------------------------
// Reasons: the grammar of each codec, re-checked to say what is wrong
// ---------------------------------------------------------------------------

const TRACE_PARENT_SHAPE = 'version-traceid-parentid-flags, 2-32-16-2 lowercase hex digits joined by "-"';

/** Why `parseTraceParent` rejects `header`; `undefined` when it accepts it. */
export function traceParentProblem(header: string): string | undefined {
  if (header.length > MAX_TRACE_PARENT_LENGTH) return `is ${header.length} characters, over the ${MAX_TRACE_PARENT_LENGTH} limit`;
  const value = trimOws(header);
  if (value.length === 0) return 'is empty';
  if (value.length < TRACE_PARENT_LENGTH || value[2] !== '-' || value[35] !== '-' || value[52] !== '-') {
    const lengths = value.split('-').map((field) => field.length).join('-');
    return `is not ${TRACE_PARENT_SHAPE} (field lengths here: ${lengths})`;
  }
  const version = value.slice(0, 2);
  if (!isLowerHex(version, 0, 2)) return `version ${quote(version)} is not 2 lowercase hex digits`;
  if (version === 'ff') return 'version ff is invalid';
  if (version === '00' && value.length !== TRACE_PARENT_LENGTH) {
    return `version 00 is exactly ${TRACE_PARENT_LENGTH} characters, this one has ${value.length}`;
  }
  if (version !== '00' && value.length > TRACE_PARENT_LENGTH && value[TRACE_PARENT_LENGTH] !== '-') {
    return `version ${version}: data after the flags must start with "-", found ${quote(value[TRACE_PARENT_LENGTH]!)}`;
  }
  const fields: Array<[string, number, number]> = [['trace id', 3, 35], ['parent id', 36, 52], ['flags', 53, 55]];
  for (const [name, start, end] of fields) {
    if (isLowerHex(value, start, end)) continue;
    const text = value.slice(start, end);
    return isLowerHex(text.toLowerCase(), 0, text.length)
      ? `${name} ${text} has uppercase hex digits (W3C requires lowercase)`
      : `${name} ${quote(text)} is not hex`;
  }
  if (isAllZero(value.slice(3, 35))) return 'trace id is all zeros';
  if (isAllZero(value.slice(36, 52))) return 'parent id is all zeros';
  return undefined;
}

export interface TraceStateMemberReport {
  key: string;
  value: string;
  /** A repeated key: the first occurrence wins, this one is ignored. */
  duplicate: boolean;
}

/**
 * The members of a tracestate and, if `parseTraceState` discards it, why.
 * No members and no problem means an empty header (allowed, nothing to keep).
 */
export function scanTraceState(header: string): { members: TraceStateMemberReport[]; problem: string | undefined } {
  const members: TraceStateMemberReport[] = [];
  if (header.length > MAX_TRACE_STATE_LENGTH) {
    return { members, problem: `is ${header.length} characters, over the ${MAX_TRACE_STATE_LENGTH} limit` };
  }
  const seen = new Set<string>();
  let n = 0;
  for (const raw of header.split(',')) {
    const member = trimOws(raw);
    if (member.length === 0) continue;
    if (++n > MAX_TRACE_STATE_MEMBERS) return { members, problem: `has more than ${MAX_TRACE_STATE_MEMBERS} members` };
    const eq = member.indexOf('=');
    if (eq === -1) return { members, problem: `member ${n} ${quote(clip(member))} has no "="` };
    if (eq === 0) return { members, problem: `member ${n} ${quote(clip(member))} has an empty key` };
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    const keyIssue = traceStateKeyProblem(key);
    if (keyIssue) return { members, problem: `member ${n}: key ${quote(clip(key))} ${keyIssue}` };
    const valueIssue = traceStateValueProblem(value);
    if (valueIssue) return { members, problem: `member ${n}: the value of ${quote(clip(key))} ${valueIssue}` };
    members.push({ key, value, duplicate: seen.has(key) });
    seen.add(key);
  }
  return { members, problem: undefined };
}

function traceStateKeyProblem(key: string): string | undefined {
  if (key.length > 256) return `is ${key.length} characters, over 256`;
  if (!/^[a-z0-9]/.test(key)) return 'must start with a lowercase letter or a digit';
  const bad = /[^a-z0-9_\-*/@]/.exec(key);
  return bad ? `has ${describeChar(bad[0])} (allowed: a-z 0-9 _ - * / @)` : undefined;
}

function traceStateValueProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  if (value.length > MAX_TRACE_STATE_VALUE_LENGTH) return `is ${value.length} characters, over ${MAX_TRACE_STATE_VALUE_LENGTH}`;
  const bad = /[^\x20-\x7e]|[,=]/.exec(value);
  if (bad) return `has ${describeChar(bad[0])} (allowed: printable ASCII except "," and "=")`;
  return value.endsWith(' ') ? 'ends with a space' : undefined;
}

export interface DottedOrderSegmentReport {
  /** The segment's time, ISO 8601 with microseconds. */
  time: string;
  runId: string;
}

/** The segments of a dotted order and, if `parseDottedOrder` rejects it, why. */
export function scanDottedOrder(header: string): { segments: DottedOrderSegmentReport[]; problem: string | undefined } {
  const segments: DottedOrderSegmentReport[] = [];
  const value = trimOws(header);
  if (value.length === 0) return { segments, problem: 'is empty' };
  if (value.length > MAX_DOTTED_ORDER_LENGTH) {
    return { segments, problem: `is ${value.length} characters, over the ${MAX_DOTTED_ORDER_LENGTH} limit (${MAX_DOTTED_ORDER_SEGMENTS} segments)` };
  }
  const parts = value.split('.');
  let previousMicros = -1;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const issue = segmentProblem(part);
    if (issue) return { segments, problem: `segment ${i + 1} ${issue}` };
    const micros = parseDottedOrder(part)!.startMicros;
    const runId = part.slice(22);
    if (micros < previousMicros) {
      return {
        segments,
        problem: `segment ${i + 1} starts at ${isoFromMicros(micros)}, before segment ${i} (${segments[i - 1]!.time}): a child must not start before its parent`,
      };
    }
    const repeated = segments.findIndex((s) => s.runId === runId);
    if (repeated !== -1) {
      return { segments, problem: `segment ${i + 1} repeats the run id of segment ${repeated + 1} (a run cannot be its own ancestor)` };
    }
    segments.push({ time: isoFromMicros(micros), runId });
    previousMicros = micros;
  }
  if (parts.length > MAX_DOTTED_ORDER_SEGMENTS) {
    return { segments, problem: `has ${parts.length} segments, over the ${MAX_DOTTED_ORDER_SEGMENTS} limit` };
  }
  return { segments, problem: undefined };
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
  if (isAllZero(runId)) return 'run id is the nil UUID';
  if (parseDottedOrder(segment) === undefined) {
    const t = segment;
    const shown = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}`;
    return `timestamp ${shown} is not a valid UTC date and time (from 1970 on)`;
  }
  return undefined;
}

export interface BaggageMemberReport {
  /** 1-based position among the header's non-empty members. */
  index: number;
  /** The member as received, OWS trimmed. */
  raw: string;
  /** Set when the member is dropped (then the fields below are absent). */
  problem?: string;
  key?: string;
  value?: string;
  rawValue?: string;
  properties?: string | undefined;
}

/**
 * Every member of a baggage header, in order, each either decoded (exactly as
 * `parseBaggage` keeps it) or with the reason `parseBaggage` drops it.
 * `truncated` is set when the header is over 8192 characters and its tail cut.
 */
export function scanBaggage(header: string): { members: BaggageMemberReport[]; truncated: string | undefined } {
  const members: BaggageMemberReport[] = [];
  let truncated: string | undefined;
  let input = header;
  if (input.length > MAX_BAGGAGE_BYTES) {
    const cut = input.lastIndexOf(',', MAX_BAGGAGE_BYTES);
    input = cut > 0 ? input.slice(0, cut) : '';
    truncated = `is ${header.length} characters, over the ${MAX_BAGGAGE_BYTES} limit: everything after character ${Math.max(cut, 0)} is dropped`;
  }
  let bytes = 0;
  let accepted = 0;
  let index = 0;
  for (const rawMember of input.split(',')) {
    const raw = trimOws(rawMember);
    if (raw.length === 0) continue;
    index++;
    bytes += utf8Length(raw) + (bytes > 0 ? 1 : 0);
    if (accepted >= MAX_BAGGAGE_MEMBERS) {
      members.push({ index, raw, problem: `over the ${MAX_BAGGAGE_MEMBERS}-member limit` });
      continue;
    }
    if (bytes > MAX_BAGGAGE_BYTES) {
      members.push({ index, raw, problem: `over the ${MAX_BAGGAGE_BYTES}-byte limit` });
      continue;
    }
    const report = baggageMember(raw, index);
    if (report.problem === undefined) accepted++;
    members.push(report);
  }
  return { members, truncated };
}

/** Why `parseBaggage` drops the single member `member`; `undefined` when it keeps it. */
export function baggageMemberProblem(member: string): string | undefined {
  return baggageMember(trimOws(member), 0).problem;
}

function baggageMember(raw: string, index: number): BaggageMemberReport {
  const semi = raw.indexOf(';');
  const pair = semi === -1 ? raw : raw.slice(0, semi);
  const eq = pair.indexOf('=');
  const fail = (problem: string): BaggageMemberReport => ({ index, raw, problem });
  if (eq === -1) return fail('has no "="');
  const rawKey = trimOws(pair.slice(0, eq));
  const rawValue = trimOws(pair.slice(eq + 1));
  if (eq === 0 || rawKey.length === 0) return fail('has an empty key');
  const badKey = /[^0-9A-Za-z!#$%&'*+\-.^_`|~]/.exec(rawKey);
  if (badKey) return fail(`key ${quote(clip(rawKey))} has ${describeChar(badKey[0])}, not allowed in a token`);
  const badValue = /[^\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]/.exec(rawValue);
  if (badValue) return fail(`value has ${describeChar(badValue[0])}, which must be percent-encoded`);
  const key = percentDecode(rawKey);
  if (key === undefined) return fail(`broken percent-encoding in the key (${percentIssue(rawKey)})`);
  const value = percentDecode(rawValue);
  if (value === undefined) return fail(`broken percent-encoding (${percentIssue(rawValue)})`);
  let properties: string | undefined;
  if (semi !== -1) {
    properties = trimOws(raw.slice(semi + 1));
    if (properties.length === 0) properties = undefined;
    else if (!isValidProperties(properties)) {
      return fail('properties break the grammar (each must be `key` or `key=value`, separated by `;`, printable ASCII)');
    }
  }
  return { index, raw, key, value, rawValue, properties };
}

/** What `decodeURIComponent` trips on: a `%` without two hex digits, or bytes that are not UTF-8. */
function percentIssue(text: string): string {
  const bad = /%(?![0-9A-Fa-f]{2})/.exec(text);
  if (bad) return `${quote(text.slice(bad.index, bad.index + 3))} at offset ${bad.index} is not "%" and two hex digits`;
  const run = /(?:%[0-9A-Fa-f]{2})+/g;
  for (let m = run.exec(text); m !== null; m = run.exec(text)) {
    if (percentDecode(m[0]) === undefined) return `${m[0]} is not UTF-8`;
  }
  return 'not UTF-8';
}

/** Why a decoded `langsmith-*` member is unusable; `undefined` when decodeMetadata/Tags/Project accept it. */
export function langSmithMemberProblem(key: string, value: string): string | undefined {
  switch (key) {
    case LANGSMITH_METADATA_MEMBER: {
      if (decodeMetadata(value) !== undefined) return undefined;
      if (value.length === 0) return 'is empty';
      const size = utf8Length(value);
      if (size > MAX_METADATA_BYTES) return `is ${size} bytes, over the ${MAX_METADATA_BYTES} limit`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch (err) {
        return `is not JSON (${(err as Error).message})`;
      }
      if (parsed === null || typeof parsed !== 'object') return `is JSON ${parsed === null ? 'null' : typeof parsed}, not an object`;
      if (Array.isArray(parsed)) return 'is a JSON array, not an object';
      return 'is an empty object';
    }
    case LANGSMITH_TAGS_MEMBER:
      return decodeTags(value) === undefined ? 'holds no usable tag (empty, too long or control characters)' : undefined;
    case LANGSMITH_PROJECT_MEMBER: {
      if (decodeProject(value) !== undefined) return undefined;
      const project = value.trim();
      if (project.length === 0) return 'is empty';
      if (project.length > MAX_PROJECT_LENGTH) return `is ${project.length} characters, over the ${MAX_PROJECT_LENGTH} limit`;
      return 'has a control character';
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------
// The inspection: every header decoded, both id worlds, the verdict
// ---------------------------------------------------------------------------

export type HeaderReport<T> = ({ valid: true } & T) | { valid: false; reason: string };

export type TraceParentReport = HeaderReport<{
  version: string;
  traceId: string;
  spanId: string;
  /** The flags byte as received. */
  flags: number;
  sampled: boolean;
  random: boolean;
}>;

export type TraceStateReport = HeaderReport<{ members: TraceStateMemberReport[] }>;

export type LangSmithTraceReport = HeaderReport<{
  /** The root run's id (first segment). */
  lsTraceId: string;
  /** The caller's run (last segment): the parent of the receiver's runs. */
  runId: string;
  /** Second-to-last segment; null for a root. */
  parentRunId: string | null;
  depth: number;
  segments: DottedOrderSegmentReport[];
}>;

export interface LangSmithMemberReport {
  name: string;
  /** Decoded metadata object, tag list or project name. */
  decoded?: unknown;
  problem?: string;
  /** Recognised but not used (`langsmith-replicas`, `langsmith-address`). */
  unused?: boolean;
  /** A later member of the same name replaces this one. */
  overridden?: boolean;
}

export interface BaggageReport {
  valid: boolean;
  members: Array<BaggageMemberReport & { langsmith?: LangSmithMemberReport }>;
  problems: string[];
}

export type PropagationMode = 'both' | 'inconsistent' | 'traceparent' | 'langsmith';

export interface Inspection {
  /** False when any header present is invalid. */
  valid: boolean;
  /** Headers as received (joined per name), absent ones left out. */
  headers: Record<string, string>;
  traceparent: TraceParentReport | null;
  tracestate: TraceStateReport | null;
  langsmithTrace: LangSmithTraceReport | null;
  baggage: BaggageReport | null;
  /** The id conversions (README › Propagation modes › Ids) of what is valid. */
  derived: {
    /** Rule 2: the OTel trace id of the LangSmith trace. */
    traceIdFromLsTraceId?: string;
    /** Rule 3: the OTel span id of the caller's run (the last segment). */
    spanIdFromRunId?: string;
    spanIdRule?: string;
    /** Rule 1: the LangSmith run id of the traceparent's parent span. */
    runIdFromSpanId?: string;
    /** Rule 2 backwards: the traceparent's trace id written as a UUID. */
    lsTraceIdFromTraceId?: string;
  };
  /** What a trusted extract makes of the valid headers; null when neither family is valid. */
  mode: PropagationMode | null;
  /** Both families valid: do they name the same hop (LangSmithPropagator's isConsistent)? */
  consistency: { consistent: boolean; spanIdMatches: boolean; traceIdMatches: boolean } | null;
  problems: string[];
  notes: string[];
}

/** Header values by lowercase name; a name given more than once holds several values. */
export type HeaderValues = Record<string, string[] | undefined>;

const LIST_HEADERS = new Set([TRACE_STATE_HEADER, BAGGAGE_HEADER]);

export const TRACING_HEADER_NAMES: readonly string[] = [TRACE_PARENT_HEADER, TRACE_STATE_HEADER, LANGSMITH_TRACE_HEADER, BAGGAGE_HEADER];

export function inspectHeaders(input: HeaderValues): Inspection {
  const problems: string[] = [];
  const notes: string[] = [];
  const headers: Record<string, string> = {};
  const single: Record<string, string | undefined> = {};
  for (const name of TRACING_HEADER_NAMES) {
    const values = input[name];
    if (!values || values.length === 0) continue;
    // Lists may be split over several lines (joined as Node joins them);
    // a repeated traceparent or langsmith-trace is ambiguous: the propagator ignores it.
    headers[name] = LIST_HEADERS.has(name) ? values.join(',') : values.join(', ');
    if (!LIST_HEADERS.has(name) && values.length > 1) problems.push(`${name}: sent ${values.length} times; a repeated ${name} is ignored`);
    else single[name] = headers[name];
  }

  const traceparent = headers[TRACE_PARENT_HEADER] === undefined ? null : inspectTraceParent(single[TRACE_PARENT_HEADER]);
  const langsmithTrace = headers[LANGSMITH_TRACE_HEADER] === undefined ? null : inspectLangSmithTrace(single[LANGSMITH_TRACE_HEADER]);
  const tracestate = headers[TRACE_STATE_HEADER] === undefined ? null : inspectTraceState(headers[TRACE_STATE_HEADER]!, notes);
  const baggage = headers[BAGGAGE_HEADER] === undefined ? null : inspectBaggage(headers[BAGGAGE_HEADER]!, notes);

  if (traceparent && !traceparent.valid && single[TRACE_PARENT_HEADER] !== undefined) problems.push(`${TRACE_PARENT_HEADER}: ${traceparent.reason}`);
  if (tracestate && !tracestate.valid) problems.push(`${TRACE_STATE_HEADER}: ${tracestate.reason}`);
  if (langsmithTrace && !langsmithTrace.valid && single[LANGSMITH_TRACE_HEADER] !== undefined) {
    problems.push(`${LANGSMITH_TRACE_HEADER}: ${langsmithTrace.reason}`);
  }
  if (baggage) problems.push(...baggage.problems);
  if (tracestate && !traceparent?.valid) notes.push('tracestate is ignored without a valid traceparent (W3C trace-context)');

  const tp = traceparent?.valid ? traceparent : undefined;
  const ls = langsmithTrace?.valid ? langsmithTrace : undefined;
  const derived: Inspection['derived'] = {};
  if (ls) {
    derived.traceIdFromLsTraceId = traceIdFromLsTraceId(ls.lsTraceId);
    derived.spanIdFromRunId = spanIdFromRunId(ls.runId);
    derived.spanIdRule = spanIdRule(ls.runId);
  }
  if (tp) {
    derived.runIdFromSpanId = runIdFromSpanId(tp.spanId);
    derived.lsTraceIdFromTraceId = lsTraceIdFromTraceId(tp.traceId);
  }
  let mode: PropagationMode | null = null;
  let consistency: Inspection['consistency'] = null;
  if (tp && ls) {
    // The same rule as LangSmithPropagator's isConsistent.
    const spanIdMatches = derived.spanIdFromRunId === tp.spanId;
    const traceIdMatches = derived.traceIdFromLsTraceId === tp.traceId;
    consistency = { consistent: spanIdMatches || traceIdMatches, spanIdMatches, traceIdMatches };
    mode = consistency.consistent ? 'both' : 'inconsistent';
  } else if (tp) {
    mode = 'traceparent';
  } else if (ls) {
    mode = 'langsmith';
  }
  return { valid: problems.length === 0, headers, traceparent, tracestate, langsmithTrace, baggage, derived, mode, consistency, problems, notes };
}

function inspectTraceParent(header: string | undefined): TraceParentReport {
  if (header === undefined) return { valid: false, reason: 'sent more than once' };
  const parsed = parseTraceParent(header);
  if (!parsed) return { valid: false, reason: traceParentProblem(header) ?? 'rejected' };
  return {
    valid: true,
    version: trimOws(header).slice(0, 2),
    traceId: parsed.traceId,
    spanId: parsed.spanId,
    flags: parsed.traceFlags,
    sampled: (parsed.traceFlags & TRACE_FLAG_SAMPLED) !== 0,
    random: (parsed.traceFlags & TRACE_FLAG_RANDOM) !== 0,
  };
}

function inspectLangSmithTrace(header: string | undefined): LangSmithTraceReport {
  if (header === undefined) return { valid: false, reason: 'sent more than once' };
  const parsed = parseDottedOrder(header);
  const scan = scanDottedOrder(header);
  if (!parsed) return { valid: false, reason: scan.problem ?? 'rejected' };
  return {
    valid: true,
    lsTraceId: parsed.lsTraceId,
    runId: parsed.runId,
    parentRunId: parsed.parentRunId ?? null,
    depth: parsed.depth,
    segments: scan.segments,
  };
}

function inspectTraceState(header: string, notes: string[]): TraceStateReport {
  const scan = scanTraceState(header);
  if (parseTraceState(header)) {
    for (const m of scan.members) if (m.duplicate) notes.push(`tracestate: key ${m.key} repeats; the first one wins`);
    return { valid: true, members: scan.members };
  }
  if (scan.problem === undefined && scan.members.length === 0) {
    // W3C: an empty tracestate is allowed and means "no vendor state".
    notes.push('tracestate is empty');
    return { valid: true, members: [] };
  }
  return { valid: false, reason: scan.problem ?? 'rejected' };
}

function inspectBaggage(header: string, notes: string[]): BaggageReport {
  const scan = scanBaggage(header);
  const problems: string[] = [];
  if (scan.truncated) problems.push(`baggage: ${scan.truncated}`);
  const last = new Map<string, number>();
  for (const m of scan.members) if (m.key !== undefined) last.set(m.key, m.index);
  const members: BaggageReport['members'] = scan.members.map((member) => {
    if (member.problem !== undefined) {
      problems.push(`baggage member ${member.index}: ${member.problem}`);
      return member;
    }
    const name = member.key!;
    if (!name.startsWith('langsmith-')) return member;
    const langsmith: LangSmithMemberReport = { name };
    if (last.get(name) !== member.index) {
      langsmith.overridden = true;
      notes.push(`baggage: ${name} appears more than once; the last one (member ${last.get(name)}) wins`);
    }
    if (name === LANGSMITH_REPLICAS_MEMBER || name === LANGSMITH_ADDRESS_MEMBER) {
      langsmith.unused = true;
      notes.push(`baggage member ${member.index}: ${name} is recognised but not propagated by the bridge`);
    } else if (name === LANGSMITH_METADATA_MEMBER || name === LANGSMITH_TAGS_MEMBER || name === LANGSMITH_PROJECT_MEMBER) {
      const problem = langSmithMemberProblem(name, member.value!);
      if (problem !== undefined) {
        langsmith.problem = problem;
        problems.push(`baggage member ${member.index} (${name}): ${problem}`);
      } else {
        langsmith.decoded =
          name === LANGSMITH_METADATA_MEMBER ? decodeMetadata(member.value) : name === LANGSMITH_TAGS_MEMBER ? decodeTags(member.value) : decodeProject(member.value);
      }
    } else {
      return member; // some other langsmith-* key: an ordinary member
    }
    return { ...member, langsmith };
  });
  // The scan and the codec must agree; if they ever do not, say so instead of guessing.
  const kept = parseBaggage(header).members.length;
  const explained = scan.members.filter((m) => m.problem === undefined).length;
  if (kept !== explained) problems.push(`baggage: parseBaggage keeps ${kept} members, this explanation ${explained}; please report this`);
  return { valid: problems.length === 0, members, problems };
}

/** Which clause of rule 3 (README › Propagation modes › Ids) gives the span id of `runId`. */
function spanIdRule(runId: string): string {
  const hex = runId.replace(/-/g, '');
  const headZero = isAllZero(hex.slice(0, 16));
  const letter = headZero ? '3a' : hex.startsWith('70008000', 12) ? '3b' : '3c';
  const preferTail = headZero || letter === '3b';
  const chosenZero = isAllZero(preferTail ? hex.slice(16) : hex.slice(0, 16));
  return chosenZero ? `${letter}, other half` : letter;
}

// ---------------------------------------------------------------------------
// Text output
// ---------------------------------------------------------------------------

/**
 * Where the rules shown are documented: README sections, the package's manual
 * (a source path would send a reader to code that may change under it).
 */
const README_MODES = 'README › Propagation modes';
const README_IDS = `${README_MODES} › Ids`;
const README_LIMITS = 'README › Limits';

/** Column where values start, after labels. */
const LABEL = 20;
const OTEL_COLUMN = 38;

export function formatInspection(r: Inspection): string {
  const out: string[] = [];
  const row = (label: string, otel: string, ls: string) => out.push(`  ${label.padEnd(LABEL - 2)}${otel.padEnd(OTEL_COLUMN)}${ls}`.trimEnd());

  out.push('headers');
  for (const name of TRACING_HEADER_NAMES) {
    const value = r.headers[name];
    if (value === undefined) {
      out.push(`  · ${name.padEnd(LABEL - 4)}(absent)`);
      continue;
    }
    const report = reportOf(r, name);
    const ok = report === null ? true : report.valid;
    out.push(`  ${ok ? '✓' : '✗'} ${name.padEnd(LABEL - 4)}${value === '' ? '(empty)' : clip(value, 80)}`);
    if (report && !report.valid && report.reason !== undefined) out.push(`${' '.repeat(LABEL)}${report.reason}`);
    if (name === BAGGAGE_HEADER && r.baggage && !r.baggage.valid) {
      for (const problem of r.baggage.problems) out.push(`${' '.repeat(LABEL)}${problem.replace(/^baggage:? ?/, '')}`);
    }
  }

  const tp = r.traceparent?.valid ? r.traceparent : undefined;
  const ls = r.langsmithTrace?.valid ? r.langsmithTrace : undefined;
  if (tp || ls) {
    out.push('');
    out.push(`ids${' '.repeat(LABEL - 3)}${'OpenTelemetry (traceparent)'.padEnd(OTEL_COLUMN)}LangSmith (langsmith-trace)`);
    row('trace id', tp?.traceId ?? '—', ls?.lsTraceId ?? '—');
    row('parent', tp ? `span ${tp.spanId}` : '—', ls ? `run ${ls.runId}` : '—');
    if (tp) row('flags', `${hex2(tp.flags)} ${describeFlags(tp.flags)}${tp.version === '00' ? '' : ` (version ${tp.version})`}`, '');
    if (ls) row('depth', '', `${ls.depth} ${ls.depth === 1 ? 'segment: the caller is the root run' : 'segments'}`);
  }

  if (ls) {
    out.push('');
    out.push(`dotted order (${ls.depth} segment${ls.depth === 1 ? '' : 's'})`);
    const width = String(ls.depth).length;
    ls.segments.forEach((s, i) => {
      const roles: string[] = [];
      if (i === 0) roles.push('root run = LangSmith trace id');
      if (i === ls.segments.length - 1) roles.push("caller's run = parent of the receiver's runs");
      out.push(`  ${String(i + 1).padStart(width)}  ${s.time}  ${s.runId}${roles.length ? `  ${roles.join('; ')}` : ''}`);
    });
  }

  if (tp || ls) {
    out.push('');
    out.push(`conversions (${README_IDS})`);
    const d = r.derived;
    const conv = (rule: string, what: string, value: string, compare?: string) =>
      out.push(`  ${rule.padEnd(LABEL - 2)}${what.padEnd(34)}${value}${compare ? `  ${compare}` : ''}`);
    if (ls) {
      conv('rule 2', 'LangSmith trace → OTel trace id', d.traceIdFromLsTraceId!, tp ? (d.traceIdFromLsTraceId === tp.traceId ? '= traceparent' : '≠ traceparent') : undefined);
      conv(`rule ${d.spanIdRule}`, "caller's run → OTel span id", d.spanIdFromRunId!, tp ? (d.spanIdFromRunId === tp.spanId ? '= traceparent' : '≠ traceparent') : undefined);
    }
    if (tp) {
      conv('rule 1', 'parent span → LangSmith run id', d.runIdFromSpanId!);
      conv('rule 2 reverse', 'OTel trace id as a UUID', d.lsTraceIdFromTraceId!);
    }
    out.push('');
    out.push(...verdictLines(r));
    out.push(`${'see'.padEnd(LABEL)}${README_MODES}`);
  }

  if (r.tracestate?.valid && r.tracestate.members.length > 0) {
    out.push('');
    out.push(`tracestate (${count(r.tracestate.members.length, 'member')})`);
    for (const m of r.tracestate.members) out.push(`  ${m.key}=${m.value}${m.duplicate ? '  (repeated key: ignored)' : ''}`);
  }

  if (r.baggage && r.baggage.members.length > 0) {
    out.push('');
    out.push(`baggage (${count(r.baggage.members.length, 'member')})`);
    const width = String(r.baggage.members.length).length;
    for (const m of r.baggage.members) {
      const head = `  ${String(m.index).padStart(width)}  `;
      if (m.problem !== undefined) {
        out.push(`${head}✗ ${clip(m.raw, 60)}  ${m.problem}`);
        continue;
      }
      const key = m.key!.padEnd(20);
      const indent = ' '.repeat(head.length + Math.max(20, m.key!.length));
      const props = m.properties ? `  ;${m.properties}` : '';
      const lsm = m.langsmith;
      if (!lsm) {
        out.push(`${head}${key}${m.value === '' ? '(empty)' : m.value}${props}`);
      } else if (lsm.problem !== undefined) {
        out.push(`${head}${key}✗ ${lsm.problem}: ${clip(m.value!, 60)}`);
      } else if (lsm.unused) {
        out.push(`${head}${key}${clip(m.value!, 60)}  (recognised, not propagated)`);
      } else {
        const suffix = lsm.overridden ? '  (overridden by a later member)' : '';
        if (m.key === LANGSMITH_METADATA_MEMBER) {
          const lines = JSON.stringify(lsm.decoded, null, 2).split('\n');
          out.push(`${head}${key}${lines[0]}`);
          for (const line of lines.slice(1)) out.push(`${indent}${line}`);
          if (suffix) out.push(`${indent}${suffix.trim()}`);
        } else if (m.key === LANGSMITH_TAGS_MEMBER) {
          out.push(`${head}${key}${(lsm.decoded as string[]).join(', ')}${suffix}`);
        } else {
          out.push(`${head}${key}${String(lsm.decoded)}${suffix}`);
        }
      }
    }
  }

  if (r.notes.length > 0) {
    out.push('');
    out.push('notes');
    for (const note of r.notes) out.push(`  · ${note}`);
  }
  out.push('');
  if (r.problems.length === 0) {
    out.push('✓ every header present is valid');
  } else {
    out.push(`✗ ${count(r.problems.length, 'problem')}`);
    for (const problem of r.problems) out.push(`  ${problem}`);
    out.push(`see ${README_LIMITS} for what is accepted, ${README_MODES} for what extract does with the rest`);
  }
  // Header values, decoded baggage, tags and metadata are the caller's: their controls are shown, not obeyed.
  return safeForTerminal(out.join('\n'), { keepNewlines: true }) + '\n';
}

function verdictLines(r: Inspection): string[] {
  const tp = r.traceparent?.valid ? r.traceparent : undefined;
  const ls = r.langsmithTrace?.valid ? r.langsmithTrace : undefined;
  const d = r.derived;
  switch (r.mode) {
    case 'both': {
      const why: string[] = [];
      if (r.consistency!.spanIdMatches) why.push(`the parent span is the caller's run (rule ${d.spanIdRule})`);
      if (r.consistency!.traceIdMatches) why.push('the trace ids agree (rule 2)');
      return [
        `${'verdict'.padEnd(LABEL)}consistent: ${why.join(' and ')}`,
        `${'extract'.padEnd(LABEL)}OTel parent from traceparent; LangSmith parent run ${ls!.runId} (mode "both", trusted caller)`,
      ];
    }
    case 'inconsistent':
      return [
        `${'verdict'.padEnd(LABEL)}INCONSISTENT: parent span ${tp!.spanId} is not the caller's run's span ${d.spanIdFromRunId} (rule ${d.spanIdRule}),`,
        `${' '.repeat(LABEL)}and trace ${tp!.traceId} is not the LangSmith trace's ${d.traceIdFromLsTraceId} (rule 2).`,
        ' '.repeat(LABEL) + 'The two families name different hops: did an intermediary forward one and rewrite the other?',
        `${'extract'.padEnd(LABEL)}each family wins in its own world: OTel parent span ${tp!.spanId}, LangSmith parent run ${ls!.runId}`,
        ' '.repeat(LABEL) + '(mode "inconsistent", counted in propagator.stats.inconsistent)',
      ];
    case 'traceparent':
      return [
        'verdict'.padEnd(LABEL) + 'traceparent only: no LangSmith lineage to check against',
        `${'extract'.padEnd(LABEL)}OTel parent from traceparent; in LangSmith the first local span is a root (traceparentOnly: 'root'),`,
        `${' '.repeat(LABEL)}or a child of run ${d.runIdFromSpanId} with traceparentOnly: 'attach' (rule 1)`,
      ];
    case 'langsmith':
      return [
        'verdict'.padEnd(LABEL) + 'langsmith-trace only: the OTel parent is synthesized from it',
        `${'extract'.padEnd(LABEL)}OTel parent span ${d.spanIdFromRunId} in trace ${d.traceIdFromLsTraceId} (sampled); LangSmith parent run ${ls!.runId}`,
      ];
    default:
      return [];
  }
}

function reportOf(r: Inspection, name: string): { valid: boolean; reason?: string } | null {
  switch (name) {
    case TRACE_PARENT_HEADER:
      return r.traceparent;
    case TRACE_STATE_HEADER:
      return r.tracestate;
    case LANGSMITH_TRACE_HEADER:
      return r.langsmithTrace;
    default:
      return r.baggage;
  }
}

function describeFlags(flags: number): string {
  const names: string[] = [];
  names.push((flags & TRACE_FLAG_SAMPLED) !== 0 ? 'sampled' : 'not sampled');
  if ((flags & TRACE_FLAG_RANDOM) !== 0) names.push('random');
  const unknown = flags & ~(TRACE_FLAG_SAMPLED | TRACE_FLAG_RANDOM);
  if (unknown !== 0) names.push(`unknown bits ${hex2(unknown)} (zeroed on inject)`);
  return `(${names.join(', ')})`;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function describeChar(ch: string): string {
  if (ch === ' ') return 'a space';
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).padStart(4, '0').toUpperCase()})`;
  if (code > 0x7e) return `the non-ASCII character ${quote(ch)}`;
  return quote(ch);
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

export const INSPECT_HELP = `Usage: langsmith-otel-bridge inspect [headers] [--json]

Decodes the tracing headers of one request and shows both id worlds side by
side: OTel trace id, parent span id and flags (traceparent) and LangSmith
trace id, parent run id and dotted order (langsmith-trace); the conversions
between them; whether the two families name the same hop; the tracestate and
baggage members (langsmith-metadata, -tags and -project decoded); and what is
invalid, with the reason.

Headers, any of:
  --traceparent VALUE       --tracestate VALUE
  --langsmith-trace VALUE   --baggage VALUE
  -H, --header 'NAME: VALUE'   (repeatable; other header names are ignored)
  or, with none of these and stdin not a terminal, header lines on stdin:
  "name: value" lines as printed by curl -v (lines starting "> " are request
  headers; "< " response lines and anything else are ignored).

Options:
  --json       print a machine-readable object instead of text
  -h, --help   show this help

The rules cited are in the README: the id conversions (rules 1-3) in
"Propagation modes › Ids", what extract does with each combination of headers
in "Propagation modes", the sizes and grammars accepted in "Limits".

Exit status: 0 when every header present is valid, 1 when one is invalid,
2 for a usage error.

Examples:
  langsmith-otel-bridge inspect --traceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
  curl -sv -o /dev/null http://localhost:3000/ 2>&1 | langsmith-otel-bridge inspect
`;

export interface InspectIo {
  out(text: string): void;
  err(text: string): void;
  stdinIsTTY: boolean;
  readStdin(): Promise<string>;
}

/** The header options, by parseArgs option name. */
const FLAG_HEADERS: Record<string, string> = {
  traceparent: TRACE_PARENT_HEADER,
  tracestate: TRACE_STATE_HEADER,
  'langsmith-trace': LANGSMITH_TRACE_HEADER,
  baggage: BAGGAGE_HEADER,
};

const INSPECT_OPTIONS = {
  traceparent: { type: 'string', multiple: true },
  tracestate: { type: 'string', multiple: true },
  'langsmith-trace': { type: 'string', multiple: true },
  baggage: { type: 'string', multiple: true },
  header: { type: 'string', short: 'H', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE_HINT = "Run 'langsmith-otel-bridge inspect --help' for usage.";

/** `inspect` with its arguments (after the command name); resolves to the exit status. */
export async function runInspect(args: readonly string[], io: InspectIo): Promise<number> {
  const result = parseCommandArgs(args, INSPECT_OPTIONS, false);
  if (!result.ok) return usage(io, `inspect: ${result.problem}.`);
  const values: HeaderValues = {};
  const add = (name: string, value: string) => (values[name] ??= []).push(value);
  let fromFlags = false;
  let json = false;
  // Tokens, not values: -H and --traceparent for the same header keep their command-line order.
  for (const token of result.parsed.tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'help') {
      io.out(INSPECT_HELP);
      return 0;
    }
    if (token.name === 'json') {
      json = true;
      continue;
    }
    const value = token.value!;
    fromFlags = true;
    const flagHeader = FLAG_HEADERS[token.name];
    if (flagHeader !== undefined) {
      add(flagHeader, value);
      continue;
    }
    const line = parseHeaderLine(value);
    if (!line) return usage(io, `inspect: ${token.rawName} takes 'name: value', got ${quote(value)}.`);
    if (TRACING_HEADER_NAMES.includes(line.name)) add(line.name, line.value);
  }

  if (!fromFlags) {
    if (io.stdinIsTTY) return usage(io, 'inspect: no headers given.');
    for (const line of (await io.readStdin()).split('\n')) {
      const parsed = parseStdinLine(line);
      if (parsed && TRACING_HEADER_NAMES.includes(parsed.name)) add(parsed.name, parsed.value);
    }
  }
  if (!TRACING_HEADER_NAMES.some((name) => values[name])) {
    return usage(
      io,
      `inspect: no tracing header found (looked for ${TRACING_HEADER_NAMES.join(', ')}${fromFlags ? '' : ' on stdin'}).`,
    );
  }

  const inspection = inspectHeaders(values);
  io.out(json ? safeJsonForTerminal(JSON.stringify(inspection, null, 2)) + '\n' : formatInspection(inspection));
  return inspection.valid ? 0 : 1;
}

function usage(io: InspectIo, message: string): number {
  io.err(`${safeForTerminal(message)}\n${USAGE_HINT}\n`);
  return 2;
}

const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*)$/;

/** `Name: value` → lowercase name and the value (OWS-trimmed); undefined when it is not a header line. */
function parseHeaderLine(line: string): { name: string; value: string } | undefined {
  const m = HEADER_LINE.exec(line.replace(/\r$/, ''));
  return m ? { name: m[1]!.toLowerCase(), value: trimOws(m[2]!) } : undefined;
}

/** A stdin line: request headers bare or after curl -v's "> "; response ("< ") and other lines skipped. */
function parseStdinLine(line: string): { name: string; value: string } | undefined {
  if (line.startsWith('<') || line.startsWith('*')) return undefined;
  return parseHeaderLine(line.startsWith('>') ? line.slice(1).trimStart() : line);
}
