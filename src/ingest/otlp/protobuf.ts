/**
 * Binary protobuf `ExportTraceServiceRequest` (`application/x-protobuf`),
 * hand-written so the package needs no protobuf runtime. Total: garbage in
 * gives `{ ok: false, error }`, never an exception.
 *
 * Field numbers are those of opentelemetry-proto:
 * `collector/trace/v1/trace_service.proto`, `trace/v1/trace.proto`,
 * `common/v1/common.proto`, `resource/v1/resource.proto`.
 */
import { DecodeError, errorText, hex, setOwn } from './common.js';
import {
  emptyResource,
  emptyScope,
  emptySpan,
  MAX_OTLP_VALUE_DEPTH,
  type OtlpDecodeResult,
  type OtlpEvent,
  type OtlpLink,
  type OtlpResource,
  type OtlpResourceSpans,
  type OtlpScope,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpStatus,
  type OtlpTraceRequest,
  type OtlpValue,
} from './types.js';
import { Reader } from './wire.js';

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
    resource: emptyResource(),
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
  const out = emptyResource();
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field === 1) pbKeyValueInto(out.attributes, r.message(wire, 'Resource.attributes'), 0);
    else if (field === 2) out.droppedAttributesCount = r.uint32(wire, 'Resource.dropped_attributes_count');
    else r.skip(wire);
  }
  return out;
}

function pbScopeSpans(r: Reader): OtlpScopeSpans {
  const out: OtlpScopeSpans = { scope: emptyScope(), spans: [], schemaUrl: '' };
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
  const out = emptyScope();
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field === 1) out.name = r.string(wire, 'InstrumentationScope.name');
    else if (field === 2) out.version = r.string(wire, 'InstrumentationScope.version');
    else if (field === 3) pbKeyValueInto(out.attributes, r.message(wire, 'InstrumentationScope.attributes'), 0);
    else r.skip(wire);
  }
  return out;
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
        const t = r.nanosTime(wire, 'Span.start_time_unix_nano');
        s.startTimeUnixNano = t.text;
        s.startMicros = t.micros;
        break;
      }
      case 8: {
        const t = r.nanosTime(wire, 'Span.end_time_unix_nano');
        s.endTimeUnixNano = t.text;
        s.endMicros = t.micros;
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
      const t = r.nanosTime(wire, 'Event.time_unix_nano');
      e.timeUnixNano = t.text;
      e.timeMicros = t.micros;
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
        value = r.int64(wire, 'AnyValue.int_value');
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
