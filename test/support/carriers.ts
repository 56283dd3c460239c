/**
 * fast-check arbitraries for propagation carriers: valid ones, mutated ones
 * and hostile ones (what a header can carry, and what a non-HTTP carrier can
 * hold). They replace the generators of the former home-made fuzzer
 * (a script beside fast-check, deleted): every generator and mutation it had is here.
 *
 * Every arbitrary yields a `CarrierCase`: the carrier plus a safe description
 * for fast-check's failure report (a carrier may be a Proxy that throws on
 * every read, or hold a value whose `toString` throws).
 */
import { validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import * as codecs from '../../src/headers/index.js';

export const HEADERS = ['traceparent', 'tracestate', 'langsmith-trace', 'baggage'] as const;

/** Thrown by the hostile carriers built here; the propagator must swallow these, and only these. */
export class PlantedError extends Error {}

export type Carrier = unknown;

export class CarrierCase {
  constructor(
    readonly category: string,
    readonly carrier: Carrier,
  ) {}

  [fc.toStringMethod](): string {
    return `${this.category}: ${describeInput(this.carrier)}`;
  }
}

const HEX = '0123456789abcdef';
const hex = (n: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...HEX), minLength: n, maxLength: n });
const hexUpTo = (max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...HEX), maxLength: max });
/** Latin-1 bytes: what Node hands over for a raw header. */
export const latin1 = (max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: max });
/** Any UTF-16 code units, lone surrogates included: what a non-HTTP carrier may hold. */
export const utf16 = (max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: max });

const NASTY = [
  '\r',
  '\n',
  '\r\n',
  '\0',
  '\t',
  ' ',
  '\x7f',
  '\x1b',
  'é',
  '中',
  '😀',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\u2028',
  '%',
  '%%',
  '%G',
  '%E0%A4%A',
  '%00',
  '%0D%0A',
  '%ZZ',
  '%C3%28',
  '%F0%90%80',
  ',',
  ';',
  '=',
  '"',
  '\\',
  '.',
  '-',
  '@',
  'A',
  'F',
  'Z',
  '0',
  'f',
  '__proto__',
  'constructor',
  'prototype',
  '{',
  '}',
  '[',
  ']',
  ':',
];

// ---------------------------------------------------------------------------
// Valid material, from which mutations start
// ---------------------------------------------------------------------------

const BASE_MICROS = Date.UTC(2026, 0, 1) * 1000;

export const traceParent = fc.tuple(hex(32), hex(16), fc.integer({ min: 0, max: 3 })).map(([traceId, spanId, flags]) => `00-${traceId}-${spanId}-0${flags}`);

const uuid = fc.tuple(hex(32), fc.boolean()).map(([h, runTreeLayout]) => {
  // Some with the LangSmith JS RunTree layout (…-7000-8000-…).
  const x = runTreeLayout ? h.slice(0, 12) + '70008000' + h.slice(20) : h;
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
});

const traceState = fc
  .tuple(fc.array(fc.tuple(fc.boolean(), hex(3), hex(2), hexUpTo(15)), { minLength: 1, maxLength: 5 }), fc.constantFrom(',', ' , '))
  .map(([members, sep]) => members.map(([tenant, a, b, v], i) => `${tenant ? `t${a}@v${i}` : `k${i}${b}`}=${v || '0'}`).join(sep));

/** A dotted order of `depth` segments, each no earlier than its parent. */
function dottedOrderOf(depth: number | fc.Arbitrary<number>, startMicros?: number, step = 1e6): fc.Arbitrary<string> {
  const depthArb = typeof depth === 'number' ? fc.constant(depth) : depth;
  return depthArb.chain((d) =>
    fc
      .tuple(
        startMicros === undefined ? fc.integer({ min: 0, max: 1e12 }).map((n) => BASE_MICROS + n) : fc.constant(startMicros),
        fc.array(fc.tuple(uuid, fc.integer({ min: 0, max: step })), { minLength: d, maxLength: d }),
      )
      .map(([start, segments]) => {
        let micros = start;
        return segments
          .map(([run, delta]) => {
            const segment = codecs.formatDottedOrderSegment(micros, run);
            micros += delta;
            return segment;
          })
          .join('.');
      }),
  );
}

const metadata = fc.tuple(hex(4), fc.nat(999)).map(([user, n]) => ({
  user: `u${user}`,
  n,
  nested: { ok: [1, 'é中', null] },
  text: "a/b ! * ' ( ) , ; = % & +",
}));

export const baggage = fc
  .record({
    metadata: fc.option(metadata, { nil: undefined }),
    tags: fc.option(fc.nat(8), { nil: undefined }),
    project: fc.option(hex(3), { nil: undefined }),
    foreign: fc.array(fc.boolean(), { maxLength: 3 }),
    sep: fc.constantFrom(',', ', '),
  })
  .map(({ metadata: m, tags, project, foreign, sep }) => {
    const members: string[] = [];
    if (m) members.push(`langsmith-metadata=${encodeURIComponent(JSON.stringify(m))}`);
    if (tags !== undefined) members.push(`langsmith-tags=${encodeURIComponent(['a', 'b c', `t${tags}`].join(','))}`);
    if (project !== undefined) members.push(`langsmith-project=${encodeURIComponent(`proj ${project}`)}`);
    foreign.forEach((ttl, i) => members.push(`k${i}=${encodeURIComponent(`v ${i}`)}${ttl ? ';ttl=1' : ''}`));
    return members.join(sep);
  });

export const validCarrier = fc.record(
  {
    traceparent: traceParent,
    tracestate: traceState,
    'langsmith-trace': dottedOrderOf(fc.integer({ min: 1, max: 6 })),
    baggage,
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, unknown>>;

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

type StringMutation = (s: string) => string;
const at = (s: string, n: number): number => (s.length === 0 ? 0 : n % s.length);

export const stringMutation: fc.Arbitrary<StringMutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...NASTY)).map(
    ([n, c]) =>
      (s: string) =>
        s.slice(0, at(s, n)) + c + s.slice(at(s, n) + 1),
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...NASTY)).map(
    ([n, c]) =>
      (s: string) =>
        s.slice(0, at(s, n)) + c + s.slice(at(s, n)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })).map(
    ([n, k]) =>
      (s: string) =>
        s.slice(0, at(s, n)) + s.slice(at(s, n) + k),
  ),
  fc.nat().map((n) => (s: string) => s.slice(0, at(s, n))),
  fc.constant((s: string) => s.toUpperCase()),
  fc.constant((s: string) => s.replace(/[0-9a-f]/g, '0')),
  // Oversized by repetition.
  fc
    .constantFrom(4097, 8193, 16_384, 65_536, 1_000_000)
    .map((target) => (s: string) => (s || 'x').repeat(Math.ceil(target / Math.max(1, s.length)) + 1).slice(0, target)),
  // OWS and CR/LF around.
  fc.tuple(fc.constantFrom(' ', '\t', '\r\n', '\n ', ''), fc.constantFrom(' ', '\t', '\r\n', ' \t', '')).map(
    ([a, b]) =>
      (s: string) =>
        a + s + b,
  ),
  fc.tuple(fc.nat(), latin1(16)).map(
    ([n, bytes]) =>
      (s: string) =>
        s.slice(0, at(s, n)) + bytes + s.slice(at(s, n)),
  ),
  fc.tuple(fc.nat(), utf16(8)).map(
    ([n, units]) =>
      (s: string) =>
        s.slice(0, at(s, n)) + units + s.slice(at(s, n)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(
    ([n, k]) =>
      (s: string) =>
        s.slice(0, at(s, n)) + s.slice(at(s, n), at(s, n) + k) + s.slice(at(s, n)),
  ),
  fc.nat().map((n) => (s: string) => s.slice(0, at(s, n)) + (s[at(s, n) + 1] ?? '') + (s[at(s, n)] ?? '') + s.slice(at(s, n) + 2)),
  fc.tuple(fc.nat(), fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%%25', '%C0%80', '%ED%A0%80')).map(
    ([n, p]) =>
      (s: string) =>
        s.slice(0, at(s, n)) + p + s.slice(at(s, n)),
  ),
);

export const mutate = (base: fc.Arbitrary<string>, max = 1): fc.Arbitrary<string> =>
  fc.tuple(base, fc.array(stringMutation, { minLength: 1, maxLength: max })).map(([s, ms]) => ms.reduce((acc, m) => m(acc), s));

/** Values a header never is, but a carrier may hold. */
const NON_STRINGS: Array<() => unknown> = [
  () => 42,
  () => null,
  () => undefined,
  () => true,
  () => ({}),
  () => ({
    toString() {
      throw new PlantedError('toString');
    },
  }),
  () => [],
  () => [1, 2],
  () => [null],
  () => [['nested']],
  () => Symbol('s'),
  () => 10n,
  () => Buffer.from('00-abc'),
  () => () => 'fn',
  () => new Date(0),
];
const nonString = fc.integer({ min: 0, max: NON_STRINGS.length - 1 }).map((i) => NON_STRINGS[i]!());

type CarrierMutation = (c: Record<string, unknown>) => void;
const headerName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HEADERS) },
  { weight: 1, arbitrary: fc.constantFrom('TraceParent', 'BAGGAGE', '__proto__', 'constructor', 'x-other') },
);
const textOf = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

export const carrierMutation: fc.Arbitrary<CarrierMutation> = fc
  .tuple(headerName, fc.nat(7), stringMutation, fc.array(fc.option(stringMutation, { nil: undefined }), { minLength: 2, maxLength: 6 }), nonString)
  .map(([name, op, m, repeats, odd]) => (c) => {
    const text = textOf(c[name]);
    switch (op) {
      case 0: // a duplicate header: an array, as some frameworks deliver repeats
        c[name] = repeats.map((r) => (r ? r(text) : text));
        break;
      case 1: // an array with a non-string in it
        c[name] = [text, odd];
        break;
      case 2: // not a string at all
        c[name] = odd;
        break;
      case 3:
        delete c[name];
        break;
      case 4: // joined repeats, as Node joins unknown headers
        c[name] = `${text}, ${m(text)}`;
        break;
      default:
        c[name] = m(text);
    }
  });

// ---------------------------------------------------------------------------
// Targeted generators
// ---------------------------------------------------------------------------

/** Expensive inputs, built once per process. */
const cache = new Map<string, string>();
const lazy = (key: string, build: () => string): string => {
  let v = cache.get(key);
  if (v === undefined) cache.set(key, (v = build()));
  return v;
};
/** `depth` segments 1 ms apart, deterministic (no generator needed for the shape that matters: the length). */
export const deepOrder = (depth: number): string =>
  lazy(`order${depth}`, () =>
    Array.from({ length: depth }, (_, i) =>
      codecs.formatDottedOrderSegment(BASE_MICROS + i * 1000, `01a200aa-925f-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`),
    ).join('.'),
  );
const nestedArray = (d: number): string => lazy(`arr${d}`, () => '['.repeat(d) + ']'.repeat(d));
const nestedObject = (d: number): string => lazy(`obj${d}`, () => '{"a":'.repeat(d) + '1' + '}'.repeat(d));
const hugeArray = (n: number): string => lazy(`huge${n}`, () => `{"a":[${'0,'.repeat(n - 1)}0]}`);
const baggageFlood = (n: number): string => lazy(`bag${n}`, () => Array.from({ length: n }, (_, i) => `key${i}=value${i}`).join(','));
const traceStateFlood = (n: number): string => lazy(`ts${n}`, () => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(','));

export const traceParentVariant = fc
  .tuple(
    fc.oneof(
      hex(32),
      fc.constant('0'.repeat(32)),
      hex(32).map((h) => h.toUpperCase()),
      hexUpTo(40),
      fc.constant('g'.repeat(32)),
    ),
    fc.oneof(
      hex(16),
      fc.constant('0'.repeat(16)),
      hex(16).map((h) => h.toUpperCase()),
      hexUpTo(24),
    ),
    fc.oneof(fc.constantFrom('00', '01', 'cc', 'fe', 'ff', 'FF', '0', '000'), hex(2)),
    fc.oneof(fc.constantFrom('00', '01', '02', '03', '04', '10', '7f', '80', 'ff', 'FF', '1', '001'), hex(2)),
    fc.oneof(
      fc.constantFrom('', '-', '-extra', '.x'),
      hex(600).map((h) => `-${h}`),
    ),
    fc.constantFrom(' ', '\t', ''),
    fc.constantFrom(' ', '\t', ''),
  )
  .map(([t, s, v, f, tail, a, b]) => `${a}${v}-${t}-${s}-${f}${tail}${b}`);

export const dottedOrderVariant: fc.Arbitrary<string> = fc.oneof(
  fc.constant(null).map(() => deepOrder(10_000)),
  // At and around the 256-segment limit.
  fc.constantFrom(255, 256, 257).map(deepOrder),
  // Timestamps out of order.
  dottedOrderOf(2).map((o) => o.split('.').reverse().join('.')),
  // Impossible dates, wrong fraction widths, the latest year.
  fc
    .tuple(
      fc.constantFrom(
        '20260230T000000000000Z',
        '20261301T000000000000Z',
        '20260101T246000000000Z',
        '19691231T235959999999Z',
        '20260101T000000000Z',
        '20260101T000000000000000Z',
        '99991231T235959999999Z',
      ),
      uuid,
    )
    .map(([t, run]) => t + run),
  // Nil, uppercase, wrong-length UUIDs.
  fc
    .oneof(
      fc.constant('00000000-0000-0000-0000-000000000000'),
      uuid.map((u) => u.toUpperCase()),
      uuid.map((u) => u.slice(1)),
      uuid.map((u) => `${u}0`),
    )
    .map((u) => `20260101T000000000000Z${u}`),
  // A run that is its own ancestor.
  fc.tuple(uuid, uuid).map(([run, other]) => `20260101T000000000001Z${run}.20260101T000000000002Z${other}.20260101T000000000003Z${run}`),
  // Empty segments, stray dots.
  fc.oneof(
    fc.constantFrom('.', '..', ''),
    dottedOrderOf(2).map((o) => `${o}.`),
    dottedOrderOf(1).map((o) => `.${o}`),
  ),
  // The 10,000 segments, cut or mutated.
  mutate(fc.constant(null).map(() => deepOrder(10_000))),
  // The latest timestamp a child can be clamped to.
  dottedOrderOf(fc.integer({ min: 1, max: 3 }), 253_402_300_799_999_000, 1),
  mutate(dottedOrderOf(fc.integer({ min: 1, max: 4 }))),
);

/** encodeURIComponent, or the raw text when it holds a lone surrogate (which that throws on). */
function encodeOrRaw(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

const metadataBomb = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(100, 2_000, 100_000).map(nestedArray),
      fc.constantFrom(100, 1_000, 50_000).map(nestedObject),
      fc.constantFrom(1_000, 100_000).map(hugeArray),
      fc.constantFrom(
        '{"__proto__":{"polluted":1,"isAdmin":true},"ok":1}',
        '{"a":{"constructor":{"prototype":{"polluted":1}}},"b":[{"__proto__":{"x":1}}]}',
        '{"constructor":{"prototype":{"isAdmin":true}},"prototype":1,"__proto__":[]}',
      ),
      // Around the 4096-byte cap, multibyte.
      fc.integer({ min: 2000, max: 2100 }).map((n) => JSON.stringify({ v: 'é'.repeat(n) })),
      fc.constantFrom('[1,2]', 'null', '"s"', '1e999', '{', '{"a":1', '\u0000', '{"a":"\ud800"}', '{}'),
    ),
    fc.boolean(),
  )
  .map(([json, encoded]) => `langsmith-metadata=${encoded ? encodeOrRaw(json) : json}`);

export const baggageVariant: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(65, 1_000, 10_000).map(baggageFlood),
  fc.tuple(metadataBomb, fc.boolean()).map(([m, more]) => m + (more ? ',langsmith-project=p,other=1' : '')),
  // LangSmith members repeated and oversized.
  fc
    .array(
      fc.oneof(
        fc.nat(199).map((i) => `langsmith-project=p${i}`),
        fc.integer({ min: 1, max: 300 }).map((n) => `langsmith-tags=${'t,'.repeat(n)}`),
        fc.integer({ min: 1, max: 9000 }).map((n) => `langsmith-project=${'x'.repeat(n)}`),
      ),
      { minLength: 2, maxLength: 200 },
    )
    .map((members) => members.join(',')),
  // Percent garbage in keys, values and properties.
  fc
    .array(fc.tuple(mutate(fc.constant('key')), mutate(fc.constant('%E4%B8%AD')), mutate(fc.constant('p=1'))), { minLength: 1, maxLength: 10 })
    .map((ms) => ms.map(([k, v, p]) => `${k}=${v};${p}`).join(',')),
  // Properties holding what a header must not.
  fc.constantFrom('\r\nx-injected: 1', '\0', 'é中', '\ud800', 'p=%ZZ', ';;;', '=').map((p) => `k=v;${p}`),
  // One member just under / over 8192 bytes.
  fc.constantFrom(8188, 8189, 8190, 9000).map((n) => `k=${'v'.repeat(n)}`),
  latin1(400),
  mutate(fc.constant(`langsmith-tags=${encodeURIComponent('a,b')},langsmith-project=p,k=v`)),
);

export const traceStateVariant: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(32, 33, 1_000).map(traceStateFlood),
  fc.tuple(fc.constantFrom(256, 257), fc.constantFrom(256, 257)).map(([k, v]) => `${'k'.repeat(k)}=${'v'.repeat(v)}`),
  fc.constantFrom('@a=1', 'a@=1', 'A=1', 'a=1,a=2', 'a=,b=1', 'a=b=c', ',,,', ' , ', 'a=1 ', 'a=\x7f', 'a=é'),
  latin1(200),
  mutate(traceState),
);

/** Carriers that are not plain objects of strings: the propagator must read them without tripping. */
export const WEIRD_CARRIERS: Array<(traceparent: string) => Carrier> = [
  () => null,
  () => undefined,
  () => 0,
  () => 'traceparent',
  () => [],
  () => new Map([['traceparent', '00']]),
  (tp) => Object.assign(Object.create(null) as object, { traceparent: tp }),
  // A getter that throws, on each header in turn.
  ...HEADERS.map(
    (name) => () =>
      Object.defineProperty({}, name, {
        get() {
          throw new PlantedError('getter');
        },
        enumerable: true,
      }),
  ),
  () =>
    new Proxy(
      {},
      {
        get() {
          throw new PlantedError('proxy');
        },
      },
    ),
  (tp) => Object.create({ traceparent: tp, baggage: 'k=v' }) as object,
  (tp) => JSON.parse(`{"__proto__":{"polluted":1},"traceparent":"${tp}","baggage":"langsmith-project=p"}`) as object,
  (tp) => ({
    traceparent: tp,
    toString() {
      throw new PlantedError('toString');
    },
  }),
];

// ---------------------------------------------------------------------------
// The categories, as the former fuzzer weighted them
// ---------------------------------------------------------------------------

const withCase =
  (category: string) =>
  (carrier: Carrier): CarrierCase =>
    new CarrierCase(category, carrier);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export const categories = {
  valid: validCarrier.map(withCase('valid')),
  mutated: fc.tuple(validCarrier, fc.array(carrierMutation, { minLength: 1, maxLength: 4 })).map(([c, ms]) => {
    const copy = { ...c };
    for (const m of ms) m(copy);
    return new CarrierCase('mutated', copy);
  }),
  'random-bytes': fc
    .record(
      {
        traceparent: fc.oneof(latin1(300), utf16(100)),
        tracestate: fc.oneof(latin1(300), utf16(100)),
        'langsmith-trace': fc.oneof(latin1(300), utf16(100)),
        baggage: fc.oneof(latin1(300), utf16(100)),
      },
      { requiredKeys: [] },
    )
    .map(withCase('random-bytes')),
  traceparent: fc
    .tuple(validCarrier, fc.oneof({ weight: 6, arbitrary: traceParentVariant }, { weight: 1, arbitrary: fc.tuple(traceParentVariant, traceParentVariant) }))
    .map(([c, tp]) => new CarrierCase('traceparent', { ...c, traceparent: tp })),
  'dotted-order': fc
    .tuple(opt(traceParent), dottedOrderVariant, opt(baggage))
    .map(([traceparent, ls, b]) => new CarrierCase('dotted-order', defined({ traceparent, 'langsmith-trace': ls, baggage: b }))),
  baggage: fc
    .tuple(
      opt(traceParent),
      opt(dottedOrderOf(fc.integer({ min: 1, max: 3 }))),
      fc.oneof({ weight: 9, arbitrary: baggageVariant }, { weight: 1, arbitrary: fc.tuple(baggageVariant, baggage) }),
    )
    .map(([traceparent, ls, b]) => new CarrierCase('baggage', defined({ traceparent, 'langsmith-trace': ls, baggage: b }))),
  tracestate: fc
    .tuple(
      traceParent,
      fc.oneof({ weight: 4, arbitrary: traceStateVariant }, { weight: 1, arbitrary: fc.array(traceStateVariant, { minLength: 2, maxLength: 40 }) }),
    )
    .map(([traceparent, tracestate]) => new CarrierCase('tracestate', { traceparent, tracestate })),
  carrier: fc.tuple(fc.integer({ min: 0, max: WEIRD_CARRIERS.length - 1 }), traceParent).map(([i, tp]) => new CarrierCase('carrier', WEIRD_CARRIERS[i]!(tp))),
  oversized: fc
    .tuple(validCarrier, fc.record(Object.fromEntries(HEADERS.map((h) => [h, fc.integer({ min: 100, max: 5000 })])), { requiredKeys: [] }))
    .map(([c, grow]) => {
      // Each header repeated 100–5,000 times over: from a few KiB to a few MiB.
      const copy: Record<string, unknown> = { ...c };
      for (const [name, times] of Object.entries(grow)) copy[name] = String(copy[name] ?? 'x').repeat(times ?? 1);
      return new CarrierCase('oversized', copy);
    }),
};

// ---------------------------------------------------------------------------
// Describing inputs
// ---------------------------------------------------------------------------

const MAX_DESCRIPTION = 400;

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…(${value.length} chars)` : value);
  if (Array.isArray(value)) return `[${value.slice(0, 4).map(describeValue).join(', ')}${value.length > 4 ? `, …(${value.length})` : ''}]`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  if (value instanceof Map) return 'Map';
  if (Buffer.isBuffer(value)) return 'Buffer';
  return value === null ? 'null' : typeof value === 'object' ? 'object' : String(value);
}

/** A carrier as text, whatever it is (a Proxy that throws on every read included). */
export function describeInput(carrier: Carrier): string {
  let text: string;
  try {
    if (carrier === null || typeof carrier !== 'object') text = describeValue(carrier);
    else {
      const parts: string[] = [];
      for (const key of Reflect.ownKeys(carrier)) {
        let v: string;
        try {
          v = describeValue((carrier as Record<string | symbol, unknown>)[key]);
        } catch {
          v = '<getter throws>';
        }
        parts.push(`${JSON.stringify(String(key))}: ${v}`);
      }
      const proto: unknown = Object.getPrototypeOf(carrier);
      text = `{${parts.join(', ')}}${proto === null ? ' (null prototype)' : proto !== Object.prototype ? ' (custom prototype)' : ''}`;
    }
  } catch {
    text = '<unreadable carrier (Proxy)>';
  }
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text;
}

/** Whether Node's http could have delivered this carrier: plain strings (or arrays of them) of legal header characters. */
export function overHttp(carrier: Carrier): boolean {
  try {
    if (carrier === null || typeof carrier !== 'object' || Object.getPrototypeOf(carrier) !== Object.prototype) return false;
    for (const value of Object.values(carrier)) {
      for (const part of Array.isArray(value) ? value : [value]) {
        if (typeof part !== 'string') return false;
        validateHeaderValue('x', part);
      }
    }
    return true;
  } catch {
    return false;
  }
}
