/**
 * Header names, wire limits and attribute keys shared by the codecs, the
 * propagator and the span processor. Every limit that bounds parsing of
 * untrusted input is defined here, so the README's "Limits" table has one
 * source.
 */

// ---- Header names (lowercase: Node lowercases incoming header names) ----

export const TRACE_PARENT_HEADER = 'traceparent';
export const TRACE_STATE_HEADER = 'tracestate';
export const LANGSMITH_TRACE_HEADER = 'langsmith-trace';
export const BAGGAGE_HEADER = 'baggage';

// ---- LangSmith baggage members (langsmith.md §1) ----

export const LANGSMITH_METADATA_MEMBER = 'langsmith-metadata';
export const LANGSMITH_TAGS_MEMBER = 'langsmith-tags';
export const LANGSMITH_PROJECT_MEMBER = 'langsmith-project';
/** Older / beta members: recognised so they never leak into OTel Baggage, not propagated. */
export const LANGSMITH_REPLICAS_MEMBER = 'langsmith-replicas';
export const LANGSMITH_ADDRESS_MEMBER = 'langsmith-address';

// ---- W3C trace-context limits ----

/** A version-00 traceparent is exactly this long. */
export const TRACE_PARENT_LENGTH = 55;
/** Future versions may append fields; anything longer than this is rejected unparsed. */
export const MAX_TRACE_PARENT_LENGTH = 512;
/** W3C trace-context: at most 32 list members. */
export const MAX_TRACE_STATE_MEMBERS = 32;
/** A tracestate longer than this is dropped unparsed: 32 members of 256-char keys and values, and their commas. */
export const MAX_TRACE_STATE_LENGTH = 32 * (256 + 1 + 256) + 31;
export const MAX_TRACE_STATE_VALUE_LENGTH = 256;

/** Level 2 trace-flags this implementation understands and propagates: sampled | random. */
export const TRACE_FLAG_SAMPLED = 0x01;
export const TRACE_FLAG_RANDOM = 0x02;
export const KNOWN_TRACE_FLAGS = TRACE_FLAG_SAMPLED | TRACE_FLAG_RANDOM;

// ---- W3C baggage limits (current W3C text: 64 members, 8192 bytes) ----

export const MAX_BAGGAGE_MEMBERS = 64;
export const MAX_BAGGAGE_BYTES = 8192;

// ---- LangSmith limits ----

/** A dotted-order segment: 22-char timestamp + 36-char UUID. */
export const DOTTED_ORDER_SEGMENT_LENGTH = 58;
/**
 * Deepest lineage accepted from a header. 256 segments ≈ 15 KB, about Node's
 * default 16 KB limit for all request headers together.
 */
export const MAX_DOTTED_ORDER_SEGMENTS = 256;
export const MAX_DOTTED_ORDER_LENGTH =
  MAX_DOTTED_ORDER_SEGMENTS * (DOTTED_ORDER_SEGMENT_LENGTH + 1) - 1;
/** Decoded `langsmith-metadata` JSON larger than this is ignored. */
export const MAX_METADATA_BYTES = 4096;
export const MAX_TAGS = 64;
export const MAX_TAG_LENGTH = 256;
export const MAX_PROJECT_LENGTH = 512;
