/**
 * Setup: the propagator, the span processor and HTTP instrumentation, wired
 * the way the environment says.
 *
 * - `createLangSmithBridge(options)` returns the pieces for an app that has
 *   its own `NodeSDK` or tracer provider (`textMapPropagator`,
 *   `spanProcessors`, `instrumentations`).
 * - `registerLangSmithBridge(options)` builds and registers everything
 *   globally (context manager, propagator, tracer provider, instrumentations)
 *   and prints one line saying where traces go.
 *
 * SDK packages are loaded here only, so the propagator path of this package
 * depends on `@opentelemetry/api` alone. Both SDK lines work: 2.x
 * (`@opentelemetry/sdk-trace-base`) and 3.x (`@opentelemetry/sdk-trace`).
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import {
  context,
  diag,
  DiagConsoleLogger,
  DiagLogLevel,
  propagation,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type TracerProvider,
} from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { notices } from '../notices.js';
import { within } from '../processor/batch-queue.js';
import { LangSmithSpanProcessor, type SpanExporterLike } from '../processor/LangSmithSpanProcessor.js';
import { LangSmithPropagator } from '../propagator/LangSmithPropagator.js';
import { JsonlFileSink } from '../sinks/jsonl-file.js';
import { enableLangSmithOtelMode, flushLangSmithSdk } from './langsmith-sdk.js';
import { createOtlpExporter, OTLP_EXPORTER_PACKAGES, withProjectHeader } from './otlp-exporter.js';
import { LangSmithClientSink } from '../sinks/langsmith-client.js';
import { TreePrinterSink } from '../sinks/tree-printer.js';
import type { RunSink } from '../sinks/types.js';
import type { TrustPolicy } from '../trust/policies.js';
import {
  BridgeConfigError,
  describeDestinations,
  PROPAGATOR_PACKAGES,
  resolveConfig,
  type BridgeOptions,
  type ExtraPropagatorName,
  type ResolvedConfig,
} from './config.js';

export interface LangSmithBridgeComponents {
  config: ResolvedConfig;
  /** The bridge's own propagator (traceparent, tracestate, baggage, langsmith-trace). */
  propagator: LangSmithPropagator;
  /**
   * The propagator to register: `propagator` itself, or, when
   * OTEL_PROPAGATORS (option `propagators`) names b3/b3multi/jaeger/xray,
   * those composed with it (the bridge the only writer of its headers, its
   * extract preferred).
   */
  textMapPropagator: TextMapPropagator;
  spanProcessor: LangSmithSpanProcessor;
  /**
   * HTTP server/client and fetch instrumentation, not yet enabled. OTel's own
   * `Instrumentation` type, so `new NodeSDK({ instrumentations })` accepts it
   * in a strict TypeScript app (issue 12).
   */
  instrumentations: Instrumentation[];
}

export interface LangSmithBridge extends LangSmithBridgeComponents {
  provider: TracerProvider & { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  /**
   * Delivers what is queued at the call: at most the export timeout, after
   * (in the langsmith SDK's OTel mode) at most `shutdownTimeoutMillis` for
   * the SDK's own flush. Never rejects.
   */
  forceFlush(): Promise<void>;
  /**
   * Delivers what is queued, then stops the provider and the
   * instrumentations; resolves within `shutdownTimeoutMillis` (default 5 s),
   * what was not delivered by then counted and reported in one line on
   * stderr. Never rejects. Idempotent.
   */
  shutdown(): Promise<void>;
}

export async function createLangSmithBridge(options: BridgeOptions = {}): Promise<LangSmithBridgeComponents> {
  const config = resolveConfig(options);
  return build(config, await loadPackages(config, false));
}

async function build(config: ResolvedConfig, packages: Packages): Promise<LangSmithBridgeComponents> {
  const propagator = new LangSmithPropagator({ trust: config.trust, traceparentOnly: config.traceparentOnly });
  const extras = config.propagators.map((name) => makeExtraPropagator(name, packages.get(PROPAGATOR_PACKAGES[name])));
  const textMapPropagator = extras.length === 0 ? propagator : new ComposedPropagator(propagator, config.trust, extras);

  const sinks: RunSink[] = [];
  if (config.langsmith) sinks.push(new LangSmithClientSink(config.langsmith));
  if (config.file) sinks.push(new JsonlFileSink(config.file));
  if (config.printTrees) sinks.push(new TreePrinterSink({ color: process.stdout.isTTY === true }));
  let exporter: SpanExporterLike | undefined;
  let exporterProject: string | undefined;
  if (config.otlp) {
    const destination = withProjectHeader(config.otlp, config.project);
    exporterProject = destination.project;
    // http/protobuf, http/json or grpc, as OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL says.
    exporter = await createOtlpExporter(destination.otlp);
  }
  const spanProcessor = new LangSmithSpanProcessor({
    exporter,
    exporterLabel: config.otlp ? `OTLP ${config.otlp.url}` : undefined,
    sinks,
    project: config.project,
    exportFilteredSpans: !config.otlp?.toLangSmith,
    exporterProject,
    shutdownTimeoutMillis: config.shutdownTimeoutMillis,
    ...definedOnly(config.queue),
  });

  const instrumentations: LangSmithBridgeComponents['instrumentations'] = [];
  if (config.instrumentHttp) {
    const { HttpInstrumentation } = packages.get('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
    const httpConfig = config.networkTrust ? config.networkTrust.instrumentationConfig({}) : {};
    instrumentations.push(new HttpInstrumentation(httpConfig));
  }
  if (config.instrumentFetch) {
    const { UndiciInstrumentation } = packages.get('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
    instrumentations.push(new UndiciInstrumentation());
  }
  return { config, propagator, textMapPropagator, spanProcessor, instrumentations };
}

type Packages = Map<string, Record<string, unknown>>;

/**
 * Every package the configuration needs, loaded up front: the ones that are
 * not installed are named together, with the one install command (issue 12),
 * rather than one per start.
 */
async function loadPackages(config: ResolvedConfig, register: boolean): Promise<Packages> {
  const needed = new Map<string, string>(); // package → what needs it
  const need = (name: string, purpose: string) => needed.set(name, needed.has(name) ? `${needed.get(name)}, ${purpose}` : purpose);
  if (config.otlp) need(OTLP_EXPORTER_PACKAGES[config.otlp.protocol], `OTLP export (${config.otlp.protocol})`);
  if (config.langsmith) need('langsmith', 'direct LangSmith ingest (LANGSMITH_API_KEY)');
  if (config.instrumentHttp) need('@opentelemetry/instrumentation-http', 'HTTP instrumentation (instrumentHttp: false to skip)');
  if (config.instrumentFetch) need('@opentelemetry/instrumentation-undici', 'fetch instrumentation (instrumentFetch: false to skip)');
  for (const name of config.propagators) need(PROPAGATOR_PACKAGES[name], `OTEL_PROPAGATORS=${name}`);
  if (register) {
    need('@opentelemetry/context-async-hooks', 'context propagation');
    need('@opentelemetry/resources', 'the service resource');
  }
  const names = [...needed.keys()];
  const results = await Promise.allSettled(names.map((name) => import(name) as Promise<Record<string, unknown>>));
  const packages: Packages = new Map();
  const missing: string[] = [];
  const broken: string[] = [];
  results.forEach((result, i) => {
    const name = names[i]!;
    if (result.status === 'fulfilled') packages.set(name, result.value);
    else if (isNotInstalled(result.reason, name)) missing.push(name);
    else broken.push(`${name} (${needed.get(name)}) failed to load: ${(result.reason as Error)?.message ?? String(result.reason)}`);
  });
  if (register) {
    const sdk = await loadTraceSdk().catch((err: unknown) => {
      if (!isNotInstalled(err, '@opentelemetry/sdk-trace-base')) broken.push(`@opentelemetry/sdk-trace-base failed to load: ${(err as Error).message}`);
      else missing.push('@opentelemetry/sdk-trace-base');
      return undefined;
    });
    if (sdk) packages.set(TRACE_SDK, sdk as unknown as Record<string, unknown>);
  }
  if (broken.length > 0) throw new BridgeConfigError(broken.join('; '));
  if (missing.length > 0) {
    const purposes = missing.map((name) => `${name} (${needed.get(name) ?? 'the tracer provider'})`);
    throw new BridgeConfigError(
      `this configuration needs packages that are not installed: ${purposes.join(', ')} — npm install ${missing.join(' ')} ` +
        '(pin them to your SDK line, see README "Install")',
    );
  }
  return packages;
}

function isNotInstalled(err: unknown, name: string): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  const message = String((err as Error | undefined)?.message ?? '');
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(name);
}

const TRACE_SDK = '\0trace-sdk';

/**
 * One registry for the process, shared by the ESM and CommonJS builds (two
 * module instances when the app is CommonJS and the register entry ESM): a
 * module-level variable would leave `getRegisteredBridge()` undefined there.
 */
const REGISTERED = Symbol.for('langsmith-otel-bridge.registered');
const registry = globalThis as { [REGISTERED]?: LangSmithBridge };

/** The bridge `registerLangSmithBridge` (or the register entry) set up in this process, if any — from either build. */
export function getRegisteredBridge(): LangSmithBridge | undefined {
  return registry[REGISTERED];
}

export async function registerLangSmithBridge(options: BridgeOptions = {}): Promise<LangSmithBridge> {
  configureLogging(options.env ?? process.env);
  const config = resolveConfig(options);
  const packages = await loadPackages(config, true);
  const components = await build(config, packages);
  const { textMapPropagator, spanProcessor, instrumentations } = components;
  const { AsyncLocalStorageContextManager } = packages.get('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { resourceFromAttributes } = packages.get('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const sdk = packages.get(TRACE_SDK) as unknown as TraceSdk;

  const provider = new sdk.Provider({
    resource: resourceFromAttributes(config.resourceAttributes),
    sampler: makeSampler(sdk, config),
    spanProcessors: [spanProcessor as never],
  });

  if (!trace.setGlobalTracerProvider(provider)) {
    throw new BridgeConfigError(
      'registerLangSmithBridge: a global tracer provider is already registered (NodeSDK?). Use ' +
        'createLangSmithBridge() and pass its textMapPropagator, spanProcessor and instrumentations to your own setup.',
    );
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(textMapPropagator);
  // The langsmith SDK's OTel mode: traceable() runs become spans of this provider (no-op without `langsmith`).
  if (config.langsmithOtelMode) await enableLangSmithOtelMode(provider);
  for (const instrumentation of instrumentations) {
    instrumentation.setTracerProvider(provider);
    instrumentation.enable();
  }
  if (instrumentations.length > 0) patchBuiltinsForEsm();

  const deadlineMs = config.shutdownTimeoutMillis;
  let stopped: Promise<void> | undefined;
  const bridge: LangSmithBridge = {
    ...components,
    provider,
    forceFlush: async () => {
      try {
        if (config.langsmithOtelMode) await within(flushLangSmithSdk(), deadlineMs, logFailure);
        await provider.forceFlush();
      } catch (err) {
        diag.debug(`langsmith-otel-bridge: forceFlush: ${String(err)}`);
      }
    },
    shutdown: () =>
      (stopped ??= (async () => {
        try {
          const deadline = Date.now() + deadlineMs;
          // The SDK ends its spans when its Client has processed the last runs (a local step).
          if (config.langsmithOtelMode) await within(flushLangSmithSdk(), deadlineMs, logFailure);
          for (const instrumentation of instrumentations) instrumentation.disable();
          // What the SDK flush took comes off the processor's time: one deadline in all, and its
          // "not delivered" line is written before a signal handler's exit.
          await spanProcessor.shutdown(deadline);
          // The provider calls the processor's (memoised) shutdown again; this bounds the rest.
          await within(provider.shutdown(), deadline - Date.now() + 100, logFailure);
        } catch (err) {
          diag.debug(`langsmith-otel-bridge: shutdown: ${String(err)}`);
        } finally {
          trace.disable();
          propagation.disable();
          context.disable();
        }
      })()),
  };
  const flushSdk = config.langsmithOtelMode ? flushLangSmithSdk : undefined;
  flushAtExit(spanProcessor, deadlineMs, () => stopped !== undefined, flushSdk);
  registry[REGISTERED] = bridge;
  if (!config.quiet) process.stderr.write(describeDestinations(config) + '\n');
  return bridge;
}

/**
 * The exit-time flush. `beforeExit` fires when the app's event loop is empty
 * (not on `process.exit()` or a signal): each queued batch is tried once,
 * for at most `deadlineMs`, and what was not delivered is one line on stderr.
 * A ref'd timer holds the process until then; past the deadline a hung
 * connection would hold it longer (the OTLP exporter's own timeout is 10 s),
 * so the process exits — with the app's own `process.exitCode`. `beforeExit`
 * fires again after the flush: it flushes again only if new spans were
 * queued (an app's own `beforeExit` handler may end some).
 * On `exit` without that flush (`process.exit()` in the app), what is still
 * queued is counted in one line.
 */
function flushAtExit(processor: LangSmithSpanProcessor, deadlineMs: number, isStopped: () => boolean, flushSdk: (() => Promise<void>) | undefined): void {
  let flushing = false;
  let reported = false;
  /** The langsmith SDK (OTel mode) ends its last spans when its Client is flushed: once, at the first beforeExit. */
  let sdkPending = flushSdk !== undefined;
  process.on('beforeExit', () => {
    if (flushing || isStopped() || (processor.pending === 0 && !sdkPending)) return;
    flushing = true;
    const deadline = Date.now() + deadlineMs;
    const hold = setTimeout(() => undefined, deadlineMs + 1000); // keeps the loop alive while the flush runs
    const sdk = sdkPending && flushSdk ? within(flushSdk(), deadlineMs, logFailure) : Promise.resolve();
    sdkPending = false;
    void sdk
      .then(() => processor.flushAtExit(deadline))
      .then(
        (report) => {
          if (report.total === 0) return;
          // Undelivered work may still hold sockets or retry timers: do not wait for them.
          reported = true;
          process.exit();
        },
        () => undefined,
      )
      .finally(() => {
        clearTimeout(hold);
        flushing = false;
      });
  });
  process.on('exit', () => {
    if (reported) return;
    try {
      if (processor.pending > 0) processor.reportLostAtExit();
      notices.flush();
    } catch {
      // never fail the exit
    }
  });
}

/**
 * OTEL_LOG_LEVEL: unset, the bridge's own warnings (notices) reach stderr
 * directly. Set, diag carries them at that level — with OTel's
 * `DiagConsoleLogger` (stderr) when the app has no diag logger yet — and
 * `none` silences them.
 */
function configureLogging(env: Record<string, string | undefined>): void {
  const value = env.OTEL_LOG_LEVEL?.trim().toUpperCase();
  if (!value) return;
  notices.configure({ enabled: false });
  if (value === 'NONE') return;
  const level = (DiagLogLevel as unknown as Record<string, number | undefined>)[value];
  // OTel JS warns and uses INFO for an unknown level; a configuration error here, as every other setting.
  if (level === undefined) {
    throw new BridgeConfigError(`OTEL_LOG_LEVEL=${env.OTEL_LOG_LEVEL}: set one of none, error, warn, info, debug, verbose, all.`);
  }
  const apiGlobal = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  if (apiGlobal?.diag === undefined) diag.setLogger(new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true });
}

/**
 * instrumentation-http patches `http`/`https` when they are `require`d after
 * it is enabled. An ESM app imports them without `require`, so require them
 * once here (the patch lands on the shared module objects and prototypes) and
 * sync the ESM named exports (`import { request } from 'node:http'`).
 */
function patchBuiltinsForEsm(): void {
  const requireFromHere = createRequire(join(process.cwd(), 'index.js'));
  for (const name of ['http', 'https']) requireFromHere(name);
  syncBuiltinESMExports();
}

interface TraceSdk {
  Provider: new (config: Record<string, unknown>) => LangSmithBridge['provider'];
  AlwaysOnSampler: new () => unknown;
  AlwaysOffSampler: new () => unknown;
  TraceIdRatioBasedSampler: new (ratio: number) => unknown;
  ParentBasedSampler: new (config: { root: unknown }) => unknown;
}

/** SDK 3.x `@opentelemetry/sdk-trace` (TracerProvider), else 2.x `@opentelemetry/sdk-trace-base`. */
async function loadTraceSdk(): Promise<TraceSdk> {
  try {
    const m = (await import('@opentelemetry/sdk-trace')) as unknown as Record<string, unknown>;
    if (typeof m.TracerProvider === 'function') return { ...m, Provider: m.TracerProvider } as unknown as TraceSdk;
  } catch {
    // not installed: the 2.x line
  }
  const m = (await import('@opentelemetry/sdk-trace-base')) as unknown as Record<string, unknown>;
  return { ...m, Provider: m.BasicTracerProvider } as unknown as TraceSdk;
}

function makeSampler(sdk: TraceSdk, config: ResolvedConfig): unknown {
  const ratio = () => new sdk.TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: ratio() });
    default:
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** An OTel propagator of the format `name`, from its (already loaded) package. */
function makeExtraPropagator(name: ExtraPropagatorName, m: Record<string, unknown> | undefined): TextMapPropagator {
  const pkg = m as Record<string, new (config?: unknown) => TextMapPropagator> & { B3InjectEncoding?: Record<string, unknown> };
  switch (name) {
    case 'b3':
      return new pkg.B3Propagator!({ injectEncoding: pkg.B3InjectEncoding!.SINGLE_HEADER });
    case 'b3multi':
      return new pkg.B3Propagator!({ injectEncoding: pkg.B3InjectEncoding!.MULTI_HEADER });
    case 'jaeger':
      return new pkg.JaegerPropagator!();
    case 'xray':
      return new pkg.AWSXRayPropagator!();
  }
}

/**
 * OTEL_PROPAGATORS' other formats composed with the bridge. Not OTel's
 * CompositePropagator: that one lets every member write every header (the
 * last `baggage` wins) and extracts from untrusted callers. Here
 * - inject: the other formats first, through a setter that drops the
 *   bridge's headers, then the bridge: one writer of traceparent, tracestate,
 *   baggage and langsmith-trace;
 * - extract: the other formats only for a caller the bridge's trust policy
 *   trusts (a B3 header is as much a parent as a traceparent), then the
 *   bridge on top, so its context wins where both are present.
 */
export class ComposedPropagator implements TextMapPropagator {
  private readonly _own: ReadonlySet<string>;
  private readonly _fields: string[];

  constructor(
    private readonly _bridge: LangSmithPropagator,
    private readonly _trust: boolean | TrustPolicy,
    private readonly _others: readonly TextMapPropagator[],
  ) {
    this._own = new Set(_bridge.fields().map((f) => f.toLowerCase()));
    this._fields = [...new Set([..._bridge.fields(), ..._others.flatMap((p) => p.fields())])];
  }

  fields(): string[] {
    return this._fields.slice();
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const guarded: TextMapSetter = {
      set: (c, key, value) => {
        if (!this._own.has(key.toLowerCase())) setter.set(c, key, value);
      },
    };
    for (const other of this._others) {
      try {
        other.inject(ctx, carrier, guarded);
      } catch (err) {
        diag.debug(`langsmith-otel-bridge: inject: ${String(err)}`);
      }
    }
    this._bridge.inject(ctx, carrier, setter);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    let base = ctx;
    if (this._trusts(carrier, getter)) {
      for (const other of this._others) {
        try {
          base = other.extract(base, carrier, getter);
        } catch (err) {
          diag.debug(`langsmith-otel-bridge: extract: ${String(err)}`);
        }
      }
    }
    return this._bridge.extract(base, carrier, getter);
  }

  private _trusts(carrier: unknown, getter: TextMapGetter): boolean {
    if (typeof this._trust === 'boolean') return this._trust;
    try {
      return this._trust(carrier, getter) === true;
    } catch {
      return false;
    }
  }
}

export { describeDestinations, resolveConfig, BridgeConfigError };
export type { BridgeOptions, ResolvedConfig };

function logFailure(err: unknown): void {
  diag.debug(`langsmith-otel-bridge: ${String(err)}`);
}
