/**
 * The decoded shape of an OTLP/HTTP `ExportTraceServiceRequest`, shared by
 * both wire encodings (protobuf.ts, json.ts).
 *
 * Ids are exposed as lowercase hex of whatever bytes arrived (validating their
 * length is the run mapping's job); times as the exact nanosecond string plus
 * microseconds as a number. An `int_value` outside the safe-integer range is
 * kept exact as a `bigint`.
 */

/** An OTLP `AnyValue`; an empty `AnyValue` decodes to `null`. */
export type OtlpValue = string | boolean | number | bigint | Uint8Array | null | OtlpValue[] | { [key: string]: OtlpValue };

export type OtlpAttributes = Record<string, OtlpValue>;

export interface OtlpResource {
  attributes: OtlpAttributes;
  droppedAttributesCount: number;
}

export interface OtlpScope {
  name: string;
  version: string;
  attributes: OtlpAttributes;
}

export interface OtlpEvent {
  timeUnixNano: string;
  timeMicros: number;
  name: string;
  attributes: OtlpAttributes;
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  traceState: string;
  flags: number;
  attributes: OtlpAttributes;
}

export interface OtlpStatus {
  /** 0 unset, 1 ok, 2 error. */
  code: number;
  message: string;
}

export interface OtlpSpan {
  /** Lowercase hex of the `trace_id` bytes (32 digits when valid). */
  traceId: string;
  /** Lowercase hex of the `span_id` bytes (16 digits when valid). */
  spanId: string;
  /** Lowercase hex, `undefined` when the field is absent or empty (a root span). */
  parentSpanId: string | undefined;
  traceState: string;
  flags: number;
  name: string;
  /** OTLP `SpanKind`: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  startMicros: number;
  endMicros: number;
  attributes: OtlpAttributes;
  droppedAttributesCount: number;
  events: OtlpEvent[];
  droppedEventsCount: number;
  links: OtlpLink[];
  droppedLinksCount: number;
  status: OtlpStatus;
}

export interface OtlpScopeSpans {
  scope: OtlpScope;
  spans: OtlpSpan[];
  schemaUrl: string;
}

export interface OtlpResourceSpans {
  resource: OtlpResource;
  scopeSpans: OtlpScopeSpans[];
  schemaUrl: string;
}

export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
}

export type OtlpDecodeResult = { ok: true; request: OtlpTraceRequest } | { ok: false; error: string };

/** A span with the resource and scope it was exported under. */
export interface OtlpSpanRecord {
  span: OtlpSpan;
  resource: OtlpResource;
  scope: OtlpScope;
}

/** Nesting bound for array/kvlist values: deeper input is rejected, not recursed into. */
export const MAX_OTLP_VALUE_DEPTH = 32;

/** A resource with every field at its proto3 default. */
export function emptyResource(): OtlpResource {
  return { attributes: {}, droppedAttributesCount: 0 };
}

/** An instrumentation scope with every field at its proto3 default. */
export function emptyScope(): OtlpScope {
  return { name: '', version: '', attributes: {} };
}

/** A span with every field at its proto3 default. */
export function emptySpan(): OtlpSpan {
  return {
    traceId: '',
    spanId: '',
    parentSpanId: undefined,
    traceState: '',
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    startMicros: 0,
    endMicros: 0,
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}
