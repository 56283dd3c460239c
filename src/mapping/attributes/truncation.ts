/** Truncation of oversized input and output values (MapOptions.maxPayloadBytes). */
import { utf8Length } from '../../headers/baggage.js';
import { type Json, setOwn } from './values.js';

/** Replaces a value that cannot be serialised (nesting too deep for JSON.stringify). */
export const UNSERIALISABLE_MARKER = '…[truncated: value not serialisable]';

const ELLIPSIS = '…';

/** Deeper values are measured exactly (JSON.stringify) rather than estimated. */
const MAX_ESTIMATE_DEPTH = 64;

/** Caps every top-level value of `target` at `maxBytes` (see MapOptions.maxPayloadBytes). */
export function capValues(target: Json, maxBytes: number): void {
  for (const key of Object.keys(target)) {
    const value = target[key];
    const capped = capValue(value, maxBytes);
    if (capped !== value) setOwn(target, key, capped);
  }
}

function capValue(value: unknown, maxBytes: number): unknown {
  if (typeof value === 'string') {
    if (value.length * 3 <= maxBytes) return value;
    const bytes = utf8Length(value);
    return bytes <= maxBytes ? value : cutString(value, bytes, maxBytes);
  }
  if (value === null || typeof value !== 'object') return value;
  if (!mayExceed(value, maxBytes)) return value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return UNSERIALISABLE_MARKER;
  }
  if (text === undefined) return value;
  const bytes = utf8Length(text);
  return bytes <= maxBytes ? value : cutString(text, bytes, maxBytes);
}

/**
 * A cheap upper bound on the JSON size (6 bytes per UTF-16 unit covers both
 * `\u00XX` escapes and 3-byte characters), with an early exit; a value
 * nested deeper than MAX_ESTIMATE_DEPTH counts as exceeding, so it is
 * measured exactly (and the recursion here stays shallow).
 */
function mayExceed(value: object, maxBytes: number): boolean {
  return remainingBudget(value, maxBytes, 0) < 0;
}

function remainingBudget(value: unknown, budget: number, depth: number): number {
  if (typeof value === 'string') return budget - value.length * 6 - 2;
  if (value === null || typeof value !== 'object') return budget - 24;
  if (depth >= MAX_ESTIMATE_DEPTH) return -1;
  if (Array.isArray(value)) {
    let left = budget - value.length - 2;
    for (let i = 0; i < value.length && left >= 0; i++) left = remainingBudget(value[i], left, depth + 1);
    return left;
  }
  let left = budget - 2;
  for (const key of Object.keys(value)) {
    left = remainingBudget((value as Json)[key], left - key.length * 6 - 4, depth + 1);
    if (left < 0) return left;
  }
  return left;
}

/** The first `maxBytes` UTF-8 bytes of `text` (whole characters only) plus the marker. */
function cutString(text: string, totalBytes: number, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let size = 1;
    let units = 1;
    if (c >= 0x80) {
      if (c < 0x800) size = 2;
      else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        size = 4;
        units = 2;
      } else size = 3;
    }
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += units;
  }
  return `${text.slice(0, i)}${ELLIPSIS}[truncated ${totalBytes - bytes} bytes]`;
}
