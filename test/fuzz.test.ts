/**
 * A bounded share of scripts/fuzz.mjs for CI (20,000 generated and mutated
 * carriers, seed 1), run against the sources. `node scripts/fuzz.mjs`
 * runs the full million against the built package.
 *
 * The kinds of defect the fuzzer found during development each keep a
 * minimal reproduction below as a regression test.
 */
import { validateHeaderValue } from 'node:http';
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { beforeAll, describe, expect, it } from 'vitest';
import * as bridge from './support/fuzz-lib.js';
import { LangSmithPropagator } from '../src/index.js';
import * as codecs from '../src/headers/index.js';
import { DEFAULT_TIME_BOUND_MS, formatReport, fuzz, type FuzzReport } from '../scripts/fuzz.mjs';
import { makeProvider } from './support/otel.js';

const COUNT = 20_000;
let report: FuzzReport;

beforeAll(() => {
  return fuzz({ count: COUNT, seed: 1, lib: bridge }).then((r) => {
    report = r;
  });
}, 120_000);

/** Violations of these kinds, with the report's examples of them for the failure message. */
function violations(...kinds: string[]): { count: number; report: string } {
  const count = kinds.reduce((sum, kind) => sum + (report.byKind[kind] ?? 0), 0);
  return { count, report: count === 0 ? '' : formatReport(report) };
}

describe(`fuzz: ${COUNT.toLocaleString('en-US')} carriers through extract (trust true and false) → span → inject`, () => {
  it('ran every input and every generator', () => {
    expect(Object.values(report.categories).reduce((a, b) => a + b, 0)).toBe(COUNT);
    for (const category of ['valid', 'mutated', 'random-bytes', 'traceparent', 'dotted-order', 'baggage', 'tracestate', 'carrier', 'oversized']) {
      expect(report.categories[category], category).toBeGreaterThan(0);
    }
    // The hostile carriers (throwing getters, Proxies) did run, and were swallowed by extract.
    expect(report.plantedErrorsSwallowed).toBeGreaterThan(0);
  });

  it('never throws, and never swallows an exception of its own', () => {
    expect(violations('throw')).toEqual({ count: 0, report: '' });
  });

  it(`stays within ${DEFAULT_TIME_BOUND_MS} ms per input`, () => {
    expect(violations('time-bound')).toEqual({ count: 0, report: '' });
  });

  it('never changes Object.prototype or Array.prototype', () => {
    expect(violations('prototype-pollution')).toEqual({ count: 0, report: '' });
  });

  it('with trust false: no inbound context, parent or baggage; sends no tracestate, baggage or inbound lineage', () => {
    expect(
      violations(
        'untrusted-inbound-context',
        'untrusted-baggage',
        'untrusted-parent',
        'untrusted-baggage-injected',
        'untrusted-tracestate-injected',
        'untrusted-lineage-injected',
      ),
    ).toEqual({ count: 0, report: '' });
  });

  it('always injects a valid version-00 traceparent with non-zero ids', () => {
    expect(violations('traceparent-missing', 'traceparent-format', 'traceparent-zero-id')).toEqual({ count: 0, report: '' });
  });

  it('injects at most 64 baggage members and 8192 bytes, which parse back whole', () => {
    expect(violations('baggage-members', 'baggage-bytes', 'baggage-reparse')).toEqual({ count: 0, report: '' });
  });

  it('injects a tracestate that parses back', () => {
    expect(violations('tracestate-reparse', 'header-not-string')).toEqual({ count: 0, report: '' });
  });

  it('injects only header values Node http can send', () => {
    expect(violations('header-unsendable')).toEqual({ count: 0, report: '' });
  });

  it('injects a baggage header that follows the W3C grammar', () => {
    expect(violations('baggage-grammar')).toEqual({ count: 0, report: '' });
  });

  it('injects a langsmith-trace that codecs.parseDottedOrder accepts', () => {
    expect(violations('langsmith-trace-unparsable')).toEqual({ count: 0, report: '' });
  });

  it('keeps what it injects within the header budget (12 KiB together, 8190 bytes per field)', () => {
    expect(violations('header-budget', 'header-line-budget')).toEqual({ count: 0, report: '' });
  });
});

/** One trusted hop: extract, a local span, inject. */
function hop(headers: Record<string, string>): Record<string, string> {
  const propagator = new LangSmithPropagator({ trust: true });
  const ctx = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const span = makeProvider().start('server', ctx);
  const out: Record<string, string> = {};
  propagator.inject(trace.setSpan(ctx, span), out, defaultTextMapSetter);
  span.end();
  return out;
}

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const runId = (i: number): string => `01a200aa-925f-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`;

/** 256 segments: MAX_DOTTED_ORDER_SEGMENTS. */
const DEEPEST_ACCEPTED = Array.from({ length: 256 }, (_, i) =>
  codecs.formatDottedOrderSegment(Date.UTC(2026, 0, 1) * 1000 + i, runId(i)),
).join('.');
/** The latest time a dotted order can express: µs since the epoch stay below 2^53 until mid-2255. */
const LATEST_ACCEPTED = `22550101T000000000001Z${runId(0)}`;
/** Past 2^53 µs: microseconds would round, so a child could sort before its parent. */
const TOO_LATE = `99991231T235959999999Z${runId(0)}`;

describe('defects the fuzzer found (minimal reproductions, now regression tests)', () => {
  it('the reproductions start from inputs the codecs accept or reject as intended', () => {
    expect(codecs.parseDottedOrder(DEEPEST_ACCEPTED)?.depth).toBe(256);
    expect(codecs.parseDottedOrder(LATEST_ACCEPTED)?.depth).toBe(1);
    expect(codecs.parseDottedOrder(TOO_LATE)).toBeUndefined();
    expect(codecs.parseBaggage('k=v;\r\nx-injected: 1').members).toHaveLength(0);
  });

  it('baggage properties with CR/LF are dropped with their member: the outgoing request stays sendable', () => {
    const out = hop({ traceparent: TRACEPARENT, baggage: 'k=v;\r\nx-injected: 1,ok=1;p=2' });
    expect(out.baggage).toBe('ok=1;p=2');
    expect(() => validateHeaderValue('baggage', out.baggage!)).not.toThrow();
  });

  it('members whose properties break the W3C grammar (empty `;;`, a bare `=`) are dropped', () => {
    const out = hop({ traceparent: TRACEPARENT, baggage: 'k=v;;;,j=w;=,t=1;' });
    expect(out.baggage).toBe('t=1');
  });

  it('a lineage already at the 256-segment maximum is not extended past what the next hop accepts', () => {
    const propagator = new LangSmithPropagator({ trust: true });
    const ctx = propagator.extract(ROOT_CONTEXT, { 'langsmith-trace': DEEPEST_ACCEPTED }, defaultTextMapGetter);
    const span = makeProvider().start('server', ctx);
    const out: Record<string, string> = {};
    propagator.inject(trace.setSpan(ctx, span), out, defaultTextMapSetter);
    expect(out['langsmith-trace']).toBeUndefined();
    expect(out.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(propagator.stats.lineageTooDeep).toBe(1);
  });

  it('the latest accepted time yields a child segment that parses and is not earlier', () => {
    const out = hop({ 'langsmith-trace': LATEST_ACCEPTED });
    const child = codecs.parseDottedOrder(out['langsmith-trace']!);
    expect(child?.depth).toBe(2);
    expect(child!.startMicros).toBeGreaterThanOrEqual(codecs.parseDottedOrder(LATEST_ACCEPTED)!.startMicros);
  });
});
