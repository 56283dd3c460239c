/**
 * W3C `traceparent` (trace-context level 2). Cases follow the rules the W3C
 * conformance suite (`w3c/trace-context`, test/test.py) checks at strict
 * level 2, written as this project's own tables.
 */
import { describe, expect, it } from 'vitest';
import { formatTraceParent, parseTraceParent, trimOws } from '../../src/headers/traceparent.js';
import { MAX_TRACE_PARENT_LENGTH } from '../../src/constants.js';

const TRACE_ID = '12345678901234567890123456789012';
const SPAN_ID = '1234567890123456';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('parseTraceParent', () => {
  describe('accepts', () => {
    it.each([
      // name, header, traceFlags
      ['version 00, sampled', VALID, 0x01],
      ['version 00, not sampled', `00-${TRACE_ID}-${SPAN_ID}-00`, 0x00],
      ['the level-2 random flag (0x02)', `00-${TRACE_ID}-${SPAN_ID}-02`, 0x02],
      ['sampled and random (0x03)', `00-${TRACE_ID}-${SPAN_ID}-03`, 0x03],
      ['unknown flags, kept as received (0x10)', `00-${TRACE_ID}-${SPAN_ID}-10`, 0x10],
      ['every flag bit set (0xff)', `00-${TRACE_ID}-${SPAN_ID}-ff`, 0xff],
      ['OWS: a leading space', ` ${VALID}`, 0x01],
      ['OWS: a leading tab', `\t${VALID}`, 0x01],
      ['OWS: a trailing space', `${VALID} `, 0x01],
      ['OWS: a trailing tab', `${VALID}\t`, 0x01],
      ['OWS: mixed on both ends', `\t ${VALID} \t`, 0x01],
      ['future version cc, exactly four fields', `cc-${TRACE_ID}-${SPAN_ID}-01`, 0x01],
      ['future version cc, more fields after "-"', `cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`, 0x01],
      ['future version cc, an empty field after "-"', `cc-${TRACE_ID}-${SPAN_ID}-01-`, 0x01],
      ['future version 01', `01-${TRACE_ID}-${SPAN_ID}-00`, 0x00],
      ['future version fe (the highest valid one)', `fe-${TRACE_ID}-${SPAN_ID}-01`, 0x01],
      ['future version, exactly MAX_TRACE_PARENT_LENGTH long', `cc-${TRACE_ID}-${SPAN_ID}-01-`.padEnd(MAX_TRACE_PARENT_LENGTH, 'x'), 0x01],
    ])('%s', (_name, header, traceFlags) => {
      expect(parseTraceParent(header)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags });
    });

    it.each([
      ['a trace id with only its last bit set', `00-${'0'.repeat(31)}1-${SPAN_ID}-01`, '0'.repeat(31) + '1', SPAN_ID],
      ['a parent id with only its last bit set', `00-${TRACE_ID}-${'0'.repeat(15)}1-01`, TRACE_ID, '0'.repeat(15) + '1'],
    ])('%s', (_name, header, traceId, spanId) => {
      expect(parseTraceParent(header)).toEqual({ traceId, spanId, traceFlags: 1 });
    });
  });

  describe('rejects', () => {
    it.each([
      ['the empty string', ''],
      ['only OWS', ' \t '],
      ['version ff (forbidden)', `ff-${TRACE_ID}-${SPAN_ID}-01`],
      ['version 00 followed by "."', `${VALID}.`],
      ['version 00 followed by more fields', `${VALID}-what-the-future-will-be-like`],
      ['version 00 followed by "-" alone', `${VALID}-`],
      ['future version followed by "." instead of "-"', `cc-${TRACE_ID}-${SPAN_ID}-01.what-the-future-will-be-like`],
      ['future version longer than MAX_TRACE_PARENT_LENGTH', `cc-${TRACE_ID}-${SPAN_ID}-01-`.padEnd(MAX_TRACE_PARENT_LENGTH + 1, 'x')],
      ['version with an illegal first character', `.0-${TRACE_ID}-${SPAN_ID}-01`],
      ['version with an illegal second character', `0.-${TRACE_ID}-${SPAN_ID}-01`],
      ['uppercase version', `CC-${TRACE_ID}-${SPAN_ID}-01`],
      ['version too long (3 digits)', `000-${TRACE_ID}-${SPAN_ID}-01`],
      ['version too long (4 digits)', `0000-${TRACE_ID}-${SPAN_ID}-01`],
      ['version too short', `0-${TRACE_ID}-${SPAN_ID}-01`],
      ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
      ['all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
      ['illegal first character in trace id', `00-.${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
      ['illegal last character in trace id', `00-${TRACE_ID.slice(0, 31)}.-${SPAN_ID}-01`],
      ['uppercase trace id', `00-${'ABCDEF'.padEnd(32, '1')}-${SPAN_ID}-01`],
      ['trace id too long', `00-${TRACE_ID}3-${SPAN_ID}-01`],
      ['trace id too short', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
      ['illegal first character in parent id', `00-${TRACE_ID}-.${SPAN_ID.slice(1)}-01`],
      ['illegal last character in parent id', `00-${TRACE_ID}-${SPAN_ID.slice(0, 15)}.-01`],
      ['uppercase parent id', `00-${TRACE_ID}-ABCDEF7890123456-01`],
      ['parent id too long', `00-${TRACE_ID}-${SPAN_ID}7-01`],
      ['parent id too short', `00-${TRACE_ID}-${SPAN_ID.slice(1)}-01`],
      ['illegal first character in flags', `00-${TRACE_ID}-${SPAN_ID}-.0`],
      ['illegal second character in flags', `00-${TRACE_ID}-${SPAN_ID}-0.`],
      ['uppercase flags', `00-${TRACE_ID}-${SPAN_ID}-0A`],
      ['flags too long', `00-${TRACE_ID}-${SPAN_ID}-001`],
      ['flags too short', `00-${TRACE_ID}-${SPAN_ID}-1`],
      ['"_" instead of "-" between fields', `00_${TRACE_ID}_${SPAN_ID}_01`],
      ['OWS inside the value', `00- ${TRACE_ID}-${SPAN_ID}-01`],
      ['a newline is not OWS', `\n${VALID}`],
      ['a no-break space is not OWS', `${VALID}\u00a0`],
      ['a trace id of non-ASCII digits', `00-${'١'.repeat(32)}-${SPAN_ID}-01`],
    ])('%s', (_name, header) => {
      expect(parseTraceParent(header)).toBeUndefined();
    });
  });
});

describe('formatTraceParent', () => {
  it.each([
    // name, flags in, flags field out
    ['sampled', 0x01, '01'],
    ['not sampled', 0x00, '00'],
    ['keeps the random flag (0x02)', 0x02, '02'],
    ['keeps sampled | random', 0x03, '03'],
    ['zeroes unknown bits and never writes three digits (0x10)', 0x10, '00'],
    ['0x11 keeps only sampled', 0x11, '01'],
    ['0x12 keeps only random', 0x12, '02'],
    ['0xff keeps only the known bits', 0xff, '03'],
    ['bits above the byte are dropped (0x101)', 0x101, '01'],
  ])('%s', (_name, flags, field) => {
    const header = formatTraceParent(TRACE_ID, SPAN_ID, flags);
    expect(header).toBe(`00-${TRACE_ID}-${SPAN_ID}-${field}`);
    expect(header).toHaveLength(55);
    expect(parseTraceParent(header)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: parseInt(field, 16) });
  });

  it('lowercases ids (OTel accepts uppercase ids, which its own extract then rejects)', () => {
    const header = formatTraceParent('ABCDEF0123456789ABCDEF0123456789', 'ABCDEF0123456789', 1);
    expect(header).toBe('00-abcdef0123456789abcdef0123456789-abcdef0123456789-01');
    expect(parseTraceParent(header)).toBeDefined();
  });
});

describe('trimOws', () => {
  it.each([
    ['no OWS', 'a b', 'a b'],
    ['spaces and tabs on both ends', ' \t a b \t ', 'a b'],
    ['only OWS', ' \t', ''],
    ['keeps a newline (not OWS)', '\na\n', '\na\n'],
    ['the empty string', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(trimOws(input)).toBe(expected);
  });
});
