/**
 * W3C `tracestate` (trace-context level 2) and an immutable `TraceState`
 * implementation, so the propagator needs nothing from `@opentelemetry/core`.
 *
 * Whole-header discard (strict level 2): more than 32 members, an illegal key
 * (level 2 grammar: `(lcalpha / DIGIT) 0*255(keychar)`, keychar adds
 * `_ - * / @`), an illegal or empty value, or a header longer than
 * MAX_TRACE_STATE_LENGTH. A repeated key keeps its first occurrence, as the
 * conformance suite allows. Empty members (OWS only) are skipped.
 */
import type { TraceState } from '@opentelemetry/api';
import { MAX_TRACE_STATE_LENGTH, MAX_TRACE_STATE_MEMBERS, MAX_TRACE_STATE_VALUE_LENGTH } from '../constants.js';
import { accepted, clip, describeChar, quote, rejected, type Parsed } from './result.js';
import { trimOws } from './traceparent.js';

const MAX_KEY_LENGTH = 256;

export class W3CTraceState implements TraceState {
  /** Insertion order is header order: the first entry is the most recent vendor. */
  private readonly _entries: ReadonlyMap<string, string>;

  constructor(entries: ReadonlyMap<string, string> = new Map()) {
    this._entries = entries;
  }

  get(key: string): string | undefined {
    return this._entries.get(key);
  }

  /** A new or updated entry moves to the front (W3C §3.3.1.4). Invalid input is ignored. */
  set(key: string, value: string): W3CTraceState {
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return this;
    const next = new Map<string, string>([[key, value]]);
    for (const [k, v] of this._entries) {
      if (k !== key && next.size < MAX_TRACE_STATE_MEMBERS) next.set(k, v);
    }
    return new W3CTraceState(next);
  }

  unset(key: string): W3CTraceState {
    if (!this._entries.has(key)) return this;
    const next = new Map(this._entries);
    next.delete(key);
    return new W3CTraceState(next);
  }

  serialize(): string {
    let out = '';
    for (const [k, v] of this._entries) out += (out ? ',' : '') + k + '=' + v;
    return out;
  }

  get size(): number {
    return this._entries.size;
  }
}

/** Parses a (possibly comma-joined) tracestate; `undefined` means "discard it" (readTraceState says why). */
export function parseTraceState(header: string): W3CTraceState | undefined {
  const result = readTraceState(header);
  return result.ok ? result.value : undefined;
}

/** A tracestate parsed, or the reason the whole header is discarded. */
export function readTraceState(header: string): Parsed<W3CTraceState> {
  if (header.length > MAX_TRACE_STATE_LENGTH) return rejected(`is ${header.length} characters, over the ${MAX_TRACE_STATE_LENGTH} limit`);
  const entries = new Map<string, string>();
  let members = 0;
  for (const raw of header.split(',')) {
    const member = trimOws(raw);
    if (member.length === 0) continue;
    if (++members > MAX_TRACE_STATE_MEMBERS) return rejected(`has more than ${MAX_TRACE_STATE_MEMBERS} members`);
    const eq = member.indexOf('=');
    if (eq === -1) return rejected(`member ${members} ${quote(clip(member))} has no "="`);
    if (eq === 0) return rejected(`member ${members} ${quote(clip(member))} has an empty key`);
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    const keyProblem = traceStateKeyProblem(key);
    if (keyProblem !== undefined) return rejected(`member ${members}: key ${quote(clip(key))} ${keyProblem}`);
    const valueProblem = traceStateValueProblem(value);
    if (valueProblem !== undefined) return rejected(`member ${members}: the value of ${quote(clip(key))} ${valueProblem}`);
    if (!entries.has(key)) entries.set(key, value);
  }
  return entries.size > 0 ? accepted(new W3CTraceState(entries)) : rejected(NO_MEMBERS);
}

/** The reason for a header with no member at all (W3C allows it: there is just nothing to keep). */
export const NO_MEMBERS = 'has no members';

/**
 * A serialized tracestate cut to at most `maxLength` characters by W3C
 * trace-context §3.3.1.5: list members over 128 characters go first (last
 * one first), then members from the end. Whole members only; may return ''.
 */
export function truncateTraceState(serialized: string, maxLength: number): string {
  if (serialized.length <= maxLength) return serialized;
  const members = serialized.split(',');
  let length = serialized.length;
  for (let i = members.length - 1; i >= 0 && length > maxLength; i--) {
    if (members[i]!.length > 128) {
      length -= members[i]!.length + (members.length > 1 ? 1 : 0);
      members.splice(i, 1);
    }
  }
  while (members.length > 0 && length > maxLength) {
    length -= members.pop()!.length + (members.length > 0 ? 1 : 0);
  }
  return members.join(',');
}

export function isValidTraceStateKey(key: string): boolean {
  return traceStateKeyProblem(key) === undefined;
}

/** `value = 0*255(chr) nblk-chr`: printable ASCII without `,` and `=`, not ending in a space. */
export function isValidTraceStateValue(value: string): boolean {
  return traceStateValueProblem(value) === undefined;
}

/** Why `key` is not a level 2 key; `undefined` when it is one. */
function traceStateKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'is empty';
  if (key.length > MAX_KEY_LENGTH) return `is ${key.length} characters, over ${MAX_KEY_LENGTH}`;
  const first = key.charCodeAt(0);
  if (!(isLcAlpha(first) || isDigit(first))) return 'must start with a lowercase letter or a digit';
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!(isLcAlpha(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2a || c === 0x2f || c === 0x40)) {
      return `has ${describeChar(String.fromCodePoint(key.codePointAt(i)!))} (allowed: a-z 0-9 _ - * / @)`;
    }
  }
  return undefined;
}

function traceStateValueProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  if (value.length > MAX_TRACE_STATE_VALUE_LENGTH) return `is ${value.length} characters, over ${MAX_TRACE_STATE_VALUE_LENGTH}`;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) {
      return `has ${describeChar(String.fromCodePoint(value.codePointAt(i)!))} (allowed: printable ASCII except "," and "=")`;
    }
  }
  return value.charCodeAt(value.length - 1) === 0x20 ? 'ends with a space' : undefined;
}

function isLcAlpha(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
