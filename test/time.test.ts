/**
 * The time module: OTel HrTime → µs, and LangSmith's run times (ISO 8601 or
 * epoch ms) ↔ µs. hrTimeToIso is specified with the mapping (rule H1 in
 * mapping.test.ts) and perSecond with the dotted order that relies on it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hrTimeToMicros, isoFromMicros, microsFromTime } from '../src/time.js';

/** 2025-01-02T03:04:05.678001Z */
const T_MICROS = 1735787045678001;

describe('hrTimeToMicros', () => {
  it.each([
    // name, HrTime, µs since the epoch
    ['no time', undefined, undefined],
    ['the epoch', [0, 0], 0],
    ['whole µs', [1, 1_000], 1_000_001],
    ['sub-µs nanoseconds are truncated, not rounded', [1, 1_999], 1_000_001],
    ['a recent time', [1_735_787_045, 678_001_999], T_MICROS],
  ] as const)('%s', (_name, time, micros) => {
    expect(hrTimeToMicros(time as [number, number] | undefined)).toBe(micros);
  });
});

describe('microsFromTime', () => {
  it.each([
    // name, LangSmith time, µs since the epoch (undefined: not a time)
    ['ISO 8601 with µs', '2025-01-02T03:04:05.678001Z', T_MICROS],
    ['ISO 8601 with ms (the JS SDK start_time)', '2025-01-02T03:04:05.678Z', T_MICROS - 1],
    ['nanoseconds are cut to µs', '2025-01-02T03:04:05.678001999Z', T_MICROS],
    ['no fraction, no zone (UTC)', '2025-01-02T03:04:05', T_MICROS - 678_001],
    ['a space for the T, lower-case z', '2025-01-02 03:04:05.678001z', T_MICROS],
    ['a positive offset', '2025-01-02T05:04:05.678001+02:00', T_MICROS],
    ['a negative offset without colon', '2025-01-01T21:34:05.678001-0530', T_MICROS],
    ['surrounding spaces', ' 2025-01-02T03:04:05.678001Z ', T_MICROS],
    ['epoch milliseconds (the JS SDK end_time)', 1735787045678, T_MICROS - 1],
    ['fractional milliseconds round to the nearest µs', 0.0016, 2],
    ['February 30', '2025-02-30T00:00:00Z', undefined],
    ['hour 24', '2025-01-02T24:00:00Z', undefined],
    ['before 1970', '1969-12-31T23:59:59Z', undefined],
    ['negative milliseconds', -1, undefined],
    ['milliseconds past 9999', 1e20, undefined],
    ['the last µs a double holds exactly', '2255-06-05T23:47:34.740991Z', Number.MAX_SAFE_INTEGER],
    ['one µs later: it would round', '2255-06-05T23:47:34.740992Z', undefined],
    ['the end of 9999: not exact as µs', '9999-12-31T23:59:59.999999Z', undefined],
    ['NaN', NaN, undefined],
    ['Infinity', Infinity, undefined],
    ['not a time', 'yesterday', undefined],
    ['a date only', '2025-01-02', undefined],
    ['a Date object', new Date(0), undefined],
    ['null', null, undefined],
  ] as const)('%s', (_name, value, micros) => {
    expect(microsFromTime(value)).toBe(micros);
  });
});

describe('isoFromMicros', () => {
  it.each([
    ['the epoch', 0, '1970-01-01T00:00:00.000000Z'],
    ['1 µs', 1, '1970-01-01T00:00:00.000001Z'],
    ['a recent time', T_MICROS, '2025-01-02T03:04:05.678001Z'],
    ['2255, the last µs a double holds exactly', Number.MAX_SAFE_INTEGER, '2255-06-05T23:47:34.740991Z'],
  ] as const)('%s', (_name, micros, iso) => {
    expect(isoFromMicros(micros)).toBe(iso);
  });

  it('microsFromTime reads back every time it writes', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (micros) => {
        expect(microsFromTime(isoFromMicros(micros))).toBe(micros);
      }),
    );
  });
});
