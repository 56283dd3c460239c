/**
 * The protobuf wire reader behind the OTLP decoder (src/ingest/otlp/wire.ts):
 * varints as two 32-bit halves, times and int64 values exact past 2^53.
 * Requests are built with a BigInt reference encoder written from the
 * protobuf encoding guide, independent of the reader under test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOtlpTraceProtobuf, type OtlpSpan, type OtlpValue } from '../src/ingest/otlp/index.js';

const U64 = (1n << 64n) - 1n;

/** Unsigned values of every bit width up to 64 alike: uniform over 2^64 would almost never be small. */
const anyWidthUint64 = fc.integer({ min: 0, max: 64 }).chain((bits) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }));

/** Base-128 varint of an unsigned value < 2^64 (protobuf encoding guide, "Base 128 Varints"). */
function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? low : low | 0x80);
  } while (v !== 0n);
  return out;
}

const tag = (field: number, wire: number): number[] => varint(BigInt((field << 3) | wire));
const len = (field: number, body: number[]): number[] => [...tag(field, 2), ...varint(BigInt(body.length)), ...body];
const fixed64 = (field: number, value: bigint): number[] => {
  const out = tag(field, 1);
  for (let i = 0n; i < 8n; i++) out.push(Number((value >> (8n * i)) & 0xffn));
  return out;
};
const text = (s: string): number[] => [...new TextEncoder().encode(s)];

/** One span in one ScopeSpans in one ResourceSpans, around the given Span fields. */
function request(spanFields: number[]): Uint8Array {
  const span = [...len(1, new Array(16).fill(1)), ...len(2, new Array(8).fill(2)), ...spanFields];
  return Uint8Array.from(len(1, len(2, len(2, span))));
}

function decodeSpan(spanFields: number[]): OtlpSpan {
  const result = decodeOtlpTraceProtobuf(request(spanFields));
  if (!result.ok) throw new Error(result.error);
  return result.request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
}

/** A span attribute `k` holding `AnyValue.int_value` encoded as the raw varint bytes given. */
function intAttribute(raw: number[]): OtlpValue {
  return decodeSpan(len(9, [...len(1, text('k')), ...len(2, [...tag(3, 0), ...raw])])).attributes.k!;
}

/** What the old BigInt decoder gave: a number within ±(2^53 − 1), else the exact bigint. */
const expectedInt64 = (v: bigint): number | bigint => {
  const signed = BigInt.asIntN(64, v);
  return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
};

describe('times (fixed64 ns since the epoch)', () => {
  it.each([
    ['zero', 0n],
    ['below 2^32', 999n],
    ['2^53 − 1 ns', (1n << 53n) - 1n],
    ['2^53 + 1 ns (every time after 1970-04-15 is past 2^53 ns)', (1n << 53n) + 1n],
    ['a time of today, past 2^53 ns', 1_765_000_000_123_456_789n],
    ['the last ns with µs below 2^53', BigInt(Number.MAX_SAFE_INTEGER) * 1000n + 999n],
    ['the first ns with µs at 2^53 (year 2255)', (1n << 53n) * 1000n],
    ['2^53 µs + 1 µs + 1 ns: µs no longer exact as a number, the text still is', (1n << 53n) * 1000n + 1001n],
    ['2^64 − 1', U64],
  ])('%s: exact decimal text and whole µs', (_name, nanos) => {
    const span = decodeSpan([...fixed64(7, nanos), ...fixed64(8, nanos)]);
    expect(span.startTimeUnixNano).toBe(nanos.toString());
    expect(span.endTimeUnixNano).toBe(nanos.toString());
    expect(span.startMicros).toBe(Number(nanos / 1000n));
  });

  it('any uint64: the text round-trips and µs match BigInt division (property)', () => {
    fc.assert(
      fc.property(anyWidthUint64, (nanos) => {
        const span = decodeSpan(fixed64(7, nanos));
        expect(BigInt(span.startTimeUnixNano)).toBe(nanos);
        expect(span.startMicros).toBe(Number(nanos / 1000n));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('int64 attribute values', () => {
  it.each([
    ['0', 0n],
    ['127: one byte', 127n],
    ['128: two bytes', 128n],
    ['2^28 − 1 / 2^28: the fourth/fifth byte boundary', (1n << 28n) - 1n],
    ['2^28', 1n << 28n],
    ['2^32: first bit of the high half', 1n << 32n],
    ['2^35: the fifth byte spans both halves', (1n << 35n) - 1n],
    ['2^53 − 1: the largest safe integer', BigInt(Number.MAX_SAFE_INTEGER)],
    ['2^53: a bigint', 1n << 53n],
    ['2^63 − 1', (1n << 63n) - 1n],
    ['−1: ten bytes', -1n],
    ['−(2^53 − 1): the smallest safe integer', BigInt(Number.MIN_SAFE_INTEGER)],
    ['−2^53: a bigint', -(1n << 53n)],
    ['−2^63', -(1n << 63n)],
  ])('%s', (_name, value) => {
    expect(intAttribute(varint(value))).toBe(expectedInt64(value));
  });

  it('any int64 decodes as the BigInt reference says (property)', () => {
    fc.assert(
      fc.property(anyWidthUint64, fc.boolean(), (magnitude, negative) => {
        const value = BigInt.asIntN(64, negative ? -magnitude : magnitude);
        expect(intAttribute(varint(value))).toBe(expectedInt64(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('a ten-byte varint keeps 64 bits: the tenth byte’s upper bits are dropped', () => {
    // −1 with all spare bits of the tenth byte set.
    expect(intAttribute([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])).toBe(-1);
  });

  it('a bool_value is true when any of its 64 bits is set', () => {
    const attr = (raw: number[]): OtlpValue => decodeSpan(len(9, [...len(1, text('b')), ...len(2, [...tag(2, 0), ...raw])])).attributes.b!;
    expect(attr(varint(1n << 32n))).toBe(true);
    expect(attr(varint(0n))).toBe(false);
  });

  it('a redundant (non-minimal) encoding of 1 decodes as 1', () => {
    expect(intAttribute([0x81, 0x80, 0x80, 0x80, 0x80, 0x00])).toBe(1);
  });
});

describe('tags, enums, lengths', () => {
  it('a multi-byte tag (field 16, Span.flags) and a ten-byte negative enum (Span.kind −1)', () => {
    const span = decodeSpan([...tag(16, 5), 0x01, 0x03, 0x00, 0x00, ...tag(6, 0), ...varint(-1n)]);
    expect(span.flags).toBe(0x301);
    expect(span.kind).toBe(-1);
  });

  it('a uint32 count keeps the low 32 bits of a larger varint', () => {
    expect(decodeSpan([...tag(10, 0), ...varint((1n << 32n) + 7n)]).droppedAttributesCount).toBe(7);
  });

  it.each([
    ['an eleven-byte varint', [...tag(10, 0), ...new Array(10).fill(0x80), 0x00], 'varint longer than 10 bytes'],
    ['a truncated varint', [...tag(10, 0), 0x80], 'truncated varint'],
    ['a length of 2^32 + 1 (low half 1)', [...tag(5, 2), ...varint((1n << 32n) + 1n), 0x61], 'runs past the end'],
    ['a field number in the high half of the key', [...varint(1n << 35n), 0x00], 'invalid field number'],
    ['field number 0', [0x00, 0x00], 'invalid field number 0'],
  ])('%s is rejected', (_name, fields, error) => {
    const result = decodeOtlpTraceProtobuf(request(fields as number[]));
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(error);
  });
});
