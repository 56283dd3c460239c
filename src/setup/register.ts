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
import { context, propagation, trace, type TracerProvider } from '@opentelemetry/api';
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
  /** HTTP server/client and fetch instrumentation, not yet enabled. */
  instrumentations: Array<{ enable(): void; disable(): void; setTracerProvider(provider: TracerProvider): void }>;
}

export interface LangSmithBridge extends LangSmithBridgeComponents {
  provider: TracerProvider & { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  /** Delivers everything queued. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops the provider and the instrumentations. */
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
    sinks,
    project: config.project,
    exportFilteredSpans: !config.otlp?.toLangSmith,
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

let registered: LangSmithBridge | undefined;

/** The bridge `registerLangSmithBridge` (or the register entry) set up in this process, if any. */
export function getRegisteredBridge(): LangSmithBridge | undefined {
  return registered;
}

export async function registerLangSmithBridge(options: BridgeOptions = {}): Promise<LangSmithBridge> {
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

  let stopped: Promise<void> | undefined;
  const bridge: LangSmithBridge = {
    ...components,
    provider,
    forceFlush: async () => {
      if (config.langsmithOtelMode) await flushLangSmithSdk();
      await provider.forceFlush();
    },
    shutdown: () =>
      (stopped ??= (async () => {
        if (config.langsmithOtelMode) await flushLangSmithSdk();
        for (const instrumentation of instrumentations) instrumentation.disable();
        await provider.shutdown();
        trace.disable();
        propagation.disable();
        context.disable();
      })()),
  };
  process.once('beforeExit', () => void bridge.forceFlush());
  registered = bridge;
  if (!config.quiet) process.stderr.write(describeDestinations(config) + '\n');
  return bridge;
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
