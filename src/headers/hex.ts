/** Character-class helpers shared by the codecs (no regex on hot paths). */

/** True when `value[start..end)` is non-empty lowercase hex. */
export function isLowerHex(value: string, start: number, end: number): boolean {
  if (end <= start || end > value.length) return false;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** True when every character of `value` is '0' (or '-' for UUID dashes). */
export function isAllZero(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 0x30 && c !== 0x2d) return false;
  }
  return true;
}
