/**
 * W3C `baggage`. Pure and total.
 *
 *   baggage     = list-member *( OWS "," OWS list-member )
 *   list-member = key OWS "=" OWS value *( OWS ";" OWS property )
 *
 * Limits (current W3C text): at most 64 members and 8192 bytes. Input past
 * 8192 bytes is cut at the last whole member; members past the 64th are
 * dropped; a malformed member (bad key, bad octets, a broken `%` sequence) is
 * dropped alone. Values are percent-decoded; both JS `encodeURIComponent` and
 * Python `urllib.parse.quote` encodings decode (`+` stays `+`).
 */
import { MAX_BAGGAGE_BYTES, MAX_BAGGAGE_MEMBERS } from '../constants.js';
import { accepted, clip, describeChar, quote, rejected, type Parsed } from './result.js';
import { trimOws } from './traceparent.js';

export interface BaggageMember {
  /** Decoded key. */
  key: string;
  /** Decoded value. */
  value: string;
  /** The value exactly as received (still percent-encoded). */
  rawValue: string;
  /** Properties after the first `;`, as received, or undefined. */
  properties: string | undefined;
}

export interface ParsedBaggage {
  members: BaggageMember[];
  /** Members dropped because they were malformed or over a limit. */
  dropped: number;
  /** With `explain`: every member as received, in order, kept or with the reason it was dropped. */
  explained?: ExplainedBaggageMember[];
  /** With `explain`: why the tail of a header over 8192 bytes was cut. */
  truncated?: string;
}

export interface ExplainedBaggageMember {
  /** 1-based position among the header's non-empty members. */
  index: number;
  /** The member as received, OWS trimmed. */
  raw: string;
  /** The member kept, or why it was dropped. */
  result: Parsed<BaggageMember>;
}

/**
 * `explain` records every member with what became of it (for `inspect`);
 * extract leaves it off and pays only for counting.
 */
export function parseBaggage(header: string, explain = false): ParsedBaggage {
  const members: BaggageMember[] = [];
  const out: ParsedBaggage = { members, dropped: 0 };
  const explained: ExplainedBaggageMember[] | undefined = explain ? (out.explained = []) : undefined;
  let input = header;
  if (input.length > MAX_BAGGAGE_BYTES) {
    const cut = input.lastIndexOf(',', MAX_BAGGAGE_BYTES);
    input = cut > 0 ? input.slice(0, cut) : '';
    out.dropped++;
    if (explain) {
      out.truncated = `is ${header.length} characters, over the ${MAX_BAGGAGE_BYTES} limit: everything after character ${Math.max(cut, 0)} is dropped`;
    }
  }
  let bytes = 0;
  let index = 0;
  // Indexes, not split/trim/slice: one string per kept field is all that is allocated.
  for (let pos = 0; pos <= input.length;) {
    let end = input.indexOf(',', pos);
    if (end === -1) end = input.length;
    let start = pos;
    pos = end + 1;
    while (start < end && isOwsCode(input.charCodeAt(start))) start++;
    while (end > start && isOwsCode(input.charCodeAt(end - 1))) end--;
    if (end === start) continue;
    index++;
    // A member that passes the grammar is ASCII, so its length is its size in
    // bytes; one that is not is dropped whatever it counts.
    bytes += end - start + (bytes > 0 ? 1 : 0);
    const parsed =
      members.length >= MAX_BAGGAGE_MEMBERS
        ? `over the ${MAX_BAGGAGE_MEMBERS}-member limit`
        : bytes > MAX_BAGGAGE_BYTES
          ? `over the ${MAX_BAGGAGE_BYTES}-byte limit`
          : parseMemberAt(input, start, end);
    if (typeof parsed !== 'string') members.push(parsed);
    else out.dropped++;
    explained?.push({ index, raw: input.slice(start, end), result: typeof parsed === 'string' ? rejected(parsed) : accepted(parsed) });
  }
  return out;
}

/**
 * The member `s[start..end)` (OWS-trimmed, no `,`), or the reason it is
 * dropped (a string: no result object on the hot path).
 */
function parseMemberAt(s: string, start: number, end: number): BaggageMember | string {
  // Searches stop at the member's end: indexOf would scan the rest of the
  // header for every member (quadratic in the member count).
  const semi = indexIn(s, 0x3b, start, end);
  const pairEnd = semi === -1 ? end : semi;
  const eq = indexIn(s, 0x3d, start, pairEnd);
  if (eq === -1) return 'has no "="';
  let keyEnd = eq;
  while (keyEnd > start && isOwsCode(s.charCodeAt(keyEnd - 1))) keyEnd--;
  let valueStart = eq + 1;
  while (valueStart < pairEnd && isOwsCode(s.charCodeAt(valueStart))) valueStart++;
  let valueEnd = pairEnd;
  while (valueEnd > valueStart && isOwsCode(s.charCodeAt(valueEnd - 1))) valueEnd--;
  if (keyEnd === start) return 'has an empty key';
  if (!isTokenRange(s, start, keyEnd)) {
    const rawKey = s.slice(start, keyEnd);
    return `key ${quote(clip(rawKey))} has ${describeChar(firstBad(rawKey, isTokenCode))}, not allowed in a token`;
  }
  if (!isOctetRange(s, valueStart, valueEnd)) {
    return `value has ${describeChar(firstBad(s.slice(valueStart, valueEnd), isOctetCode))}, which must be percent-encoded`;
  }
  const rawKey = s.slice(start, keyEnd);
  const rawValue = s.slice(valueStart, valueEnd);
  const key = percentDecode(rawKey);
  if (key === undefined) return `broken percent-encoding in the key (${percentProblem(rawKey)})`;
  const value = percentDecode(rawValue);
  if (value === undefined) return `broken percent-encoding (${percentProblem(rawValue)})`;
  if (key.length === 0) return 'has an empty key';
  let properties: string | undefined;
  if (semi !== -1) {
    properties = trimOws(s.slice(semi + 1, end));
    if (properties.length === 0)
      properties = undefined; // a trailing `;`, tolerated as OTel does
    else if (!isValidProperties(properties)) {
      return 'properties break the grammar (each must be `key` or `key=value`, separated by `;`, printable ASCII)';
    }
  }
  return { key, value, rawValue, properties };
}

/** The first index of `code` in `s[start..end)`, or -1. */
function indexIn(s: string, code: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) === code) return i;
  return -1;
}

/** `s[start..end)` is token characters (a loop per class: V8 inlines the test, not a passed function). */
function isTokenRange(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isTokenCode(s.charCodeAt(i))) return false;
  return true;
}

/** `s[start..end)` is baggage octets (empty allowed). */
function isOctetRange(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isOctetCode(s.charCodeAt(i))) return false;
  return true;
}

/** The first character of `text` that `ok` rejects (the caller knows there is one). */
function firstBad(text: string, ok: (code: number) => boolean): string {
  for (let i = 0; i < text.length; i++) if (!ok(text.charCodeAt(i))) return String.fromCodePoint(text.codePointAt(i)!);
  return text;
}

/** What `decodeURIComponent` trips on: a `%` without two hex digits, or bytes that are not UTF-8. */
function percentProblem(text: string): string {
  const bad = /%(?![0-9A-Fa-f]{2})/.exec(text);
  if (bad) return `${quote(text.slice(bad.index, bad.index + 3))} at offset ${bad.index} is not "%" and two hex digits`;
  const run = /(?:%[0-9A-Fa-f]{2})+/g;
  for (let m = run.exec(text); m !== null; m = run.exec(text)) {
    if (percentDecode(m[0]) === undefined) return `${m[0]} is not UTF-8`;
  }
  return 'not UTF-8';
}

/** `decodeURIComponent` that reports a broken sequence as `undefined` instead of throwing. */
export function percentDecode(value: string): string | undefined {
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** One member as OTel's W3CBaggagePropagator and LangSmith's `toHeaders()` write it. */
export function formatBaggageMember(key: string, value: string, properties?: string): string {
  // `(` and `)` survive encodeURIComponent but are not token characters: a
  // key holding them would be dropped by every strict parser, this one too.
  let encodedKey = percentEncode(key);
  if (encodedKey.indexOf('(') !== -1 || encodedKey.indexOf(')') !== -1) {
    encodedKey = encodedKey.replace(/\(/g, '%28').replace(/\)/g, '%29');
  }
  const member = encodedKey + '=' + percentEncode(value);
  return properties ? `${member};${properties}` : member;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `encodeURIComponent`, total: it throws `URIError` on a lone surrogate, which
 * would abort the whole inject; such a code unit is sent as U+FFFD instead.
 */
function percentEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(LONE_SURROGATE, '\ufffd'));
  }
}

/**
 * Joins formatted members with `,` (no spaces, as `RunTree.toHeaders()`),
 * keeping whole members only, in order, within 64 members and 8192 bytes.
 * Returns the header and how many members did not fit.
 */
export function joinBaggage(members: readonly string[]): { header: string; dropped: number } {
  return joinMembers(members, MAX_BAGGAGE_BYTES, utf8Length);
}

/**
 * joinBaggage for members formatBaggageMember wrote (percent-encoded, with
 * grammar-checked properties): ASCII, so a member's length is its size and
 * inject skips a UTF-8 count over every character (the top frame of inject).
 */
export function joinEncodedBaggage(members: readonly string[], maxBytes: number = MAX_BAGGAGE_BYTES): { header: string; dropped: number } {
  return joinMembers(members, maxBytes, asciiLength);
}

function asciiLength(member: string): number {
  return member.length;
}

function joinMembers(members: readonly string[], maxBytes: number, sizeOf: (member: string) => number): { header: string; dropped: number } {
  const limit = Math.min(maxBytes, MAX_BAGGAGE_BYTES);
  let header = '';
  let bytes = 0;
  let count = 0;
  let dropped = 0;
  for (const member of members) {
    const size = sizeOf(member) + (count > 0 ? 1 : 0);
    if (count >= MAX_BAGGAGE_MEMBERS || bytes + size > limit) {
      dropped++;
      continue;
    }
    header += count > 0 ? ',' + member : member;
    bytes += size;
    count++;
  }
  return { header, dropped };
}

/**
 * `property = key OWS "=" OWS value / key`, properties separated by
 * `OWS ";" OWS`: what is forwarded must be what the grammar allows (a CR/LF
 * here would make the outgoing request itself fail).
 */
export function isValidProperties(properties: string): boolean {
  // One pass: states are "in a key", "after the key (OWS)", "in the value".
  const n = properties.length;
  let i = 0;
  for (;;) {
    while (i < n && isOwsCode(properties.charCodeAt(i))) i++;
    const keyStart = i;
    while (i < n && isTokenCode(properties.charCodeAt(i))) i++;
    if (i === keyStart) return false; // empty property or a bad key character
    while (i < n && isOwsCode(properties.charCodeAt(i))) i++;
    if (i < n && properties.charCodeAt(i) === 0x3d) {
      i++;
      while (i < n && isOwsCode(properties.charCodeAt(i))) i++;
      while (i < n && isOctetCode(properties.charCodeAt(i))) i++;
      while (i < n && isOwsCode(properties.charCodeAt(i))) i++;
    }
    if (i === n) return true;
    if (properties.charCodeAt(i) !== 0x3b) return false;
    i++;
  }
}

function isOwsCode(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** RFC 7230 token: the W3C baggage key grammar. */
function isTokenCode(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x21 ||
    (c >= 0x23 && c <= 0x27) ||
    c === 0x2a ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x5e ||
    c === 0x5f ||
    c === 0x60 ||
    c === 0x7c ||
    c === 0x7e
  );
}

/** `baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E` (empty allowed). */
function isOctetCode(c: number): boolean {
  return c >= 0x21 && c <= 0x7e && c !== 0x22 && c !== 0x2c && c !== 0x3b && c !== 0x5c;
}

/** UTF-8 byte length without allocating. */
export function utf8Length(value: string): number {
  let bytes = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      i++; // the low surrogate: one code point, 4 bytes in all
      bytes += 2;
    } else bytes += 2; // BMP, or a lone surrogate (encoded as U+FFFD: 3 bytes)
  }
  return bytes;
}
