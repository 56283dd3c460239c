/** What the two decoders share: their error, UTF-8, and how values land in the decoded tree. */
import type { OtlpValue } from './types.js';

/** Thrown inside a decoder, caught at its top level and returned as `{ ok: false, error }`. */
export class DecodeError extends Error {}

export const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const NANOS_PER_MICRO = 1000n;

export function int64Value(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

const HEX_DIGITS = '0123456789abcdef';

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    s += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 0xf]!;
  }
  return s;
}

/** Defines an own property, so a key such as `__proto__` is stored, not interpreted. */
export function setOwn(target: Record<string, OtlpValue>, key: string, value: OtlpValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
