/**
 * The W3C trace-context conformance suite (w3c/trace-context, `test/test.py`)
 * at STRICT_LEVEL=2 and SPEC_LEVEL=2, as this project's own table: one row per
 * `def test_*` of TraceContextTest, AdvancedTest and TraceContext2Test (41),
 * named as in the suite, each with the inbound header lines its requests carry
 * and what the suite asserts about the headers of the service's callbacks.
 *
 * The service under test is what a real deployment runs: a Node http server
 * (so the carrier is `request.headers`, exactly what instrumentation-http
 * hands to `propagation.extract`: lowercased names, repeated lines joined with
 * ", "), a real BasicTracerProvider with LangSmithLineageProcessor, one new
 * span per callback, and a real outgoing http request whose header lines are
 * read back on the other side and judged by the suite's rules (one
 * `traceparent`, version 00, lowercase hex, no zero ids; every `tracestate`
 * member well formed or the harness errors).
 *
 * The same cases run against OTel JS core's CompositePropagator(W3C trace
 * context, W3C baggage), so "core fails N of them" is measured here.
 * `scripts/w3c-suite.sh` runs the official suite itself, where a copy exists.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, trace, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LangSmithLineageProcessor, LangSmithPropagator } from '../src/index.js';

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

/** One inbound header line, as the harness sends it (names keep their case, lines may repeat). */
type HeaderLine = readonly [name: string, value: string];

interface TraceStateExpectation {
  /** Keys that must be present, with their value (or any one of several values). */
  has?: Record<string, string | readonly string[]>;
  /** Keys that must be absent. */
  lacks?: readonly string[];
  /** Exact number of members. */
  size?: number;
  /** Keys that must appear in this order. */
  order?: readonly string[];
}

/** What the suite asserts about the callback(s) of one request. */
interface Expectation {
  /** The callbacks' trace id: kept (`is`) or different from each listed id (`not`). */
  traceId?: { is: string } | { not: readonly string[] };
  /** The callbacks' parent id differs from this (a new span was started). */
  parentIdNot?: string;
  /** Level 2: the random flag (0x02) is set. */
  randomFlag?: true;
  tracestate?: TraceStateExpectation;
  /** Several callbacks: this many distinct parent ids (one new span per call). */
  distinctParentIds?: number;
  /** Several callbacks: they all carry one trace id. */
  oneTraceId?: true;
}

interface Step {
  inbound: readonly HeaderLine[];
  /** Callbacks the service is asked to make (default 1). */
  callbacks?: number;
  expect: Expectation;
}

interface ConformanceCase {
  suite: 'TraceContextTest' | 'AdvancedTest' | 'TraceContext2Test';
  name: string;
  /** Skipped by the suite below STRICT_LEVEL=2. */
  strict?: true;
  steps: readonly Step[];
  /** The suite compares the tracestate sizes of the steps' callbacks with each other. */
  sameTraceStateSize?: true;
}

const TRACE_ID = '12345678901234567890123456789012';
const PARENT_ID = '1234567890123456';
const ZERO_TRACE_ID = '0'.repeat(32);
/** A valid version-00 traceparent with these flags. */
const tp = (flags: string): string => `00-${TRACE_ID}-${PARENT_ID}-${flags}`;
const TP_SAMPLED = tp('01');
const TP_UNSAMPLED = tp('00');

const keeps = { traceId: { is: TRACE_ID } } as const;
const restarts = (...ids: string[]): Expectation => ({ traceId: { not: ids.length > 0 ? ids : [TRACE_ID] } });
/** A request whose traceparent must not be continued (the suite: "a newly generated trace_id"). */
const invalidTraceParent = (value: string, ...ids: string[]): Step => ({
  inbound: [['traceparent', value]],
  expect: restarts(...ids),
});
/** A request with the unsampled traceparent and these tracestate lines. */
const withTraceState = (lines: readonly HeaderLine[], expectation: Expectation): Step => ({
  inbound: [['traceparent', TP_UNSAMPLED], ...lines],
  expect: expectation,
});
const ts = (value: string): HeaderLine => ['tracestate', value];
const foo1 = { foo: '1' } as const;

/** W3C §3.3.1.3.2: every character a key and a value may hold. */
const KEY_WITHOUT_VENDOR = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
const KEY_WITH_VENDOR = `${KEY_WITHOUT_VENDOR}@a-z0-9_-*/`;
const ALL_VALUE_CHARS = [
  [0x20, 0x2b],
  [0x2d, 0x3c],
  [0x3e, 0x7e],
]
  .map(([from, to]) => String.fromCharCode(...Array.from({ length: to! - from! + 1 }, (_, i) => from! + i)))
  .join('');

const members = (from: number, to: number): string =>
  Array.from({ length: to - from + 1 }, (_, i) => {
    const n = String(from + i).padStart(2, '0');
    return `bar${n}=${n}`;
  }).join(',');

const CASES: readonly ConformanceCase[] = [
  // ---- TraceContextTest: trace context level 1 ----
  {
    suite: 'TraceContextTest',
    name: 'test_both_traceparent_and_tracestate_missing',
    steps: [{ inbound: [], expect: {} }],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_included_tracestate_missing',
    steps: [{ inbound: [['traceparent', TP_SAMPLED]], expect: { ...keeps, parentIdNot: PARENT_ID } }],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_duplicated',
    steps: [
      {
        inbound: [
          ['traceparent', `00-12345678901234567890123456789011-${PARENT_ID}-01`],
          ['traceparent', `00-12345678901234567890123456789012-${PARENT_ID}-01`],
        ],
        expect: restarts('12345678901234567890123456789011', '12345678901234567890123456789012'),
      },
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_header_name',
    steps: [
      { inbound: [['trace-parent', TP_SAMPLED]], expect: restarts() },
      { inbound: [['trace.parent', TP_SAMPLED]], expect: restarts() },
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_header_name_valid_casing',
    steps: ['TraceParent', 'TrAcEpArEnT', 'TRACEPARENT'].map((name) => ({ inbound: [[name, TP_SAMPLED]], expect: keeps })),
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_version_0x00',
    steps: [invalidTraceParent(`${TP_SAMPLED}.`), invalidTraceParent(`${TP_SAMPLED}-what-the-future-will-be-like`)],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_version_0xcc',
    steps: [
      { inbound: [['traceparent', `cc-${TRACE_ID}-${PARENT_ID}-01`]], expect: keeps },
      { inbound: [['traceparent', `cc-${TRACE_ID}-${PARENT_ID}-01-what-the-future-will-be-like`]], expect: keeps },
      invalidTraceParent(`cc-${TRACE_ID}-${PARENT_ID}-01.what-the-future-will-be-like`),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_version_0xff',
    steps: [invalidTraceParent(`ff-${TRACE_ID}-${PARENT_ID}-01`)],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_version_illegal_characters',
    steps: [invalidTraceParent(`.0-${TRACE_ID}-${PARENT_ID}-01`), invalidTraceParent(`0.-${TRACE_ID}-${PARENT_ID}-01`)],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_version_too_long',
    steps: [invalidTraceParent(`000-${TRACE_ID}-${PARENT_ID}-01`), invalidTraceParent(`0000-${TRACE_ID}-${PARENT_ID}-01`)],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_version_too_short',
    steps: [invalidTraceParent(`0-${TRACE_ID}-${PARENT_ID}-01`)],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_trace_id_all_zero',
    steps: [invalidTraceParent(`00-${ZERO_TRACE_ID}-${PARENT_ID}-01`, ZERO_TRACE_ID)],
  },
  {
    suite: 'TraceContextTest',
    // The suite compares with the illegal strings themselves, which no valid
    // header can carry: these rows check only that a valid traceparent goes out.
    name: 'test_traceparent_trace_id_illegal_characters',
    steps: [
      invalidTraceParent(`00-.2345678901234567890123456789012-${PARENT_ID}-01`, '.2345678901234567890123456789012'),
      invalidTraceParent(`00-1234567890123456789012345678901.-${PARENT_ID}-01`, '1234567890123456789012345678901.'),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_trace_id_too_long',
    steps: [
      invalidTraceParent(
        `00-123456789012345678901234567890123-${PARENT_ID}-01`,
        '123456789012345678901234567890123',
        TRACE_ID,
        '23456789012345678901234567890123',
      ),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_trace_id_too_short',
    steps: [invalidTraceParent(`00-1234567890123456789012345678901-${PARENT_ID}-01`, '1234567890123456789012345678901')],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_parent_id_all_zero',
    steps: [invalidTraceParent(`00-${TRACE_ID}-0000000000000000-01`)],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_parent_id_illegal_characters',
    steps: [invalidTraceParent(`00-${TRACE_ID}-.234567890123456-01`), invalidTraceParent(`00-${TRACE_ID}-123456789012345.-01`)],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_parent_id_too_long',
    steps: [invalidTraceParent(`00-${TRACE_ID}-12345678901234567-01`)],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_parent_id_too_short',
    steps: [invalidTraceParent(`00-${TRACE_ID}-123456789012345-01`)],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_trace_flags_illegal_characters',
    steps: [invalidTraceParent(tp('.0')), invalidTraceParent(tp('0.'))],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_trace_flags_too_long',
    steps: [invalidTraceParent(tp('001'))],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_trace_flags_too_short',
    steps: [invalidTraceParent(tp('1'))],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_traceparent_ows_handling',
    steps: [` ${TP_SAMPLED}`, `\t${TP_SAMPLED}`, `${TP_SAMPLED} `, `${TP_SAMPLED}\t`, `\t ${TP_SAMPLED} \t`].map((value) => ({
      inbound: [['traceparent', value]],
      expect: keeps,
    })),
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_included_traceparent_missing',
    steps: [
      { inbound: [ts('foo=1')], expect: {} },
      { inbound: [ts('foo=1,bar=2')], expect: {} },
    ],
    sameTraceStateSize: true,
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_included_traceparent_included',
    steps: [withTraceState([ts('foo=1,bar=2')], { ...keeps, tracestate: { has: { foo: '1', bar: '2' } } })],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_header_name',
    steps: [
      withTraceState([['trace-state', 'foo=1']], { tracestate: { lacks: ['foo'] } }),
      withTraceState([['trace.state', 'foo=1']], { tracestate: { lacks: ['foo'] } }),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_header_name_valid_casing',
    steps: ['TraceState', 'TrAcEsTaTe', 'TRACESTATE'].map((name) => withTraceState([[name, 'foo=1']], { tracestate: { has: foo1 } })),
  },
  {
    suite: 'TraceContextTest',
    // The suite's first assertion (`not tracestate or tracestate != ''`) holds
    // for any parsed tracestate; only the trace id is really checked there.
    name: 'test_tracestate_empty_header',
    steps: [
      withTraceState([ts('')], keeps),
      withTraceState([ts('foo=1'), ts('')], { ...keeps, tracestate: { has: foo1 } }),
      withTraceState([ts(''), ts('foo=1')], { ...keeps, tracestate: { has: foo1 } }),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_multiple_headers_different_keys',
    steps: [
      withTraceState([ts('foo=1,bar=2'), ts('rojo=1,congo=2'), ts('baz=3')], {
        ...keeps,
        tracestate: {
          has: { foo: '1', bar: '2', rojo: '1', congo: '2', baz: '3' },
          order: ['foo', 'bar', 'rojo', 'congo', 'baz'],
        },
      }),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_duplicated_keys',
    strict: true,
    steps: [
      withTraceState([ts('foo=1,foo=1')], { ...keeps, tracestate: { has: foo1 } }),
      withTraceState([ts('foo=1,foo=2')], { ...keeps, tracestate: { has: { foo: ['1', '2'] } } }),
      withTraceState([ts('foo=1'), ts('foo=1')], { ...keeps, tracestate: { has: foo1 } }),
      withTraceState([ts('foo=1'), ts('foo=2')], { ...keeps, tracestate: { has: { foo: ['1', '2'] } } }),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_all_allowed_characters',
    steps: [
      withTraceState([ts(`${KEY_WITHOUT_VENDOR}=${ALL_VALUE_CHARS}`)], {
        tracestate: { has: { [KEY_WITHOUT_VENDOR]: ALL_VALUE_CHARS } },
      }),
      withTraceState([ts(`${KEY_WITH_VENDOR}=${ALL_VALUE_CHARS}`)], {
        tracestate: { has: { [KEY_WITH_VENDOR]: ALL_VALUE_CHARS } },
      }),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_ows_handling',
    steps: [
      withTraceState([ts('foo=1 \t , \t bar=2, \t baz=3')], { tracestate: { has: { foo: '1', bar: '2', baz: '3' } } }),
      withTraceState([ts('foo=1\t \t,\t \tbar=2,\t \tbaz=3')], { tracestate: { has: { foo: '1', bar: '2', baz: '3' } } }),
      ...[' foo=1', '\tfoo=1', 'foo=1 ', 'foo=1\t', '\t foo=1 \t'].map((value) => withTraceState([ts(value)], { ...keeps, tracestate: { has: foo1 } })),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_key_illegal_characters',
    strict: true,
    steps: [
      withTraceState([ts('foo =1')], { tracestate: { lacks: ['foo '] } }),
      withTraceState([ts('FOO=1')], { tracestate: { lacks: ['FOO'] } }),
      withTraceState([ts('foo.bar=1')], { tracestate: { lacks: ['foo.bar'] } }),
    ],
  },
  {
    suite: 'TraceContextTest',
    // Level 2 key grammar: `@` is a key character; only a key that starts with it is illegal.
    name: 'test_tracestate_key_illegal_vendor_format',
    strict: true,
    steps: [
      withTraceState([ts('foo@=1,bar=2')], { tracestate: { has: { 'foo@': '1', bar: '2' } } }),
      withTraceState([ts('@foo=1,bar=2')], { tracestate: { lacks: ['bar'] } }),
      withTraceState([ts('foo@@bar=1,bar=2')], { tracestate: { has: { 'foo@@bar': '1', bar: '2' } } }),
      withTraceState([ts('foo@bar@baz=1,bar=2')], { tracestate: { has: { 'foo@bar@baz': '1', bar: '2' } } }),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_member_count_limit',
    strict: true,
    steps: [
      withTraceState([ts(members(1, 10)), ts(members(11, 20)), ts(members(21, 30)), ts(members(31, 32))], {
        tracestate: { has: { bar01: '01' }, size: 32 },
      }),
      withTraceState([ts(members(1, 10)), ts(members(11, 20)), ts(members(21, 30)), ts(members(31, 33))], {
        tracestate: { lacks: ['bar01'] },
      }),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_key_length_limit',
    strict: true,
    steps: [
      withTraceState([ts('foo=1'), ts(`${'z'.repeat(256)}=1`)], { tracestate: { has: { foo: '1', ['z'.repeat(256)]: '1' } } }),
      withTraceState([ts('foo=1'), ts(`${'z'.repeat(257)}=1`)], { tracestate: { lacks: ['foo'] } }),
      ...[`${'t'.repeat(241)}@${'v'.repeat(14)}`, `${'t'.repeat(242)}@v`, `t@${'v'.repeat(15)}`].map((key) =>
        withTraceState([ts('foo=1'), ts(`${key}=1`)], { tracestate: { has: { foo: '1', [key]: '1' } } }),
      ),
    ],
  },
  {
    suite: 'TraceContextTest',
    name: 'test_tracestate_value_illegal_characters',
    strict: true,
    steps: [
      withTraceState([ts('foo=bar=baz')], { tracestate: { lacks: ['foo'] } }),
      withTraceState([ts('foo=,bar=3')], { tracestate: { lacks: ['foo', 'bar'] } }),
    ],
  },

  // ---- AdvancedTest: several callbacks per request ----
  {
    suite: 'AdvancedTest',
    name: 'test_multiple_requests_with_valid_traceparent',
    steps: [{ inbound: [['traceparent', TP_SAMPLED]], callbacks: 3, expect: { ...keeps, oneTraceId: true, distinctParentIds: 3 } }],
  },
  {
    suite: 'AdvancedTest',
    name: 'test_multiple_requests_without_traceparent',
    steps: [{ inbound: [], callbacks: 3, expect: { distinctParentIds: 3 } }],
  },
  {
    suite: 'AdvancedTest',
    name: 'test_multiple_requests_with_illegal_traceparent',
    steps: [
      {
        inbound: [['traceparent', `00-${ZERO_TRACE_ID}-${PARENT_ID}-01`]],
        callbacks: 3,
        expect: { ...restarts(ZERO_TRACE_ID), distinctParentIds: 3 },
      },
    ],
  },

  // ---- TraceContext2Test: trace context level 2 ----
  {
    suite: 'TraceContext2Test',
    name: 'test_propagates_random_flag',
    steps: [{ inbound: [['traceparent', tp('02')]], expect: { ...keeps, parentIdNot: PARENT_ID, randomFlag: true } }],
  },
];

/**
 * Cases OTel JS core 2.x's CompositePropagator(W3CTraceContextPropagator,
 * W3CBaggagePropagator) fails at strict level 2, spec level 2, as measured
 * below: the child span does not keep the random flag; tracestate members are
 * dropped one by one instead of discarding the whole header (an illegal
 * value, a key over 256 characters) and a 33-member header is truncated
 * instead of discarded; and its key grammar predates level 2 (`foo@`,
 * `foo@@bar`, `foo@bar@baz`, a tenant over 241 or a vendor over 14
 * characters are rejected). The official suite run by scripts/w3c-suite.sh
 * with W3C_PROPAGATOR=otel-core reports the same five.
 */
const CORE_FAILURES = [
  'test_tracestate_key_illegal_vendor_format',
  'test_tracestate_member_count_limit',
  'test_tracestate_key_length_limit',
  'test_tracestate_value_illegal_characters',
  'test_propagates_random_flag',
];

/** Cases the bridge fails (none; an entry here makes its test `it.fails`). */
const KNOWN_BRIDGE_FAILURES = new Set<string>();

// ---------------------------------------------------------------------------
// Reading the callbacks as the harness does
// ---------------------------------------------------------------------------

interface OutboundTraceParent {
  traceId: string;
  parentId: string;
  flags: number;
}

interface Outbound {
  traceParent: OutboundTraceParent;
  /** Members in header order; a repeated key keeps its first value (as the harness). */
  traceState: Map<string, string>;
}

/** The harness accepts version 00 only, exactly four fields, lowercase hex, no zero ids. */
const HARNESS_TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
/** The harness's member grammar (level 2 keys, any number of `@`). */
const HARNESS_TRACESTATE_MEMBER = /^([0-9a-z][_0-9a-z\-*/@]{0,255})=([\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e])$/;
const HARNESS_TRACESTATE_DELIMITER = /[ \t]*,[ \t]*/;

/** Reads one callback's header lines; a string is what would make the harness fail or error. */
function readOutbound(lines: readonly HeaderLine[]): Outbound | string {
  const traceParents = lines.filter(([name]) => name.toLowerCase() === 'traceparent');
  if (traceParents.length !== 1) return `expected one traceparent header, got ${traceParents.length}`;
  const value = traceParents[0]![1];
  const match = HARNESS_TRACEPARENT.exec(value);
  if (!match) return `traceparent ${JSON.stringify(value)} is not a valid version-00 header`;
  const [, traceId, parentId, flags] = match as unknown as [string, string, string, string];
  if (traceId === ZERO_TRACE_ID || parentId === '0000000000000000') return `traceparent ${value} has a zero id`;
  const traceState = new Map<string, string>();
  for (const [name, header] of lines) {
    if (name.toLowerCase() !== 'tracestate') continue;
    for (const member of header.split(HARNESS_TRACESTATE_DELIMITER)) {
      if (!member) continue;
      const m = HARNESS_TRACESTATE_MEMBER.exec(member);
      if (!m) return `tracestate member ${JSON.stringify(member)} is malformed`;
      if (!traceState.has(m[1]!)) traceState.set(m[1]!, m[2]!);
    }
  }
  return { traceParent: { traceId, parentId, flags: parseInt(flags, 16) }, traceState };
}

function check(expectation: Expectation, outbound: readonly Outbound[]): string[] {
  const failures: string[] = [];
  for (const { traceParent, traceState } of outbound) {
    const { traceId } = expectation;
    if (traceId && 'is' in traceId && traceParent.traceId !== traceId.is) {
      failures.push(`trace id ${traceParent.traceId}, expected ${traceId.is} kept`);
    }
    if (traceId && 'not' in traceId && traceId.not.includes(traceParent.traceId)) {
      failures.push(`trace id ${traceParent.traceId} continued, expected a new one`);
    }
    if (expectation.parentIdNot !== undefined && traceParent.parentId === expectation.parentIdNot) {
      failures.push(`parent id ${traceParent.parentId} is the caller's: no new span`);
    }
    if (expectation.randomFlag && (traceParent.flags & 0x02) === 0) {
      failures.push(`trace flags 0x${traceParent.flags.toString(16).padStart(2, '0')}: random flag not propagated`);
    }
    const expected = expectation.tracestate;
    if (expected) {
      const serialized = [...traceState].map(([k, v]) => `${k}=${v}`).join(',');
      for (const [key, value] of Object.entries(expected.has ?? {})) {
        const allowed = typeof value === 'string' ? [value] : value;
        if (!allowed.includes(traceState.get(key) as string)) {
          failures.push(`tracestate ${JSON.stringify(serialized)}: expected ${key}=${allowed.join(' or ')}`);
        }
      }
      for (const key of expected.lacks ?? []) {
        if (traceState.has(key)) failures.push(`tracestate ${JSON.stringify(serialized)}: expected no ${key}`);
      }
      if (expected.size !== undefined && traceState.size !== expected.size) {
        failures.push(`tracestate has ${traceState.size} members, expected ${expected.size}`);
      }
      if (expected.order) {
        const keys = [...traceState.keys()];
        const positions = expected.order.map((k) => keys.indexOf(k));
        if (positions.some((p, i) => p < 0 || (i > 0 && p < positions[i - 1]!))) {
          failures.push(`tracestate ${JSON.stringify(serialized)}: expected order ${expected.order.join(', ')}`);
        }
      }
    }
  }
  if (expectation.oneTraceId && new Set(outbound.map((o) => o.traceParent.traceId)).size !== 1) {
    failures.push('callbacks carry different trace ids');
  }
  if (expectation.distinctParentIds !== undefined) {
    const distinct = new Set(outbound.map((o) => o.traceParent.parentId)).size;
    if (distinct !== expectation.distinctParentIds) {
      failures.push(`${distinct} distinct parent ids, expected ${expectation.distinctParentIds}`);
    }
  }
  return failures;
}

// ---------------------------------------------------------------------------
// The service and the harness's callback endpoint, over real sockets
// ---------------------------------------------------------------------------

interface Action {
  url: string;
  arguments: unknown;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** POSTs JSON with header lines given as a raw list (repeats and name case kept), resolving on the response. */
function post(url: string, lines: readonly HeaderLine[] | Record<string, string>, body: unknown): Promise<number> {
  const target = new URL(url);
  const payload = JSON.stringify(body);
  const fixed: HeaderLine[] = [
    ['Host', target.host],
    ['Content-Type', 'application/json'],
    ['Content-Length', String(Buffer.byteLength(payload))],
  ];
  const given = Array.isArray(lines) ? (lines as readonly HeaderLine[]) : Object.entries(lines);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent: false,
        headers: [...given, ...fixed].flat(),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Records the header lines of each callback, by path. */
class CallbackSink {
  readonly received = new Map<string, HeaderLine[]>();
  private readonly _server = http.createServer((req, res) => {
    const raw = req.rawHeaders;
    const lines: HeaderLine[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) lines.push([raw[i]!, raw[i + 1]!]);
    this.received.set(req.url ?? '', lines);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('null'));
  });
  url = '';

  async start(): Promise<void> {
    this.url = await listen(this._server);
  }

  stop(): Promise<void> {
    return close(this._server);
  }
}

/**
 * The system under test: for each element of the JSON body, a new span whose
 * parent is the extracted context, and a POST of `arguments` to `url` with
 * the context injected.
 */
class Service {
  private readonly _tracer = new BasicTracerProvider({ spanProcessors: [new LangSmithLineageProcessor()] }).getTracer('w3c');
  private readonly _server: http.Server;
  url = '';

  constructor(propagator: TextMapPropagator) {
    this._server = http.createServer((req, res) => {
      void (async () => {
        try {
          const actions = JSON.parse(await readBody(req)) as Action[];
          const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
          for (const action of actions) {
            const span = this._tracer.startSpan('callback', { kind: SpanKind.CLIENT }, parent);
            const headers: Record<string, string> = {};
            propagator.inject(trace.setSpan(parent, span), headers, defaultTextMapSetter);
            try {
              await post(action.url, headers, action.arguments);
            } finally {
              span.end();
            }
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end('null');
        } catch (err) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
        }
      })();
    });
  }

  async start(): Promise<void> {
    this.url = await listen(this._server);
  }

  stop(): Promise<void> {
    return close(this._server);
  }
}

let sequence = 0;

/** Runs every step of a case; returns what the suite would report (empty: the case passes). */
async function runCase(service: Service, sink: CallbackSink, testCase: ConformanceCase): Promise<string[]> {
  const failures: string[] = [];
  const traceStateSizes: number[] = [];
  for (const [index, step] of testCase.steps.entries()) {
    const paths = Array.from({ length: step.callbacks ?? 1 }, () => `/callback/${++sequence}`);
    const status = await post(
      `${service.url}/test`,
      step.inbound,
      paths.map((p) => ({ url: sink.url + p, arguments: [] })),
    );
    const outbound: Outbound[] = [];
    for (const path of paths) {
      const lines = sink.received.get(path);
      const read = lines ? readOutbound(lines) : `no callback (service answered ${status})`;
      if (typeof read === 'string') failures.push(`step ${index + 1}: ${read}`);
      else outbound.push(read);
    }
    if (outbound.length !== paths.length) continue;
    failures.push(...check(step.expect, outbound).map((f) => `step ${index + 1}: ${f}`));
    traceStateSizes.push(outbound[0]!.traceState.size);
  }
  if (testCase.sameTraceStateSize && new Set(traceStateSizes).size > 1) {
    failures.push(`tracestate sizes differ between requests: ${traceStateSizes.join(' vs ')}`);
  }
  return failures;
}

// ---------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------

const sink = new CallbackSink();
const bridge = new Service(new LangSmithPropagator({ trust: true }));
const core = new Service(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));

beforeAll(async () => {
  await Promise.all([sink.start(), bridge.start(), core.start()]);
});

afterAll(async () => {
  await Promise.all([sink.stop(), bridge.stop(), core.stop()]);
});

describe('the table', () => {
  it('has the 41 cases of test.py, each name once', () => {
    expect(CASES).toHaveLength(41);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(41);
    expect(CASES.filter((c) => c.suite === 'AdvancedTest')).toHaveLength(3);
    expect(CASES.filter((c) => c.suite === 'TraceContext2Test')).toHaveLength(1);
    expect(CASES.filter((c) => c.strict)).toHaveLength(6);
  });

  it('judges a callback as the harness does', () => {
    expect(
      readOutbound([
        ['traceparent', TP_SAMPLED],
        ['tracestate', 'a=1 , b=2'],
      ]),
    ).toEqual({
      traceParent: { traceId: TRACE_ID, parentId: PARENT_ID, flags: 1 },
      traceState: new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    });
    expect(readOutbound([])).toMatch(/one traceparent/);
    expect(
      readOutbound([
        ['traceparent', TP_SAMPLED],
        ['TraceParent', TP_SAMPLED],
      ]),
    ).toMatch(/one traceparent/);
    expect(readOutbound([['traceparent', `01-${TRACE_ID}-${PARENT_ID}-01`]])).toMatch(/version-00/);
    expect(readOutbound([['traceparent', `${TP_SAMPLED}-x`]])).toMatch(/version-00/);
    expect(readOutbound([['traceparent', `00-${TRACE_ID}-0000000000000000-01`]])).toMatch(/zero id/);
    expect(
      readOutbound([
        ['traceparent', TP_SAMPLED],
        ['tracestate', 'FOO=1'],
      ]),
    ).toMatch(/malformed/);
  });
});

describe('W3C trace-context suite (strict 2, spec 2) against LangSmithPropagator({ trust: true })', () => {
  for (const suite of ['TraceContextTest', 'AdvancedTest', 'TraceContext2Test'] as const) {
    describe(suite, () => {
      for (const testCase of CASES.filter((c) => c.suite === suite)) {
        const test = KNOWN_BRIDGE_FAILURES.has(testCase.name) ? it.fails : it;
        test(testCase.name, async () => {
          expect(await runCase(bridge, sink, testCase)).toEqual([]);
        });
      }
    });
  }
});

describe('the same cases against OTel JS core CompositePropagator(W3CTraceContextPropagator, W3CBaggagePropagator)', () => {
  const measured = new Map<string, string[]>();

  for (const testCase of CASES) {
    const fails = CORE_FAILURES.includes(testCase.name);
    it(`${testCase.name}: ${fails ? 'fails' : 'passes'}`, async () => {
      const failures = await runCase(core, sink, testCase);
      measured.set(testCase.name, failures);
      if (fails) expect(failures).not.toEqual([]);
      else expect(failures).toEqual([]);
    });
  }

  it(`fails exactly ${CORE_FAILURES.length} of the ${CASES.length} cases`, () => {
    expect(measured.size).toBe(CASES.length);
    const failing = CASES.map((c) => c.name).filter((name) => measured.get(name)!.length > 0);
    expect(failing).toEqual(CORE_FAILURES);
  });
});
