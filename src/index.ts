// Header in → context → span → run → sink. See README.md.

export { LangSmithPropagator } from './propagator/LangSmithPropagator.js';
export type {
  LangSmithPropagatorOptions,
  PropagatorStats,
  TrustPolicy,
} from './propagator/LangSmithPropagator.js';
export type { InboundContext, PropagationMode } from './propagator/context.js';
export { getInboundContext } from './propagator/context.js';

export {
  anyTrust,
  DEFAULT_TRUST_HEADER,
  stripTracingHeaders,
  TRACING_HEADERS,
  trustedNetworks,
  trustHeaderToken,
} from './trust/policies.js';
export type { HeaderTokenOptions, NetworkTrust } from './trust/policies.js';

export { LineageTracker, getSpanLineage, getContextLineage, isOwnRun, UNTRUSTED_LINK_ATTRIBUTE } from './lineage/lineage.js';
export type { LineageOptions, SpanLineage } from './lineage/lineage.js';
export { LangSmithLineageProcessor } from './lineage/LangSmithLineageProcessor.js';
export type { SpanProcessorLike } from './lineage/LangSmithLineageProcessor.js';

export * as codecs from './headers/index.js';
export * from './constants.js';
