/**
 * What a codec returns when asked why: the value, or the reason it rejected
 * the input. The reasons are for people (`inspect`, debug logs); the codecs'
 * `parse*` functions stay `T | undefined` wrappers for callers that only need
 * to know whether. Reasons quote the caller's input: print them through
 * terminal.ts's safeForTerminal.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Rejected {
  ok: false;
  reason: string;
}

export function accepted<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function rejected(reason: string): Rejected {
  return { ok: false, reason };
}

/** `text` as a JSON string literal: quotes, and escapes for what is invisible. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

/** At most `max` characters of `text`, `…` marking a cut. */
export function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A character named for a reason: "a space", a control character by code point, or quoted. */
export function describeChar(ch: string): string {
  if (ch === ' ') return 'a space';
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).padStart(4, '0').toUpperCase()})`;
  if (code > 0x7e) return `the non-ASCII character ${quote(ch)}`;
  return quote(ch);
}
