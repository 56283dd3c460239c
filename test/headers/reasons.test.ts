/**
 * The codecs say why they reject (issue 13): `inspect` prints these reasons
 * and nothing else checks the grammars, so each reason is asserted here, and
 * the properties check that the explaining paths agree with the fast ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BAGGAGE_BYTES, MAX_DOTTED_ORDER_LENGTH, MAX_TRACE_PARENT_LENGTH, MAX_TRACE_STATE_LENGTH } from '../../src/constants.js';
import { parseBaggage } from '../../src/headers/baggage.js';
import { parseDottedOrder, readDottedOrder } from '../../src/headers/dotted-order.js';
import { readMetadata, readProject, readTags } from '../../src/headers/langsmith-baggage.js';
import { parseTraceParent, readTraceParent } from '../../src/headers/traceparent.js';
import { NO_MEMBERS, parseTraceState, readTraceState } from '../../src/headers/tracestate.js';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const ROOT = '20250102T030405678001Z019424f8-632e-7000-8000-008074abbf4d';
const CHILD = '20250102T030405679002Z019424f8-632f-7000-8000-00aa11223344';

const reason = (result: { ok: boolean; reason?: string }) => (result.ok ? 'accepted' : result.reason);

describe('readTraceParent names the rule an input breaks', () => {
  it.each([
    [
      'over the length cap (checked before anything else)',
      ' '.repeat(MAX_TRACE_PARENT_LENGTH + 1),
      `is ${MAX_TRACE_PARENT_LENGTH + 1} characters, over the ${MAX_TRACE_PARENT_LENGTH} limit`,
    ],
    ['OWS only', ' \t ', 'is empty'],
    [
      'a field too short',
      TP.replace('4736-', '473-'),
      'is not version-traceid-parentid-flags, 2-32-16-2 lowercase hex digits joined by "-" (field lengths here: 2-31-16-2)',
    ],
    ['version not hex', `0g${TP.slice(2)}`, 'version "0g" is not 2 lowercase hex digits'],
    ['version ff', `ff${TP.slice(2)}`, 'version ff is invalid'],
    ['version 00 with more', `${TP}-ab`, 'version 00 is exactly 55 characters, this one has 58'],
    ['a future version followed by a non-dash', `cc${TP.slice(2)}x`, 'version cc: data after the flags must start with "-", found "x"'],
    ['uppercase parent id', TP.replace('00f067aa0ba902b7', '00F067AA0BA902B7'), 'parent id 00F067AA0BA902B7 has uppercase hex digits (W3C requires lowercase)'],
    ['flags not hex', `${TP.slice(0, 53)}0x`, 'flags "0x" is not hex'],
    ['zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, 'trace id is all zeros'],
    ['zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`, 'parent id is all zeros'],
    ['a valid header', TP, 'accepted'],
  ])('%s', (_name, header, expected) => {
    expect(reason(readTraceParent(header))).toBe(expected);
    expect(parseTraceParent(header) === undefined).toBe(expected !== 'accepted');
  });
});

describe('readTraceState names the rule a header breaks', () => {
  it.each([
    ['over the length cap', 'k=v,'.repeat(MAX_TRACE_STATE_LENGTH), `is ${4 * MAX_TRACE_STATE_LENGTH} characters, over the ${MAX_TRACE_STATE_LENGTH} limit`],
    ['33 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','), 'has more than 32 members'],
    ['no "="', 'rojo=1,congo', 'member 2 "congo" has no "="'],
    ['an empty key', '=1', 'member 1 "=1" has an empty key'],
    ['an uppercase first letter', 'Congo=1', 'member 1: key "Congo" must start with a lowercase letter or a digit'],
    ['a key character outside the grammar', 'ro.jo=1', 'member 1: key "ro.jo" has "." (allowed: a-z 0-9 _ - * / @)'],
    ['a key over 256 characters', `${'k'.repeat(257)}=1`, `member 1: key "${'k'.repeat(39)}…" is 257 characters, over 256`],
    ['an empty value', 'rojo=', 'member 1: the value of "rojo" is empty'],
    ['"=" in a value', 'rojo=a=b', 'member 1: the value of "rojo" has "=" (allowed: printable ASCII except "," and "=")'],
    [
      'a control character in a value',
      'rojo=a\u0001',
      'member 1: the value of "rojo" has a control character (U+0001) (allowed: printable ASCII except "," and "=")',
    ],
    ['a value ending in a space', 'rojo=a ,congo=b', 'accepted'], // OWS before "," is trimmed, not part of the value
    ['nothing but empty members', ' , ,', NO_MEMBERS],
    ['a repeated key (the first wins)', 'rojo=1,rojo=2', 'accepted'],
  ])('%s', (_name, header, expected) => {
    expect(reason(readTraceState(header))).toBe(expected);
    expect(parseTraceState(header) === undefined).toBe(expected !== 'accepted');
  });
});

describe('readDottedOrder names the rule a header breaks', () => {
  it.each([
    ['empty', '', 'is empty'],
    [
      'over the length cap',
      `${ROOT}.`.repeat(300),
      `is ${59 * 300} characters, over the ${MAX_DOTTED_ORDER_LENGTH} limit (${(MAX_DOTTED_ORDER_LENGTH + 1) / 59} segments)`,
    ],
    ['a stray dot', `${ROOT}.`, 'segment 2 is empty (a stray ".")'],
    ['no timestamp', 'garbage', 'segment 1 does not start with a YYYYMMDDTHHMMSS timestamp ("garbage")'],
    ['no "Z"', ROOT.replace('Z', 'X'), 'segment 1 has no "Z" after its timestamp'],
    ['a letter in the fraction', ROOT.replace('678001Z', '67800aZ'), 'segment 1 has a non-digit in its fractional seconds ("67800a")'],
    ['3 fractional digits', ROOT.replace('678001Z', '678Z'), 'segment 1 has 3 fractional digits, expected exactly 6'],
    ['no run id', ROOT.slice(0, 22), 'segment 1 has no run id after "Z"'],
    ['a run id that is not a UUID', `${ROOT.slice(0, 22)}not-a-uuid`, 'segment 1 run id "not-a-uuid" is not a UUID (8-4-4-4-12 lowercase hex digits)'],
    ['an uppercase run id', ROOT.toUpperCase(), 'segment 1 run id 019424F8-632E-7000-8000-008074ABBF4D has uppercase hex digits (LangSmith writes lowercase)'],
    ['the nil UUID', `${ROOT.slice(0, 22)}00000000-0000-0000-0000-000000000000`, 'segment 1 run id is the nil UUID'],
    ['February 30', ROOT.replace('20250102', '20250230'), 'segment 1 timestamp 2025-02-30 03:04:05 is not a valid UTC date and time (from 1970 on)'],
    ['before 1970', ROOT.replace('2025', '1969'), 'segment 1 timestamp 1969-01-02 03:04:05 is not a valid UTC date and time (from 1970 on)'],
    [
      'a child before its parent',
      `${ROOT}.${CHILD.replace('679002', '600000')}`,
      'segment 2 starts at 2025-01-02T03:04:05.600000Z, before segment 1 (2025-01-02T03:04:05.678001Z): a child must not start before its parent',
    ],
    [
      'a run its own ancestor',
      `${ROOT}.${CHILD}.${ROOT.replace('678001', '679003')}`,
      'segment 3 repeats the run id of segment 1 (a run cannot be its own ancestor)',
    ],
    ['a valid lineage', `${ROOT}.${CHILD}`, 'accepted'],
  ])('%s', (_name, header, expected) => {
    expect(reason(readDottedOrder(header))).toBe(expected);
    expect(parseDottedOrder(header) === undefined).toBe(expected !== 'accepted');
  });

  it('names a rule for every rejection (the explanation covers every check of the fast path)', () => {
    const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
    const uuid = fc.oneof(
      { arbitrary: fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((p) => p.join('-')), weight: 4 },
      fc.constant('00000000-0000-0000-0000-000000000000'),
    );
    const segment = fc
      .tuple(fc.integer({ min: 1960, max: 2100 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.constantFrom(3, 6, 6, 6, 9), uuid)
      .map(([y, mo, d, digits, id]) => `${y}${String(mo).padStart(2, '0')}${String(d).padStart(2, '0')}T030405${'7'.repeat(digits)}Z${id}`);
    const lineage = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([s, repeat]) => (repeat ? [...s, s[0]!] : s).join('.'));
    const edited = fc.tuple(lineage, fc.nat(), fc.constantFrom(...'0123456789.TZ-aA ')).map(([s, at, ch]) => {
      const i = at % (s.length + 1);
      return s.slice(0, i) + ch + s.slice(i + 1);
    });
    fc.assert(
      fc.property(fc.oneof(lineage, edited), (header) => {
        const result = readDottedOrder(header);
        expect(result.ok).toBe(parseDottedOrder(header) !== undefined);
        if (!result.ok) expect(result.reason).not.toBe('is not a dotted order');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('baggage members name the rule they break', () => {
  it.each([
    ['no "="', 'lonely', 'has no "="'],
    ['an empty key', ' = v', 'has an empty key'],
    ['a key outside the token grammar', 'k(1)=v', 'key "k(1)" has "(", not allowed in a token'],
    ['a raw space in the value', 'k=a b', 'value has a space, which must be percent-encoded'],
    ['non-ASCII in the value', 'k=é', 'value has the non-ASCII character "é", which must be percent-encoded'],
    ['a bad "%"', 'k=%zz', 'broken percent-encoding ("%zz" at offset 0 is not "%" and two hex digits)'],
    ['bytes that are not UTF-8', 'k=%E4%B8', 'broken percent-encoding (%E4%B8 is not UTF-8)'],
    ['a broken key encoding', '%E4=v', 'broken percent-encoding in the key (%E4 is not UTF-8)'],
    ['properties outside the grammar', 'k=v;=x', 'properties break the grammar (each must be `key` or `key=value`, separated by `;`, printable ASCII)'],
    ['a valid member with properties', 'k=v;p=1', 'accepted'],
  ])('%s', (_name, member, expected) => {
    const { members, explained } = parseBaggage(member, true);
    expect(explained).toHaveLength(1);
    expect(reason(explained![0]!.result)).toBe(expected);
    expect(members.length).toBe(expected === 'accepted' ? 1 : 0);
  });

  it('over the limits: members past the 64th and a tail past 8192 bytes', () => {
    const many = parseBaggage(Array.from({ length: 65 }, (_, i) => `k${i}=v`).join(','), true);
    expect(many.explained!.at(-1)).toEqual({ index: 65, raw: 'k64=v', result: { ok: false, reason: 'over the 64-member limit' } });
    const long = `a=${'x'.repeat(MAX_BAGGAGE_BYTES)},b=1`;
    expect(parseBaggage(long, true).truncated).toBe(
      `is ${long.length} characters, over the ${MAX_BAGGAGE_BYTES} limit: everything after character 0 is dropped`,
    );
  });

  it('explaining changes nothing: the same members kept, the same count dropped', () => {
    const member = fc.oneof(
      fc.constantFrom('k=v', 'langsmith-project=a%20b;p=1', 'user=%E4%B8%AD', 'a = b ; c', 'k=a b', '%zz=1', 'lonely', ''),
      fc.string({ unit: fc.constantFrom(...'ab=;% \t%E4(,'), maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(member, { maxLength: 70 }), (members) => {
        const header = members.join(',');
        const plain = parseBaggage(header);
        const explained = parseBaggage(header, true);
        expect(explained.members).toEqual(plain.members);
        expect(explained.dropped).toBe(plain.dropped);
        const kept = explained.explained!.filter((m) => m.result.ok).map((m) => (m.result.ok ? m.result.value : undefined));
        expect(kept).toEqual(plain.members);
        expect(explained.explained!.length - kept.length + (explained.truncated ? 1 : 0)).toBe(plain.dropped);
      }),
      { numRuns: 500 },
    );
  });
});

describe('LangSmith members name why they are unusable', () => {
  it.each([
    ['metadata: empty', readMetadata(''), 'is empty'],
    ['metadata: over 4 KiB', readMetadata(JSON.stringify({ k: 'x'.repeat(5000) })), 'is 5008 bytes, over the 4096 limit'],
    ['metadata: over 4 KiB in 3-byte characters (1,400 of them)', readMetadata(JSON.stringify({ k: '中'.repeat(1400) })), 'is 4208 bytes, over the 4096 limit'],
    ['metadata: not JSON', readMetadata('{nope'), expect.stringMatching(/^is not JSON \(/)],
    ['metadata: null', readMetadata('null'), 'is JSON null, not an object'],
    ['metadata: a number', readMetadata('1'), 'is JSON number, not an object'],
    ['metadata: an array', readMetadata('[1]'), 'is a JSON array, not an object'],
    ['metadata: an empty object', readMetadata('{}'), 'is an empty object'],
    ['metadata: only reserved keys', readMetadata('{"ls_provider":"x","otel_trace_id":"y"}'), 'holds only reserved keys'],
    ['tags: none usable', readTags(' , \u0001'), 'holds no usable tag (empty, over 256 characters or with control characters)'],
    ['project: blank', readProject('  '), 'is empty'],
    ['project: too long', readProject('p'.repeat(513)), 'is 513 characters, over the 512 limit'],
    ['project: a control character', readProject('a\nb'), 'has a control character'],
  ])('%s', (_name, result, expected) => {
    expect(result.ok).toBe(false);
    expect(reason(result)).toEqual(expected);
  });

  it.each([
    ['__proto__', '{"a":{"__proto__":{"x":1},"b":3}}'],
    ['constructor', '{"a":{"constructor":{"x":1},"b":3}}'],
    ['prototype', '{"a":{"prototype":{"x":1},"b":3}}'],
    ['an escaped __proto__', '{"a":{"\\u005f_proto__":{"x":1},"b":3}}'],
  ])('drops %s at every depth (the reviver still runs whenever one can occur)', (_name, json) => {
    const result = readMetadata(json);
    expect(result.ok).toBe(true);
    const a = (result as unknown as { value: { a: object } }).value.a;
    expect(Object.keys(a)).toEqual(['b']);
  });
});
