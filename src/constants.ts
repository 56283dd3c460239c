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
export const MAX_DOTTED_ORDER_LENGTH = MAX_DOTTED_ORDER_SEGMENTS * (DOTTED_ORDER_SEGMENT_LENGTH + 1) - 1;
// ---- Outbound budget: what inject writes (issue 8) ----
//
// Measured (Node 20.20, default --max-http-header-size 16384): a request
// whose only large header is one value of 16,328 bytes gets 200, one byte
// more 431 — the whole request head counts. The SDKs themselves take any
// size (langsmith JS 0.12 RunTree.fromHeaders parsed a 1,000-segment,
// 59 KB langsmith-trace; Python 0.15 from_headers under uvicorn 0.55 + h11
// 0.16 took 280 segments and headers over 100 KB): the HTTP server is the
// limit. So inject keeps every header line within an 8 KiB per-line limit
// (nginx `large_client_header_buffers 8k`, Apache `LimitRequestFieldSize
// 8190`; their documented defaults, not measured here), and all four lines
// together within 12 KiB, leaving at least 4 KiB of Node's 16 KiB for the
// request line and the application's own headers.

/**
 * Deepest lineage inject sends: 137 segments = 8,082 characters, so the field
 * `langsmith-trace: <value>` (8,099 bytes) fits MAX_INJECTED_HEADER_FIELD. A deeper one is
 * not sent at all (a cut dotted order would name another tree); the next
 * hop continues from `traceparent`.
 */
export const MAX_INJECTED_DOTTED_ORDER_SEGMENTS = 137;
export const MAX_INJECTED_DOTTED_ORDER_LENGTH = MAX_INJECTED_DOTTED_ORDER_SEGMENTS * (DOTTED_ORDER_SEGMENT_LENGTH + 1) - 1;
/** W3C trace-context §3.3.1.5: vendors SHOULD propagate at least 512 characters; longer is truncated by its rule. */
export const MAX_INJECTED_TRACE_STATE_LENGTH = 512;
/** The four header lines inject writes (`name: value\r\n` each), together. Baggage members that do not fit are left out whole. */
export const MAX_INJECTED_HEADER_BYTES = 12_288;
/** One header field `name: value` (Apache's LimitRequestFieldSize default; nginx's buffer is 8192 with CRLF). */
export const MAX_INJECTED_HEADER_FIELD = 8190;

/** Decoded `langsmith-metadata` JSON larger than this is ignored. */
export const MAX_METADATA_BYTES = 4096;
export const MAX_TAGS = 64;
export const MAX_TAG_LENGTH = 256;
export const MAX_PROJECT_LENGTH = 512;
