/**
 * The trust matrix: for every trust policy and every hostile inbound header
 * set, an untrusted caller cannot choose the recorded trace id, parent,
 * sampled flag, project, metadata, tags, baggage or tracestate; a trusted one
 * can, as the README's modes table says. Plus `stripTracingHeaders` at a gateway.
 *
 * Real parts only: requests arrive over loopback TCP (raw sockets, so
 * duplicated header lines really are duplicated) at a server instrumented by
 * the real `@opentelemetry/instrumentation-http`; spans come from a real SDK
 * provider with a ParentBased(AlwaysOn) sampler and go through
 * LangSmithSpanProcessor to a capturing sink (runs) and an in-memory exporter
 * (OTel parent and links).
 */
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { context, propagation, trace, TraceFlags, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { HttpInstrumentation, type HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anyTrust,
  getSpanLineage,
  LangSmithPropagator,
  LangSmithSpanProcessor,
  stripTracingHeaders,
  trustedNetworks,
  trustHeaderToken,
  UNTRUSTED_LINK_ATTRIBUTE,
  type LangSmithPropagatorOptions,
  type Run,
  type RunSink,
} from '../src/index.js';
import * as codecs from '../src/headers/index.js';

// ---- the hostile caller's chosen values ----

const CALLER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';
const tp = (flags: string, traceId = CALLER_TRACE_ID, spanId = CALLER_SPAN_ID) => `00-${traceId}-${spanId}-${flags}`;

const LS_ROOT_RUN = '01a200aa-925f-7000-8000-02c54bd19234';
const LS_PARENT_RUN = '01a200ab-925f-7000-8000-02c54bd19235';
const LS_TRACE = `20261122T003148319001Z${LS_ROOT_RUN}.20261122T003148320001Z${LS_PARENT_RUN}`;
/** What rule 2 / rule 3 make of LS_TRACE. */
const LS_OTEL_TRACE_ID = codecs.traceIdFromLsTraceId(LS_ROOT_RUN)!;
const LS_OTEL_SPAN_ID = codecs.spanIdFromRunId(LS_PARENT_RUN)!;
/** A traceparent naming the same hop as LS_TRACE (rule 3), on another trace id. */
const TP_CONSISTENT = tp('01', CALLER_TRACE_ID, LS_OTEL_SPAN_ID);

const CALLER_PROJECT = 'attacker-project';
const CALLER_TAGS = ['caller-tag-a', 'caller-tag-b'];
/** Raw JSON: a literal `__proto__` key, which JSON.stringify of an object literal cannot produce. */
const CALLER_METADATA_JSON = '{"caller_key":"chosen","__proto__":{"polluted":"yes"},"nested":{"constructor":{"prototype":{"polluted":"yes"}}}}';
const LANGSMITH_MEMBERS = [
  `langsmith-metadata=${encodeURIComponent(CALLER_METADATA_JSON)}`,
  `langsmith-tags=${encodeURIComponent(CALLER_TAGS.join(','))}`,
  `langsmith-project=${encodeURIComponent(CALLER_PROJECT)}`,
].join(',');
const FOREIGN_MEMBERS = 'tenant=evil;prop=1,user.id=42';
const HOSTILE_BAGGAGE = `${LANGSMITH_MEMBERS},${FOREIGN_MEMBERS}`;
const CALLER_TRACESTATE = 'evil=1,vendor@x=chosen';

const MY_PROJECT = 'my-project';
const TOKEN = 'gateway-secret-0123456789abcdef';
const WRONG_TOKEN = 'gateway-secret-0123456789abcdeX';

// ---- header sets ----

type HeaderLines = Array<[string, string]>;

interface Row {
  name: string;
  headers: HeaderLines;
  /** The caller's valid, single traceparent: an untrusted request links to it. */
  link?: { traceId: string; spanId: string };
  /** Whether a trusted request is sampled (ParentBased follows the chosen flag). */
  trustedSampled: boolean;
  /** What a trusted request's server span continues; undefined: a new local root. */
  trustedOtelParent?: { traceId: string; spanId: string };
  /** LangSmith lineage a trusted request continues. */
  trustedLs?: { traceId: string; parentRunId: string };
  /** Upstream OTel ids recorded in the root run's metadata (`traceparent`-only, 'root' mode). */
  trustedUpstream?: boolean;
  /** Caller's LangSmith baggage members apply to runs when trusted (they need a lineage to ride on). */
  trustedLsBaggage?: boolean;
  /** Caller's foreign baggage members reach OTel Baggage when trusted. */
  trustedOtelBaggage?: Record<string, string>;
  trustedTraceState?: string;
  /** Flags a trusted request's downstream traceparent carries. */
  trustedInjectedFlags?: string;
}

const ROWS: Row[] = [
  {
    name: 'traceparent -01 (force recording)',
    headers: [['traceparent', tp('01')]],
    link: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedSampled: true,
    trustedOtelParent: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedUpstream: true,
    trustedInjectedFlags: '01',
  },
  {
    name: 'traceparent -00 (silence sampling)',
    headers: [['traceparent', tp('00')]],
    link: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedSampled: false,
    trustedOtelParent: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedInjectedFlags: '00',
  },
  {
    name: 'traceparent -03 (sampled + random flag)',
    headers: [['traceparent', tp('03')]],
    link: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedSampled: true,
    trustedOtelParent: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedUpstream: true,
    trustedInjectedFlags: '03',
  },
  {
    name: 'langsmith-trace only',
    headers: [['langsmith-trace', LS_TRACE]],
    trustedSampled: true,
    trustedOtelParent: { traceId: LS_OTEL_TRACE_ID, spanId: LS_OTEL_SPAN_ID },
    trustedLs: { traceId: LS_ROOT_RUN, parentRunId: LS_PARENT_RUN },
  },
  {
    name: 'traceparent + langsmith-trace, consistent',
    headers: [
      ['traceparent', TP_CONSISTENT],
      ['langsmith-trace', LS_TRACE],
    ],
    link: { traceId: CALLER_TRACE_ID, spanId: LS_OTEL_SPAN_ID },
    trustedSampled: true,
    trustedOtelParent: { traceId: CALLER_TRACE_ID, spanId: LS_OTEL_SPAN_ID },
    trustedLs: { traceId: LS_ROOT_RUN, parentRunId: LS_PARENT_RUN },
  },
  {
    name: 'traceparent + langsmith-trace, inconsistent',
    headers: [
      ['traceparent', tp('01')],
      ['langsmith-trace', LS_TRACE],
    ],
    link: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedSampled: true,
    trustedOtelParent: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedLs: { traceId: LS_ROOT_RUN, parentRunId: LS_PARENT_RUN },
  },
  {
    name: 'baggage (project, metadata with __proto__, tags, foreign members) + traceparent',
    headers: [
      ['traceparent', tp('01')],
      ['baggage', HOSTILE_BAGGAGE],
    ],
    link: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedSampled: true,
    trustedOtelParent: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedUpstream: true,
    trustedLsBaggage: true,
    trustedOtelBaggage: { tenant: 'evil', 'user.id': '42' },
    trustedInjectedFlags: '01',
  },
  {
    name: 'baggage + langsmith-trace + traceparent (full hostile set)',
    headers: [
      ['traceparent', TP_CONSISTENT],
      ['tracestate', CALLER_TRACESTATE],
      ['langsmith-trace', LS_TRACE],
      ['baggage', HOSTILE_BAGGAGE],
    ],
    link: { traceId: CALLER_TRACE_ID, spanId: LS_OTEL_SPAN_ID },
    trustedSampled: true,
    trustedOtelParent: { traceId: CALLER_TRACE_ID, spanId: LS_OTEL_SPAN_ID },
    trustedLs: { traceId: LS_ROOT_RUN, parentRunId: LS_PARENT_RUN },
    trustedLsBaggage: true,
    trustedOtelBaggage: { tenant: 'evil', 'user.id': '42' },
    trustedTraceState: CALLER_TRACESTATE,
  },
  {
    // LangSmith's own fromHeaders needs `langsmith-trace` too: baggage alone names no run to inherit from.
    name: 'baggage alone',
    headers: [['baggage', HOSTILE_BAGGAGE]],
    trustedSampled: true,
    trustedOtelBaggage: { tenant: 'evil', 'user.id': '42' },
  },
  {
    name: 'tracestate + traceparent',
    headers: [
      ['traceparent', tp('01')],
      ['tracestate', CALLER_TRACESTATE],
    ],
    link: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedSampled: true,
    trustedOtelParent: { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID },
    trustedUpstream: true,
    trustedTraceState: CALLER_TRACESTATE,
    trustedInjectedFlags: '01',
  },
  {
    // Node joins repeated header lines with ", ": traceparent and langsmith-trace
    // must appear once and are then malformed (ignored); baggage is a list and merges.
    name: 'duplicated header lines',
    headers: [
      ['traceparent', tp('01')],
      ['traceparent', tp('00', 'ffffffffffffffffffffffffffffffff', 'ffffffffffffffff')],
      ['langsmith-trace', LS_TRACE],
      ['langsmith-trace', `20261122T003148319001Z${LS_PARENT_RUN}`],
      ['baggage', `langsmith-project=${CALLER_PROJECT},tenant=evil`],
      ['baggage', 'user.id=42'],
      ['tracestate', 'evil=1'],
      ['tracestate', 'vendor@x=chosen'],
    ],
    trustedSampled: true,
    trustedOtelBaggage: { tenant: 'evil', 'user.id': '42' },
  },
];

/** Every value a caller could have chosen, to look for in what was recorded. */
const CALLER_TRACE_IDS = [CALLER_TRACE_ID, LS_OTEL_TRACE_ID, 'ffffffffffffffffffffffffffffffff'];
const CALLER_SPAN_IDS = [CALLER_SPAN_ID, LS_OTEL_SPAN_ID, 'ffffffffffffffff'];
const CALLER_RUN_IDS = [LS_ROOT_RUN, LS_PARENT_RUN];
const CALLER_METADATA_KEYS = ['caller_key', 'nested', '__proto__', 'otel_upstream_trace_id', 'otel_upstream_span_id'];

// ---- policies ----

interface Policy {
  name: string;
  trusted: boolean;
  /** The propagator's `trust` option; omitted for the default. */
  options: LangSmithPropagatorOptions;
  /** Extra header lines the request carries (a trust token). */
  extra?: HeaderLines;
  /** instrumentation-http config (trustedNetworks' hook). */
  instrumentation?: HttpInstrumentationConfig;
}

const tokenPolicy = () => trustHeaderToken({ token: TOKEN });
const loopbackNet = trustedNetworks(['127.0.0.0/8', '::1/128']);
const privateNet = trustedNetworks(['10.0.0.0/8']); // excludes loopback
const throwing = () => {
  throw new Error('policy bug');
};

const POLICIES: Policy[] = [
  { name: 'default (trust unset)', trusted: false, options: {} },
  { name: 'trust: false', trusted: false, options: { trust: false } },
  { name: 'trust: true', trusted: true, options: { trust: true } },
  { name: 'trustHeaderToken, token presented', trusted: true, options: { trust: tokenPolicy() }, extra: [['x-langsmith-trust', TOKEN]] },
  { name: 'trustHeaderToken, no token', trusted: false, options: { trust: tokenPolicy() } },
  { name: 'trustHeaderToken, wrong token', trusted: false, options: { trust: tokenPolicy() }, extra: [['x-langsmith-trust', WRONG_TOKEN]] },
  {
    name: 'trustHeaderToken, token sent twice',
    trusted: false,
    options: { trust: tokenPolicy() },
    extra: [
      ['x-langsmith-trust', TOKEN],
      ['x-langsmith-trust', TOKEN],
    ],
  },
  {
    name: 'trustedNetworks 127.0.0.0/8 (loopback peer)',
    trusted: true,
    options: { trust: loopbackNet.trust },
    instrumentation: loopbackNet.instrumentationConfig({}),
  },
  {
    name: 'trustedNetworks 10.0.0.0/8 (loopback peer outside)',
    trusted: false,
    options: { trust: privateNet.trust },
    instrumentation: privateNet.instrumentationConfig({}),
  },
  {
    name: 'anyTrust(token, 10.0.0.0/8), token presented',
    trusted: true,
    options: { trust: anyTrust(tokenPolicy(), privateNet.trust) },
    extra: [['x-langsmith-trust', TOKEN]],
    instrumentation: privateNet.instrumentationConfig({}),
  },
  {
    name: 'anyTrust(token, 10.0.0.0/8), no token',
    trusted: false,
    options: { trust: anyTrust(tokenPolicy(), privateNet.trust) },
    instrumentation: privateNet.instrumentationConfig({}),
  },
  {
    name: 'anyTrust(127.0.0.0/8, token), no token',
    trusted: true,
    options: { trust: anyTrust(loopbackNet.trust, tokenPolicy()) },
    instrumentation: loopbackNet.instrumentationConfig({}),
  },
  { name: 'a throwing policy', trusted: false, options: { trust: throwing } },
  {
    // anyTrust isolates a throwing member (it counts as "no"): the token alone trusts.
    name: 'anyTrust(throwing, token), token presented',
    trusted: true,
    options: { trust: anyTrust(throwing, tokenPolicy()) },
    extra: [['x-langsmith-trust', TOKEN]],
  },
];

// ---- the instrumented loopback server ----

interface Observed {
  traceId: string;
  spanId: string;
  sampled: boolean;
  recording: boolean;
  traceState: string | undefined;
  baggage: Record<string, string>;
  /** What this service would send downstream (inject from the server span's context). */
  injected: Record<string, string>;
}

let instrumentation: HttpInstrumentation;
let http: typeof Http;
let server: Http.Server;
let port = 0;
let onRequest: (req: Http.IncomingMessage) => unknown = () => ({});

function observe(): Observed {
  const active = context.active();
  const span = trace.getSpan(active)!;
  const sc = span.spanContext();
  const baggage: Record<string, string> = {};
  for (const [key, entry] of propagation.getBaggage(active)?.getAllEntries() ?? []) baggage[key] = entry.value;
  const injected: Record<string, string> = {};
  propagation.inject(active, injected);
  return {
    traceId: sc.traceId,
    spanId: sc.spanId,
    sampled: (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
    recording: span.isRecording(),
    traceState: sc.traceState?.serialize() || undefined,
    baggage,
    injected,
  };
}

/** One HTTP/1.1 request over a raw socket: header lines exactly as given (duplicates stay duplicated). */
function rawRequest(targetPort: number, path: string, lines: HeaderLines): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(targetPort, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status, body });
    });
    const head = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${targetPort}`, 'Connection: close', ...lines.map(([k, v]) => `${k}: ${v}`)];
    // write, not end: a half-closed client makes Node's server drop a response that is not ready yet.
    socket.write(head.join('\r\n') + '\r\n\r\n');
  });
}

/** A provider with the sampler under test, LangSmithSpanProcessor, a capturing sink and an in-memory exporter. */
function makeStack(sampler: Sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() })) {
  const runs: Run[] = [];
  const sink: RunSink = {
    name: 'capture',
    write: async (batch) => {
      runs.push(...batch);
    },
  };
  const exporter = new InMemorySpanExporter();
  const processor = new LangSmithSpanProcessor({ exporter, sinks: [sink], project: MY_PROJECT, scheduledDelayMillis: 5 });
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [processor] });
  return { runs, exporter, processor, provider };
}
type Stack = ReturnType<typeof makeStack>;

function install(stack: Stack, propagator: TextMapPropagator, config: HttpInstrumentationConfig = {}): void {
  propagation.disable();
  propagation.setGlobalPropagator(propagator);
  instrumentation.setConfig(config);
  instrumentation.setTracerProvider(stack.provider);
}

interface Recorded {
  observed: Observed;
  span: ReadableSpan | undefined;
  run: Run | undefined;
}

/** Sends the row's headers, then waits for the server span to end and be exported. */
async function record(stack: Stack, lines: HeaderLines, path = '/'): Promise<Recorded> {
  const response = await rawRequest(port, path, lines);
  expect(response.status).toBe(200);
  const observed = JSON.parse(response.body) as Observed;
  let span: ReadableSpan | undefined;
  let run: Run | undefined;
  if (observed.recording) {
    const deadline = Date.now() + 2000;
    while (!(span && run) && Date.now() < deadline) {
      await stack.processor.forceFlush();
      span = stack.exporter.getFinishedSpans().find((s) => s.spanContext().spanId === observed.spanId);
      run = stack.runs.find((r) => r.id === codecs.runIdFromSpanId(observed.spanId));
      if (!(span && run)) await new Promise((r) => setTimeout(r, 5));
    }
  } else {
    await new Promise((r) => setTimeout(r, 20));
    await stack.processor.forceFlush();
  }
  return { observed, span, run };
}

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  instrumentation = new HttpInstrumentation({});
  instrumentation.enable();
  // Required after enable() so require-in-the-middle patches it, as in an app.
  http = createRequire(import.meta.url)('http') as typeof Http;
  server = http.createServer((req, res) => {
    Promise.resolve(onRequest(req)).then(
      (body) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      },
      (err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  onRequest = () => observe();
});

afterAll(async () => {
  instrumentation?.disable();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  propagation.disable();
  context.disable();
});

// ---- the matrix ----

function expectUntrusted(row: Row, { observed, span, run }: Recorded): void {
  // Sampling: the local root decision (AlwaysOn), whatever flag the caller sent.
  expect(observed.recording).toBe(true);
  expect(observed.sampled).toBe(true);
  // Trace id and parent: a new root.
  expect(CALLER_TRACE_IDS).not.toContain(observed.traceId);
  expect(span, 'server span exported').toBeDefined();
  expect(span!.parentSpanContext).toBeUndefined();
  // Exactly one link to a valid caller traceparent, marked, never sampled.
  if (row.link) {
    expect(span!.links).toHaveLength(1);
    expect(span!.links[0]).toMatchObject({
      context: { ...row.link, traceFlags: TraceFlags.NONE, isRemote: true },
      attributes: { [UNTRUSTED_LINK_ATTRIBUTE]: true },
    });
  } else {
    expect(span!.links).toEqual([]);
  }
  // Tracestate and baggage: none of the caller's.
  expect(observed.traceState).toBeUndefined();
  expect(observed.baggage).toEqual({});
  // The run: a LangSmith root in the configured project, no caller metadata or tags.
  expect(run, 'run recorded').toBeDefined();
  expect(run!.trace_id).toBe(run!.id);
  expect(run!.parent_run_id).toBeUndefined();
  expect(run!.dotted_order).not.toContain('.');
  expect(CALLER_RUN_IDS).not.toContain(run!.trace_id);
  expect(run!.session_name).toBe(MY_PROJECT);
  const metadata = run!.extra.metadata;
  for (const key of CALLER_METADATA_KEYS) expect(Object.prototype.hasOwnProperty.call(metadata, key), key).toBe(false);
  expect(run!.tags ?? []).toEqual([]);
  // Nothing the caller chose goes downstream either.
  const injected = JSON.stringify(observed.injected);
  for (const value of [...CALLER_TRACE_IDS, ...CALLER_SPAN_IDS, ...CALLER_RUN_IDS, CALLER_PROJECT, 'caller', 'evil', 'tenant', 'vendor@x']) {
    expect(injected).not.toContain(value);
  }
  expect(observed.injected['traceparent']).toBe(`00-${observed.traceId}-${observed.spanId}-01`);
}

function expectTrusted(row: Row, { observed, span, run }: Recorded): void {
  expect(observed.sampled).toBe(row.trustedSampled);
  expect(observed.recording).toBe(row.trustedSampled);
  if (row.trustedOtelParent) expect(observed.traceId).toBe(row.trustedOtelParent.traceId);
  else expect(CALLER_TRACE_IDS).not.toContain(observed.traceId);
  expect(observed.traceState).toBe(row.trustedTraceState);
  expect(observed.baggage).toEqual(row.trustedOtelBaggage ?? {});
  if (row.trustedInjectedFlags) {
    expect(observed.injected['traceparent']).toBe(`00-${observed.traceId}-${observed.spanId}-${row.trustedInjectedFlags}`);
  }

  if (!row.trustedSampled) {
    // The caller's -00 silenced the ParentBased sampler: nothing recorded.
    expect(span).toBeUndefined();
    expect(run).toBeUndefined();
    return;
  }
  expect(span, 'server span exported').toBeDefined();
  expect(run, 'run recorded').toBeDefined();
  expect(span!.links).toEqual([]);
  if (row.trustedOtelParent) {
    expect(span!.parentSpanContext).toMatchObject({ ...row.trustedOtelParent, isRemote: true });
  } else {
    expect(span!.parentSpanContext).toBeUndefined();
  }
  if (row.trustedLs) {
    expect(run!.trace_id).toBe(row.trustedLs.traceId);
    expect(run!.parent_run_id).toBe(row.trustedLs.parentRunId);
    expect(run!.dotted_order!.startsWith(`${LS_TRACE}.`)).toBe(true);
  } else {
    expect(run!.trace_id).toBe(run!.id);
    expect(run!.parent_run_id).toBeUndefined();
  }
  const metadata = run!.extra.metadata;
  if (row.trustedUpstream) {
    expect(metadata).toMatchObject({
      otel_upstream_trace_id: row.trustedOtelParent!.traceId,
      otel_upstream_span_id: row.trustedOtelParent!.spanId,
    });
  } else {
    expect(metadata['otel_upstream_trace_id']).toBeUndefined();
  }
  if (row.trustedLsBaggage) {
    expect(run!.session_name).toBe(CALLER_PROJECT);
    expect(run!.tags).toEqual(CALLER_TAGS);
    expect(metadata['caller_key']).toBe('chosen');
    // Parsed without prototype pollution: the keys are dropped, at every depth.
    expect(Object.prototype.hasOwnProperty.call(metadata, '__proto__')).toBe(false);
    expect(metadata['nested']).toEqual({});
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    // Downstream gets the caller's LangSmith members, as a trusted hop should.
    expect(observed.injected['baggage']).toContain(`langsmith-project=${CALLER_PROJECT}`);
  } else {
    expect(run!.session_name).toBe(MY_PROJECT);
    expect(run!.tags ?? []).toEqual([]);
    expect(metadata['caller_key']).toBeUndefined();
  }
}

describe.each(POLICIES)('trust matrix — $name', (policy) => {
  let stack: Stack;
  beforeAll(() => {
    stack = makeStack();
    install(stack, new LangSmithPropagator(policy.options), policy.instrumentation);
  });
  afterAll(() => stack.provider.shutdown());

  it.each(ROWS)(`$name → ${policy.trusted ? 'trusted' : 'untrusted'}`, async (row) => {
    const recorded = await record(stack, [...row.headers, ...(policy.extra ?? [])]);
    if (policy.trusted) expectTrusted(row, recorded);
    else expectUntrusted(row, recorded);
  });

  it('no headers at all → a local root in the configured project', async () => {
    const { observed, span, run } = await record(stack, [...(policy.extra ?? [])]);
    expect(observed.recording).toBe(true);
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.links).toEqual([]);
    expect(run!.session_name).toBe(MY_PROJECT);
    expect(run!.trace_id).toBe(run!.id);
  });

  it('nothing leaked into Object.prototype', () => {
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('sampling under ParentBased(AlwaysOff): an untrusted -01 cannot force recording', () => {
  for (const [trusted, options] of [
    [false, {}],
    [true, { trust: true }],
  ] as const) {
    it(`trust ${trusted ? 'true' : 'unset'}: -01 → ${trusted ? 'recorded' : 'not recorded'}`, async () => {
      const stack = makeStack(new ParentBasedSampler({ root: new AlwaysOffSampler() }));
      install(stack, new LangSmithPropagator(options));
      try {
        const { observed, run } = await record(stack, [['traceparent', tp('01')]]);
        expect(observed.recording).toBe(trusted);
        expect(observed.sampled).toBe(trusted);
        expect(run !== undefined).toBe(trusted);
        expect(observed.traceId === CALLER_TRACE_ID).toBe(trusted);
      } finally {
        await stack.provider.shutdown();
      }
    });
  }
});

// ---- the gateway ----

describe('stripTracingHeaders at a gateway', () => {
  const OUTSIDER: HeaderLines = [
    ['traceparent', TP_CONSISTENT],
    ['tracestate', CALLER_TRACESTATE],
    ['langsmith-trace', LS_TRACE],
    ['baggage', HOSTILE_BAGGAGE],
    // A leaked or guessed token must not survive the gateway either.
    ['x-langsmith-trust', TOKEN],
    ['x-request-id', 'keep-me'],
  ];

  let stack: Stack;
  let gateway: Http.Server;
  let gatewayPort = 0;
  /** Set per test: whether the gateway strips (the control does not). */
  let strip = true;
  let stripped: string[] = [];
  let internalSaw: { headers: Http.IncomingHttpHeaders; observed: Observed; lineage: { parent?: string; trace?: string; project?: string } } | undefined;
  let gatewaySaw: Observed | undefined;

  beforeAll(async () => {
    stack = makeStack();
    // The internal service trusts the gateway's token; the gateway removes
    // outside tracing headers in ignoreIncomingRequestHook — before extract, so
    // its own span is a fresh root — and sets the token on what it forwards.
    install(stack, new LangSmithPropagator({ trust: trustHeaderToken({ token: TOKEN }) }), {
      ignoreIncomingRequestHook: (req) => {
        if (strip && req.socket.localPort === gatewayPort) stripped = stripTracingHeaders(req.headers);
        return false;
      },
    });
    gateway = http.createServer((req, res) => {
      gatewaySaw = observe();
      // Forward: the request's own headers (a proxy), then the gateway's context and token.
      const forward: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') forward[k] = v;
      propagation.inject(context.active(), forward);
      forward['x-langsmith-trust'] = TOKEN;
      fetch(`http://127.0.0.1:${port}/internal`, { headers: forward })
        .then((r) => r.text())
        .then(
          (body) => res.end(body),
          (err: unknown) => ((res.statusCode = 502), res.end(String(err))),
        );
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    gatewayPort = (gateway.address() as AddressInfo).port;
    onRequest = (req) => {
      const lineage = getSpanLineage(trace.getSpan(context.active()));
      internalSaw = {
        headers: { ...req.headers },
        observed: observe(),
        lineage: { parent: lineage?.parentRunId, trace: lineage?.lsTraceId, project: lineage?.baggage?.project },
      };
      return {};
    };
  });

  afterAll(async () => {
    onRequest = () => observe();
    gateway?.closeAllConnections();
    await new Promise((resolve) => gateway?.close(resolve));
    await stack?.provider.shutdown();
  });

  it('the internal service sees none of the outsider’s headers, only the gateway’s own context', async () => {
    strip = true;
    const response = await rawRequest(gatewayPort, '/', OUTSIDER);
    expect(response.status).toBe(200);
    expect(stripped.sort()).toEqual(['baggage', 'langsmith-trace', 'traceparent', 'tracestate', 'x-langsmith-trust']);

    // The gateway itself: a fresh root, no link (the headers were gone before extract).
    expect(CALLER_TRACE_IDS).not.toContain(gatewaySaw!.traceId);
    expect(gatewaySaw!.baggage).toEqual({});

    const { headers, observed, lineage } = internalSaw!;
    const raw = JSON.stringify(headers);
    for (const value of [...CALLER_TRACE_IDS, ...CALLER_SPAN_IDS, ...CALLER_RUN_IDS, CALLER_PROJECT, 'caller', 'evil', 'tenant', 'vendor@x']) {
      expect(raw).not.toContain(value);
    }
    expect(headers['tracestate']).toBeUndefined();
    expect(headers['x-request-id']).toBe('keep-me');
    // Only the gateway's context: its trace, its span as parent, its run, its project.
    expect(headers['traceparent']).toBe(`00-${gatewaySaw!.traceId}-${gatewaySaw!.spanId}-01`);
    expect(headers['langsmith-trace']).toBe(gatewaySaw!.injected['langsmith-trace']);
    expect(headers['baggage']).toBe(`langsmith-project=${MY_PROJECT}`);
    expect(observed.traceId).toBe(gatewaySaw!.traceId);
    expect(observed.baggage).toEqual({});
    expect(observed.traceState).toBeUndefined();
    const gatewayRun = codecs.runIdFromSpanId(gatewaySaw!.spanId);
    expect(lineage).toEqual({ parent: gatewayRun, trace: gatewayRun, project: MY_PROJECT });

    await stack.processor.forceFlush();
    const internalRun = stack.runs.find((r) => r.id === codecs.runIdFromSpanId(observed.spanId))!;
    expect(internalRun).toMatchObject({ parent_run_id: gatewayRun, trace_id: gatewayRun, session_name: MY_PROJECT });
    expect(internalRun.extra.metadata['caller_key']).toBeUndefined();
    expect(internalRun.tags ?? []).toEqual([]);
  });

  it('control: a gateway that does not strip forwards the outsider’s tracestate and token, and the internal service trusts them', async () => {
    strip = false;
    stripped = [];
    const response = await rawRequest(gatewayPort, '/', OUTSIDER);
    expect(response.status).toBe(200);
    // The outsider's (leaked) token made the gateway itself trust the outsider…
    expect(gatewaySaw!.traceId).toBe(CALLER_TRACE_ID);
    // …and its tracestate and project ride along to the internal service.
    expect(internalSaw!.headers['tracestate']).toBe(CALLER_TRACESTATE);
    expect(internalSaw!.lineage.project).toBe(CALLER_PROJECT);
    expect(internalSaw!.observed.baggage).toMatchObject({ tenant: 'evil' });
  });
});
