/**
 * The protobuf wire format (https://protobuf.dev/programming-guides/encoding/):
 * a bounded cursor over `buf[pos..end)` whose every read is checked against
 * `end`.
 *
 * Varints are read as two 32-bit halves held in plain numbers, not as a
 * BigInt: tags, lengths, enums, booleans and 32-bit counts (nearly every
 * varint of a trace request) need only the low half, and a BigInt per read
 * cost an allocation each. Only an `int64` beyond ±(2^53 − 1), or a time
 * beyond 2^53 µs (year 2255), takes the exact BigInt path.
 */
import { DecodeError, utf8 } from './common.js';

// Protobuf wire types.
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** The longest varint: 64 bits in groups of 7. */
const MAX_VARINT_BYTES = 10;
const TWO_POW_32 = 0x1_0000_0000;
/** The largest field number protobuf allows (2^29 − 1). */
const MAX_FIELD_NUMBER = 0x1fffffff;
/** `hi` below this: `hi · 2^32 + lo` < 2^53, exact as a number. */
const SAFE_HI_LIMIT = 0x20_0000;
/** 2^32 = 4,294,967 · 1000 + 296: splits `hi · 2^32` into µs and leftover ns without a BigInt. */
const TWO_POW_32_MICROS = 4_294_967;
const TWO_POW_32_REMAINDER_NANOS = 296;
/** `hi` below this: the µs count of `hi · 2^32 + lo` ns is below 2^53, exact as a number. */
const SAFE_MICROS_HI_LIMIT = Math.floor((Number.MAX_SAFE_INTEGER * 1000) / TWO_POW_32);

/** An unsigned 64-bit time in ns since the epoch, as the exact decimal string and whole µs. */
interface NanosTime {
  text: string;
  micros: number;
}

export class Reader {
  private readonly view: DataView;
  /** The halves of the last varint or fixed64 read: bits 0–31 and 32–63, each unsigned. */
  private lo = 0;
  private hi = 0;

  constructor(
    private readonly buf: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /** Returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    this.varint();
    // The key is a uint32 in spirit; anything in the high half is a field number past 2^29.
    const field = this.hi === 0 ? this.lo >>> 3 : this.hi * 2 ** 29 + (this.lo >>> 3);
    if (field === 0 || field > MAX_FIELD_NUMBER) throw new DecodeError(`invalid field number ${field}`);
    return [field, this.lo & 7];
  }

  /**
   * Reads one varint into `lo`/`hi`. Bits past the 64th (the tenth byte's
   * upper six) are dropped, as protobuf's own parsers do.
   */
  private varint(): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.pos >= this.end) throw new DecodeError('truncated varint');
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        // Bits 28–34: four to the low half, three to the high.
        lo |= bits << 28;
        hi = bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new DecodeError('varint longer than 10 bytes');
  }

  /** A varint read as a (u)int32 field: the low 32 bits, signed for enums. */
  int32(wire: number, what: string): number {
    expectWire(wire, WIRE_VARINT, what);
    this.varint();
    return this.lo | 0;
  }

  uint32(wire: number, what: string): number {
    expectWire(wire, WIRE_VARINT, what);
    this.varint();
    return this.lo;
  }

  bool(wire: number, what: string): boolean {
    expectWire(wire, WIRE_VARINT, what);
    this.varint();
    return this.lo !== 0 || this.hi !== 0;
  }

  /** An `int64` varint (two's complement): a number within ±(2^53 − 1), else an exact bigint. */
  int64(wire: number, what: string): number | bigint {
    expectWire(wire, WIRE_VARINT, what);
    this.varint();
    const { lo, hi } = this;
    if (hi < SAFE_HI_LIMIT) return hi * TWO_POW_32 + lo;
    if (hi >= 0x8000_0000) {
      // Negative: the magnitude is the two's complement, 2^64 − value.
      const notHi = ~hi >>> 0;
      if (notHi < SAFE_HI_LIMIT) {
        const magnitude = notHi * TWO_POW_32 + (~lo >>> 0) + 1;
        if (magnitude <= Number.MAX_SAFE_INTEGER) return -magnitude;
      }
    }
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }

  /** A `fixed64` time in ns since the epoch. */
  nanosTime(wire: number, what: string): NanosTime {
    expectWire(wire, WIRE_I64, what);
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return nanosTime(hi, lo);
  }

  double(wire: number, what: string): number {
    expectWire(wire, WIRE_I64, what);
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  fixed32(wire: number, what: string): number {
    expectWire(wire, WIRE_I32, what);
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  bytes(wire: number, what: string): Uint8Array {
    expectWire(wire, WIRE_LEN, what);
    const len = this.length();
    // A copy, as a plain Uint8Array: a value must not pin (or be) the request Buffer.
    const out = new Uint8Array(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return out;
  }

  string(wire: number, what: string): string {
    expectWire(wire, WIRE_LEN, what);
    const len = this.length();
    let s: string;
    try {
      s = utf8.decode(this.buf.subarray(this.pos, this.pos + len));
    } catch {
      throw new DecodeError(`${what} is not valid UTF-8`);
    }
    this.pos += len;
    return s;
  }

  /** A reader over the next length-delimited field (an embedded message). */
  message(wire: number, what: string): Reader {
    expectWire(wire, WIRE_LEN, what);
    const len = this.length();
    const sub = new Reader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return sub;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos += this.length();
        return;
      case WIRE_I32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        // 3/4 are the deprecated groups (never used by OTLP), 6/7 do not exist.
        throw new DecodeError(`unsupported wire type ${wire}`);
    }
  }

  private length(): number {
    this.varint();
    // A length with a high half is ≥ 4 GiB: past the end of any message in a Uint8Array.
    if (this.hi !== 0 || this.lo > this.end - this.pos) {
      throw new DecodeError('length-delimited field runs past the end of its message');
    }
    return this.lo;
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new DecodeError('truncated fixed-width field');
  }
}

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) {
    throw new DecodeError(`${what} has wire type ${actual}, expected ${expected}`);
  }
}

/**
 * `hi · 2^32 + lo` ns as its exact decimal string and whole µs. Today's times
 * (~1.7e18 ns) are past 2^53 ns, so the split goes through µs, which stay
 * below 2^53 until the year 2255; later times take the BigInt path.
 */
export function nanosTime(hi: number, lo: number): NanosTime {
  if (hi < SAFE_MICROS_HI_LIMIT) {
    // hi · 2^32 + lo = (hi · 4,294,967) · 1000 + (hi · 296 + lo); the second term is < 2^45.
    const rest = hi * TWO_POW_32_REMAINDER_NANOS + lo;
    const micros = hi * TWO_POW_32_MICROS + Math.floor(rest / 1000);
    const nanos = rest % 1000;
    return { text: micros === 0 ? String(nanos) : `${micros}${String(nanos).padStart(3, '0')}`, micros };
  }
  const t = (BigInt(hi) << 32n) | BigInt(lo);
  return { text: t.toString(), micros: Number(t / 1000n) };
}
