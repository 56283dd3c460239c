/**
 * LangSmith's run times: ISO 8601 strings or epoch milliseconds in, µs since
 * the epoch inside, ISO 8601 with 6 fractional digits out. Kept apart from
 * the run store so the tree printer needs nothing else of the ingest server.
 */

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The latest time a run may carry: the end of year 9999. A dotted-order
 * segment has four year digits, and `Date` (hence `isoFromMicros`) throws
 * past ±8.64e15 ms — a `start_time` of 1e20 used to answer 500 (issue 8).
 */
export const MAX_TIME_MICROS = Date.UTC(10000, 0, 1) * 1000 - 1;

/**
 * µs since the epoch from a LangSmith time: an ISO 8601 string (the JS SDK's
 * `start_time`, with its fake µs) or epoch milliseconds (its `end_time`).
 * Undefined for anything else, for a date that does not exist (February 30)
 * and for times outside 1970–9999.
 */
export function microsFromTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return undefined;
    const micros = Math.round(value * 1000);
    return micros <= MAX_TIME_MICROS ? micros : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const m = ISO_TIME.exec(value.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', tz = 'Z'] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  // Date.UTC rolls over (month 13, February 30, hour 25); a real time round-trips.
  if (
    Number.isNaN(date.getTime()) ||
    date.getUTCMonth() !== Number(mo) - 1 ||
    date.getUTCDate() !== Number(d) ||
    date.getUTCHours() !== Number(h) ||
    date.getUTCMinutes() !== Number(mi) ||
    date.getUTCSeconds() !== Number(s)
  ) {
    return undefined;
  }
  let ms = date.getTime();
  if (tz.toUpperCase() !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  const micros = ms * 1000 + Number(frac.padEnd(6, '0').slice(0, 6));
  return micros >= 0 && micros <= MAX_TIME_MICROS ? micros : undefined;
}

/** `2025-01-02T03:04:05.678901Z` for µs since the epoch. */
export function isoFromMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const sub = String(Math.floor(micros - ms * 1000)).padStart(3, '0');
  return `${new Date(ms).toISOString().slice(0, 23)}${sub}Z`;
}
