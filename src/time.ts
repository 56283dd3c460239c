/**
 * Time conversions, one module for every layer: OTel HrTime (span start and
 * end, event times) to µs since the epoch and to the run API's ISO 8601 text,
 * and LangSmith's run times (ISO 8601 strings or epoch milliseconds) to µs and
 * back. It imports only OTel's HrTime type, so the header codecs, lineage, the
 * mapping, the ingest server and the CLI can all depend on it without a cycle.
 */
import type { HrTime } from '@opentelemetry/api';

// ---- OTel HrTime ----

/** OTel HrTime [seconds, nanoseconds] → µs since the epoch. */
export function hrTimeToMicros(time: [number, number] | undefined): number | undefined {
  if (!time) return undefined;
  return time[0] * 1_000_000 + Math.floor(time[1] / 1000);
}

/** `[seconds, nanoseconds]` → `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds, truncated), the run API's format. */
export function hrTimeToIso(time: HrTime): string {
  let seconds = Array.isArray(time) ? Number(time[0]) : NaN;
  let nanos = Array.isArray(time) ? Number(time[1]) : NaN;
  if (!Number.isFinite(seconds)) return EPOCH_ISO;
  if (!Number.isFinite(nanos) || nanos < 0) nanos = 0;
  const whole = Math.floor(seconds);
  nanos += (seconds - whole) * 1e9;
  seconds = whole + Math.floor(nanos / 1e9);
  nanos %= 1e9;
  const ms = seconds * 1000;
  if (Math.abs(ms) > MAX_DATE_MS) return EPOCH_ISO;
  return `${isoSecond(seconds)}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS` (or a ±YYYYYY year) of a second since the epoch. */
const isoSecond = perSecond((seconds) => new Date(seconds * 1000).toISOString().slice(0, -5));

const EPOCH_ISO = '1970-01-01T00:00:00.000000Z';
/** ECMAScript Date range. */
const MAX_DATE_MS = 8.64e15;

// ---- LangSmith run times (ISO 8601 or epoch ms in, µs inside, ISO 8601 out) ----

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The latest time a run may carry: the largest µs count a JS number holds
 * exactly, 2^53 − 1 (2255-06-05T23:47:34.740991Z). Past it, µs arithmetic
 * rounds: the end of year 9999 (≈ 2.5e17 µs) is not even representable, so a
 * bound there let 9999-12-31T23:59:59.999999Z become +010000-01-01 on output.
 * `Date` (hence `isoFromMicros`) would throw past ±8.64e15 ms — a `start_time`
 * of 1e20 used to answer 500 (issue 8).
 */
export const MAX_TIME_MICROS = Number.MAX_SAFE_INTEGER;

/**
 * µs since the epoch from a LangSmith time: an ISO 8601 string (the JS SDK's
 * `start_time`, with its fake µs) or epoch milliseconds (its `end_time`).
 * Undefined for anything else, for a date that does not exist (February 30)
 * and for times outside 1970–2255 (MAX_TIME_MICROS).
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

// ---- Formatting memo ----

/**
 * `format(seconds)`, remembered for the last second asked for. The spans of a
 * batch start and end within a few seconds, so their timestamps share the date
 * part; `Date#toISOString` was the hottest call of span start and of mapping.
 */
export function perSecond(format: (seconds: number) => string): (seconds: number) => string {
  let last = NaN;
  let value = '';
  return (seconds) => {
    if (seconds !== last) {
      value = format(seconds);
      last = seconds;
    }
    return value;
  };
}
