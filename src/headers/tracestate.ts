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
import {
  MAX_TRACE_STATE_LENGTH,
  MAX_TRACE_STATE_MEMBERS,
  MAX_TRACE_STATE_VALUE_LENGTH,
} from '../constants.js';
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

/** Parses a (possibly comma-joined) tracestate; `undefined` means "discard it". */
export function parseTraceState(header: string): W3CTraceState | undefined {
  if (header.length === 0 || header.length > MAX_TRACE_STATE_LENGTH) return undefined;
  const entries = new Map<string, string>();
  let members = 0;
  for (const raw of header.split(',')) {
    const member = trimOws(raw);
    if (member.length === 0) continue;
    if (++members > MAX_TRACE_STATE_MEMBERS) return undefined;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return undefined;
    if (!entries.has(key)) entries.set(key, value);
  }
  return entries.size > 0 ? new W3CTraceState(entries) : undefined;
}

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
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  const first = key.charCodeAt(0);
  if (!(isLcAlpha(first) || isDigit(first))) return false;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!(isLcAlpha(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2a || c === 0x2f || c === 0x40)) {
      return false;
    }
  }
  return true;
}

/** `value = 0*255(chr) nblk-chr`: printable ASCII without `,` and `=`, not ending in a space. */
export function isValidTraceStateValue(value: string): boolean {
  if (value.length === 0 || value.length > MAX_TRACE_STATE_VALUE_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return value.charCodeAt(value.length - 1) !== 0x20;
}

function isLcAlpha(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
