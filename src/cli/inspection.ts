/**
 * The inspection behind `langsmith-otel-bridge inspect`: one request's tracing
 * headers decoded by the propagator's own codecs, both id worlds side by side
 * — the OTel trace and parent span of `traceparent`, the LangSmith trace,
 * parent run and lineage of `langsmith-trace` — the conversions between them
 * (README › Propagation modes › Ids, rules 1–3), whether the two families name
 * the same hop, and every member of `tracestate` and `baggage`.
 *
 * Every verdict and reason comes from a codec (`read*` in headers/): nothing
 * here re-checks a grammar, so the explanation cannot disagree with extract.
 */
import {
  BAGGAGE_HEADER,
  LANGSMITH_ADDRESS_MEMBER,
  LANGSMITH_METADATA_MEMBER,
  LANGSMITH_PROJECT_MEMBER,
  LANGSMITH_REPLICAS_MEMBER,
  LANGSMITH_TAGS_MEMBER,
  LANGSMITH_TRACE_HEADER,
  TRACE_FLAG_RANDOM,
  TRACE_FLAG_SAMPLED,
  TRACE_PARENT_HEADER,
  TRACE_STATE_HEADER,
} from '../constants.js';
import type { PropagationMode } from '../context/keys.js';
import { parseBaggage } from '../headers/baggage.js';
import { parseDottedOrder, readDottedOrder } from '../headers/dotted-order.js';
import { isAllZero } from '../headers/hex.js';
import { lsTraceIdFromTraceId, runIdFromSpanId, spanIdFromRunId, traceIdFromLsTraceId } from '../headers/ids.js';
import { readMetadata, readProject, readTags } from '../headers/langsmith-baggage.js';
import type { Parsed } from '../headers/result.js';
import { readTraceParent, trimOws } from '../headers/traceparent.js';
import { NO_MEMBERS, readTraceState } from '../headers/tracestate.js';
import { isoFromMicros } from '../time.js';

export type { PropagationMode };

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

export interface TraceStateMemberReport {
  key: string;
  value: string;
  /** A repeated key: the first occurrence wins, this one is ignored. */
  duplicate: boolean;
}

export type TraceStateReport = HeaderReport<{ members: TraceStateMemberReport[] }>;

export interface DottedOrderSegmentReport {
  /** The segment's time, ISO 8601 with microseconds. */
  time: string;
  runId: string;
}

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
  const result = readTraceParent(header);
  if (!result.ok) return { valid: false, reason: result.reason };
  const parsed = result.value;
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
  const result = readDottedOrder(header);
  if (!result.ok) return { valid: false, reason: result.reason };
  const parsed = result.value;
  // Each segment of a valid dotted order is itself a valid (root) dotted order.
  const segments = parsed.value.split('.').map((segment) => {
    const root = parseDottedOrder(segment)!;
    return { time: isoFromMicros(root.startMicros), runId: root.runId };
  });
  return {
    valid: true,
    lsTraceId: parsed.lsTraceId,
    runId: parsed.runId,
    parentRunId: parsed.parentRunId ?? null,
    depth: parsed.depth,
    segments,
  };
}

function inspectTraceState(header: string, notes: string[]): TraceStateReport {
  const result = readTraceState(header);
  if (!result.ok && result.reason === NO_MEMBERS) {
    // W3C: an empty tracestate is allowed and means "no vendor state".
    notes.push('tracestate is empty');
    return { valid: true, members: [] };
  }
  if (!result.ok) return { valid: false, reason: result.reason };
  // The members as sent, repeats included (the codec keeps the first): safe
  // to split now that the codec has accepted the header.
  const members: TraceStateMemberReport[] = [];
  const seen = new Set<string>();
  for (const raw of header.split(',')) {
    const member = trimOws(raw);
    if (member.length === 0) continue;
    const eq = member.indexOf('=');
    const key = member.slice(0, eq);
    members.push({ key, value: member.slice(eq + 1), duplicate: seen.has(key) });
    if (seen.has(key)) notes.push(`tracestate: key ${key} repeats; the first one wins`);
    seen.add(key);
  }
  return { valid: true, members };
}

function inspectBaggage(header: string, notes: string[]): BaggageReport {
  const parsed = parseBaggage(header, true);
  const problems: string[] = [];
  if (parsed.truncated) problems.push(`baggage: ${parsed.truncated}`);
  const explained = parsed.explained!;
  const last = new Map<string, number>();
  for (const m of explained) if (m.result.ok) last.set(m.result.value.key, m.index);
  const members: BaggageReport['members'] = explained.map(({ index, raw, result }) => {
    if (!result.ok) {
      problems.push(`baggage member ${index}: ${result.reason}`);
      return { index, raw, problem: result.reason };
    }
    const { key, value, rawValue, properties } = result.value;
    const member: BaggageMemberReport = { index, raw, key, value, rawValue, properties };
    if (!key.startsWith('langsmith-')) return member;
    const langsmith: LangSmithMemberReport = { name: key };
    if (last.get(key) !== index) {
      langsmith.overridden = true;
      notes.push(`baggage: ${key} appears more than once; the last one (member ${last.get(key)}) wins`);
    }
    if (key === LANGSMITH_REPLICAS_MEMBER || key === LANGSMITH_ADDRESS_MEMBER) {
      langsmith.unused = true;
      notes.push(`baggage member ${index}: ${key} is recognised but not propagated by the bridge`);
    } else {
      const decoded = readLangSmithMember(key, value);
      if (decoded === undefined) return member; // some other langsmith-* key: an ordinary member
      if (decoded.ok) {
        langsmith.decoded = decoded.value;
      } else {
        langsmith.problem = decoded.reason;
        problems.push(`baggage member ${index} (${key}): ${decoded.reason}`);
      }
    }
    return { ...member, langsmith };
  });
  return { valid: problems.length === 0, members, problems };
}

/** A `langsmith-*` member decoded as LangSmithBaggage decodes it; `undefined` for a key it does not read. */
function readLangSmithMember(key: string, value: string): Parsed<unknown> | undefined {
  switch (key) {
    case LANGSMITH_METADATA_MEMBER:
      return readMetadata(value);
    case LANGSMITH_TAGS_MEMBER:
      return readTags(value);
    case LANGSMITH_PROJECT_MEMBER:
      return readProject(value);
    default:
      return undefined;
  }
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
