/**
 * Decoders for an OTLP/HTTP `ExportTraceServiceRequest`, in both encodings
 * the OTLP spec defines: binary protobuf (`application/x-protobuf`) and the
 * OTLP/JSON mapping (`application/json`). Hand-written so the package needs no
 * protobuf runtime. Total: garbage in gives `{ ok: false, error }`, never an
 * exception. Content-encoding (gzip) is the caller's job.
 *
 * Field numbers are those of opentelemetry-proto:
 * `collector/trace/v1/trace_service.proto`, `trace/v1/trace.proto`,
 * `common/v1/common.proto`, `resource/v1/resource.proto`.
 *
 * Ids are exposed as lowercase hex of whatever bytes arrived (validating their
 * length is the run mapping's job); times as the exact nanosecond string plus
 * microseconds as a number. An `int_value` outside the safe-integer range is
 * kept exact as a `bigint`.
 */

/** An OTLP `AnyValue`; an empty `AnyValue` decodes to `null`. */
export type OtlpValue =
  | string
  | boolean
  | number
  | bigint
  | Uint8Array
  | null
  | OtlpValue[]
  | { [key: string]: OtlpValue };

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

export type OtlpDecodeResult =
  | { ok: true; request: OtlpTraceRequest }
  | { ok: false; error: string };

/** A span with the resource and scope it was exported under. */
export interface OtlpSpanRecord {
  span: OtlpSpan;
  resource: OtlpResource;
  scope: OtlpScope;
}

/** Nesting bound for array/kvlist values: deeper input is rejected, not recursed into. */
export const MAX_OTLP_VALUE_DEPTH = 32;

const CONTENT_TYPE_PROTOBUF = 'application/x-protobuf';
const CONTENT_TYPE_JSON = 'application/json';

// Protobuf wire types.
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const NANOS_PER_MICRO = 1000n;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Decodes a request body by its content type: protobuf for
 * `application/x-protobuf` (and `application/protobuf`), OTLP/JSON for
 * `application/json`. Anything else is an error.
 */
export function decodeOtlpTraceRequest(
  body: Uint8Array,
  contentType: string | undefined,
): OtlpDecodeResult {
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === CONTENT_TYPE_PROTOBUF || mediaType === 'application/protobuf') {
    return decodeOtlpTraceProtobuf(body);
  }
  if (mediaType === CONTENT_TYPE_JSON) return decodeOtlpTraceJson(body);
  return {
    ok: false,
    error: `unsupported content-type "${mediaType}": OTLP/HTTP takes ${CONTENT_TYPE_PROTOBUF} or ${CONTENT_TYPE_JSON}`,
  };
}

/** Every span of a request, with its resource and scope, in wire order. */
export function flattenOtlpSpans(request: OtlpTraceRequest): OtlpSpanRecord[] {
  const out: OtlpSpanRecord[] = [];
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) out.push({ span, resource: rs.resource, scope: ss.scope });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Protobuf
// ---------------------------------------------------------------------------

class DecodeError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A bounded cursor over `buf[pos..end)`; every read is checked against `end`. */
class Reader {
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /** Returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const key = this.varint();
    const field = Number(key >> 3n);
    if (field === 0 || field > 0x1fffffff) throw new DecodeError(`invalid field number ${field}`);
    return [field, Number(key & 7n)];
  }

  varint(): bigint {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new DecodeError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new DecodeError('varint longer than 10 bytes');
  }

  /** A varint read as a (u)int32 field: the low 32 bits, signed for enums. */
  int32(wire: number, what: string): number {
    expectWire(wire, WIRE_VARINT, what);
    return Number(BigInt.asIntN(32, this.varint()));
  }

  uint32(wire: number, what: string): number {
    expectWire(wire, WIRE_VARINT, what);
    return Number(BigInt.asUintN(32, this.varint()));
  }

  bool(wire: number, what: string): boolean {
    expectWire(wire, WIRE_VARINT, what);
    return this.varint() !== 0n;
  }

  fixed64(wire: number, what: string): bigint {
    expectWire(wire, WIRE_I64, what);
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  double(wire: number, what: string): number {
    expectWire(wire, WIRE_I64, what);
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  fixed32(wire: number, what: string): number {
    expectWire(wire, WIRE_I32, what);
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  bytes(wire: number, what: string): Uint8Array {
    expectWire(wire, WIRE_LEN, what);
    const len = this.length();
    // A copy, as a plain Uint8Array: a value must not pin (or be) the request Buffer.
    const out = new Uint8Array(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return out;
  }

  string(wire: number, what: string): string {
    expectWire(wire, WIRE_LEN, what);
    const len = this.length();
    let s: string;
    try {
      s = utf8.decode(this.buf.subarray(this.pos, this.pos + len));
    } catch {
      throw new DecodeError(`${what} is not valid UTF-8`);
    }
    this.pos += len;
    return s;
  }

  /** A reader over the next length-delimited field (an embedded message). */
  message(wire: number, what: string): Reader {
    expectWire(wire, WIRE_LEN, what);
    const len = this.length();
    const sub = new Reader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return sub;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos += this.length();
        return;
      case WIRE_I32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        // 3/4 are the deprecated groups (never used by OTLP), 6/7 do not exist.
        throw new DecodeError(`unsupported wire type ${wire}`);
    }
  }

  private length(): number {
    const len = this.varint();
    if (len > BigInt(this.end - this.pos)) throw new DecodeError('length-delimited field runs past the end of its message');
    return Number(len);
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new DecodeError('truncated fixed-width field');
  }
}

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) {
    throw new DecodeError(`${what} has wire type ${actual}, expected ${expected}`);
  }
}

/** Decodes a binary protobuf `ExportTraceServiceRequest`. */
export function decodeOtlpTraceProtobuf(bytes: Uint8Array): OtlpDecodeResult {
  try {
    const r = new Reader(bytes, 0, bytes.byteLength);
    const request: OtlpTraceRequest = { resourceSpans: [] };
    while (r.more()) {
      const [field, wire] = r.tag();
      if (field === 1) request.resourceSpans.push(pbResourceSpans(r.message(wire, 'resource_spans')));
      else r.skip(wire);
    }
    return { ok: true, request };
  } catch (e) {
    return { ok: false, error: `invalid OTLP protobuf: ${errorText(e)}` };
  }
}

function pbResourceSpans(r: Reader): OtlpResourceSpans {
  const out: OtlpResourceSpans = {
    resource: { attributes: {}, droppedAttributesCount: 0 },
    scopeSpans: [],
    schemaUrl: '',
  };
  while (r.more()) {
    const [field, wire] = r.tag();
    switch (field) {
      case 1:
        out.resource = pbResource(r.message(wire, 'ResourceSpans.resource'));
        break;
      case 2:
        out.scopeSpans.push(pbScopeSpans(r.message(wire, 'ResourceSpans.scope_spans')));
        break;
      case 3:
        out.schemaUrl = r.string(wire, 'ResourceSpans.schema_url');
        break;
      default:
        r.skip(wire);
    }
  }
  return out;
}

function pbResource(r: Reader): OtlpResource {
  const out: OtlpResource = { attributes: {}, droppedAttributesCount: 0 };
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field === 1) pbKeyValueInto(out.attributes, r.message(wire, 'Resource.attributes'), 0);
    else if (field === 2) out.droppedAttributesCount = r.uint32(wire, 'Resource.dropped_attributes_count');
    else r.skip(wire);
  }
  return out;
}

function pbScopeSpans(r: Reader): OtlpScopeSpans {
  const out: OtlpScopeSpans = { scope: { name: '', version: '', attributes: {} }, spans: [], schemaUrl: '' };
  while (r.more()) {
    const [field, wire] = r.tag();
    switch (field) {
      case 1:
        out.scope = pbScope(r.message(wire, 'ScopeSpans.scope'));
        break;
      case 2:
        out.spans.push(pbSpan(r.message(wire, 'ScopeSpans.spans')));
        break;
      case 3:
        out.schemaUrl = r.string(wire, 'ScopeSpans.schema_url');
        break;
      default:
        r.skip(wire);
    }
  }
  return out;
}

function pbScope(r: Reader): OtlpScope {
  const out: OtlpScope = { name: '', version: '', attributes: {} };
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field === 1) out.name = r.string(wire, 'InstrumentationScope.name');
    else if (field === 2) out.version = r.string(wire, 'InstrumentationScope.version');
    else if (field === 3) pbKeyValueInto(out.attributes, r.message(wire, 'InstrumentationScope.attributes'), 0);
    else r.skip(wire);
  }
  return out;
}

function emptySpan(): OtlpSpan {
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

function pbSpan(r: Reader): OtlpSpan {
  const s = emptySpan();
  while (r.more()) {
    const [field, wire] = r.tag();
    switch (field) {
      case 1:
        s.traceId = hex(r.bytes(wire, 'Span.trace_id'));
        break;
      case 2:
        s.spanId = hex(r.bytes(wire, 'Span.span_id'));
        break;
      case 3:
        s.traceState = r.string(wire, 'Span.trace_state');
        break;
      case 4: {
        const parent = r.bytes(wire, 'Span.parent_span_id');
        s.parentSpanId = parent.byteLength > 0 ? hex(parent) : undefined;
        break;
      }
      case 5:
        s.name = r.string(wire, 'Span.name');
        break;
      case 6:
        s.kind = r.int32(wire, 'Span.kind');
        break;
      case 7: {
        const t = r.fixed64(wire, 'Span.start_time_unix_nano');
        s.startTimeUnixNano = t.toString();
        s.startMicros = Number(t / NANOS_PER_MICRO);
        break;
      }
      case 8: {
        const t = r.fixed64(wire, 'Span.end_time_unix_nano');
        s.endTimeUnixNano = t.toString();
        s.endMicros = Number(t / NANOS_PER_MICRO);
        break;
      }
      case 9:
        pbKeyValueInto(s.attributes, r.message(wire, 'Span.attributes'), 0);
        break;
      case 10:
        s.droppedAttributesCount = r.uint32(wire, 'Span.dropped_attributes_count');
        break;
      case 11:
        s.events.push(pbEvent(r.message(wire, 'Span.events')));
        break;
      case 12:
        s.droppedEventsCount = r.uint32(wire, 'Span.dropped_events_count');
        break;
      case 13:
        s.links.push(pbLink(r.message(wire, 'Span.links')));
        break;
      case 14:
        s.droppedLinksCount = r.uint32(wire, 'Span.dropped_links_count');
        break;
      case 15:
        s.status = pbStatus(r.message(wire, 'Span.status'));
        break;
      case 16:
        s.flags = r.fixed32(wire, 'Span.flags');
        break;
      default:
        r.skip(wire);
    }
  }
  return s;
}

function pbEvent(r: Reader): OtlpEvent {
  const e: OtlpEvent = { timeUnixNano: '0', timeMicros: 0, name: '', attributes: {} };
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field === 1) {
      const t = r.fixed64(wire, 'Event.time_unix_nano');
      e.timeUnixNano = t.toString();
      e.timeMicros = Number(t / NANOS_PER_MICRO);
    } else if (field === 2) e.name = r.string(wire, 'Event.name');
    else if (field === 3) pbKeyValueInto(e.attributes, r.message(wire, 'Event.attributes'), 0);
    else r.skip(wire);
  }
  return e;
}

function pbLink(r: Reader): OtlpLink {
  const l: OtlpLink = { traceId: '', spanId: '', traceState: '', flags: 0, attributes: {} };
  while (r.more()) {
    const [field, wire] = r.tag();
    switch (field) {
      case 1:
        l.traceId = hex(r.bytes(wire, 'Link.trace_id'));
        break;
      case 2:
        l.spanId = hex(r.bytes(wire, 'Link.span_id'));
        break;
      case 3:
        l.traceState = r.string(wire, 'Link.trace_state');
        break;
      case 4:
        pbKeyValueInto(l.attributes, r.message(wire, 'Link.attributes'), 0);
        break;
      case 6:
        l.flags = r.fixed32(wire, 'Link.flags');
        break;
      default:
        r.skip(wire);
    }
  }
  return l;
}

function pbStatus(r: Reader): OtlpStatus {
  const st: OtlpStatus = { code: 0, message: '' };
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field === 2) st.message = r.string(wire, 'Status.message');
    else if (field === 3) st.code = r.int32(wire, 'Status.code');
    else r.skip(wire);
  }
  return st;
}

/** Decodes one `KeyValue` and stores it in `target` (the last duplicate key wins). */
function pbKeyValueInto(target: Record<string, OtlpValue>, r: Reader, depth: number): void {
  let key = '';
  let value: OtlpValue = null;
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field === 1) key = r.string(wire, 'KeyValue.key');
    else if (field === 2) value = pbAnyValue(r.message(wire, 'KeyValue.value'), depth);
    else r.skip(wire);
  }
  setOwn(target, key, value);
}

function pbAnyValue(r: Reader, depth: number): OtlpValue {
  if (depth > MAX_OTLP_VALUE_DEPTH) throw new DecodeError(`AnyValue nested deeper than ${MAX_OTLP_VALUE_DEPTH}`);
  let value: OtlpValue = null;
  while (r.more()) {
    const [field, wire] = r.tag();
    switch (field) {
      case 1:
        value = r.string(wire, 'AnyValue.string_value');
        break;
      case 2:
        value = r.bool(wire, 'AnyValue.bool_value');
        break;
      case 3:
        expectWire(wire, WIRE_VARINT, 'AnyValue.int_value');
        value = int64Value(BigInt.asIntN(64, r.varint()));
        break;
      case 4:
        value = r.double(wire, 'AnyValue.double_value');
        break;
      case 5: {
        const arr: OtlpValue[] = [];
        const ar = r.message(wire, 'AnyValue.array_value');
        while (ar.more()) {
          const [f, w] = ar.tag();
          if (f === 1) arr.push(pbAnyValue(ar.message(w, 'ArrayValue.values'), depth + 1));
          else ar.skip(w);
        }
        value = arr;
        break;
      }
      case 6: {
        const obj: Record<string, OtlpValue> = {};
        const kr = r.message(wire, 'AnyValue.kvlist_value');
        while (kr.more()) {
          const [f, w] = kr.tag();
          if (f === 1) pbKeyValueInto(obj, kr.message(w, 'KeyValueList.values'), depth + 1);
          else kr.skip(w);
        }
        value = obj;
        break;
      }
      case 7:
        value = r.bytes(wire, 'AnyValue.bytes_value');
        break;
      default:
        r.skip(wire);
    }
  }
  return value;
}

// ---------------------------------------------------------------------------
// OTLP/JSON (spec: "JSON Protobuf Encoding"): lowerCamelCase keys (the
// original snake_case names are accepted too), trace and span ids as hex,
// 64-bit integers as decimal strings or numbers, enums as integers (names
// accepted), bytes values as base64.
// ---------------------------------------------------------------------------

type Json = unknown;
type JsonObject = Record<string, unknown>;

const SPAN_KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const STATUS_CODE_NAMES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

/** Decodes an OTLP/JSON `ExportTraceServiceRequest` (UTF-8 bytes or a string). */
export function decodeOtlpTraceJson(body: Uint8Array | string): OtlpDecodeResult {
  let doc: Json;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : utf8.decode(body));
  } catch (e) {
    return { ok: false, error: `invalid OTLP/JSON: not JSON (${errorText(e)})` };
  }
  try {
    const root = jsonObject(doc, 'request');
    const request: OtlpTraceRequest = { resourceSpans: [] };
    for (const rs of jsonArray(get(root, 'resourceSpans', 'resource_spans'), 'resourceSpans')) {
      request.resourceSpans.push(jsonResourceSpans(jsonObject(rs, 'resourceSpans[]')));
    }
    return { ok: true, request };
  } catch (e) {
    return { ok: false, error: `invalid OTLP/JSON: ${errorText(e)}` };
  }
}

function jsonResourceSpans(o: JsonObject): OtlpResourceSpans {
  const res = get(o, 'resource');
  const resource: OtlpResource = { attributes: {}, droppedAttributesCount: 0 };
  if (res !== undefined && res !== null) {
    const ro = jsonObject(res, 'resource');
    jsonAttributesInto(resource.attributes, get(ro, 'attributes'), 0);
    resource.droppedAttributesCount = jsonUint32(get(ro, 'droppedAttributesCount', 'dropped_attributes_count'), 'resource.droppedAttributesCount');
  }
  const scopeSpans: OtlpScopeSpans[] = [];
  for (const ss of jsonArray(get(o, 'scopeSpans', 'scope_spans'), 'scopeSpans')) {
    scopeSpans.push(jsonScopeSpans(jsonObject(ss, 'scopeSpans[]')));
  }
  return { resource, scopeSpans, schemaUrl: jsonString(get(o, 'schemaUrl', 'schema_url'), 'schemaUrl') };
}

function jsonScopeSpans(o: JsonObject): OtlpScopeSpans {
  const sc = get(o, 'scope');
  const scope: OtlpScope = { name: '', version: '', attributes: {} };
  if (sc !== undefined && sc !== null) {
    const so = jsonObject(sc, 'scope');
    scope.name = jsonString(get(so, 'name'), 'scope.name');
    scope.version = jsonString(get(so, 'version'), 'scope.version');
    jsonAttributesInto(scope.attributes, get(so, 'attributes'), 0);
  }
  const spans: OtlpSpan[] = [];
  for (const s of jsonArray(get(o, 'spans'), 'spans')) spans.push(jsonSpan(jsonObject(s, 'spans[]')));
  return { scope, spans, schemaUrl: jsonString(get(o, 'schemaUrl', 'schema_url'), 'schemaUrl') };
}

function jsonSpan(o: JsonObject): OtlpSpan {
  const s = emptySpan();
  s.traceId = jsonHex(get(o, 'traceId', 'trace_id'), 'traceId');
  s.spanId = jsonHex(get(o, 'spanId', 'span_id'), 'spanId');
  const parent = jsonHex(get(o, 'parentSpanId', 'parent_span_id'), 'parentSpanId');
  s.parentSpanId = parent === '' ? undefined : parent;
  s.traceState = jsonString(get(o, 'traceState', 'trace_state'), 'traceState');
  s.flags = jsonUint32(get(o, 'flags'), 'flags');
  s.name = jsonString(get(o, 'name'), 'name');
  s.kind = jsonEnum(get(o, 'kind'), SPAN_KIND_NAMES, 'kind');
  const start = jsonUint64(get(o, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
  s.startTimeUnixNano = start.toString();
  s.startMicros = Number(start / NANOS_PER_MICRO);
  const end = jsonUint64(get(o, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano');
  s.endTimeUnixNano = end.toString();
  s.endMicros = Number(end / NANOS_PER_MICRO);
  jsonAttributesInto(s.attributes, get(o, 'attributes'), 0);
  s.droppedAttributesCount = jsonUint32(get(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  for (const ev of jsonArray(get(o, 'events'), 'events')) {
    const eo = jsonObject(ev, 'events[]');
    const t = jsonUint64(get(eo, 'timeUnixNano', 'time_unix_nano'), 'events[].timeUnixNano');
    const event: OtlpEvent = {
      timeUnixNano: t.toString(),
      timeMicros: Number(t / NANOS_PER_MICRO),
      name: jsonString(get(eo, 'name'), 'events[].name'),
      attributes: {},
    };
    jsonAttributesInto(event.attributes, get(eo, 'attributes'), 0);
    s.events.push(event);
  }
  s.droppedEventsCount = jsonUint32(get(o, 'droppedEventsCount', 'dropped_events_count'), 'droppedEventsCount');
  for (const lk of jsonArray(get(o, 'links'), 'links')) {
    const lo = jsonObject(lk, 'links[]');
    const link: OtlpLink = {
      traceId: jsonHex(get(lo, 'traceId', 'trace_id'), 'links[].traceId'),
      spanId: jsonHex(get(lo, 'spanId', 'span_id'), 'links[].spanId'),
      traceState: jsonString(get(lo, 'traceState', 'trace_state'), 'links[].traceState'),
      flags: jsonUint32(get(lo, 'flags'), 'links[].flags'),
      attributes: {},
    };
    jsonAttributesInto(link.attributes, get(lo, 'attributes'), 0);
    s.links.push(link);
  }
  s.droppedLinksCount = jsonUint32(get(o, 'droppedLinksCount', 'dropped_links_count'), 'droppedLinksCount');
  const st = get(o, 'status');
  if (st !== undefined && st !== null) {
    const so = jsonObject(st, 'status');
    s.status = {
      code: jsonEnum(get(so, 'code'), STATUS_CODE_NAMES, 'status.code'),
      message: jsonString(get(so, 'message'), 'status.message'),
    };
  }
  return s;
}

function jsonAttributesInto(target: Record<string, OtlpValue>, list: Json, depth: number): void {
  for (const kv of jsonArray(list, 'attributes')) {
    const o = jsonObject(kv, 'KeyValue');
    const key = jsonString(get(o, 'key'), 'KeyValue.key');
    const v = get(o, 'value');
    setOwn(target, key, v === undefined || v === null ? null : jsonAnyValue(jsonObject(v, 'AnyValue'), depth));
  }
}

function jsonAnyValue(o: JsonObject, depth: number): OtlpValue {
  if (depth > MAX_OTLP_VALUE_DEPTH) throw new DecodeError(`AnyValue nested deeper than ${MAX_OTLP_VALUE_DEPTH}`);
  let v: unknown;
  if ((v = get(o, 'stringValue', 'string_value')) !== undefined) return jsonString(v, 'stringValue');
  if ((v = get(o, 'boolValue', 'bool_value')) !== undefined) {
    if (typeof v !== 'boolean') throw new DecodeError('boolValue is not a boolean');
    return v;
  }
  if ((v = get(o, 'intValue', 'int_value')) !== undefined) return int64Value(jsonInt64(v, 'intValue'));
  if ((v = get(o, 'doubleValue', 'double_value')) !== undefined) return jsonDouble(v);
  if ((v = get(o, 'arrayValue', 'array_value')) !== undefined) {
    const values = get(jsonObject(v, 'arrayValue'), 'values');
    return jsonArray(values, 'arrayValue.values').map((x) => jsonAnyValue(jsonObject(x, 'AnyValue'), depth + 1));
  }
  if ((v = get(o, 'kvlistValue', 'kvlist_value')) !== undefined) {
    const obj: Record<string, OtlpValue> = {};
    jsonAttributesInto(obj, get(jsonObject(v, 'kvlistValue'), 'values'), depth + 1);
    return obj;
  }
  if ((v = get(o, 'bytesValue', 'bytes_value')) !== undefined) {
    const b64 = jsonString(v, 'bytesValue');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64)) throw new DecodeError('bytesValue is not base64');
    return new Uint8Array(Buffer.from(b64, 'base64'));
  }
  return null;
}

function get(o: JsonObject, camel: string, snake?: string): unknown {
  if (Object.prototype.hasOwnProperty.call(o, camel)) return o[camel];
  if (snake !== undefined && Object.prototype.hasOwnProperty.call(o, snake)) return o[snake];
  return undefined;
}

function jsonObject(v: Json, what: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError(`${what} is not an object`);
  return v as JsonObject;
}

function jsonArray(v: Json, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${what} is not an array`);
  return v;
}

function jsonString(v: Json, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new DecodeError(`${what} is not a string`);
  return v;
}

function jsonHex(v: Json, what: string): string {
  const s = jsonString(v, what);
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new DecodeError(`${what} "${s.slice(0, 40)}" is not hex`);
  return s.toLowerCase();
}

function jsonUint64(v: Json, what: string): bigint {
  if (v === undefined || v === null) return 0n;
  const n = jsonInt64(v, what);
  if (n < 0n || n > UINT64_MAX) throw new DecodeError(`${what} is out of range for uint64`);
  return n;
}

function jsonInt64(v: Json, what: string): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?[0-9]{1,20}$/.test(v)) {
    const n = BigInt(v);
    if (n >= -(1n << 63n) && n <= UINT64_MAX) return n;
  }
  throw new DecodeError(`${what} is not a 64-bit integer`);
}

function jsonUint32(v: Json, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
  throw new DecodeError(`${what} is not a uint32`);
}

function jsonEnum(v: Json, names: Record<string, number>, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 0x7fffffff) return v;
  if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(names, v)) return names[v]!;
  throw new DecodeError(`${what} is not a valid enum value`);
}

function jsonDouble(v: Json): number {
  if (typeof v === 'number') return v;
  // proto3 JSON spells the non-finite doubles as strings.
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new DecodeError('doubleValue is not a number');
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

function int64Value(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

const HEX_DIGITS = '0123456789abcdef';

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    s += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 0xf]!;
  }
  return s;
}

/** Defines an own property, so a key such as `__proto__` is stored, not interpreted. */
function setOwn(target: Record<string, OtlpValue>, key: string, value: OtlpValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
