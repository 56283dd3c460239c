/**
 * The pure parts of langsmith-otel-bridge/langgraph: which `configurable`
 * keys stand for which headers, which headers a caller sends, and that the
 * trust policy decides what `configurable` can continue. Table-driven; the
 * servers themselves are in agent-server.test.ts and python-agent-server.test.ts.
 */
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { getInboundContext, LangSmithPropagator, trustHeaderToken } from '../../src/index.js';
import { agentServerHeaders, callerContextFromConfig, carrierFromConfigurable, exposeTraceHeaders } from '../../src/langgraph/index.js';
import { makeProvider } from '../support/otel.js';

const TRACE = '20260101T000000000000Z0b3f7a2e-4c6d-4e8f-9a1b-2c3d4e5f6a7b';
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const TOKEN = 'gateway-token-0123456789abcdef';

describe('carrierFromConfigurable()', () => {
  const cases: Array<[string, Record<string, unknown> | undefined, Record<string, string>]> = [
    ['nothing', undefined, {}],
    ['unrelated keys', { thread_id: 't', 'user-agent': 'x' }, {}],
    [
      'JS server: x-* copies',
      { 'x-langsmith-trace': TRACE, 'x-baggage': 'a=b', 'x-traceparent': TRACEPARENT, 'x-tracestate': 'k=v' },
      { 'langsmith-trace': TRACE, baggage: 'a=b', traceparent: TRACEPARENT, tracestate: 'k=v' },
    ],
    [
      'JS server: the trust header is kept for the policy',
      { 'x-langsmith-trace': TRACE, 'x-langsmith-trust': TOKEN },
      { 'langsmith-trace': TRACE, 'x-langsmith-trust': TOKEN },
    ],
    ['x-* copies win over the Python keys', { 'x-langsmith-trace': TRACE, 'langsmith-trace': 'other', 'langsmith-project': 'p' }, { 'langsmith-trace': TRACE }],
    [
      'Python server: keys re-encoded as baggage, RunTree.toHeaders order',
      { 'langsmith-trace': TRACE, 'langsmith-project': 'p q', 'langsmith-metadata': { k: 'v/é' }, 'langsmith-tags': ['a', 'b c'] },
      { 'langsmith-trace': TRACE, baggage: 'langsmith-metadata=%7B%22k%22%3A%22v%2F%C3%A9%22%7D,langsmith-tags=a%2Cb%20c,langsmith-project=p%20q' },
    ],
    ['Python keys without langsmith-trace: nothing', { 'langsmith-project': 'p', 'langsmith-tags': ['a'] }, {}],
    ['non-string values are ignored', { 'x-langsmith-trace': 42, 'langsmith-trace': ['x'], 'x-langsmith-trust': { t: 1 } }, {}],
    ['inherited keys are not read', Object.create({ 'x-langsmith-trace': TRACE }) as Record<string, unknown>, {}],
  ];
  it.each(cases)('%s', (_name, configurable, expected) => {
    expect(carrierFromConfigurable(configurable)).toEqual(expected);
  });

  it('keeps a custom trust header (trustHeaderToken({ header }))', () => {
    const configurable = { 'x-langsmith-trace': TRACE, 'x-gw-token': TOKEN, 'x-langsmith-trust': 'other' };
    expect(carrierFromConfigurable(configurable, { trustHeader: 'X-GW-Token' })).toEqual({ 'langsmith-trace': TRACE, 'x-gw-token': TOKEN });
    const ctx = callerContextFromConfig({ configurable }, { trust: trustHeaderToken({ token: TOKEN, header: 'x-gw-token' }), trustHeader: 'x-gw-token' });
    expect(getInboundContext(ctx)?.parent?.value).toBe(TRACE);
  });
});

describe('callerContextFromConfig(): the trust policy decides', () => {
  const configurable = { 'x-langsmith-trace': TRACE, 'x-traceparent': TRACEPARENT, 'x-baggage': 'langsmith-project=caller' };
  const policy = trustHeaderToken({ token: TOKEN });
  const cases: Array<[string, Record<string, unknown>, boolean | typeof policy | undefined, boolean]> = [
    ['default: untrusted', configurable, undefined, false],
    ['trust: false', configurable, false, false],
    ['trust: true', configurable, true, true],
    ['token policy, right token', { ...configurable, 'x-langsmith-trust': TOKEN }, policy, true],
    ['token policy, wrong token', { ...configurable, 'x-langsmith-trust': 'not-the-token-0123456789' }, policy, false],
    ['token policy, no token', configurable, policy, false],
  ];
  it.each(cases)('%s', (_name, conf, trust, continued) => {
    const ctx = callerContextFromConfig({ configurable: conf }, trust === undefined ? {} : { trust });
    const inbound = getInboundContext(ctx);
    if (!continued) {
      expect(inbound).toBeUndefined();
      expect(trace.getSpanContext(ctx)).toBeUndefined();
      return;
    }
    expect(inbound?.parent?.value).toBe(TRACE);
    expect(inbound?.baggage?.project).toBe('caller');
    expect(trace.getSpanContext(ctx)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });
});

describe('agentServerHeaders()', () => {
  it('writes each family as x-<name>, and the standard names when asked', () => {
    const { start, ctxOf } = makeProvider({ project: 'svc' });
    const span = start('caller');
    const all = agentServerHeaders(ctxOf(span), { standard: true });
    const xOnly = agentServerHeaders(ctxOf(span), { standard: false });
    span.end();
    expect(Object.keys(all).sort()).toEqual(['baggage', 'langsmith-trace', 'traceparent', 'x-baggage', 'x-langsmith-trace', 'x-traceparent']);
    expect(all['x-langsmith-trace']).toBe(all['langsmith-trace']);
    expect(all['x-traceparent']).toBe(all.traceparent);
    expect(Object.keys(xOnly).sort()).toEqual(['x-baggage', 'x-langsmith-trace', 'x-traceparent']);
  });

  it('is empty without a span', () => {
    expect(agentServerHeaders(ROOT_CONTEXT, { standard: true })).toEqual({});
  });

  it('round-trips through carrierFromConfigurable and a trusted extract to the caller span', () => {
    const { start, ctxOf } = makeProvider({ project: 'svc' });
    const span = start('caller');
    const configurable = agentServerHeaders(ctxOf(span), { standard: false });
    span.end();
    const ctx = new LangSmithPropagator({ trust: true }).extract(ROOT_CONTEXT, carrierFromConfigurable(configurable), {
      get: (c, k) => (c as Record<string, string>)[k],
      keys: (c) => Object.keys(c as object),
    });
    expect(trace.getSpanContext(ctx)).toMatchObject({ spanId: span.spanContext().spanId, traceFlags: TraceFlags.SAMPLED });
    expect(getInboundContext(ctx)?.mode).toBe('both');
  });
});

describe('exposeTraceHeaders()', () => {
  it('copies the standard headers to x-* and keeps x-* already present', () => {
    const headers = new Headers({ 'langsmith-trace': TRACE, baggage: 'a=b', 'x-traceparent': 'kept' });
    headers.set('traceparent', TRACEPARENT);
    expect(exposeTraceHeaders(headers).sort()).toEqual(['x-baggage', 'x-langsmith-trace']);
    expect(headers.get('x-langsmith-trace')).toBe(TRACE);
    expect(headers.get('x-baggage')).toBe('a=b');
    expect(headers.get('x-traceparent')).toBe('kept');
  });
});
