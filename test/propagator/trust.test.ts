import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, defaultTextMapGetter, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getInboundContext,
  getSpanLineage,
  LangSmithPropagator,
  stripTracingHeaders,
  trustedNetworks,
  trustHeaderToken,
  UNTRUSTED_LINK_ATTRIBUTE,
} from '../../src/index.js';
import { makeProvider } from '../support/otel.js';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const LS = '20261122T003148319001Z01a200aa-925f-7000-8000-02c54bd19234';
const HOSTILE = {
  traceparent: TP,
  tracestate: 'evil=1',
  'langsmith-trace': LS,
  baggage: 'langsmith-project=attacker,langsmith-metadata=%7B%22a%22%3A1%7D,langsmith-tags=x,tenant=evil',
};
const TOKEN = 'a-long-enough-secret-token';

describe('trust', () => {
  it('is off by default: an untrusted caller gets a new root that only links to its traceparent', () => {
    const p = new LangSmithPropagator();
    const ctx = p.extract(ROOT_CONTEXT, HOSTILE, defaultTextMapGetter);
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    expect(getInboundContext(ctx)).toBeUndefined();
    expect(propagation.getBaggage(ctx)).toBeUndefined();
    expect(p.stats.untrusted).toBe(1);

    const { start, exporter } = makeProvider({ project: 'mine' });
    const span = start('server', ctx);
    span.end();
    const [exported] = exporter.getFinishedSpans();
    expect(exported!.spanContext().traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    expect(exported!.parentSpanContext).toBeUndefined();
    expect(exported!.links).toHaveLength(1);
    expect(exported!.links[0]).toMatchObject({
      context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 0, isRemote: true },
      attributes: { [UNTRUSTED_LINK_ATTRIBUTE]: true },
    });
    const lineage = getSpanLineage(span)!;
    expect(lineage.parentRunId).toBeUndefined();
    expect(lineage.upstream).toBeUndefined();
    expect(lineage.baggage!.project).toBe('mine');
  });

  it('an untrusted -00 or -01 does not steer sampling: the root decision is local', () => {
    const p = new LangSmithPropagator();
    const ctx = p.extract(ROOT_CONTEXT, { traceparent: TP.replace(/-01$/, '-00') }, defaultTextMapGetter);
    const span = makeProvider().start('server', ctx);
    expect(span.isRecording()).toBe(true);
  });

  it('rejects a trust option of the wrong type with a message that says what to set', () => {
    expect(() => new LangSmithPropagator({ trust: 'yes' as never })).toThrow(/`trust` must be a boolean or a function/);
    expect(() => new LangSmithPropagator({ traceparentOnly: 'x' as never })).toThrow(/'root' or 'attach'/);
  });

  it('a throwing trust policy means untrusted, never an exception', () => {
    const p = new LangSmithPropagator({
      trust: () => {
        throw new Error('x');
      },
    });
    expect(getInboundContext(p.extract(ROOT_CONTEXT, HOSTILE, defaultTextMapGetter))).toBeUndefined();
  });

  describe('trustHeaderToken', () => {
    const p = new LangSmithPropagator({ trust: trustHeaderToken({ token: [TOKEN, 'another-rotated-secret'] }) });
    it.each([
      ['the right token', { 'x-langsmith-trust': TOKEN }, true],
      ['a rotated token', { 'x-langsmith-trust': 'another-rotated-secret' }, true],
      ['no token', {}, false],
      ['a wrong token', { 'x-langsmith-trust': TOKEN + 'x' }, false],
      ['a token prefix', { 'x-langsmith-trust': TOKEN.slice(0, -1) }, false],
      ['two tokens', { 'x-langsmith-trust': [TOKEN, TOKEN] }, false],
    ])('%s → trusted=%s', (_name, extra, expected) => {
      const ctx = p.extract(ROOT_CONTEXT, { ...HOSTILE, ...extra }, defaultTextMapGetter);
      expect(getInboundContext(ctx)?.baggage?.project === 'attacker').toBe(expected);
    });
    it('fails fast on a missing or short token', () => {
      expect(() => trustHeaderToken({ token: 'short' })).toThrow(/at least 16 characters/);
      expect(() => trustHeaderToken({ token: [] })).toThrow(/LANGSMITH_OTEL_TRUST_TOKEN/);
    });
  });

  describe('stripTracingHeaders', () => {
    it('removes the propagation headers and the trust header from Node and Fetch headers', () => {
      const node: Record<string, unknown> = { ...HOSTILE, 'x-langsmith-trust': TOKEN, host: 'x' };
      expect(stripTracingHeaders(node).sort()).toEqual(['baggage', 'langsmith-trace', 'traceparent', 'tracestate', 'x-langsmith-trust']);
      expect(node).toEqual({ host: 'x' });
      const fetchHeaders = new Headers({ ...HOSTILE, 'x-langsmith-trust': TOKEN, host: 'x' });
      stripTracingHeaders(fetchHeaders);
      expect([...fetchHeaders.keys()]).toEqual(['host']);
    });
  });

  describe('trustedNetworks', () => {
    it('matches IPv4, IPv6 and IPv4-mapped IPv6 peers', () => {
      const net = trustedNetworks(['10.0.0.0/8', '127.0.0.1/32', 'fd00::/8']);
      expect(net.isTrustedAddress('10.1.2.3')).toBe(true);
      expect(net.isTrustedAddress('::ffff:10.1.2.3')).toBe(true);
      expect(net.isTrustedAddress('127.0.0.1')).toBe(true);
      expect(net.isTrustedAddress('127.0.0.2')).toBe(false);
      expect(net.isTrustedAddress('fd12::1')).toBe(true);
      expect(net.isTrustedAddress('11.0.0.1')).toBe(false);
      expect(net.isTrustedAddress('not-an-ip')).toBe(false);
      expect(net.isTrustedAddress(undefined)).toBe(false);
    });

    it.each(['10.0.0.0/33', '10.0.0/8', 'fd00::/129', 'x', '10.0.0.0/'])('fails fast on %s', (cidr) => {
      expect(() => trustedNetworks([cidr])).toThrow(/is not a CIDR block/);
    });

    describe('through the real instrumentation-http hook on a loopback server', () => {
      const seen: Array<{ project: string | undefined; parent: string | undefined }> = [];
      let server: Http.Server;
      let instrumentation: HttpInstrumentation;
      let url = '';

      async function serve(trustedCidrs: string[]) {
        const netTrust = trustedNetworks(trustedCidrs);
        const { provider } = makeProvider();
        const contextManager = new AsyncLocalStorageContextManager().enable();
        context.setGlobalContextManager(contextManager);
        trace.setGlobalTracerProvider(provider);
        propagation.setGlobalPropagator(new LangSmithPropagator({ trust: netTrust.trust }));
        instrumentation = new HttpInstrumentation(netTrust.instrumentationConfig({}));
        instrumentation.setTracerProvider(provider);
        instrumentation.enable();
        // Required after enable() so require-in-the-middle patches it, as in an app.
        const http = createRequire(import.meta.url)('http') as typeof Http;
        server = http.createServer((_req, res) => {
          const span = trace.getSpan(context.active());
          const lineage = getSpanLineage(span);
          seen.push({ project: lineage?.baggage?.project, parent: lineage?.parentRunId });
          res.end('ok');
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      }

      afterAll(async () => {
        instrumentation?.disable();
        await new Promise((resolve) => server?.close(resolve));
        trace.disable();
        propagation.disable();
        context.disable();
      });

      beforeAll(() => serve(['127.0.0.0/8']));

      it('a loopback caller is trusted: its LangSmith parent and project are used', async () => {
        await fetch(url, { headers: HOSTILE });
        expect(seen.at(-1)).toEqual({ project: 'attacker', parent: '01a200aa-925f-7000-8000-02c54bd19234' });
      });

      it('every request on a kept-alive connection is trusted (the peer is checked once per socket)', async () => {
        const before = seen.length;
        let connections = 0;
        const onConnection = () => connections++;
        server.on('connection', onConnection);
        try {
          for (let i = 0; i < 3; i++) await (await fetch(url, { headers: HOSTILE })).text(); // undici keeps the connection
        } finally {
          server.off('connection', onConnection);
        }
        expect(connections).toBeLessThanOrEqual(1);
        expect(seen.slice(before)).toEqual(Array(3).fill({ project: 'attacker', parent: '01a200aa-925f-7000-8000-02c54bd19234' }));
      });

      it('one socket, two policies: each keeps its own verdict, and a socket not yet connected is not cached', () => {
        const socket: { remoteAddress?: string } = {};
        const loopback = trustedNetworks(['127.0.0.0/8']);
        const tenNet = trustedNetworks(['10.0.0.0/8']);
        const extractWith = (policy: ReturnType<typeof trustedNetworks>) => {
          const headers = { ...HOSTILE };
          policy.ignoreIncomingRequestHook({ headers, socket } as never);
          return getInboundContext(new LangSmithPropagator({ trust: policy.trust }).extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
        };
        expect(extractWith(loopback)).toBeUndefined(); // no peer address yet: untrusted, and not remembered
        socket.remoteAddress = '127.0.0.1';
        expect(extractWith(loopback)).toBeDefined();
        expect(extractWith(tenNet)).toBeUndefined();
        expect(extractWith(loopback)).toBeDefined();
      });

      it('a caller outside the allow-list is not', () => {
        const headers = { ...HOSTILE };
        const netTrust = trustedNetworks(['10.0.0.0/8']);
        netTrust.ignoreIncomingRequestHook({ headers, socket: { remoteAddress: '127.0.0.1' } } as never);
        const ctx = new LangSmithPropagator({ trust: netTrust.trust }).extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
        expect(getInboundContext(ctx)).toBeUndefined();
      });
    });
  });
});
