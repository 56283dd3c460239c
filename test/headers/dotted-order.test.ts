/**
 * The LangSmith dotted order: grammar and the invariants the LangSmith server
 * enforces (langsmith.md §2), plus timestamp formatting and child clamping.
 */
import { RunTree } from 'langsmith';
import { describe, expect, it } from 'vitest';
import { childDottedOrder, formatDottedOrderSegment, formatTimestamp, parseDottedOrder } from '../../src/headers/dotted-order.js';
import { MAX_DOTTED_ORDER_SEGMENTS } from '../../src/constants.js';
import { perSecond } from '../../src/time.js';

const ROOT_ID = '019424f8-632e-7000-8000-008074abbf4d';
const CHILD_ID = '019424f8-632f-7000-8000-01a3c0de0001';
const GRANDCHILD_ID = '01942513-1c2a-7d4e-9f3a-5b6c7d8e9f01';
const TS = '20250102T030405678001Z';
const TS_MICROS = 1735787045678001;
const ROOT = `${TS}${ROOT_ID}`;

/** `n` distinct lowercase UUIDs (never the nil UUID). */
function uuid(n: number): string {
  const hex = (n + 1).toString(16).padStart(12, '0');
  return `0194${hex.slice(0, 4)}-0000-7000-8000-${hex}`;
}

/** A chain of `depth` segments, one µs apart. */
function chain(depth: number, start = TS_MICROS): string {
  return Array.from({ length: depth }, (_, i) => formatDottedOrderSegment(start + i, uuid(i))).join('.');
}

describe('parseDottedOrder', () => {
  describe('accepts', () => {
    it.each([
      // name, value, depth, lsTraceId, runId, parentRunId, startMicros
      ['a root: depth 1, trace id = run id', ROOT, 1, ROOT_ID, ROOT_ID, undefined, TS_MICROS],
      ['a child: parent = first, run = last', `${ROOT}.20250102T030405678002Z${CHILD_ID}`, 2, ROOT_ID, CHILD_ID, ROOT_ID, TS_MICROS + 1],
      [
        'a grandchild: trace = first, parent = second-to-last, run = last',
        `${ROOT}.20250102T030405678002Z${CHILD_ID}.20250102T030406000000Z${GRANDCHILD_ID}`,
        3,
        ROOT_ID,
        GRANDCHILD_ID,
        CHILD_ID,
        TS_MICROS + 321_999,
      ],
      ['a child with a timestamp equal to its parent', `${ROOT}.${TS}${CHILD_ID}`, 2, ROOT_ID, CHILD_ID, ROOT_ID, TS_MICROS],
      ['a leap day (2024-02-29)', `20240229T120000123456Z${ROOT_ID}`, 1, ROOT_ID, ROOT_ID, undefined, 1709208000123456],
      ['a 400-year leap day (2000-02-29)', `20000229T000000000000Z${ROOT_ID}`, 1, ROOT_ID, ROOT_ID, undefined, 951782400000000],
      ['the last µs of a day', `20991231T235959999999Z${ROOT_ID}`, 1, ROOT_ID, ROOT_ID, undefined, 4102444799999999],
      ['the epoch', `19700101T000000000000Z${ROOT_ID}`, 1, ROOT_ID, ROOT_ID, undefined, 0],
      [
        'the max UUID',
        `${TS}ffffffff-ffff-ffff-ffff-ffffffffffff`,
        1,
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        undefined,
        TS_MICROS,
      ],
    ])('%s', (_name, value, depth, lsTraceId, runId, parentRunId, startMicros) => {
      expect(parseDottedOrder(value)).toEqual({ value, depth, lsTraceId, runId, parentRunId, startMicros });
    });

    it('surrounding whitespace is trimmed from the value', () => {
      expect(parseDottedOrder(` ${ROOT}\t`)?.value).toBe(ROOT);
    });

    it(`exactly ${MAX_DOTTED_ORDER_SEGMENTS} segments`, () => {
      const parsed = parseDottedOrder(chain(MAX_DOTTED_ORDER_SEGMENTS));
      expect(parsed?.depth).toBe(MAX_DOTTED_ORDER_SEGMENTS);
      expect(parsed?.lsTraceId).toBe(uuid(0));
      expect(parsed?.parentRunId).toBe(uuid(MAX_DOTTED_ORDER_SEGMENTS - 2));
      expect(parsed?.runId).toBe(uuid(MAX_DOTTED_ORDER_SEGMENTS - 1));
    });

    it('what the real langsmith RunTree writes', () => {
      const root = new RunTree({ name: 'root', tracingEnabled: false });
      const child = root.createChild({ name: 'child' });
      const grandchild = child.createChild({ name: 'grandchild' });
      expect(parseDottedOrder(root.dotted_order)).toMatchObject({ depth: 1, lsTraceId: root.id, runId: root.id });
      expect(parseDottedOrder(grandchild.dotted_order)).toMatchObject({
        depth: 3,
        lsTraceId: root.trace_id,
        runId: grandchild.id,
        parentRunId: child.id,
      });
    });
  });

  describe('rejects', () => {
    it.each([
      ['the empty string', ''],
      ['garbage', 'not-a-dotted-order'],
      ['a bare UUID', ROOT_ID],
      ['3 fractional digits (milliseconds)', `20250102T030405678Z${ROOT_ID}`],
      ['9 fractional digits (nanoseconds)', `20250102T030405678001002Z${ROOT_ID}`],
      ['no fractional digits', `20250102T030405Z${ROOT_ID}`],
      ['a missing "Z"', `20250102T030405678001${ROOT_ID}x`],
      ['a lowercase "t"', `20250102t030405678001Z${ROOT_ID}`],
      ['a lowercase "z"', `20250102T030405678001z${ROOT_ID}`],
      ['an ISO timestamp with separators', `2025-01-02T03:04:05.678001Z${ROOT_ID}`],
      ['a non-digit in the date', `2025O102T030405678001Z${ROOT_ID}`],
      ['a non-digit in the fraction', `20250102T03040567800aZ${ROOT_ID}`],
      ['month 13', `20251302T030405678001Z${ROOT_ID}`],
      ['month 00', `20250002T030405678001Z${ROOT_ID}`],
      ['day 00', `20250100T030405678001Z${ROOT_ID}`],
      ['day 32', `20250132T030405678001Z${ROOT_ID}`],
      ['February 30', `20240230T030405678001Z${ROOT_ID}`],
      ['February 29 of a common year', `20250229T030405678001Z${ROOT_ID}`],
      ['February 29 of a century common year (2100)', `21000229T030405678001Z${ROOT_ID}`],
      ['April 31', `20250431T030405678001Z${ROOT_ID}`],
      ['hour 24', `20250102T240000000000Z${ROOT_ID}`],
      ['minute 60', `20250102T036000000000Z${ROOT_ID}`],
      ['second 60 (no leap seconds)', `20250102T030460000000Z${ROOT_ID}`],
      ['a year before the epoch', `19691231T235959999999Z${ROOT_ID}`],
      ['an uppercase UUID', `${TS}${ROOT_ID.toUpperCase()}`],
      ['the nil UUID', `${TS}00000000-0000-0000-0000-000000000000`],
      ['a UUID without dashes (and padded to length)', `${TS}019424f8632e70008000008074abbf4d----`],
      ['a UUID with misplaced dashes', `${TS}019424f8632e-7000-8000-008074abbf4d`],
      ['a UUID with a non-hex digit', `${TS}019424f8-632e-7000-8000-008074abbf4g`],
      ['a segment separator other than "."', `${ROOT}:20250102T030405678002Z${CHILD_ID}`],
      ['a trailing "."', `${ROOT}.`],
      ['a leading "."', `.${ROOT}`],
      ['an empty segment', `${ROOT}..20250102T030405678002Z${CHILD_ID}`],
      ['a child earlier than its parent (1 µs)', `${ROOT}.20250102T030405678000Z${CHILD_ID}`],
      ['a grandchild earlier than its parent', `${ROOT}.20250102T030405678009Z${CHILD_ID}.20250102T030405678005Z${GRANDCHILD_ID}`],
      ['a run that is its own parent', `${ROOT}.${TS}${ROOT_ID}`],
      ['a run id repeated further up the lineage', `${ROOT}.${TS}${CHILD_ID}.${TS}${ROOT_ID}`],
      ['a run id repeated in a long lineage', `${chain(20)}.${formatDottedOrderSegment(TS_MICROS + 20, uuid(3))}`],
      ['a segment with a trailing character', `${ROOT}x`],
      [`${MAX_DOTTED_ORDER_SEGMENTS + 1} segments`, chain(MAX_DOTTED_ORDER_SEGMENTS + 1)],
    ])('%s', (_name, value) => {
      expect(parseDottedOrder(value)).toBeUndefined();
    });
  });
});

describe('perSecond', () => {
  it('formats a second once while it repeats, and again for every other second', () => {
    const calls: number[] = [];
    const memo = perSecond((s) => (calls.push(s), `s${s}`));
    expect([5, 5, 6, 5, 5, 7, 7].map(memo)).toEqual(['s5', 's5', 's6', 's5', 's5', 's7', 's7']);
    expect(calls).toEqual([5, 6, 5, 7]);
  });

  it('formatTimestamp agrees with Date#toISOString across second boundaries, in any order', () => {
    const base = Date.UTC(2026, 10, 22, 23, 59, 58) * 1000;
    for (const micros of [base + 999_999, base + 1_000_000, base, base + 2_000_001, base + 1_999_999, base + 999_999]) {
      const iso = new Date(Math.floor(micros / 1000)).toISOString();
      const expected = iso.slice(0, 19).replace(/[-:]/g, '') + iso.slice(20, 23) + String(micros % 1000).padStart(3, '0') + 'Z';
      expect(formatTimestamp(micros)).toBe(expected);
    }
  });
});

describe('formatTimestamp', () => {
  it.each([
    // name, µs since the epoch, timestamp
    ['the epoch', 0, '19700101T000000000000Z'],
    ['1 µs', 1, '19700101T000000000001Z'],
    ['999 µs', 999, '19700101T000000000999Z'],
    ['1 ms', 1000, '19700101T000000001000Z'],
    ['the reference example', TS_MICROS, TS],
    ['a 400-year leap day', 951782400000000, '20000229T000000000000Z'],
    ['the 2038 32-bit rollover', 2147483648000000, '20380119T031408000000Z'],
    ['the last µs of 2099', 4102444799999999, '20991231T235959999999Z'],
  ])('%s', (_name, micros, timestamp) => {
    expect(formatTimestamp(micros)).toBe(timestamp);
    expect(parseDottedOrder(timestamp + ROOT_ID)?.startMicros).toBe(micros);
  });

  it('formatDottedOrderSegment is the timestamp followed by the run id', () => {
    expect(formatDottedOrderSegment(TS_MICROS, ROOT_ID)).toBe(ROOT);
  });
});

describe('childDottedOrder', () => {
  const parent = { value: ROOT, startMicros: TS_MICROS };

  it.each([
    // name, child start, expected start
    ['a later child keeps its own time', TS_MICROS + 5, TS_MICROS + 5],
    ['an equal time is kept', TS_MICROS, TS_MICROS],
    ['an earlier child (clock skew) is clamped to the parent', TS_MICROS - 1, TS_MICROS],
    ['a much earlier child is clamped to the parent', 0, TS_MICROS],
  ])('%s', (_name, start, expected) => {
    const child = childDottedOrder(parent, start, CHILD_ID);
    expect(child).toEqual({ value: `${ROOT}.${formatTimestamp(expected)}${CHILD_ID}`, startMicros: expected });
    expect(parseDottedOrder(child.value)).toMatchObject({
      depth: 2,
      lsTraceId: ROOT_ID,
      parentRunId: ROOT_ID,
      runId: CHILD_ID,
      startMicros: expected,
    });
  });
});
