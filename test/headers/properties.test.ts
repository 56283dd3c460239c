/**
 * Properties of every header codec: round trips, totality (never throw, on
 * any string) and linear time on adversarial input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTraceParent, parseTraceParent } from '../../src/headers/traceparent.js';
import { W3CTraceState, isValidTraceStateKey, isValidTraceStateValue, parseTraceState } from '../../src/headers/tracestate.js';
import { formatBaggageMember, joinBaggage, parseBaggage, percentDecode, utf8Length } from '../../src/headers/baggage.js';
import { childDottedOrder, formatDottedOrderSegment, parseDottedOrder } from '../../src/headers/dotted-order.js';
import { isUuid, lsTraceIdFromTraceId, runIdFromSpanId, spanIdFromRunId, traceIdFromLsTraceId } from '../../src/headers/ids.js';
import { LangSmithBaggage, decodeMetadata, decodeProject, decodeTags } from '../../src/headers/langsmith-baggage.js';

const RUNS = { numRuns: 200 };

// ---- Arbitraries ----

const chars = (alphabet: string) => fc.constantFrom(...alphabet.split(''));
const hex = (length: number) => fc.string({ unit: chars('0123456789abcdef'), minLength: length, maxLength: length });
const traceIdArb = hex(32).filter((id) => !/^0+$/.test(id));
const spanIdArb = hex(16).filter((id) => !/^0+$/.test(id));

const LCALPHA_DIGIT = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_CHARS = LCALPHA_DIGIT + '_-*/@';
const VALUE_LAST_CHARS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))
  .filter((c) => c !== ',' && c !== '=')
  .join('');
const VALUE_CHARS = ' ' + VALUE_LAST_CHARS;

const traceStateKeyArb = fc.tuple(chars(LCALPHA_DIGIT), fc.string({ unit: chars(KEY_CHARS), maxLength: 255 })).map(([first, rest]) => first + rest);
const traceStateValueArb = fc.tuple(fc.string({ unit: chars(VALUE_CHARS), maxLength: 40 }), chars(VALUE_LAST_CHARS)).map(([body, last]) => body + last);

/** Any UTF-16 code unit, lone surrogates included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
/** Half printable ASCII (where the grammar's delimiters are), half any code point. */
const mixedChar = fc.oneof(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const owsArb = fc.string({ unit: chars(' \t'), maxLength: 3 });

/** The string generators every parser must survive. */
const ANY_STRING: [string, fc.Arbitrary<string>][] = [
  ['fc.string()', fc.string()],
  ['full unicode (unit: binary)', fc.string({ unit: 'binary' })],
  ['any code units, lone surrogates included', fc.string({ unit: anyCodeUnit })],
  [
    'very long strings',
    fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1_000, max: 70_000 })).map(([s, n]) => s.repeat(Math.ceil(n / s.length))),
  ],
];

const VALID_SAMPLES = {
  traceparent: '00-12345678901234567890123456789012-1234567890123456-01',
  tracestate: 'foo=1,tenant@vendor=a b, bar=2',
  baggage: 'k1=v%20one;p=1, k2=%C3%BC,langsmith-project=p%2Fq',
  dottedOrder: '20250102T030405678001Z019424f8-632e-7000-8000-008074abbf4d.20250102T030405678002Z019424f8-632f-7000-8000-01a3c0de0001',
  metadata: '{"a":{"b":[1,null]},"__proto__":{"x":1}}',
};
/** Characters of all the grammars plus a few that break them. */
const GRAMMAR_ALPHABET = '0123456789abcdefABCDEF-TZ.:,;=%@*/_ \t"\\{}[]\u0000\u00e9\ud800\udc00';

type Mutation = { at: number; op: 'insert' | 'delete' | 'replace' | 'duplicate'; char: string };
const mutationArb = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('insert', 'delete', 'replace', 'duplicate') as fc.Arbitrary<Mutation['op']>,
  char: chars(GRAMMAR_ALPHABET),
});

function mutate(input: string, mutations: Mutation[]): string {
  let s = input;
  for (const { at, op, char } of mutations) {
    const i = s.length === 0 ? 0 : at % s.length;
    if (op === 'insert') s = s.slice(0, i) + char + s.slice(i);
    else if (op === 'delete') s = s.slice(0, i) + s.slice(i + 1);
    else if (op === 'replace') s = s.slice(0, i) + char + s.slice(i + 1);
    else s = s.slice(0, i) + s.slice(i, i + 8) + s.slice(i);
  }
  return s;
}

const mutatedArb = fc
  .tuple(fc.constantFrom(...Object.values(VALID_SAMPLES)), fc.array(mutationArb, { minLength: 1, maxLength: 6 }))
  .map(([sample, mutations]) => mutate(sample, mutations));

// ---- Round trips ----

describe('round trips', () => {
  it('traceparent: format → parse gives back the ids and the known flags', () => {
    fc.assert(
      fc.property(traceIdArb, spanIdArb, fc.integer({ min: 0, max: 0xff }), (traceId, spanId, flags) => {
        const header = formatTraceParent(traceId, spanId, flags);
        expect(parseTraceParent(header)).toEqual({ traceId, spanId, traceFlags: flags & 0x03 });
      }),
      RUNS,
    );
  });

  it('traceparent: a version-00 header with any flags byte parses to exactly its fields', () => {
    fc.assert(
      fc.property(traceIdArb, spanIdArb, fc.integer({ min: 0, max: 0xff }), owsArb, owsArb, (traceId, spanId, flags, a, b) => {
        const header = `${a}00-${traceId}-${spanId}-${flags.toString(16).padStart(2, '0')}${b}`;
        expect(parseTraceParent(header)).toEqual({ traceId, spanId, traceFlags: flags });
      }),
      RUNS,
    );
  });

  it('tracestate: serialize → parse gives back the same members in order, with any OWS', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(traceStateKeyArb, traceStateValueArb), { minLength: 1, maxLength: 32, selector: ([k]) => k }),
        owsArb,
        owsArb,
        (entries, before, after) => {
          const state = new W3CTraceState(new Map(entries));
          const serialized = state.serialize();
          const withOws = entries.map(([k, v]) => `${k}=${v}`).join(`${before},${after}`);
          fc.pre(withOws.length <= 8192);
          for (const header of [serialized, withOws]) {
            const parsed = parseTraceState(header);
            expect(parsed?.serialize()).toBe(serialized);
            for (const [k, v] of entries) expect(parsed!.get(k)).toBe(v);
          }
        },
      ),
      RUNS,
    );
  });

  it('tracestate: set then serialize → parse puts the entry first', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(traceStateKeyArb, traceStateValueArb), { minLength: 1, maxLength: 32, selector: ([k]) => k }),
        traceStateKeyArb,
        traceStateValueArb,
        (entries, key, value) => {
          const state = new W3CTraceState(new Map(entries)).set(key, value);
          const parsed = parseTraceState(state.serialize())!;
          expect(parsed.serialize().startsWith(`${key}=${value}`)).toBe(true);
          expect(parsed.size).toBe(Math.min(32, new Set([key, ...entries.map(([k]) => k)]).size));
        },
      ),
      RUNS,
    );
  });

  it('baggage: formatBaggageMember + joinBaggage → parseBaggage gives back arbitrary unicode keys and values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: mixedChar, minLength: 1, maxLength: 20 }), fc.string({ unit: mixedChar, maxLength: 40 })), { maxLength: 12 }),
        (pairs) => {
          const { header, dropped } = joinBaggage(pairs.map(([k, v]) => formatBaggageMember(k, v)));
          expect(dropped).toBe(0);
          const parsed = parseBaggage(header);
          expect(parsed.dropped).toBe(0);
          expect(parsed.members.map((m) => [m.key, m.value])).toEqual(pairs);
        },
      ),
      RUNS,
    );
  });

  it('baggage: properties survive a round trip', () => {
    const token = fc.string({ unit: chars('abcxyz019-_.'), minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(
        token,
        fc.string({ unit: 'binary', maxLength: 20 }),
        fc.array(fc.tuple(token, fc.option(token, { nil: undefined })), { minLength: 1, maxLength: 3 }),
        (key, value, props) => {
          const properties = props.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join(';');
          const [member] = parseBaggage(formatBaggageMember(key, value, properties)).members;
          expect(member).toMatchObject({ key, value, properties });
        },
      ),
      RUNS,
    );
  });

  it('percentDecode inverts encodeURIComponent, and Python-style quote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        expect(percentDecode(encodeURIComponent(value))).toBe(value);
        const pythonQuote = encodeURIComponent(value)
          .replace(/%2F/g, '/')
          .replace(/[!*'()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
        expect(percentDecode(pythonQuote)).toBe(value);
      }),
      RUNS,
    );
  });

  it('utf8Length equals Buffer.byteLength for any code units', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyCodeUnit, maxLength: 50 }), (value) => {
        expect(utf8Length(value)).toBe(Buffer.byteLength(value, 'utf8'));
      }),
      RUNS,
    );
  });

  const MAX_START = 4102444799999999 - 20 * 1e12; // stay before 2100
  const segmentsArb = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 1e12 }), fc.uuid()), { minLength: 1, maxLength: 20, selector: ([, id]) => id });

  it('dotted order: a chain of 1–20 segments with increasing µs parses to its fields', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_START }), segmentsArb, (start, segments) => {
        let micros = start;
        const times: number[] = [];
        const value = segments
          .map(([delta, id]) => {
            micros += delta;
            times.push(micros);
            return formatDottedOrderSegment(micros, id);
          })
          .join('.');
        const ids = segments.map(([, id]) => id);
        expect(parseDottedOrder(value)).toEqual({
          value,
          depth: segments.length,
          lsTraceId: ids[0],
          runId: ids.at(-1),
          parentRunId: ids.length > 1 ? ids.at(-2) : undefined,
          startMicros: times.at(-1),
        });
      }),
      RUNS,
    );
  });

  it('dotted order: childDottedOrder always yields a parseable lineage, even with skewed clocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_START }),
        fc.uniqueArray(fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.uuid()), {
          minLength: 1,
          maxLength: 20,
          selector: ([, id]) => id,
        }),
        (start, segments) => {
          const [[, rootId], ...rest] = segments as [[number, string], ...[number, string][]];
          let node = { value: formatDottedOrderSegment(start, rootId), startMicros: start };
          for (const [skew, id] of rest) {
            const child = childDottedOrder(node, node.startMicros + skew, id);
            expect(child.startMicros).toBe(Math.max(node.startMicros, node.startMicros + skew));
            node = child;
          }
          const parsed = parseDottedOrder(node.value);
          expect(parsed).toMatchObject({ depth: segments.length, lsTraceId: rootId, startMicros: node.startMicros });
        },
      ),
      RUNS,
    );
  });

  it('ids: span id → run id → span id', () => {
    fc.assert(
      fc.property(spanIdArb, (spanId) => {
        const runId = runIdFromSpanId(spanId);
        expect(isUuid(runId)).toBe(true);
        expect(spanIdFromRunId(runId)).toBe(spanId);
      }),
      RUNS,
    );
  });

  it('ids: trace id → LangSmith trace id → trace id', () => {
    fc.assert(
      fc.property(traceIdArb, (traceId) => {
        expect(traceIdFromLsTraceId(lsTraceIdFromTraceId(traceId))).toBe(traceId);
      }),
      RUNS,
    );
  });

  it('ids: every valid run id gives a non-zero half of itself as span id', () => {
    fc.assert(
      fc.property(fc.uuid(), (runId) => {
        const hexId = runId.replace(/-/g, '');
        const spanId = spanIdFromRunId(runId);
        expect([hexId.slice(0, 16), hexId.slice(16)]).toContain(spanId);
        expect(spanId).not.toBe('0000000000000000');
      }),
      RUNS,
    );
  });

  it('LangSmith baggage: from → header → parse → decode gives back the values', () => {
    const tagArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((t) => t.trim() === t && !/[,\u0000-\u001f\u007f]/.test(t));
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)),
          fc.jsonValue(),
          {
            minKeys: 1,
            maxKeys: 5,
          },
        ),
        fc.uniqueArray(tagArb, { minLength: 1, maxLength: 5 }),
        tagArb,
        (metadata, tags, project) => {
          const json = JSON.stringify(metadata);
          fc.pre(json.length < 3000);
          // Dropping these keys is the decoder's job (see langsmith-baggage.test.ts), not a round trip.
          fc.pre(!/"(__proto__|constructor|prototype)":/.test(json));
          const header = joinBaggage(LangSmithBaggage.from({ metadata, tags, project }).members).header;
          const value = (key: string) => parseBaggage(header).members.find((m) => m.key === key)?.value;
          const decoded = LangSmithBaggage.fromMembers(value('langsmith-metadata'), value('langsmith-tags'), value('langsmith-project'));
          expect(decoded.metadata).toEqual(JSON.parse(JSON.stringify(metadata)));
          expect(decoded.tags).toEqual(tags);
          expect(decoded.project).toBe(project);
        },
      ),
      { numRuns: 100 },
    );
  });
});

// ---- Totality ----

const PARSERS: [string, (s: string) => unknown][] = [
  ['parseTraceParent', parseTraceParent],
  ['parseTraceState', parseTraceState],
  ['isValidTraceStateKey', isValidTraceStateKey],
  ['isValidTraceStateValue', isValidTraceStateValue],
  ['parseBaggage', parseBaggage],
  ['percentDecode', percentDecode],
  ['utf8Length', utf8Length],
  ['formatBaggageMember', (s) => formatBaggageMember(s, s, s)],
  ['parseDottedOrder', parseDottedOrder],
  ['isUuid', isUuid],
  ['spanIdFromRunId', spanIdFromRunId],
  ['traceIdFromLsTraceId', traceIdFromLsTraceId],
  ['decodeMetadata', decodeMetadata],
  ['decodeTags', decodeTags],
  ['decodeProject', decodeProject],
  [
    'LangSmithBaggage.fromMembers + decode',
    (s) => {
      const b = LangSmithBaggage.fromMembers(s, s, s);
      return [b.metadata, b.tags, b.project, b.members];
    },
  ],
];

describe('totality: never throws', () => {
  const generators: [string, fc.Arbitrary<string>][] = [...ANY_STRING, ['valid headers with random mutations', mutatedArb]];
  describe.each(generators)('on %s', (_gen, arb) => {
    it.each(PARSERS)('%s', (_name, parse) => {
      fc.assert(
        fc.property(arb, (s) => {
          parse(s);
        }),
        { numRuns: 60 },
      );
    });
  });

  it('whatever the parsers accept is well-formed', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedArb, fc.string({ unit: anyCodeUnit })), (s) => {
        const tp = parseTraceParent(s);
        if (tp) {
          expect(tp.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(tp.spanId).toMatch(/^[0-9a-f]{16}$/);
          expect(tp.traceId).not.toMatch(/^0+$/);
          expect(tp.spanId).not.toMatch(/^0+$/);
          expect(parseTraceParent(formatTraceParent(tp.traceId, tp.spanId, tp.traceFlags))).toBeDefined();
        }
        const ts = parseTraceState(s);
        if (ts) expect(parseTraceState(ts.serialize())?.serialize()).toBe(ts.serialize());
        const dotted = parseDottedOrder(s);
        if (dotted) {
          expect(parseDottedOrder(dotted.value)).toEqual(dotted);
          expect(isUuid(dotted.runId) && isUuid(dotted.lsTraceId)).toBe(true);
        }
        for (const member of parseBaggage(s).members) {
          expect(member.key.length).toBeGreaterThan(0);
          expect(percentDecode(member.rawValue)).toBe(member.value);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---- Linear time ----

const SIZES = [1024, 8192, 65536] as const;
/** Growing the input 8× may grow the time at most this much (linear: ~8×, quadratic: ~64×). */
const MAX_RATIO = 16;
/** Below this, a difference is timer and GC noise. */
const FLOOR_MS = 2;
const ROUNDS = 7;

/**
 * CPU time (ms) of `reps` calls. CPU rather than wall time: when other test
 * files load the machine, a short measurement often runs within one
 * scheduler slice while a long one is preempted, which skews wall-time
 * ratios by 2× or more.
 */
function timeOnce(fn: (s: string) => unknown, input: string, reps: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn(input);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Median time per size. The repetition count is calibrated so the smallest
 * input takes ≥ 0.5 ms, and sizes are interleaved in each round so that load
 * from other test files hits every size alike.
 */
function measure(fn: (s: string) => unknown, make: (n: number) => string, sizes: readonly number[]): number[] {
  const inputs = sizes.map(make);
  for (const input of inputs) timeOnce(fn, input, 3); // warm up
  let reps = 1;
  while (reps < 1 << 16 && timeOnce(fn, inputs[0]!, reps) < 0.5) reps *= 2;
  const times: number[][] = sizes.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    inputs.forEach((input, i) => times[i]!.push(timeOnce(fn, input, reps)));
  }
  return times.map(median);
}

function scalesLinearly(times: number[]): boolean {
  return times.every((t, i) => i === 0 || t < Math.max(MAX_RATIO * times[i - 1]!, FLOOR_MS));
}

/** `n` distinct segments' worth of dotted order, cut to whole segments of about n characters. */
function dottedChain(n: number): string {
  const count = Math.max(1, Math.floor((n + 1) / 59));
  return Array.from({ length: count }, (_, i) =>
    formatDottedOrderSegment(1735787045678001 + i, `0194${(i + 1).toString(16).padStart(4, '0')}-0000-7000-8000-${(i + 1).toString(16).padStart(12, '0')}`),
  ).join('.');
}

const ADVERSARIAL: [string, (s: string) => unknown, (n: number) => string][] = [
  ['parseBaggage: "a=" + commas', parseBaggage, (n) => 'a=' + ','.repeat(n - 2)],
  ['parseBaggage: "%" repeated', parseBaggage, (n) => '%'.repeat(n)],
  ['parseBaggage: many small members', parseBaggage, (n) => 'k=v,'.repeat(n / 4)],
  ['parseBaggage: members of broken "%" sequences', parseBaggage, (n) => 'k=%E,'.repeat(n / 5)],
  ['parseBaggage: one huge OWS run', parseBaggage, (n) => 'a=1' + ' '.repeat(n - 6) + 'b=2'],
  ['percentDecode: "%" repeated', percentDecode, (n) => '%'.repeat(n)],
  ['percentDecode: valid escapes', percentDecode, (n) => '%C3%BC'.repeat(n / 6)],
  ['parseTraceState: commas then a member', parseTraceState, (n) => ','.repeat(n - 3) + 'a=1'],
  ['parseTraceState: "=" repeated', parseTraceState, (n) => '='.repeat(n)],
  ['parseTraceParent: OWS padding', parseTraceParent, (n) => ' '.repeat(n - 55) + VALID_SAMPLES.traceparent],
  ['parseDottedOrder: distinct segments', parseDottedOrder, dottedChain],
  ['parseDottedOrder: a repeated segment', parseDottedOrder, (n) => (VALID_SAMPLES.dottedOrder.slice(0, 58) + '.').repeat(Math.floor(n / 59)).slice(0, -1)],
  ['parseDottedOrder: "0" repeated', parseDottedOrder, (n) => '0'.repeat(n)],
  ['decodeTags: one tag repeated', decodeTags, (n) => 'a,'.repeat(n / 2)],
  ['decodeTags: distinct tags', decodeTags, (n) => Array.from({ length: n / 6 }, (_, i) => `t${i}`).join(',')],
  ['decodeMetadata: nested brackets', decodeMetadata, (n) => '['.repeat(n)],
  ['decodeProject: whitespace around a name', decodeProject, (n) => ' '.repeat(n / 2) + 'p' + ' '.repeat(n / 2)],
  ['utf8Length: astral characters', utf8Length, (n) => '😀'.repeat(n / 2)],
  ['isUuid: "0" repeated', isUuid, (n) => '0'.repeat(n)],
];

/**
 * Measures up to three times and passes on the first attempt that scales
 * linearly: a GC pause can spoil one attempt, but a quadratic
 * implementation fails every one of them.
 */
function checkLinear(fn: (s: string) => unknown, make: (n: number) => string, sizes: readonly number[]) {
  let times: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    times = measure(fn, make, sizes);
    if (scalesLinearly(times)) return { ok: true, times };
  }
  return { ok: false, times };
}

describe('linear time on adversarial input (1 KB → 8 KB → 64 KB)', () => {
  it.each(ADVERSARIAL)('%s', (_name, fn, make) => {
    const { ok, times } = checkLinear(fn, make, SIZES);
    expect(ok, `median ms per size ${SIZES.join('/')}: ${times.map((t) => t.toFixed(3)).join(' / ')}`).toBe(true);
  });

  it('the check does fail for a quadratic implementation', () => {
    // Deduplicating with Array#includes and no cap: the classic accidental O(n²).
    const quadratic = (s: string) => {
      const seen: string[] = [];
      for (const tag of s.split(',')) if (!seen.includes(tag)) seen.push(tag);
      return seen;
    };
    const { ok, times } = checkLinear(quadratic, (n) => Array.from({ length: n / 6 }, (_, i) => `t${i}`).join(','), [1024, 8192]);
    expect(ok, `median ms: ${times.map((t) => t.toFixed(3)).join(' / ')}`).toBe(false);
  });
});
