/**
 * Decoders for an OTLP/HTTP `ExportTraceServiceRequest`, in both encodings
 * the OTLP spec defines: binary protobuf (protobuf.ts, over the wire format in
 * wire.ts) and the OTLP/JSON mapping (json.ts), into one decoded shape
 * (types.ts). Content-encoding (gzip) is the caller's job.
 */
import { decodeOtlpTraceJson } from './json.js';
import { decodeOtlpTraceProtobuf } from './protobuf.js';
import type { OtlpDecodeResult, OtlpSpanRecord, OtlpTraceRequest } from './types.js';

export { decodeOtlpTraceJson } from './json.js';
export { decodeOtlpTraceProtobuf } from './protobuf.js';
export * from './types.js';

const CONTENT_TYPE_PROTOBUF = 'application/x-protobuf';
const CONTENT_TYPE_JSON = 'application/json';

/** A Content-Type header's media type: lowercase, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * Decodes a request body by its content type: protobuf for
 * `application/x-protobuf` (and `application/protobuf`), OTLP/JSON for
 * `application/json`. Anything else is an error.
 */
export function decodeOtlpTraceRequest(body: Uint8Array, contentType: string | undefined): OtlpDecodeResult {
  const type = mediaType(contentType);
  if (type === CONTENT_TYPE_PROTOBUF || type === 'application/protobuf') {
    return decodeOtlpTraceProtobuf(body);
  }
  if (type === CONTENT_TYPE_JSON) return decodeOtlpTraceJson(body);
  return {
    ok: false,
    error: `unsupported content-type "${type}": OTLP/HTTP takes ${CONTENT_TYPE_PROTOBUF} or ${CONTENT_TYPE_JSON}`,
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
