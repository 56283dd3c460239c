/**
 * A local LangSmith-compatible ingest server and the codecs behind it: the
 * demo's default backend and the contract tests' capture server.
 */
export { startIngestServer, DEFAULT_MAX_BODY_BYTES, ZSTD_AVAILABLE, type IngestServer, type IngestServerOptions, type IngestRequestCounts } from './server.js';
export {
  RunStore,
  DEFAULT_MAX_STORED_RUNS,
  DEFAULT_MAX_STORED_BYTES,
  DEFAULT_MAX_VIOLATIONS,
  runViolations,
  explainDottedOrder,
  type IngestedRun,
  type IngestedAttachment,
  type IngestedSpanInfo,
  type RunNode,
  type RunSource,
  type RunStoreOptions,
  type RunStoreStats,
  type TraceTree,
} from './run-store.js';
export { MAX_JSON_DEPTH } from './json-limits.js';
export { MAX_TIME_MICROS, microsFromTime, isoFromMicros } from '../time.js';
export { formatTree, formatDuration, type FormatTreeOptions } from '../tree/index.js';
export { runFromOtlpSpan, type SpanRun, type SpanRunResult } from './otlp-run.js';
export {
  decodeOtlpTraceRequest,
  decodeOtlpTraceProtobuf,
  decodeOtlpTraceJson,
  flattenOtlpSpans,
  type OtlpTraceRequest,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpSpanRecord,
  type OtlpEvent,
  type OtlpLink,
  type OtlpStatus,
  type OtlpScope,
  type OtlpResource,
  type OtlpAttributes,
  type OtlpValue,
  type OtlpDecodeResult,
} from './otlp/index.js';
export {
  decodeMultipartRuns,
  parseMultipart,
  assembleMultipartRuns,
  boundaryFromContentType,
  type MultipartPart,
  type MultipartRunBatch,
  type MultipartAttachment,
  type MultipartResult,
} from './multipart.js';
