/** OTel HrTime → the run API's timestamp. */
import type { HrTime } from '@opentelemetry/api';
import { perSecond } from '../../headers/per-second.js';

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
