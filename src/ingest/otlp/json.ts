/**
 * OTLP/JSON `ExportTraceServiceRequest` (`application/json`; spec: "JSON
 * Protobuf Encoding"): lowerCamelCase keys (the original snake_case names are
 * accepted too), trace and span ids as hex, 64-bit integers as decimal
 * strings or numbers, enums as integers (names accepted), bytes values as
 * base64. Total: garbage in gives `{ ok: false, error }`, never an exception.
 */
import { DecodeError, errorText, int64Value, NANOS_PER_MICRO, setOwn, utf8 } from './common.js';
import {
  emptyResource,
  emptyScope,
  emptySpan,
  MAX_OTLP_VALUE_DEPTH,
  type OtlpDecodeResult,
  type OtlpEvent,
  type OtlpLink,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpTraceRequest,
  type OtlpValue,
} from './types.js';

const UINT64_MAX = (1n << 64n) - 1n;

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
  const resource = emptyResource();
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
  const scope = emptyScope();
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
  const start = jsonNanos(get(o, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
  s.startTimeUnixNano = start.nanos;
  s.startMicros = start.micros;
  const end = jsonNanos(get(o, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano');
  s.endTimeUnixNano = end.nanos;
  s.endMicros = end.micros;
  jsonAttributesInto(s.attributes, get(o, 'attributes'), 0);
  s.droppedAttributesCount = jsonUint32(get(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  for (const ev of jsonArray(get(o, 'events'), 'events')) {
    const eo = jsonObject(ev, 'events[]');
    const t = jsonNanos(get(eo, 'timeUnixNano', 'time_unix_nano'), 'events[].timeUnixNano');
    const event: OtlpEvent = {
      timeUnixNano: t.nanos,
      timeMicros: t.micros,
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

/** A fixed64 time in ns since the epoch: as the decimal string kept on the span, and in whole µs. */
function jsonNanos(v: Json, what: string): { nanos: string; micros: number } {
  const t = jsonUint64(v, what);
  return { nanos: t.toString(), micros: Number(t / NANOS_PER_MICRO) };
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
