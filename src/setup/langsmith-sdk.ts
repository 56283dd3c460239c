/**
 * The `langsmith` SDK in the same process as the bridge.
 *
 * OTel mode (`LANGSMITH_OTEL_ENABLED=true` or `LANGSMITH_TRACING_MODE=otel`):
 * every `traceable()` run is written onto an OTel span of the global tracer
 * provider — ours — so the bridge's processor gives it its lineage and its
 * run id (the ingest rule: the padded span id) and exports it with everything
 * else. `enableLangSmithOtelMode(provider)` is the SDK's `initializeOTEL`
 * pointed at that provider. What the SDK needs besides (checked against
 * langsmith 0.12):
 *
 * - `LANGSMITH_TRACING=true` (or `LANGCHAIN_TRACING_V2=true`): without it
 *   `traceable` records nothing, in either mode.
 * - The tracing mode is read once, when a `Client` is constructed
 *   (`resolveTracingMode`): the env must be set before the first `traceable`
 *   call (the shared Client is created then) or before `new Client()`; or pass
 *   `new Client({ tracingMode: 'otel' })`. The SDK accepts only the value
 *   `true` for LANGSMITH_OTEL_ENABLED / OTEL_ENABLED (the bridge any boolean
 *   true word: `alignSdkTracingMode` sets LANGSMITH_TRACING_MODE=otel then).
 * - Our provider must be the *global* one (`trace.setGlobalTracerProvider`):
 *   `traceable` starts its spans with the global `trace.getTracer('langsmith')`;
 *   `globalTracerProvider` only tells the SDK not to install its own. A
 *   context manager must be registered too (the bridge's
 *   AsyncLocalStorageContextManager; the SDK's own is skipped).
 * - The SDK applies a run's fields to its span, and ends it, when its Client
 *   processes the batch: call `await client.awaitPendingTraceBatches()` (the
 *   traceable's client; `RunTree.getSharedClient()` by default) before
 *   flushing or shutting the provider down, or the last spans are still open.
 * - `langsmith/experimental/otel/setup` loads `@opentelemetry/sdk-trace-base`,
 *   `@opentelemetry/exporter-trace-otlp-proto` and
 *   `@opentelemetry/context-async-hooks`; it builds an exporter of its own
 *   that nothing uses (spans leave through the bridge's processor).
 * - The SDK Client's own HTTP calls are made untraced (see
 *   `untraceLangSmithTransport`), or instrumented fetch records them as runs.
 *
 * The SDK's OTel mode names runs LangSmith never has: a root run's
 * `id`/`trace_id` are rewritten to the padded span id but its `dotted_order`
 * is not, and non-root runs keep UUIDv7 ids, so
 * `getCurrentRunTree().toHeaders()` sends a `langsmith-trace` no run in
 * LangSmith matches. Use `langsmithHeaders()` instead; instrumented outbound
 * HTTP (instrumentation-http / undici) needs nothing: the traceable's span is
 * the active span, and the bridge's propagator injects its lineage.
 *
 * Without OTel mode (REST), `runTreeForActiveSpan()` nests `traceable` runs
 * under the active OTel span's run.
 */
import { context as otelContext, defaultTextMapSetter, diag, trace, type Context, type TracerProvider } from '@opentelemetry/api';
import type { RunTree, RunTreeConfig } from 'langsmith';
import { BAGGAGE_HEADER, LANGSMITH_TRACE_HEADER } from '../constants.js';
import { getContextLineage } from '../lineage/lineage.js';
import { LangSmithPropagator } from '../propagator/LangSmithPropagator.js';
import { notices } from '../notices.js';
import { suppressTracing } from '../context/keys.js';

const log = diag.createComponentLogger({ namespace: 'langsmith-otel-bridge' });

/**
 * Turns on the `langsmith` SDK's OTel mode with `provider` (which must also
 * be the global tracer provider). Returns false, without throwing, when the
 * `langsmith` package (or an OTel package its setup loads) is not installed.
 * See the module comment for the environment OTel mode needs.
 */
export async function enableLangSmithOtelMode(provider: TracerProvider): Promise<boolean> {
  let langsmith: typeof import('langsmith');
  try {
    langsmith = await import('langsmith');
  } catch (err) {
    if (!isModuleNotFound(err)) throw err;
    log.debug(`langsmith SDK OTel mode not enabled: ${(err as Error).message}`);
    return false; // the app does not use the SDK
  }
  alignSdkTracingMode(process.env);
  try {
    const setup = await import('langsmith/experimental/otel/setup');
    setup.initializeOTEL({ globalTracerProvider: provider, skipGlobalContextManagerSetup: true });
  } catch (err) {
    if (!isModuleNotFound(err)) throw err;
    if (!registerOtelInstancesDirectly(langsmith, provider, (err as Error).message)) return false;
  }
  untraceLangSmithTransport(langsmith);
  holdEarlyRunEnds(langsmith);
  const env = process.env;
  if (env.LANGSMITH_TRACING !== 'true' && env.LANGCHAIN_TRACING_V2 !== 'true' && env.LANGCHAIN_TRACING !== 'true') {
    log.debug('langsmith SDK OTel mode enabled, but LANGSMITH_TRACING is not `true`: traceable() records nothing');
  }
  return true;
}

/**
 * The `langsmith` versions whose private OTel registry (the `ls:otel_*`
 * globals, langsmith singletons/otel) this bridge was tested with
 * (test/langsmith-range.test.ts). `langsmith/singletons/otel` is not an
 * exported entry in any of them, so there is no public way to do this.
 */
const OTEL_GLOBALS_TESTED = { lowest: [0, 3, 35], below: [0, 13, 0] } as const;

/**
 * `initializeOTEL` cannot load where OTel SDK 3.x replaced the packages it
 * imports (`@opentelemetry/sdk-trace-base`, the 2.x context manager). What it
 * would set up for a given provider is three globals the SDK reads: set them
 * directly — only for a `langsmith` version known to read them. Otherwise
 * one notice, and OTel mode stays off (false); nothing throws.
 */
/** @internal exported for tests */
export function registerOtelInstancesDirectly(langsmith: typeof import('langsmith'), provider: TracerProvider, why: string): boolean {
  const version = sdkVersion(langsmith);
  if (!version || compareVersions(version, OTEL_GLOBALS_TESTED.lowest) < 0 || compareVersions(version, OTEL_GLOBALS_TESTED.below) >= 0) {
    sdkFeatureUnavailable(
      'otel-mode',
      `langsmith ${version?.join('.') ?? '(unknown version)'}: its OTel mode is not enabled: initializeOTEL cannot load (${why.split('\n')[0]}), ` +
        `and the SDK's OTel registry is known only for langsmith 0.3.35 to 0.12. traceable() runs are not recorded as spans; ` +
        `the bridge's own spans, propagation and runTreeForActiveSpan() work as before.`,
    );
    return false;
  }
  log.debug(`initializeOTEL unavailable (${why}); registering the OTel instances directly`);
  const g = globalThis as Record<symbol, unknown>;
  g[Symbol.for('ls:otel_trace')] ??= trace;
  g[Symbol.for('ls:otel_context')] ??= otelContext;
  g[Symbol.for('ls:otel_get_default_otlp_tracer_provider')] = { DEFAULT_LANGSMITH_TRACER_PROVIDER: provider };
  return true;
}

function sdkVersion(langsmith: typeof import('langsmith')): number[] | undefined {
  const raw = (langsmith as { __version__?: unknown }).__version__;
  const match = typeof raw === 'string' ? /^(\d+)\.(\d+)\.(\d+)/.exec(raw) : null;
  return match ? match.slice(1, 4).map(Number) : undefined;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** One line (stderr, or diag with OTEL_LOG_LEVEL set) per missing SDK feature: what is off, what still works. */
function sdkFeatureUnavailable(feature: string, message: string): void {
  notices.warn(`langsmith-sdk:${feature}`, message);
}

/**
 * The SDK turns OTel mode on only for the exact value `true` of
 * LANGSMITH_OTEL_ENABLED / OTEL_ENABLED (langsmith utils/env.js), while the
 * bridge's one boolean parser also takes `1`, `yes`, `on` (any case): with
 * those the bridge would be on and the SDK's runs would go to REST. Say the
 * same to the SDK, through its own LANGSMITH_TRACING_MODE, before its shared
 * Client reads the mode. An explicit LANGSMITH_TRACING_MODE is left alone.
 *
 * langsmith before 0.4 reads only `OTEL_ENABLED=true` (0.3.35: traceable.js,
 * client.js), so that is said too, unless the app set OTEL_ENABLED to
 * something other than a true word.
 */
export function alignSdkTracingMode(env: Record<string, string | undefined>): void {
  if (env.LANGSMITH_TRACING_MODE !== undefined || env.LANGCHAIN_TRACING_MODE !== undefined) return;
  const sdkReadsItself = env.LANGSMITH_OTEL_ENABLED === 'true' || env.LANGCHAIN_OTEL_ENABLED === 'true' || env.OTEL_ENABLED === 'true';
  if (env.OTEL_ENABLED === undefined || env.OTEL_ENABLED === '' || TRUE_WORD.test(env.OTEL_ENABLED.trim())) env.OTEL_ENABLED = 'true';
  if (!sdkReadsItself) env.LANGSMITH_TRACING_MODE = 'otel';
}

const TRUE_WORD = /^(?:true|1|yes|on)$/i;

const HELD = Symbol.for('langsmith-otel-bridge.held-run-ends');
const MAX_HELD = 10_000;

interface TranslatorOp {
  operation: 'post' | 'patch';
  id: string;
}
interface TranslatorProto {
  exportBatch(operations: TranslatorOp[], contexts: unknown): void;
  [HELD]?: true;
}

/**
 * langsmith 0.12's OTel mode hands run batches to its translator from
 * concurrent flushes, so a run's end (patch) can arrive before its start
 * (post); the translator then has no span to end, logs "No span found", and
 * the span never ends — the run and its subtree are lost. Measured: 78 of
 * 10,000 demo requests under load. Hold such an end until its start has been
 * handled (bounded; the oldest held end is dropped past MAX_HELD).
 */
/** @internal exported for tests */
export function holdEarlyRunEnds(langsmith: typeof import('langsmith')): void {
  // The translator class is not exported; reach it through the shared Client
  // (the one traceable() uses), which in OTel mode owns one.
  // No public hook exists: the patch is applied only where the shape is the one it was written for
  // (exportBatch(operations, contexts) on the prototype, open spans in a Map), else one notice.
  let translator: { spans?: unknown } | undefined;
  try {
    const shared = (langsmith.RunTree as unknown as { getSharedClient?: () => { langSmithToOTELTranslator?: object } }).getSharedClient?.();
    translator = shared?.langSmithToOTELTranslator as typeof translator;
  } catch {
    translator = undefined;
  }
  const proto = translator ? (Object.getPrototypeOf(translator) as TranslatorProto) : undefined;
  if (proto?.[HELD]) return;
  if (!proto || typeof proto.exportBatch !== 'function' || proto.exportBatch.length !== 2 || !(translator!.spans instanceof Map)) {
    sdkFeatureUnavailable(
      'early-run-ends',
      `langsmith ${sdkVersion(langsmith)?.join('.') ?? '(unknown version)'}: its OTel translator is not the shape the bridge knows ` +
        `(exportBatch(operations, contexts), spans in a Map), so run ends that arrive before their starts are not held back: ` +
        `under concurrent flushes a traceable's span may stay open. traceable() runs still become spans of your trace.`,
    );
    return;
  }
  const original = proto.exportBatch;
  const held = new WeakMap<object, Map<string, TranslatorOp>>();
  proto.exportBatch = function (this: { spans?: Map<string, unknown> }, operations: TranslatorOp[], contexts: unknown) {
    let pending = held.get(this);
    if (!pending) held.set(this, (pending = new Map()));
    const posted = new Set(operations.filter((op) => op.operation === 'post').map((op) => op.id));
    const ready: TranslatorOp[] = [];
    for (const op of operations) {
      if (op.operation === 'patch' && !posted.has(op.id) && !(this.spans?.has(op.id) ?? true)) {
        if (pending.size >= MAX_HELD) pending.delete(pending.keys().next().value!);
        pending.set(op.id, op);
        continue;
      }
      ready.push(op);
      const early = op.operation === 'post' ? pending.get(op.id) : undefined;
      if (early) {
        pending.delete(op.id);
        ready.push(early);
      }
    }
    return original.call(this, ready, contexts);
  };
  proto[HELD] = true;
}

/**
 * In OTel mode the SDK ends a traceable's span only when its Client processes
 * the run batch: wait for the shared Client (the one `traceable` uses unless
 * given another) before flushing spans. A no-op when it was never created.
 */
export async function flushLangSmithSdk(): Promise<void> {
  let RunTree: { sharedClient?: { awaitPendingTraceBatches(): Promise<void> } | null };
  try {
    ({ RunTree } = (await import('langsmith')) as unknown as { RunTree: typeof RunTree });
  } catch {
    return;
  }
  await RunTree.sharedClient?.awaitPendingTraceBatches();
}

// Inject only: trust is an extract-side setting.
const injector = new LangSmithPropagator();

/**
 * The `langsmith-trace` and `baggage` headers naming the run of the span
 * active in `ctx` — its run id as LangSmith has it (the bridge's lineage) —
 * exactly as the bridge's propagator writes them on outbound requests.
 * `{}` when that span has no run (no span, tracing suppressed, or a span the
 * bridge's processor did not see start); no `baggage` key when it is empty.
 *
 * The drop-in replacement for `getCurrentRunTree().toHeaders()` in the SDK's
 * OTel mode, and the input of `RunTree.fromHeaders` without it.
 */
export function langsmithHeaders(ctx: Context = otelContext.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  injector.inject(ctx, carrier, defaultTextMapSetter);
  const headers: Record<string, string> = {};
  const trace = carrier[LANGSMITH_TRACE_HEADER];
  if (trace === undefined) return headers;
  headers[LANGSMITH_TRACE_HEADER] = trace;
  const baggage = carrier[BAGGAGE_HEADER];
  if (baggage) headers[BAGGAGE_HEADER] = baggage;
  return headers;
}

export type RunTreeForActiveSpanOptions = Partial<RunTreeConfig> & {
  /** The context whose active span to use. Default: `context.active()`. */
  context?: Context;
};

/**
 * A `langsmith` RunTree standing for the active OTel span's run
 * (`RunTree.fromHeaders(langsmithHeaders(), options)`), so that `traceable`
 * runs — in the SDK's REST mode, without OTel mode — nest under it:
 *
 * ```ts
 * const parent = await runTreeForActiveSpan({ client });   // inside an OTel span
 * if (parent) await withRunTree(parent, () => answer(question));
 * ```
 *
 * The RunTree itself is never posted (it names a run the bridge exports);
 * its children get `parent_run_id` = that run and its dotted order as prefix.
 * Pass `client` (or `project_name`, …) as you would to a RunTree; a
 * `langsmith-project` in the span's lineage wins over `project_name`, as in
 * `fromHeaders`. Resolves to `undefined` when the active span has no run
 * (see `langsmithHeaders`): then call the traceable directly, it starts a
 * root. Rejects when the `langsmith` package is not installed.
 */
export async function runTreeForActiveSpan(options: RunTreeForActiveSpanOptions = {}): Promise<RunTree | undefined> {
  const { context: ctx = otelContext.active(), ...config } = options;
  const headers = langsmithHeaders(ctx);
  if (headers[LANGSMITH_TRACE_HEADER] === undefined) return undefined;
  const langsmith = await import('langsmith');
  const { RunTree } = langsmith;
  // The Client that will post the children must not trace its own HTTP calls into this tree.
  untraceLangSmithTransport(langsmith);
  // The JS SDK stamps a child's dotted order with the millisecond and its
  // execution order in the microsecond digits, and does not clamp it to the
  // parent's: a child started in the same millisecond as our span would sort
  // before its parent (rejected by the server). Start the children's
  // execution order at our span's microsecond digits (at most 999).
  const micros = getContextLineage(ctx)?.startMicros;
  const childOrder = micros === undefined ? undefined : Math.min(micros % 1000, 998);
  const inherit: Partial<RunTreeConfig> = { ...config };
  if (childOrder !== undefined && inherit.child_execution_order === undefined) inherit.child_execution_order = childOrder;
  return RunTree.fromHeaders(headers, inherit);
}

const FETCH_KEY = Symbol.for('ls:fetch_implementation');
const UNTRACED = Symbol.for('langsmith-otel-bridge.untraced-fetch');
type FetchLike = ((...args: unknown[]) => unknown) & { [UNTRACED]?: true };

/**
 * The SDK Client's own HTTP calls (`GET /info`, feedback, REST ingest
 * `POST /runs/multipart`) run under suppressTracing, as OTel's exporters do:
 * with fetch instrumented they would otherwise become runs inside the user's
 * trace (measured: the Client's `GET /info` and `POST /runs/multipart`
 * appeared as runs, in OTel mode and in REST mode under
 * `runTreeForActiveSpan()`). Through the SDK's public
 * `overrideFetchImplementation`; a fetch the app set with it before is kept,
 * wrapped (the SDK has no getter for it: read from its registry key). A
 * Client built with its own `fetchImplementation` is the app's choice and is
 * left alone.
 */
/** @internal exported for tests */
export function untraceLangSmithTransport(langsmith: typeof import('langsmith')): void {
  const override = (langsmith as { overrideFetchImplementation?: unknown }).overrideFetchImplementation;
  if (typeof override !== 'function') {
    sdkFeatureUnavailable(
      'untraced-fetch',
      `langsmith ${sdkVersion(langsmith)?.join('.') ?? '(unknown version)'} has no overrideFetchImplementation: ` +
        `with fetch instrumented, its Client's own HTTP calls may appear as runs. Tracing works otherwise.`,
    );
    return;
  }
  const registry = globalThis as Record<symbol, unknown>;
  const previous = registry[FETCH_KEY] as FetchLike | undefined;
  if (previous?.[UNTRACED]) return;
  const base: FetchLike = typeof previous === 'function' ? previous : (...args: unknown[]) => (fetch as (...a: unknown[]) => unknown)(...args);
  const untraced: FetchLike = (...args: unknown[]) => otelContext.with(suppressTracing(otelContext.active()), () => base(...args));
  untraced[UNTRACED] = true;
  // The app's own fetch keeps the SDK's streaming default for an override (false); the global fetch streams.
  (override as (fetch: FetchLike, supportsWebStreaming?: boolean) => void)(untraced, typeof previous === 'function' ? undefined : true);
}

function isModuleNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}
