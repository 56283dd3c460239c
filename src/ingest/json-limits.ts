/**
 * Bounds on what the ingest server keeps (issue 8): JSON nesting, checked on
 * the text before it is parsed (`parseBoundedJson` does both), and an
 * estimate of a run's size for the store's byte bound. Both iterate: neither
 * can overflow the stack.
 */

/**
 * Deepest JSON nesting accepted in a request body or a JSON-valued attribute
 * (objects and arrays, the document itself counting as 1). `JSON.parse`
 * accepts a million levels, but `JSON.stringify` of the result throws, so a
 * run holding one would break every later `runs()` dump.
 */
export const MAX_JSON_DEPTH = 100;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * How deeply `text` nests, counting `{`/`[` outside strings, stopping as
 * soon as it exceeds `max` (then returns `max + 1`). Malformed JSON is the
 * parser's job: this only measures.
 */
export function jsonDepth(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > max) return max + 1;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return deepest;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `parseBoundedJson`'s answer: the value, or which step refused it (callers word their own messages). */
export type BoundedJson = { ok: true; value: unknown } | { ok: false; problem: 'utf8' | 'depth' | 'syntax' };

/**
 * Decodes UTF-8 (strictly, when given bytes), checks the nesting against
 * `MAX_JSON_DEPTH`, then parses. Checked before parsing: `JSON.parse` takes a
 * million levels, `JSON.stringify` of the result throws.
 */
export function parseBoundedJson(input: Uint8Array | string): BoundedJson {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = utf8.decode(input);
    } catch {
      return { ok: false, problem: 'utf8' };
    }
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) return { ok: false, problem: 'depth' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: 'syntax' };
  }
}

/** Per value overhead in the estimate: a rough V8 object/slot cost. */
const VALUE_OVERHEAD = 8;

/**
 * A run's size for the store's byte bound: string lengths, binary lengths,
 * keys, plus a small overhead per value. Close to the run's JSON size; not
 * the heap it takes (3–4× that for runs of about 1 KB, measured).
 */
export function estimateBytes(value: unknown): number {
  let bytes = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    bytes += VALUE_OVERHEAD;
    if (typeof v === 'string') bytes += v.length;
    else if (v === null || typeof v !== 'object') continue;
    else if (ArrayBuffer.isView(v)) bytes += v.byteLength;
    else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) stack.push(v[i]);
    else {
      for (const key in v) {
        if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
        bytes += key.length;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return bytes;
}
