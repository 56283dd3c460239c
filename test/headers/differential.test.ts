/**
 * Differential properties (issue 8, "tests that can fail"): each header
 * grammar is stated a second time here, independently and plainly — a
 * regular expression or a few lines written from the spec text, not from
 * src — and generated valid inputs and near-miss invalid ones (a valid input
 * with one or two edits from the grammar's own alphabet) must be accepted or
 * rejected by the codec exactly as the statement says. The other property
 * files only check "never throws" and "re-parses", which no mutation of a
 * validation check can fail; these can (see the mutation list in the report
 * of issue 8, reproduced at the end of this file).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBaggage } from '../../src/headers/baggage.js';
import { parseDottedOrder } from '../../src/headers/dotted-order.js';
import { decodeMetadata, decodeProject, decodeTags } from '../../src/headers/langsmith-baggage.js';
import { parseTraceParent } from '../../src/headers/traceparent.js';
import { parseTraceState } from '../../src/headers/tracestate.js';

const RUNS = { numRuns: 3000 };
/** Each property must have exercised both verdicts at least this often. */
const MIN_EACH = 200;

// ---- Shared generator pieces ----

const charOf = (alphabet: string) => fc.constantFrom(...alphabet.split(''));
const stringOf = (alphabet: string, minLength: number, maxLength: number) => fc.string({ unit: charOf(alphabet), minLength, maxLength });
const HEX = '0123456789abcdef';
const OWS = stringOf(' \t', 0, 2);

type Edit = { at: number; kind: 'insert' | 'delete' | 'replace'; char: string };
/** One or two edits drawn from `alphabet`: most results are near misses, some stay valid. */
function nearMiss(valid: fc.Arbitrary<string>, alphabet: string): fc.Arbitrary<string> {
  const edit: fc.Arbitrary<Edit> = fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('insert', 'delete', 'replace') as fc.Arbitrary<Edit['kind']>,
    char: charOf(alphabet),
  });
  return fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 2 })).map(([s, edits]) => {
    let out = s;
    for (const { at, kind, char } of edits) {
      const i = out.length === 0 ? 0 : at % (out.length + (kind === 'insert' ? 1 : 0));
      if (kind === 'insert') out = out.slice(0, i) + char + out.slice(i);
      else if (kind === 'delete') out = out.slice(0, i) + out.slice(i + 1);
      else out = out.slice(0, i) + char + out.slice(i + 1);
    }
    return out;
  });
}

/** Runs `check` on valid and near-miss inputs; asserts agreement with the reference and that both verdicts occurred. */
function differential<T>(
  valid: fc.Arbitrary<string>,
  alphabet: string,
  reference: (s: string) => T | undefined,
  actual: (s: string) => T | undefined,
  /** Whether the reference rejected (part of) the input; default: it returned undefined. */
  rejects: (input: string, expected: T | undefined) => boolean = (_input, expected) => expected === undefined,
): void {
  const seen = { accepted: 0, rejected: 0 };
  fc.assert(
    fc.property(fc.oneof(valid, nearMiss(valid, alphabet), nearMiss(valid, alphabet)), (input) => {
      const expected = reference(input);
      rejects(input, expected) ? seen.rejected++ : seen.accepted++;
      expect(actual(input), JSON.stringify(input)).toEqual(expected);
    }),
    RUNS,
  );
  expect(seen.accepted, 'valid inputs generated').toBeGreaterThanOrEqual(MIN_EACH);
  expect(seen.rejected, 'invalid inputs generated').toBeGreaterThanOrEqual(MIN_EACH);
}

const trimOws = (s: string) => s.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');

// ---- traceparent (W3C trace-context level 2, §3.2) ----

/**
 * version "-" trace-id "-" parent-id "-" trace-flags, lowercase hex; version
 * ff is invalid; version 00 has nothing after the flags; a higher version may
 * be followed by "-" and anything; all-zero ids are invalid. OWS around the
 * value is ignored; over 512 characters is not read.
 */
function referenceTraceParent(header: string) {
  if (header.length > 512) return undefined;
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\s\S]*)?$/.exec(trimOws(header));
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return undefined;
  return { traceId: traceId!, spanId: spanId!, traceFlags: parseInt(flags!, 16) };
}

const hexOf = (n: number) => stringOf(HEX, n, n);
const validTraceParent = fc
  .tuple(
    // Version ff (forbidden) and the other non-00 versions at the edges of the grammar, not only by chance.
    fc.oneof({ weight: 4, arbitrary: fc.constant('00') }, hexOf(2), fc.constantFrom('ff', 'fe', '01')),
    fc.oneof({ weight: 9, arbitrary: hexOf(32) }, fc.constant('0'.repeat(32))),
    fc.oneof({ weight: 9, arbitrary: hexOf(16) }, fc.constant('0'.repeat(16))),
    hexOf(2),
    fc.string({ maxLength: 12 }),
    OWS,
    OWS,
  )
  .map(
    ([version, traceId, spanId, flags, extra, before, after]) =>
      `${before}${version}-${traceId}-${spanId}-${flags}${version === '00' ? '' : `-${extra}`}${after}`,
  );

// ---- tracestate (W3C trace-context level 2, §3.3) ----

/**
 * list-member *( OWS "," OWS list-member ), empty members allowed, at most 32
 * members; key = (lcalpha / DIGIT) 0*255(lcalpha / DIGIT / "_" / "-" / "*" /
 * "/" / "@"); value = 0*255(chr) nblk-chr, chr = %x20 / nblk-chr, nblk-chr =
 * %x21-2B / %x2D-3C / %x3E-7E. Anything else discards the whole header. A
 * repeated key keeps the first. Serialized without OWS.
 */
function referenceTraceState(header: string): string | undefined {
  if (header.length === 0 || header.length > 32 * 513 + 31) return undefined;
  const kept = new Map<string, string>();
  let count = 0;
  for (const raw of header.split(',')) {
    const member = trimOws(raw);
    if (member === '') continue;
    if (++count > 32) return undefined;
    const m = /^([a-z0-9][a-z0-9_\-*/@]{0,255})=([\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e])$/.exec(member);
    if (!m) return undefined;
    if (!kept.has(m[1]!)) kept.set(m[1]!, m[2]!);
  }
  return kept.size === 0 ? undefined : [...kept].map(([k, v]) => `${k}=${v}`).join(',');
}

const TS_KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/@';
const TS_VALUE_CHARS = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i))
  .filter((c) => c !== ',' && c !== '=')
  .join('');
const tsKey = fc.tuple(charOf('abcdefghijklmnopqrstuvwxyz0123456789'), fc.oneof(stringOf(TS_KEY_CHARS, 0, 8), stringOf('k', 250, 256))).map(([a, b]) => a + b);
const tsValue = fc.tuple(fc.oneof(stringOf(TS_VALUE_CHARS, 0, 10), stringOf('v ', 250, 256)), charOf(TS_VALUE_CHARS.slice(1))).map(([a, b]) => a + b);
const validTraceState = fc
  .oneof(
    fc.array(fc.tuple(fc.oneof(tsKey, fc.constant('dup')), tsValue, OWS, OWS), { minLength: 1, maxLength: 8 }),
    // Around the 32-member limit, with empty members (which do not count) mixed in.
    fc
      .integer({ min: 31, max: 34 })
      .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(tsValue, OWS, OWS), { minLength: n, maxLength: n })))
      .map(([, members]) => members.map(([v, a, b], i) => [`k${i}`, v, a, b] as [string, string, string, string])),
  )
  .chain((members) => fc.boolean().map((empty) => members.map(([k, v, a, b]) => `${a}${k}=${v}${b}`).join(empty ? ', ,' : ',')));

// ---- baggage (W3C baggage, §3.3.1) ----

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const OCTETS = '[\\x21\\x23-\\x2b\\x2d-\\x3a\\x3c-\\x5b\\x5d-\\x7e]*';
const W = '[ \\t]*';
const PROPERTY = `${TOKEN}(?:${W}=${W}${OCTETS})?`;
/** list-member = key OWS "=" OWS value *( OWS ";" OWS property ); a lone ";" after the value is tolerated (as OTel). */
const BAGGAGE_MEMBER = new RegExp(`^(${TOKEN})${W}=${W}(${OCTETS})(?:((?:${W};${W}${PROPERTY})+)|${W};)?$`);

/** Percent-decoding written from RFC 3986 + UTF-8: "%" HEXDIG HEXDIG only, and the bytes must be valid UTF-8. */
function referencePercentDecode(s: string): string | undefined {
  if (!/^(?:[^%]|%[0-9A-Fa-f]{2})*$/.test(s)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** The members a header of at most 64 members and 8192 bytes yields: [key, value, properties][], and how many are dropped. */
function referenceBaggage(header: string): { members: [string, string, string | undefined][]; dropped: number } {
  const members: [string, string, string | undefined][] = [];
  let dropped = 0;
  for (const raw of header.split(',')) {
    const member = trimOws(raw);
    if (member === '') continue;
    const m = BAGGAGE_MEMBER.exec(member);
    const key = m && referencePercentDecode(m[1]!);
    const value = m && referencePercentDecode(m[2]!);
    if (!m || !key || value === undefined || value === null) {
      dropped++;
      continue;
    }
    const properties = m[3] === undefined ? undefined : trimOws(m[3]).replace(/^;[ \t]*/, '');
    members.push([key, value, properties]);
  }
  return { members, dropped };
}

const BAGGAGE_TOKEN_CHARS = "!#$&'*+-.^_`|~0123456789ABCXYZabcxyz";
const BAGGAGE_OCTET_CHARS = "!#$&'()*+-./0123456789:<=>?@ABCZ[]^_`abcz{|}~";
const escapes = fc.constantFrom('%20', '%C3%BC', '%E4%B8%AD', '%F0%9F%98%80', '%2C', '%3B', '%25');
const bagKey = fc.array(fc.oneof({ weight: 5, arbitrary: charOf(BAGGAGE_TOKEN_CHARS) }, escapes), { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
const bagValue = fc.array(fc.oneof({ weight: 5, arbitrary: charOf(BAGGAGE_OCTET_CHARS) }, escapes), { maxLength: 8 }).map((a) => a.join(''));
const bagProperty = fc
  .tuple(stringOf(BAGGAGE_TOKEN_CHARS, 1, 4), fc.option(stringOf(BAGGAGE_OCTET_CHARS, 0, 4), { nil: undefined }), OWS, OWS)
  .map(([k, v, a, b]) => (v === undefined ? `${a};${b}${k}` : `${a};${b}${k}${a}=${b}${v}`));
const validBaggage = fc
  .array(
    fc.tuple(
      bagKey,
      bagValue,
      fc.oneof(
        fc.constant(''),
        fc.constant(';'),
        fc.array(bagProperty, { minLength: 1, maxLength: 2 }).map((p) => p.join('')),
      ),
      OWS,
      OWS,
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((members) => members.map(([k, v, p, a, b]) => `${a}${k}${a}=${b}${v}${p}${b}`).join(','));
const BAGGAGE_BREAKERS = ' \t,;="\\%é\u0000\u007f' + 'Gg0F';

// ---- dotted order (LangSmith run-data-format; the ingest's 400 rules) ----

/**
 * segment = YYYYMMDD "T" HHMMSS ffffff "Z" uuid (lowercase 8-4-4-4-12),
 * joined by "."; 1 to 256 segments; a real UTC date from 1970 whose µs fit a
 * double exactly; timestamps never decrease; no nil UUID; no run id twice.
 */
function referenceDottedOrder(header: string) {
  const value = trimOws(header);
  const segments = value.split('.');
  if (segments.length > 256) return undefined;
  const ids: string[] = [];
  let previous = -1;
  let last = 0;
  for (const segment of segments) {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{6})Z([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(segment);
    if (!m) return undefined;
    const [y, mo, d, h, mi, s, us] = m.slice(1, 8).map(Number) as number[];
    const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
    const real = y! >= 1970 && date.getUTCFullYear() === y && date.getUTCMonth() === mo! - 1 && date.getUTCDate() === d && h! < 24 && mi! < 60 && s! < 60;
    if (!real) return undefined;
    const micros = date.getTime() * 1000 + us!;
    if (micros > Number.MAX_SAFE_INTEGER || micros < previous) return undefined;
    if (/^[0-]+$/.test(m[8]!) || ids.includes(m[8]!)) return undefined;
    ids.push(m[8]!);
    previous = last = micros;
  }
  return {
    value,
    depth: ids.length,
    lsTraceId: ids[0]!,
    runId: ids.at(-1)!,
    parentRunId: ids.length > 1 ? ids.at(-2) : undefined,
    startMicros: last,
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const segmentAt = (micros: number, id: string) => {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${pad(micros % 1_000_000, 6)}Z${id}`;
};
const validDottedOrder = fc
  .tuple(
    fc.integer({ min: 0, max: 7_000_000_000_000_000 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000_000 }), fc.uuid()), { minLength: 1, maxLength: 6 }),
    OWS,
  )
  .map(([start, steps, ows]) => {
    let micros = start;
    return ows + steps.map(([delta, id]) => segmentAt((micros += delta), id)).join('.');
  });
/** Near-miss edits also as whole-segment operations: a swapped pair (time goes back), a repeated run, a leap day. */
const dottedSpecials = fc.oneof(
  validDottedOrder.map((v) => v.split('.').reverse().join('.')),
  validDottedOrder.map((v) => `${v}.${v.trim().split('.').at(-1)}`),
  fc.constantFrom(
    '20240229T000000000000Z019424f8-632e-7000-8000-008074abbf4d',
    '21000229T000000000000Z019424f8-632e-7000-8000-008074abbf4d',
    '20000229T000000000000Z019424f8-632e-7000-8000-008074abbf4d',
    '20250431T000000000000Z019424f8-632e-7000-8000-008074abbf4d',
    '19691231T235959999999Z019424f8-632e-7000-8000-008074abbf4d',
    '22550101T000000000000Z019424f8-632e-7000-8000-008074abbf4d',
    '22560101T000000000000Z019424f8-632e-7000-8000-008074abbf4d',
    '20250102T030405678001Z00000000-0000-0000-0000-000000000000',
  ),
);

describe('differential: each codec against an independent statement of its grammar', () => {
  it('traceparent', () => {
    differential(validTraceParent, '0123456789abcdefABCDEFgx- \t', referenceTraceParent, parseTraceParent);
  });

  it('tracestate', () => {
    differential(validTraceState, 'az09_-*/@=, \t~!A\u007f\u0000', referenceTraceState, (s) => parseTraceState(s)?.serialize());
  });

  it('baggage: accepted members, their decoded keys, values and properties, and the dropped count', () => {
    differential(
      validBaggage,
      BAGGAGE_BREAKERS,
      referenceBaggage,
      (s) => {
        const { members, dropped } = parseBaggage(s);
        return { members: members.map((m) => [m.key, m.value, m.properties] as [string, string, string | undefined]), dropped };
      },
      (_s, expected) => expected!.dropped > 0,
    );
  });

  it('baggage: a member is accepted exactly when the reference accepts it alone', () => {
    const member = validBaggage.map((h) => h.split(',')[0]!);
    differential(
      member,
      BAGGAGE_BREAKERS.replace(',', ''),
      (s) => (referenceBaggage(s).members.length === 1 ? 'ok' : undefined),
      (s) => (parseBaggage(s).members.length === 1 ? 'ok' : undefined),
    );
  });

  it('dotted order', () => {
    differential(fc.oneof({ weight: 3, arbitrary: validDottedOrder }, dottedSpecials), '0123456789abcdefTZ.-A ', referenceDottedOrder, parseDottedOrder);
  });
});

// ---- The LangSmith members of baggage ----

/**
 * langsmith-tags: a comma list; each tag trimmed, 1–256 characters, no C0
 * control or DEL; repeats dropped; at most 64.
 */
function referenceTags(list: string): string[] | undefined {
  const tags: string[] = [];
  for (const raw of list.split(',')) {
    const tag = raw.trim();
    if (tag === '' || tag.length > 256 || /[\u0000-\u001f\u007f]/.test(tag) || tags.includes(tag)) continue;
    if (tags.length < 64) tags.push(tag);
  }
  return tags.length > 0 ? tags : undefined;
}

/** langsmith-project: trimmed, 1–512 characters, no C0 control or DEL. */
function referenceProject(value: string): string | undefined {
  const project = value.trim();
  return project !== '' && project.length <= 512 && !/[\u0000-\u001f\u007f]/.test(project) ? project : undefined;
}

/**
 * langsmith-metadata: at most 4096 UTF-8 bytes of JSON whose top level is an
 * object; `__proto__`, `constructor`, `prototype` removed at every depth;
 * top-level keys reserved for LangSmith and the bridge removed
 * (`usage_metadata`, `ls_*`, `otel_*`, `service.*`); empty is absent.
 */
function referenceMetadata(json: string): Record<string, unknown> | undefined {
  if (json === '' || new TextEncoder().encode(json).length > 4096) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  const clean = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(clean);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
      const c = clean(x);
      if (c !== undefined) Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const top = clean(parsed) as Record<string, unknown>;
  for (const k of Object.keys(top)) if (/^(usage_metadata$|ls_|otel_|service\.)/.test(k)) delete top[k];
  return Object.keys(top).length > 0 ? top : undefined;
}

describe('differential: the LangSmith baggage members', () => {
  it('langsmith-tags', () => {
    const tag = fc.oneof(
      { weight: 6, arbitrary: stringOf('abcé 😀-_', 1, 6) },
      stringOf('t', 250, 260),
      fc.constantFrom('', ' ', 'a\u0000b', 'x\u007f', 'dup', ' dup '),
    );
    const valid = fc.array(tag, { minLength: 1, maxLength: 70 }).map((t) => t.join(','));
    const rejectsATag = (s: string) => s.split(',').some((t) => t.trim() !== '' && (t.trim().length > 256 || /[\u0000-\u001f\u007f]/.test(t.trim())));
    differential(
      valid,
      ', \t\n\u0000\u007fa',
      referenceTags,
      (s) => decodeTags(s) as string[] | undefined,
      (s, expected) => expected === undefined || rejectsATag(s),
    );
  });

  it('langsmith-project', () => {
    const valid = fc.oneof(stringOf('pé 😀/-', 1, 10), stringOf('p', 505, 515), stringOf(' p', 500, 520));
    differential(valid, ' \t\n\r\u0000\u007f\u2028p', referenceProject, decodeProject);
  });

  it('langsmith-metadata', () => {
    const key = fc.oneof(
      { weight: 4, arbitrary: stringOf('abk_.', 1, 6) },
      fc.constantFrom('usage_metadata', 'ls_model_name', 'ls_', 'otel_trace_id', 'service.name', 'lsx', 'usage', '__proto__', 'constructor', 'prototype'),
    );
    const value = fc.oneof(
      { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      fc.integer({ min: 3980, max: 4100 }).map((n) => 'x'.repeat(n)),
      fc.dictionary(fc.constantFrom('__proto__', 'a', 'constructor'), fc.integer(), { maxKeys: 2 }),
    );
    const valid = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .array(fc.tuple(key, value), { maxLength: 5 })
          .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`),
      },
      fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v)),
    );
    differential(valid, '{}[]":,1 é', referenceMetadata, decodeMetadata);
  });
});

/*
 * Mutations checked (issue 8), one line of src/headers each, applied one at a
 * time: every one fails a test above; test/headers/properties.test.ts and
 * test/fuzz.test.ts together catch only M7 and M8.
 *  M1  traceparent: version ff accepted          M10 dotted order: a child earlier than its parent
 *  M2  traceparent: all-zero span id accepted    M11 dotted order: 2100-02-29 is a date
 *  M3  traceparent: data after version-00 flags  M12 dotted order: the nil UUID accepted
 *  M4  tracestate: "=" inside a value            M13 dotted order: a run id twice in one lineage
 *  M5  tracestate: 33 members                    M14 langsmith-tags: 257-character tags
 *  M6  tracestate: a key starting with "_"       M15 langsmith-project: control characters
 *  M7  baggage: "\" in a value                   M16 langsmith-metadata: 4 KiB counted in UTF-16 units
 *  M8  baggage: '"' in a key                     M17 langsmith-metadata: ls_* keys from the caller
 *  M9  baggage: a value with a broken %-escape
 */
