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
import { context, diag, DiagConsoleLogger, DiagLogLevel, propagation, trace, type TracerProvider } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { notices } from '../notices.js';
import { LangSmithSpanProcessor, type SpanExporterLike } from '../processor/LangSmithSpanProcessor.js';
import { LangSmithPropagator } from '../propagator/LangSmithPropagator.js';
import { JsonlFileSink } from '../sinks/jsonl-file.js';
import { enableLangSmithOtelMode, flushLangSmithSdk } from './langsmith-sdk.js';
import { createOtlpExporter } from './otlp-exporter.js';
import { LangSmithClientSink } from '../sinks/langsmith-client.js';
import { TreePrinterSink } from '../sinks/tree-printer.js';
import type { RunSink } from '../sinks/types.js';
import { BridgeConfigError, describeDestinations, resolveConfig, type BridgeOptions, type ResolvedConfig } from './config.js';

export interface LangSmithBridgeComponents {
  config: ResolvedConfig;
  propagator: LangSmithPropagator;
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
  /** Delivers what is queued at the call, at most the export timeout. Never rejects. */
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
  const propagator = new LangSmithPropagator({ trust: config.trust, traceparentOnly: config.traceparentOnly });

  const sinks: RunSink[] = [];
  if (config.langsmith) sinks.push(new LangSmithClientSink(config.langsmith));
  if (config.file) sinks.push(new JsonlFileSink(config.file));
  if (config.printTrees) sinks.push(new TreePrinterSink({ color: process.stdout.isTTY === true }));
  let exporter: SpanExporterLike | undefined;
  // http/protobuf, http/json or grpc, as OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL says.
  if (config.otlp) exporter = await createOtlpExporter(config.otlp);
  const spanProcessor = new LangSmithSpanProcessor({
    exporter,
    exporterLabel: config.otlp ? `OTLP ${config.otlp.url}` : undefined,
    sinks,
    project: config.project,
    exportFilteredSpans: !config.otlp?.toLangSmith,
    shutdownTimeoutMillis: config.shutdownTimeoutMillis,
    ...definedOnly(config.queue),
  });

  const instrumentations: LangSmithBridgeComponents['instrumentations'] = [];
  if (config.instrumentHttp) {
    const { HttpInstrumentation } = await load<typeof import('@opentelemetry/instrumentation-http')>(
      '@opentelemetry/instrumentation-http',
      'HTTP instrumentation (instrumentHttp: false to skip)',
    );
    const httpConfig = config.networkTrust ? config.networkTrust.instrumentationConfig({}) : {};
    instrumentations.push(new HttpInstrumentation(httpConfig));
  }
  if (config.instrumentFetch) {
    const { UndiciInstrumentation } = await load<typeof import('@opentelemetry/instrumentation-undici')>(
      '@opentelemetry/instrumentation-undici',
      'fetch instrumentation (instrumentFetch: false to skip)',
    );
    instrumentations.push(new UndiciInstrumentation());
  }
  return { config, propagator, spanProcessor, instrumentations };
}

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
  const components = await createLangSmithBridge(options);
  const { config, propagator, spanProcessor, instrumentations } = components;

  const [{ AsyncLocalStorageContextManager }, sdk, { resourceFromAttributes }] = await Promise.all([
    load<typeof import('@opentelemetry/context-async-hooks')>('@opentelemetry/context-async-hooks', 'context propagation'),
    loadTraceSdk(),
    load<typeof import('@opentelemetry/resources')>('@opentelemetry/resources', 'the service resource'),
  ]);

  const provider = new sdk.Provider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    sampler: makeSampler(sdk, config),
    spanProcessors: [spanProcessor as never],
  });

  if (!trace.setGlobalTracerProvider(provider)) {
    throw new BridgeConfigError(
      'registerLangSmithBridge: a global tracer provider is already registered (NodeSDK?). Use ' +
        'createLangSmithBridge() and pass its propagator, spanProcessor and instrumentations to your own setup.',
    );
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(propagator);
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
        if (config.langsmithOtelMode) await within(flushLangSmithSdk(), deadlineMs);
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
          if (config.langsmithOtelMode) await within(flushLangSmithSdk(), deadlineMs);
          for (const instrumentation of instrumentations) instrumentation.disable();
          // What the SDK flush took comes off the processor's time: one deadline in all, and its
          // "not delivered" line is written before a signal handler's exit.
          await spanProcessor.shutdown(deadline);
          // The provider calls the processor's (memoised) shutdown again; this bounds the rest.
          await within(provider.shutdown(), deadline - Date.now() + 100);
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
function flushAtExit(
  processor: LangSmithSpanProcessor,
  deadlineMs: number,
  isStopped: () => boolean,
  flushSdk: (() => Promise<void>) | undefined,
): void {
  let flushing = false;
  let reported = false;
  /** The langsmith SDK (OTel mode) ends its last spans when its Client is flushed: once, at the first beforeExit. */
  let sdkPending = flushSdk !== undefined;
  process.on('beforeExit', () => {
    if (flushing || isStopped() || (processor.pending === 0 && !sdkPending)) return;
    flushing = true;
    const deadline = Date.now() + deadlineMs;
    const hold = setTimeout(() => undefined, deadlineMs + 1000); // keeps the loop alive while the flush runs
    const sdk = sdkPending && flushSdk ? within(flushSdk(), deadlineMs) : Promise.resolve();
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
  const level = (DiagLogLevel as unknown as Record<string, number | undefined>)[value] ?? DiagLogLevel.INFO;
  const apiGlobal = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  if (apiGlobal?.diag === undefined) diag.setLogger(new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true });
}

/** Waits for `promise` at most `ms`; never rejects. */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => undefined,
      (err: unknown) => diag.debug(`langsmith-otel-bridge: ${String(err)}`),
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms)))),
  ]).finally(() => clearTimeout(timer));
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
  const m = (await load<Record<string, unknown>>('@opentelemetry/sdk-trace-base', 'the tracer provider'));
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

async function load<T>(name: string, purpose: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (err) {
    throw new BridgeConfigError(`${purpose} needs the package ${name}: npm install ${name} (${(err as Error).message})`);
  }
}

export { describeDestinations, resolveConfig, BridgeConfigError };
export type { BridgeOptions, ResolvedConfig };
