/** Small total helpers: attribute reads, prototype-safe writes, bounded JSON parsing, the ingest's value → dict rule. */
import type { Attributes, AttributeValue } from '@opentelemetry/api';

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(attrs: Attributes, key: string): string | undefined {
  const value = attrs[key];
  return typeof value === 'string' ? value : undefined;
}

export function nonEmpty(attrs: Attributes, key: string): string | undefined {
  const value = attrs[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Own-property write that cannot reach a prototype, whatever the key. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Attribute arrays are copied so the run never aliases the span. */
export function copyValue(value: AttributeValue): unknown {
  return Array.isArray(value) ? value.slice() : value;
}

/** JSON.parse, or undefined for invalid JSON or text over the parse limit. */
export function parseJson(text: string, limit: number): unknown {
  if (text.length > limit) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Parses only text that looks like a JSON object or array (first non-space character `{` or `[`). */
export function parseStructured(text: string, limit: number): unknown {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b || c === 0x5b ? parseJson(text, limit) : undefined;
  }
  return undefined;
}

/**
 * A JSON attribute (`gen_ai.input.messages` …): a string's parsed JSON, or
 * the string when it is not JSON. A non-string value is not of the
 * convention's type; it comes back as it is, and callers never read it as
 * messages (they check `typeof value === 'string'`).
 */
export function jsonAttribute(value: AttributeValue, limit: number): unknown {
  if (typeof value !== 'string') return copyValue(value);
  const parsed = parseJson(value, limit);
  return parsed === undefined ? value : parsed;
}

/** The parsed JSON value, or the text itself when it is not JSON. */
export function jsonOr(text: string, limit: number): unknown {
  const parsed = parseJson(text, limit);
  return parsed === undefined ? text : parsed;
}

/** A JSON object/array string parsed, any other string kept (`langsmith.metadata.*`: the SDK writes primitives with String(v)). */
export function jsonContainerOr(text: string, limit: number): unknown {
  const parsed = parseStructured(text, limit);
  return parsed === undefined ? text : parsed;
}

/**
 * The ingest rule for a content attribute: a JSON object string is the dict;
 * a JSON array goes under `arrayKey` (default `wrapKey`); anything else, a
 * plain string or a non-string value, goes under `wrapKey`.
 */
export function ioFromValue(value: AttributeValue, wrapKey: string, limit: number, arrayKey: string = wrapKey): Json {
  if (typeof value !== 'string') return { [Array.isArray(value) ? arrayKey : wrapKey]: copyValue(value) };
  const parsed = parseStructured(value, limit);
  if (isRecord(parsed)) return parsed;
  if (Array.isArray(parsed)) return { [arrayKey]: parsed };
  return { [wrapKey]: value };
}

/** Text for a tool result / argument: strings as they are, anything else as JSON. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
