#!/usr/bin/env node
/**
 * Fuzzes LangSmithPropagator end to end: generated and mutated carriers go
 * through extract (trust true and false), a new span (real SDK tracer with
 * LangSmithLineageProcessor), inject, and every deferred read (OTel Baggage
 * entries, tracestate, LangSmith metadata / tags / project).
 *
 *   node scripts/fuzz.mjs [--count N] [--seed N] [--time-bound MS] [--replay INDEX] [--allow KIND,...]
 *
 * Defaults: 1,000,000 inputs, seed 1, 50 ms per input. Every input is derived
 * from (seed, index) alone, so `--replay INDEX` regenerates one input, prints
 * it and what the checks say. Uses the built package (dist/esm: run
 * `npm run build` first); `fuzz({ lib })` takes any module with the same
 * exports, e.g. `src/index.ts` from a test.
 *
 * Per input it reports:
 * - throws: anything that escapes extract, span start, inject or a deferred
 *   read; also "swallowed" internal exceptions, caught by the propagator's
 *   own safety net (its `extract failed` / `inject failed` diag messages);
 * - time-bound violations: inputs slower than the bound twice in a row (a
 *   single slow run is retried once so GC pauses do not count);
 * - invariant violations: an injected `traceparent` must match
 *   `00-<32 hex>-<16 hex>-0[0-3]` with non-zero ids; `langsmith-trace` must
 *   parse with codecs.parseDottedOrder; `baggage` must stay within 64 members
 *   and 8192 bytes and parse back without dropped members; `tracestate` must
 *   parse back; all injected header lines together within 12 KiB and each
 *   field within 8190 bytes (the outbound budget); every injected value must be a string Node's http accepts;
 *   Object.prototype and Array.prototype must not change; with trust false
 *   the context must hold no inbound context, no parent and no baggage, and
 *   inject must send neither tracestate nor baggage.
 * Exits 1 on any throw, time-bound or invariant violation, except kinds named
 * with `--allow` (still reported; for known, triaged bugs).
 */
import { validateHeaderValue } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

export const DEFAULT_COUNT = 1_000_000;
export const DEFAULT_TIME_BOUND_MS = 50;
/** Violations kept as examples in the report, per kind. */
const MAX_EXAMPLES = 10;
const MAX_DESCRIPTION = 400;

const TRACEPARENT_OUT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[0-3]$/;
const HEADERS = ['traceparent', 'tracestate', 'langsmith-trace', 'baggage'];
/** Keys the generator tries to plant on prototypes. */
const PROBE_KEYS = ['polluted', 'isAdmin', 'x'];

// ---------------------------------------------------------------------------
// Deterministic randomness: one generator per (seed, index)
// ---------------------------------------------------------------------------

class Rng {
  constructor(seed, index) {
    // splitmix32 of both, then mulberry32.
    let h = (seed ^ 0x9e3779b9) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = (h ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f) >>> 0;
    this._state = (h ^ (h >>> 16)) >>> 0;
  }

  next() {
    let t = (this._state = (this._state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n) {
    return Math.floor(this.next() * n);
  }

  range(min, max) {
    return min + this.int(max - min + 1);
  }

  chance(p) {
    return this.next() < p;
  }

  pick(items) {
    return items[this.int(items.length)];
  }
}

const HEX = '0123456789abcdef';

function hex(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[r.int(16)];
  return s;
}

function uuidOf(h) {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function uuid(r) {
  const h = hex(r, 32);
  // A third have the LangSmith JS RunTree layout (…-7000-8000-…).
  return uuidOf(r.chance(0.3) ? h.slice(0, 12) + '70008000' + h.slice(20) : h);
}

/** Latin-1 bytes: what Node hands over for a raw header. */
function randomBytes(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.int(256));
  return s;
}

/** Any UTF-16 code units, lone surrogates included: what a non-HTTP carrier may hold. */
function randomUnits(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.chance(0.8) ? r.int(128) : r.int(0x10000));
  return s;
}

/** Thrown by the carriers the fuzzer builds; the propagator must swallow these, and only these. */
class PlantedError extends Error {}

const NASTY = [
  '\r', '\n', '\r\n', '\0', '\t', ' ', '\x7f', '\x1b', 'é', '中', '😀', '\ud800', '\udfff', '\ufeff', '\u2028',
  '%', '%%', '%G', '%E0%A4%A', '%00', '%0D%0A', '%ZZ', '%C3%28', '%F0%90%80', ',', ';', '=', '"', '\\', '.', '-',
  '@', 'A', 'F', 'Z', '0', 'f', '__proto__', 'constructor', 'prototype', '{', '}', '[', ']', ':',
];

// ---------------------------------------------------------------------------
// Valid material, from which mutations start
// ---------------------------------------------------------------------------

const BASE_MICROS = Date.UTC(2026, 0, 1) * 1000;

function validTraceParent(r) {
  return `00-${hex(r, 32)}-${hex(r, 16)}-0${r.int(4)}`;
}

function validTraceState(r) {
  const n = r.range(1, 5);
  const members = [];
  for (let i = 0; i < n; i++) {
    const key = r.chance(0.3) ? `t${hex(r, 3)}@v${i}` : `k${i}${hex(r, 2)}`;
    members.push(`${key}=${hex(r, r.range(1, 16))}`);
  }
  return members.join(r.chance(0.5) ? ',' : ' , ');
}

function dottedOrder(codecs, r, depth, { startMicros = BASE_MICROS + r.int(1e12), step = 1e6 } = {}) {
  const segments = [];
  let micros = startMicros;
  for (let i = 0; i < depth; i++) {
    segments.push(codecs.formatDottedOrderSegment(micros, uuid(r)));
    micros += r.int(step);
  }
  return segments.join('.');
}

function validMetadata(r) {
  return { user: `u${hex(r, 4)}`, n: r.int(1000), nested: { ok: [1, 'é中', null] }, text: "a/b ! * ' ( ) , ; = % & +" };
}

function validBaggage(r) {
  const members = [];
  if (r.chance(0.7)) members.push(`langsmith-metadata=${encodeURIComponent(JSON.stringify(validMetadata(r)))}`);
  if (r.chance(0.6)) members.push(`langsmith-tags=${encodeURIComponent(['a', 'b c', `t${r.int(9)}`].join(','))}`);
  if (r.chance(0.6)) members.push(`langsmith-project=${encodeURIComponent(`proj ${hex(r, 3)}`)}`);
  const foreign = r.int(4);
  for (let i = 0; i < foreign; i++) members.push(`k${i}=${encodeURIComponent(`v ${i}`)}${r.chance(0.3) ? ';ttl=1' : ''}`);
  return members.join(r.chance(0.5) ? ',' : ', ');
}

function validCarrier(codecs, r) {
  const carrier = {};
  if (r.chance(0.85)) carrier.traceparent = validTraceParent(r);
  if (r.chance(0.5)) carrier.tracestate = validTraceState(r);
  if (r.chance(0.7)) carrier['langsmith-trace'] = dottedOrder(codecs, r, r.range(1, 6));
  if (r.chance(0.7)) carrier.baggage = validBaggage(r);
  return carrier;
}

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

function mutateString(r, s) {
  const at = s.length === 0 ? 0 : r.int(s.length);
  switch (r.int(13)) {
    case 0: // replace one character
      return s.slice(0, at) + r.pick(NASTY) + s.slice(at + 1);
    case 1: // insert
      return s.slice(0, at) + r.pick(NASTY) + s.slice(at);
    case 2: // delete a range
      return s.slice(0, at) + s.slice(at + r.range(1, 8));
    case 3: // truncate
      return s.slice(0, at);
    case 4: // uppercase
      return s.toUpperCase();
    case 5: // all hex digits to zero
      return s.replace(/[0-9a-f]/g, '0');
    case 6: { // oversize by repetition
      const target = r.pick([4097, 8193, 16_384, 65_536, 1_000_000]);
      return (s || 'x').repeat(Math.min(r.range(2, 2000), Math.ceil(target / Math.max(1, s.length)) + 1)).slice(0, target);
    }
    case 7: // OWS and CR/LF around
      return r.pick([' ', '\t', '\r\n', '\n ', '']) + s + r.pick([' ', '\t', '\r\n', ' \t', '']);
    case 8: // random bytes spliced in
      return s.slice(0, at) + randomBytes(r, r.range(1, 16)) + s.slice(at);
    case 9: // random UTF-16 (lone surrogates) spliced in
      return s.slice(0, at) + randomUnits(r, r.range(1, 8)) + s.slice(at);
    case 10: // duplicate a slice
      return s.slice(0, at) + s.slice(at, at + r.range(1, 40)) + s.slice(at);
    case 11: // swap a character's case / neighbour
      return s.slice(0, at) + (s[at + 1] ?? '') + (s[at] ?? '') + s.slice(at + 2);
    default: // percent garbage
      return s.slice(0, at) + r.pick(['%', '%E0%A4%A', '%ZZ', '%%25', '%C0%80', '%ED%A0%80']) + s.slice(at);
  }
}

const NON_STRINGS = [
  () => 42,
  () => null,
  () => undefined,
  () => true,
  () => ({}),
  () => ({ toString() { throw new PlantedError('toString'); } }),
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

function mutateCarrier(r, carrier) {
  const name = r.chance(0.8) ? r.pick(HEADERS) : r.pick(['TraceParent', 'BAGGAGE', '__proto__', 'constructor', 'x-other']);
  const value = carrier[name];
  const text = typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';
  switch (r.int(8)) {
    case 0: // duplicate header: an array, as some frameworks deliver repeats
      carrier[name] = Array.from({ length: r.range(2, 6) }, () => (r.chance(0.7) ? text : mutateString(r, text)));
      break;
    case 1: // an array with non-strings in it
      carrier[name] = [text, r.pick(NON_STRINGS)()];
      break;
    case 2: // not a string at all
      carrier[name] = r.pick(NON_STRINGS)();
      break;
    case 3: // removed
      delete carrier[name];
      break;
    case 4: // joined repeats, as Node joins unknown headers
      carrier[name] = `${text}, ${mutateString(r, text)}`;
      break;
    default:
      carrier[name] = mutateString(r, text);
  }
  return carrier;
}

// ---------------------------------------------------------------------------
// Targeted generators
// ---------------------------------------------------------------------------

/** Expensive inputs built once per process and reused (mutated cheaply). */
function makeCache(codecs) {
  const r = new Rng(0xdead, 0);
  const cache = {};
  const lazy = (key, build) => (cache[key] ??= build());
  return {
    deepOrder: (depth) => lazy(`order${depth}`, () => dottedOrder(codecs, r, depth, { step: 1000 })),
    nestedArray: (depth) => lazy(`arr${depth}`, () => '['.repeat(depth) + ']'.repeat(depth)),
    nestedObject: (depth) => lazy(`obj${depth}`, () => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
    hugeArray: (n) => lazy(`huge${n}`, () => `{"a":[${'0,'.repeat(n - 1)}0]}`),
    baggageFlood: (n) =>
      lazy(`bag${n}`, () => Array.from({ length: n }, (_, i) => `key${i}=value${i}`).join(',')),
    traceStateFlood: (n) =>
      lazy(`ts${n}`, () => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',')),
  };
}

function traceParentVariant(r) {
  const traceId = r.pick([hex(r, 32), '0'.repeat(32), hex(r, 32).toUpperCase(), hex(r, r.range(0, 40)), 'g'.repeat(32)]);
  const spanId = r.pick([hex(r, 16), '0'.repeat(16), hex(r, 16).toUpperCase(), hex(r, r.range(0, 24))]);
  const version = r.pick(['00', '01', 'cc', 'fe', 'ff', 'FF', '0', '000', hex(r, 2)]);
  const flags = r.pick(['00', '01', '02', '03', '04', '10', '7f', '80', 'ff', 'FF', '1', '001', hex(r, 2)]);
  const tail = r.pick(['', '', '', '-', '-extra', `-${hex(r, 600)}`, '.x']);
  return r.pick([' ', '\t', '']) + `${version}-${traceId}-${spanId}-${flags}${tail}` + r.pick([' ', '\t', '']);
}

function dottedOrderVariant(codecs, r, cache) {
  switch (r.int(10)) {
    case 0:
      return cache.deepOrder(10_000);
    case 1: // at and around the 256-segment limit
      return cache.deepOrder(r.pick([255, 256, 257]));
    case 2: { // timestamps out of order
      const a = dottedOrder(codecs, r, 2);
      const [first, second] = a.split('.');
      return `${second}.${first}`;
    }
    case 3: { // impossible dates and wrong fraction widths
      const run = uuid(r);
      return r.pick([
        `20260230T000000000000Z${run}`,
        `20261301T000000000000Z${run}`,
        `20260101T246000000000Z${run}`,
        `19691231T235959999999Z${run}`,
        `20260101T000000000Z${run}`,
        `20260101T000000000000000Z${run}`,
        `99991231T235959999999Z${run}`,
      ]);
    }
    case 4: // nil, uppercase, wrong-length UUIDs
      return `20260101T000000000000Z${r.pick(['00000000-0000-0000-0000-000000000000', uuid(r).toUpperCase(), uuid(r).slice(1), `${uuid(r)}0`])}`;
    case 5: { // a run that is its own ancestor
      const run = uuid(r);
      return `20260101T000000000001Z${run}.20260101T000000000002Z${uuid(r)}.20260101T000000000003Z${run}`;
    }
    case 6: // empty segments, stray dots
      return r.pick(['.', '..', `${dottedOrder(codecs, r, 2)}.`, `.${dottedOrder(codecs, r, 1)}`, '']);
    case 7: // the 10,000 segments, cut or mutated
      return mutateString(r, cache.deepOrder(10_000));
    case 8: // the latest timestamp a child can be clamped to
      return dottedOrder(codecs, r, r.range(1, 3), { startMicros: 253_402_300_799_999_000, step: 1 });
    default:
      return mutateString(r, dottedOrder(codecs, r, r.range(1, 4)));
  }
}

/** encodeURIComponent, or the raw text when it holds a lone surrogate (which that throws on). */
function encodeOrRaw(text) {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

function metadataBomb(r, cache) {
  let json;
  switch (r.int(8)) {
    case 0:
      json = cache.nestedArray(r.pick([100, 2_000, 100_000]));
      break;
    case 1:
      json = cache.nestedObject(r.pick([100, 1_000, 50_000]));
      break;
    case 2:
      json = cache.hugeArray(r.pick([1_000, 100_000]));
      break;
    case 3:
      json = '{"__proto__":{"polluted":1,"isAdmin":true},"ok":1}';
      break;
    case 4:
      json = '{"a":{"constructor":{"prototype":{"polluted":1}}},"b":[{"__proto__":{"x":1}}]}';
      break;
    case 5:
      json = '{"constructor":{"prototype":{"isAdmin":true}},"prototype":1,"__proto__":[]}';
      break;
    case 6: // around the 4096-byte cap, multibyte
      json = JSON.stringify({ v: 'é'.repeat(r.range(2000, 2100)) });
      break;
    default:
      json = r.pick(['[1,2]', 'null', '"s"', '1e999', '{', '{"a":1', '\u0000', '{"a":"\ud800"}', '{}']);
  }
  return `langsmith-metadata=${r.chance(0.7) ? encodeOrRaw(json) : json}`;
}

function baggageVariant(r, cache) {
  switch (r.int(8)) {
    case 0:
      return cache.baggageFlood(r.pick([65, 1_000, 10_000]));
    case 1:
      return metadataBomb(r, cache) + (r.chance(0.5) ? ',langsmith-project=p,other=1' : '');
    case 2: // LangSmith members repeated and oversized
      return Array.from({ length: r.range(2, 200) }, (_, i) =>
        r.pick([`langsmith-project=p${i}`, `langsmith-tags=${'t,'.repeat(r.range(1, 300))}`, `langsmith-project=${'x'.repeat(r.range(1, 9000))}`]),
      ).join(',');
    case 3: // percent garbage in keys, values and properties
      return Array.from({ length: r.range(1, 10) }, () =>
        `${mutateString(r, 'key')}=${mutateString(r, '%E4%B8%AD')};${mutateString(r, 'p=1')}`,
      ).join(',');
    case 4: // properties holding what a header must not
      return `k=v;${r.pick(['\r\nx-injected: 1', '\0', 'é中', '\ud800', 'p=%ZZ', ';;;', '='])}`;
    case 5: // one member just under / over 8192 bytes
      return `k=${'v'.repeat(r.pick([8188, 8189, 8190, 9000]))}`;
    case 6:
      return randomBytes(r, r.range(0, 400));
    default:
      return mutateString(r, `langsmith-tags=${encodeURIComponent('a,b')},langsmith-project=p,k=v`);
  }
}

function traceStateVariant(r, cache) {
  switch (r.int(5)) {
    case 0:
      return cache.traceStateFlood(r.pick([32, 33, 1_000]));
    case 1:
      return `${'k'.repeat(r.pick([256, 257]))}=${'v'.repeat(r.pick([256, 257]))}`;
    case 2:
      return r.pick(['@a=1', 'a@=1', 'A=1', 'a=1,a=2', 'a=,b=1', 'a=b=c', ',,,', ' , ', 'a=1 ', 'a=\x7f', 'a=é']);
    case 3:
      return randomBytes(r, r.range(0, 200));
    default:
      return mutateString(r, validTraceState(r));
  }
}

function weirdCarrier(r) {
  switch (r.int(7)) {
    case 0:
      return r.pick([null, undefined, 0, 'traceparent', [], new Map([['traceparent', '00']])]);
    case 1: {
      const c = Object.create(null);
      c.traceparent = validTraceParent(r);
      return c;
    }
    case 2: // a getter that throws
      return Object.defineProperty({}, r.pick(HEADERS), { get() { throw new PlantedError('getter'); }, enumerable: true });
    case 3: // a Proxy that throws on every read
      return new Proxy({}, { get() { throw new PlantedError('proxy'); } });
    case 4: // a carrier whose prototype holds the headers
      return Object.create({ traceparent: validTraceParent(r), baggage: 'k=v' });
    case 5: // JSON-parsed with __proto__ as an own key
      return JSON.parse(`{"__proto__":{"polluted":1},"traceparent":"${validTraceParent(r)}","baggage":"langsmith-project=p"}`);
    default:
      return { traceparent: validTraceParent(r), toString() { throw new PlantedError('toString'); } };
  }
}

const GENERATORS = [
  ['valid', 8, (codecs, r) => validCarrier(codecs, r)],
  ['mutated', 30, (codecs, r) => {
    const carrier = validCarrier(codecs, r);
    const n = r.range(1, 4);
    for (let i = 0; i < n; i++) mutateCarrier(r, carrier);
    return carrier;
  }],
  ['random-bytes', 8, (_codecs, r) => {
    const carrier = {};
    for (const name of HEADERS) if (r.chance(0.7)) carrier[name] = r.chance(0.8) ? randomBytes(r, r.range(0, 300)) : randomUnits(r, r.range(0, 100));
    return carrier;
  }],
  ['traceparent', 12, (codecs, r) => ({
    ...validCarrier(codecs, r),
    traceparent: r.chance(0.85) ? traceParentVariant(r) : [traceParentVariant(r), traceParentVariant(r)],
  })],
  ['dotted-order', 12, (codecs, r, cache) => ({
    ...(r.chance(0.5) ? { traceparent: validTraceParent(r) } : {}),
    'langsmith-trace': dottedOrderVariant(codecs, r, cache),
    ...(r.chance(0.5) ? { baggage: validBaggage(r) } : {}),
  })],
  ['baggage', 14, (codecs, r, cache) => ({
    ...(r.chance(0.8) ? { traceparent: validTraceParent(r) } : {}),
    ...(r.chance(0.6) ? { 'langsmith-trace': dottedOrder(codecs, r, r.range(1, 3)) } : {}),
    baggage: r.chance(0.9) ? baggageVariant(r, cache) : [baggageVariant(r, cache), validBaggage(r)],
  })],
  ['tracestate', 8, (_codecs, r, cache) => ({
    traceparent: validTraceParent(r),
    tracestate: r.chance(0.8) ? traceStateVariant(r, cache) : Array.from({ length: r.range(2, 40) }, () => traceStateVariant(r, cache)),
  })],
  ['carrier', 4, (_codecs, r) => weirdCarrier(r)],
  ['oversized', 4, (codecs, r) => {
    const carrier = validCarrier(codecs, r);
    for (const name of HEADERS) if (r.chance(0.5)) carrier[name] = (carrier[name] ?? 'x').toString().repeat(r.range(100, 5000));
    return carrier;
  }],
];
const TOTAL_WEIGHT = GENERATORS.reduce((sum, [, w]) => sum + w, 0);

function generate(codecs, cache, seed, index) {
  const r = new Rng(seed, index);
  let ticket = r.int(TOTAL_WEIGHT);
  for (const [name, weight, make] of GENERATORS) {
    if (ticket < weight) return { category: name, carrier: make(codecs, r, cache) };
    ticket -= weight;
  }
  throw new Error('unreachable');
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

function describeValue(value) {
  if (typeof value === 'string') {
    const shown = value.length > 80 ? `${value.slice(0, 80)}…(${value.length} chars)` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return `[${value.slice(0, 4).map(describeValue).join(', ')}${value.length > 4 ? `, …(${value.length})` : ''}]`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  if (value instanceof Map) return 'Map';
  if (Buffer.isBuffer(value)) return 'Buffer';
  return value === null ? 'null' : typeof value === 'object' ? 'object' : String(value);
}

export function describeInput(carrier) {
  let text;
  try {
    if (carrier === null || typeof carrier !== 'object') text = describeValue(carrier);
    else {
      const parts = [];
      for (const key of Reflect.ownKeys(carrier)) {
        const k = String(key);
        let v;
        try {
          v = describeValue(carrier[key]);
        } catch {
          v = '<getter throws>';
        }
        parts.push(`${JSON.stringify(k)}: ${v}`);
      }
      const proto = Object.getPrototypeOf(carrier);
      text = `{${parts.join(', ')}}${proto === null ? ' (null prototype)' : proto !== Object.prototype ? ' (custom prototype)' : ''}`;
    }
  } catch {
    text = '<unreadable carrier (Proxy)>';
  }
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text;
}

/** Whether Node's http could have delivered this carrier: plain strings (or arrays of them) of legal header characters. */
function overHttp(carrier) {
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

function prototypeSnapshot() {
  return `${Object.getOwnPropertyNames(Object.prototype).length}/${Object.getOwnPropertyNames(Array.prototype).length}`;
}

function isPolluted(baseline) {
  for (const key of PROBE_KEYS) if (Object.prototype.hasOwnProperty.call(Object.prototype, key)) return true;
  return prototypeSnapshot() !== baseline;
}

// W3C baggage, written out independently of the codecs under test:
//   list-member = key OWS "=" OWS value *( OWS ";" OWS property )
//   property    = key OWS "=" OWS value / key
//   key = token (RFC 7230); value = *baggage-octet
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const OCTETS = '[\\x21\\x23-\\x2b\\x2d-\\x3a\\x3c-\\x5b\\x5d-\\x7e]*';
const OWS = '[ \\t]*';
const PROPERTY = `${TOKEN}(?:${OWS}=${OWS}${OCTETS})?`;
const MEMBER = new RegExp(`^${TOKEN}${OWS}=${OWS}${OCTETS}(?:${OWS};${OWS}${PROPERTY})*$`);

/** A long text as its first and last 60 characters. */
function ends(text) {
  return text.length > 120 ? `${text.slice(0, 60)}…${text.slice(-60)}` : text;
}

/** Why an outbound baggage header breaks the W3C grammar, or undefined. */
function baggageGrammarError(header) {
  for (const raw of header.split(',')) {
    const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (!MEMBER.test(member)) return `member ${JSON.stringify(ends(member))} breaks the W3C grammar`;
  }
  return undefined;
}

/** Invariant violations of one extract → span → inject round, as [name, detail] pairs. */
function checkRound(codecs, getInboundContext, trusted, ctx, out) {
  const problems = [];
  const tp = out.traceparent;
  if (tp === undefined) problems.push(['traceparent-missing', 'inject wrote no traceparent for a valid new span']);
  for (const [name, value] of Object.entries(out)) {
    if (typeof value !== 'string') {
      problems.push(['header-not-string', `${name} is ${typeof value}`]);
      continue;
    }
    try {
      validateHeaderValue(name, value);
    } catch (err) {
      const bad = /[^\t\x20-\x7e\x80-\xff]/.exec(value);
      const around = bad ? value.slice(Math.max(0, bad.index - 60), bad.index + 20) : value;
      problems.push(['header-unsendable', `${name}: ${err.code ?? err.message} at ${bad?.index}: ${JSON.stringify(ends(around))}`]);
    }
  }
  if (typeof tp === 'string') {
    const m = TRACEPARENT_OUT.exec(tp);
    if (!m) problems.push(['traceparent-format', tp]);
    else if (/^0+$/.test(m[1]) || /^0+$/.test(m[2])) problems.push(['traceparent-zero-id', tp]);
  }
  const ls = out['langsmith-trace'];
  if (typeof ls === 'string' && !codecs.parseDottedOrder(ls)) {
    const depth = ls.split('.').length;
    problems.push(['langsmith-trace-unparsable', `${depth} segment(s): ${ls.slice(0, 120)}${ls.length > 120 ? '…' : ''}`]);
  }
  const baggage = out.baggage;
  if (typeof baggage === 'string') {
    const members = baggage.split(',').length;
    const bytes = Buffer.byteLength(baggage);
    if (members > 64) problems.push(['baggage-members', `${members} members`]);
    if (bytes > 8192) problems.push(['baggage-bytes', `${bytes} bytes`]);
    const grammar = baggageGrammarError(baggage);
    if (grammar) problems.push(['baggage-grammar', grammar]);
    const reparsed = codecs.parseBaggage(baggage);
    if (reparsed.dropped > 0) problems.push(['baggage-reparse', `${reparsed.dropped} member(s) of our own header dropped: ${baggage.slice(0, 120)}`]);
  }
  // The outbound budget (constants.ts, issue 8): all lines within 12 KiB, each within 8 KiB.
  let headBytes = 0;
  for (const [name, value] of Object.entries(out)) {
    const field = name.length + 2 + Buffer.byteLength(String(value));
    headBytes += field + 2;
    if (field > 8190) problems.push(['header-line-budget', `${name}: ${field} bytes`]);
  }
  if (headBytes > 12_288) problems.push(['header-budget', `${headBytes} bytes of trace headers`]);
  const traceState = out.tracestate;
  if (typeof traceState === 'string' && !codecs.parseTraceState(traceState)) {
    problems.push(['tracestate-reparse', traceState.slice(0, 120)]);
  }
  if (!trusted) {
    if (getInboundContext(ctx) !== undefined) problems.push(['untrusted-inbound-context', 'inbound context set']);
    if (propagation.getBaggage(ctx) !== undefined) problems.push(['untrusted-baggage', 'OTel Baggage set']);
    if (trace.getSpanContext(ctx) !== undefined) problems.push(['untrusted-parent', 'remote parent set']);
    if (out.baggage !== undefined) problems.push(['untrusted-baggage-injected', String(out.baggage).slice(0, 120)]);
    if (out.tracestate !== undefined) problems.push(['untrusted-tracestate-injected', String(out.tracestate).slice(0, 120)]);
    if (typeof ls === 'string' && ls.includes('.')) problems.push(['untrusted-lineage-injected', ls.slice(0, 120)]);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

/**
 * Runs the fuzzer with the given package exports (dist or src); synchronous.
 * Installs its own global diag logger while it runs (to see what the
 * propagator swallows) and disables diag when done.
 */
export function fuzzWith(lib, options = {}) {
  const { count = DEFAULT_COUNT, seed = 1, timeBoundMs = DEFAULT_TIME_BOUND_MS, from = 0, onProgress } = options;
  const { LangSmithPropagator, LangSmithLineageProcessor, getInboundContext, codecs } = lib;
  const propagators = [
    [true, new LangSmithPropagator({ trust: true })],
    [false, new LangSmithPropagator({ trust: false })],
  ];
  const tracer = new BasicTracerProvider({ spanProcessors: [new LangSmithLineageProcessor()] }).getTracer('fuzz');
  const cache = makeCache(codecs);

  // The propagator's safety net logs swallowed exceptions at debug level.
  let swallowed = [];
  let planted = 0;
  const capture = (...args) => {
    // Component loggers pass the namespace first, then the message and the error.
    if (!args.some((a) => typeof a === 'string' && /\b(?:extract|inject) failed\b/.test(a))) return;
    if (args.some((a) => a instanceof PlantedError)) {
      planted++;
      return;
    }
    swallowed.push(args.map((a) => {
      try {
        return a instanceof Error ? `${a.name}: ${a.message}` : String(a);
      } catch {
        return typeof a;
      }
    }).join(' '));
  };
  diag.setLogger({ error: capture, warn: capture, info: capture, debug: capture, verbose: capture }, { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true });

  const report = {
    count,
    seed,
    timeBoundMs,
    throws: 0,
    timeBoundViolations: 0,
    invariantViolations: 0,
    slowOnce: 0,
    /** Exceptions thrown by the fuzzer's own hostile carriers and caught by the propagator, as designed. */
    plantedErrorsSwallowed: 0,
    byKind: {},
    /** Invariant violations whose input Node's http could have delivered (plain strings of legal header characters). */
    overHttpByKind: {},
    examples: [],
    slowest: { index: -1, ms: 0, category: '', input: '' },
    categories: {},
    elapsedMs: 0,
    inputsPerSecond: 0,
  };
  const exampleCount = {};
  const record = (kind, index, category, carrier, detail) => {
    report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
    exampleCount[kind] = (exampleCount[kind] ?? 0) + 1;
    if (exampleCount[kind] <= MAX_EXAMPLES) report.examples.push({ kind, index, category, detail, input: describeInput(carrier) });
  };

  /** One input through both trust modes; returns [ms, problems, thrown]. */
  const runOne = (carrier) => {
    const problems = [];
    const thrown = [];
    swallowed = [];
    const start = performance.now();
    for (const [trusted, propagator] of propagators) {
      let stage = 'extract';
      try {
        const ctx = propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
        stage = 'span';
        const span = tracer.startSpan('fuzz', {}, ctx);
        stage = 'inject';
        const out = {};
        propagator.inject(trace.setSpan(ctx, span), out, defaultTextMapSetter);
        stage = 'baggage';
        const entries = propagation.getBaggage(ctx)?.getAllEntries();
        if (entries) for (const [, entry] of entries) void entry.metadata?.toString();
        stage = 'tracestate';
        void trace.getSpanContext(ctx)?.traceState?.serialize();
        stage = 'langsmith baggage';
        const inbound = getInboundContext(ctx);
        void inbound?.baggage?.metadata;
        void inbound?.baggage?.tags;
        void inbound?.baggage?.project;
        span.end();
        stage = 'checks';
        for (const [name, detail] of checkRound(codecs, getInboundContext, trusted, ctx, out)) {
          problems.push([name, `trust ${trusted}: ${detail}`]);
        }
      } catch (err) {
        thrown.push(`trust ${trusted}, ${stage}: ${err?.name ?? typeof err}: ${err?.message ?? String(err)}`);
      }
    }
    const ms = performance.now() - start;
    for (const message of swallowed) thrown.push(`swallowed: ${message}`);
    return [ms, problems, thrown];
  };

  const baseline = prototypeSnapshot();
  const started = performance.now();
  for (let i = from; i < from + count; i++) {
    const { category, carrier } = generate(codecs, cache, seed, i);
    report.categories[category] = (report.categories[category] ?? 0) + 1;
    let [ms, problems, thrown] = runOne(carrier);
    if (ms > timeBoundMs) {
      report.slowOnce++;
      const [again] = runOne(carrier);
      ms = Math.min(ms, again);
      if (ms > timeBoundMs) {
        report.timeBoundViolations++;
        record('time-bound', i, category, carrier, `${ms.toFixed(2)} ms (bound ${timeBoundMs} ms)`);
      }
    }
    if (ms > report.slowest.ms) report.slowest = { index: i, ms, category, input: describeInput(carrier) };
    if (thrown.length > 0) {
      report.throws++;
      record('throw', i, category, carrier, thrown.join(' | '));
    }
    for (const [name, detail] of problems) {
      const http = overHttp(carrier);
      report.invariantViolations++;
      if (http) report.overHttpByKind[name] = (report.overHttpByKind[name] ?? 0) + 1;
      record(name, i, category, carrier, `${detail} [inbound ${http ? 'could arrive' : 'could not arrive'} over HTTP]`);
    }
    if (isPolluted(baseline)) {
      report.invariantViolations++;
      record('prototype-pollution', i, category, carrier, `Object/Array.prototype changed: ${prototypeSnapshot()} vs ${baseline}`);
      for (const key of PROBE_KEYS) delete Object.prototype[key];
    }
    if (onProgress && (i - from + 1) % 100_000 === 0) onProgress(i - from + 1);
  }
  report.elapsedMs = performance.now() - started;
  report.plantedErrorsSwallowed = planted;
  report.inputsPerSecond = Math.round(count / (report.elapsedMs / 1000));
  diag.disable();
  return report;
}

/** The built package as `fuzzWith` reads it: the root export plus the `/codecs` subpath (issue 13 moved the codecs there). */
async function builtPackage() {
  const root = await import(new URL('../dist/esm/index.js', import.meta.url).href);
  return { ...root, codecs: await import(new URL('../dist/esm/headers/index.js', import.meta.url).href) };
}

/**
 * Runs `count` inputs from `seed` (default 1,000,000 and 1) against `lib`
 * (default: the built package, dist/esm/index.js) and returns the report.
 */
export async function fuzz({ count = DEFAULT_COUNT, seed = 1, timeBoundMs = DEFAULT_TIME_BOUND_MS, lib, from = 0, onProgress } = {}) {
  const exportsOf = lib ?? (await builtPackage());
  return fuzzWith(exportsOf, { count, seed, timeBoundMs, from, onProgress });
}

/** Regenerates input `index` of `seed`. */
export async function replay({ seed = 1, index, lib }) {
  const exportsOf = lib ?? (await builtPackage());
  const { category, carrier } = generate(exportsOf.codecs, makeCache(exportsOf.codecs), seed, index);
  return { category, carrier, report: fuzzWith(exportsOf, { count: 1, seed, from: index }) };
}

export function formatReport(report) {
  const lines = [
    `inputs:              ${report.count.toLocaleString('en-US')} (seed ${report.seed})`,
    `throws:              ${report.throws} (and ${report.plantedErrorsSwallowed} exceptions of hostile carriers swallowed by extract, as designed)`,
    `time-bound (${report.timeBoundMs} ms): ${report.timeBoundViolations} violation(s) (${report.slowOnce} slow once, not on retry)`,
    `invariant violations: ${report.invariantViolations}`,
    `slowest input:       #${report.slowest.index} (${report.slowest.category}) ${report.slowest.ms.toFixed(2)} ms`,
    `                     ${report.slowest.input}`,
    `elapsed:             ${(report.elapsedMs / 1000).toFixed(1)} s, ${report.inputsPerSecond.toLocaleString('en-US')} inputs/s`,
    `categories:          ${Object.entries(report.categories).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  if (Object.keys(report.byKind).length > 0) {
    lines.push('violations by kind:');
    for (const [kind, n] of Object.entries(report.byKind)) {
      const http = report.overHttpByKind[kind];
      lines.push(`  ${kind}: ${n}${http === undefined ? '' : ` (${http} from input that could arrive over HTTP)`}`);
    }
    lines.push('examples (replay with --replay INDEX):');
    for (const e of report.examples) {
      lines.push(`  [${e.kind}] #${e.index} (${e.category}): ${e.detail}`);
      lines.push(`      input: ${e.input}`);
    }
  }
  return lines.join('\n');
}

/** True when the report holds a violation of a kind not listed in `allowed` (kinds as in `report.byKind`). */
export function hasViolations(report, allowed = []) {
  return Object.entries(report.byKind).some(([kind, n]) => n > 0 && !allowed.includes(kind));
}

const USAGE = 'usage: node scripts/fuzz.mjs [--count N] [--seed N] [--time-bound MS] [--replay INDEX] [--allow KIND,...]';

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const number = () => {
      const n = Number(String(value).replace(/_/g, ''));
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number, got ${JSON.stringify(value)}`);
      i++;
      return n;
    };
    if (flag === '--count') options.count = Math.floor(number());
    else if (flag === '--seed') options.seed = Math.floor(number());
    else if (flag === '--time-bound') options.timeBoundMs = number();
    else if (flag === '--replay') options.replay = Math.floor(number());
    else if (flag === '--allow') {
      options.allow = String(value ?? '').split(',').filter(Boolean);
      i++;
    }
    else if (flag === '--help' || flag === '-h') options.help = true;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`fuzz: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  if (options.replay !== undefined) {
    const { category, carrier, report } = await replay({ seed: options.seed ?? 1, index: options.replay });
    console.log(`input #${options.replay} of seed ${options.seed ?? 1} (${category}):`);
    console.log(describeInput(carrier));
    console.log(formatReport(report));
    process.exitCode = hasViolations(report, options.allow) ? 1 : 0;
    return;
  }
  const { allow = [], ...fuzzOptions } = options;
  const report = await fuzz({
    ...fuzzOptions,
    onProgress: (done) => process.stderr.write(`fuzz: ${done.toLocaleString('en-US')} inputs\n`),
  });
  console.log(formatReport(report));
  if (allow.length > 0) console.log(`not failing on (--allow): ${allow.join(', ')}`);
  process.exitCode = hasViolations(report, allow) ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
