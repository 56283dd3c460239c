// The pure header and id codecs: total functions, explicit limits, no I/O.
export { parseTraceParent, formatTraceParent, trimOws } from './traceparent.js';
export type { TraceParent } from './traceparent.js';
export { parseTraceState, W3CTraceState, isValidTraceStateKey, isValidTraceStateValue, truncateTraceState } from './tracestate.js';
export { parseBaggage, formatBaggageMember, joinBaggage, percentDecode, utf8Length } from './baggage.js';
export type { BaggageMember, ParsedBaggage } from './baggage.js';
export { LangSmithBaggage, decodeMetadata, decodeTags, decodeProject } from './langsmith-baggage.js';
export type { Metadata, LangSmithBaggageInit } from './langsmith-baggage.js';
export { parseDottedOrder, formatDottedOrderSegment, formatTimestamp, childDottedOrder } from './dotted-order.js';
export type { DottedOrder } from './dotted-order.js';
export { isUuid, runIdFromSpanId, spanIdFromRunId, traceIdFromLsTraceId, lsTraceIdFromTraceId, isPaddedSpanRunId } from './ids.js';
