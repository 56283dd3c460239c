/**
 * Issue 8: our own headers must not break a downstream. What inject writes
 * stays within the budget of constants.ts (measured: a default Node server
 * answers 431 once the request head passes 16 KiB), and diag / notices say
 * when a header is cut or left out.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import fc from 'fast-check';
import { RunTree } from 'langsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_INJECTED_DOTTED_ORDER_LENGTH,
  MAX_INJECTED_DOTTED_ORDER_SEGMENTS,
  MAX_INJECTED_HEADER_BYTES,
  MAX_INJECTED_HEADER_FIELD,
  MAX_INJECTED_TRACE_STATE_LENGTH,
} from '../../src/constants.js';
import { parseTraceState, truncateTraceState } from '../../src/headers/tracestate.js';
import { LangSmithPropagator } from '../../src/index.js';
import { notices } from '../../src/notices.js';
import { makeProvider } from '../support/otel.js';

const lineBytes = (headers: Record<string, string>) =>
  Object.entries(headers).reduce((sum, [name, value]) => sum + name.length + 2 + Buffer.byteLength(value) + 2, 0);

/** A chain of `depth` nested local spans (each the child of the previous); returns the context of the deepest. */
function nested(depth: number, base: Context = ROOT_CONTEXT): Context {
  const { start, ctxOf } = makeProvider();
  let ctx = base;
  for (let i = 0; i < depth; i++) ctx = ctxOf(start(`span ${i}`, ctx), ctx);
  return ctx;
}

function inject(ctx: Context, propagator = new LangSmithPropagator({ trust: true })): Record<string, string> {
  const out: Record<string, string> = {};
  propagator.inject(ctx, out, defaultTextMapSetter);
  return out;
}

describe('a default Node HTTP server downstream', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    // No options: Node's default --max-http-header-size (16 KiB). A LangSmith-native handler.
    server = http.createServer((req, res) => {
      const parent = RunTree.fromHeaders(req.headers as Record<string, string>);
      res.end(JSON.stringify({ depth: parent ? parent.dotted_order.split('.').length : 0 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (headers: Record<string, string>) =>
    new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/', headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('is the default server: the 250-deep langsmith-trace the bridge used to send (14.7 KB) gets 431', async () => {
    const unbudgeted = Array.from(
      { length: 250 },
      (_, i) =>
        `20250102T030405${String(678001 + i).padStart(6, '0')}Z0194${(i + 1).toString(16).padStart(4, '0')}-0000-7000-8000-${(i + 1).toString(16).padStart(12, '0')}`,
    ).join('.');
    expect(unbudgeted.length).toBe(14_749);
    expect((await send({ 'langsmith-trace': unbudgeted, cookie: 'x'.repeat(2000) })).status).toBe(431);
  });

  it.each([1, 50, MAX_INJECTED_DOTTED_ORDER_SEGMENTS, MAX_INJECTED_DOTTED_ORDER_SEGMENTS + 1, 250, 400])(
    'at %i nested spans (plus 2 KB of application headers and full baggage) answers 200',
    async (depth) => {
      const bag = propagation.createBaggage(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, { value: 'v'.repeat(200) }])));
      const headers = inject(nested(depth, propagation.setBaggage(ROOT_CONTEXT, bag)));
      expect(lineBytes(headers)).toBeLessThanOrEqual(MAX_INJECTED_HEADER_BYTES);
      const { status, body } = await send({ ...headers, cookie: 'x'.repeat(2000), authorization: `Bearer ${'t'.repeat(500)}` });
      expect(status).toBe(200);
      // Within the budget the lineage arrives whole; past it, none does (the callee starts a new trace).
      expect(JSON.parse(body).depth).toBe(depth <= MAX_INJECTED_DOTTED_ORDER_SEGMENTS ? depth : 0);
    },
  );
});

describe('the budget, header by header', () => {
  it(`langsmith-trace: ${MAX_INJECTED_DOTTED_ORDER_SEGMENTS} runs are sent whole (${MAX_INJECTED_DOTTED_ORDER_LENGTH} characters); one more and it is left out, counted and noticed`, () => {
    notices.reset();
    const lines: string[] = [];
    notices.configure({ write: (line) => void lines.push(line) });
    try {
      const atLimit = inject(nested(MAX_INJECTED_DOTTED_ORDER_SEGMENTS));
      expect(atLimit['langsmith-trace']).toHaveLength(MAX_INJECTED_DOTTED_ORDER_LENGTH);
      expect(`langsmith-trace: ${atLimit['langsmith-trace']}`.length).toBeLessThanOrEqual(MAX_INJECTED_HEADER_FIELD);
      const propagator = new LangSmithPropagator({ trust: true });
      const over = inject(nested(MAX_INJECTED_DOTTED_ORDER_SEGMENTS + 1), propagator);
      expect(over['langsmith-trace']).toBeUndefined();
      expect(over.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(propagator.stats.lineageTooDeep).toBe(1);
      expect(lines).toEqual([expect.stringMatching(/langsmith-trace not sent: the lineage is 138 runs deep, over the 137/)]);
    } finally {
      notices.reset();
    }
  });

  it('tracestate: received whole up to 512 characters; longer is truncated by the W3C rule and counted', () => {
    const long = `big=${'b'.repeat(200)}`;
    const small = Array.from({ length: 31 }, (_, i) => `k${i}=${'v'.repeat(10)}`);
    const inbound = [small[0], long, ...small.slice(1)].join(',');
    expect(inbound.length).toBeGreaterThan(MAX_INJECTED_TRACE_STATE_LENGTH);
    const propagator = new LangSmithPropagator({ trust: true });
    const ctx = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: inbound },
      defaultTextMapGetter,
    );
    const out = inject(ctx, propagator);
    // The 205-character member goes first; then members from the end until it fits.
    expect(out.tracestate).toBe(small.slice(0, 31).join(',').slice(0, out.tracestate!.length));
    expect(out.tracestate!.length).toBeLessThanOrEqual(MAX_INJECTED_TRACE_STATE_LENGTH);
    expect(out.tracestate).not.toContain('big=');
    expect(propagator.stats.traceStateTruncated).toBe(1);
  });

  it.each([
    ['fits: unchanged', 'a=1,b=2', 10, 'a=1,b=2'],
    ['members over 128 characters go first', `a=1,x=${'x'.repeat(127)},b=2`, 10, 'a=1,b=2'],
    ['then from the end', 'a=1,b=2,c=3', 7, 'a=1,b=2'],
    ['large ones from the end first, then the end', `a=${'a'.repeat(130)},b=2,c=${'c'.repeat(130)},d=4`, 3, 'b=2'],
    ['nothing fits', 'abc=1', 2, ''],
  ])('truncateTraceState: %s', (_rule, input, max, expected) => {
    expect(truncateTraceState(input, max)).toBe(expected);
  });

  it('truncateTraceState keeps whole members, within the bound, and a valid header', () => {
    const member = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/), fc.stringMatching(/^[!-+.-<>-~]{1,200}$/)).map(([k, v]) => `${k}=${v}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(member, { minLength: 1, maxLength: 32, selector: (m) => m.split('=')[0] }),
        fc.integer({ min: 0, max: 700 }),
        (members, max) => {
          const out = truncateTraceState(members.join(','), max);
          expect(out.length).toBeLessThanOrEqual(max);
          if (out) {
            for (const m of out.split(',')) expect(members).toContain(m);
            expect(parseTraceState(out)).toBeDefined();
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('all four headers stay within 12 KiB, every field within 8190 bytes, whatever came in', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 32 }),
        (depth, entries, valueLength, stateMembers) => {
          const bag = propagation.createBaggage(Object.fromEntries(Array.from({ length: entries }, (_, i) => [`key${i}`, { value: 'v'.repeat(valueLength) }])));
          const propagator = new LangSmithPropagator({ trust: true });
          const carrier: Record<string, string> = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
          if (stateMembers > 0) carrier.tracestate = Array.from({ length: stateMembers }, (_, i) => `k${i}=${'s'.repeat((valueLength % 250) + 1)}`).join(',');
          const ctx = propagation.setBaggage(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter), bag);
          const out = inject(nested(depth, ctx), propagator);
          expect(lineBytes(out)).toBeLessThanOrEqual(MAX_INJECTED_HEADER_BYTES);
          for (const [name, value] of Object.entries(out)) expect(name.length + 2 + value.length, name).toBeLessThanOrEqual(MAX_INJECTED_HEADER_FIELD);
        },
      ),
      { numRuns: 40 },
    );
  });
});
