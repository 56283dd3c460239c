// Header in → context → span → run → sink. See README.md.
//
// The root export is exactly the README's "API" list (test/package.test.ts
// checks both ways). The header and id codecs are the `langsmith-otel-bridge/codecs`
// subpath; the wire limits stay internal (README "Limits" documents them).

export { LangSmithPropagator } from './propagator/LangSmithPropagator.js';
export type { LangSmithPropagatorOptions, PropagatorStats } from './propagator/LangSmithPropagator.js';
export type { InboundContext, PropagationMode } from './context/keys.js';
export { getInboundContext } from './context/keys.js';

export { anyTrust, DEFAULT_TRUST_HEADER, stripTracingHeaders, TRACING_HEADERS, trustedNetworks, trustHeaderToken } from './trust/policies.js';
export type { HeaderTokenOptions, NetworkTrust, TrustPolicy } from './trust/policies.js';

export { LineageTracker, getSpanLineage, getContextLineage, isOwnRun, UNTRUSTED_LINK_ATTRIBUTE } from './lineage/lineage.js';
export type { LineageOptions, SpanLineage } from './lineage/lineage.js';
export { LangSmithLineageProcessor } from './lineage/LangSmithLineageProcessor.js';
export type { SpanProcessorLike } from './lineage/LangSmithLineageProcessor.js';

export { LangSmithSpanProcessor } from './processor/LangSmithSpanProcessor.js';
export type { LangSmithSpanProcessorOptions, LangSmithSpanProcessorStats, SpanExporterLike, UndeliveredReport } from './processor/LangSmithSpanProcessor.js';
export { defaultSpanFilter, keepAllSpans, NOISY_INSTRUMENTATION_SCOPES } from './processor/filter.js';
export type { SpanFilter } from './processor/filter.js';
export type { BatchQueueOptions, BatchQueueStats, RetryAfterHint, ShutdownResult } from './processor/batch-queue.js';

export { spanToRun } from './mapping/span-to-run.js';
export type { RunMappingOptions } from './mapping/span-to-run.js';
export { runToAttributes } from './mapping/encoding.js';
export type { Run, RunType, SpanLike, UsageMetadata } from './mapping/types.js';

export { LangSmithClientSink } from './sinks/langsmith-client.js';
export type { LangSmithClientSinkOptions } from './sinks/langsmith-client.js';
export { JsonlFileSink } from './sinks/jsonl-file.js';
export { TreePrinterSink } from './sinks/tree-printer.js';
export type { TreePrinterSinkOptions, TreePrinterStats } from './sinks/tree-printer.js';
export type { RunSink } from './sinks/types.js';

export {
  BridgeConfigError,
  createLangSmithBridge,
  describeDestinations,
  getRegisteredBridge,
  registerLangSmithBridge,
  resolveConfig,
} from './setup/register.js';
export type { BridgeOptions, LangSmithBridge, LangSmithBridgeComponents, ResolvedConfig } from './setup/register.js';

export { enableLangSmithOtelMode, langsmithHeaders, runTreeForActiveSpan } from './setup/langsmith-sdk.js';
export type { RunTreeForActiveSpanOptions } from './setup/langsmith-sdk.js';
