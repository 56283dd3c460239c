/**
 * Decoder for the body of `POST /runs/multipart`, as the `langsmith` SDKs
 * send it (langsmith.md §5): `multipart/form-data` whose parts are named
 *
 *   post.<run id>                 the run's JSON, minus the fields below
 *   post.<run id>.<field>         one field as JSON: inputs, outputs, events,
 *                                 extra, error, serialized
 *   patch.<run id>[.<field>]      the same for an update
 *   attachment.<run id>.<name>    a file, raw bytes, any content type
 *   feedback.<id>                 a feedback object
 *
 * The JS client puts each part's byte length in its content type
 * (`application/json; length=308`); the Python client sends a `Content-Length`
 * part header. Both are checked against the bytes between the delimiters.
 * Content-encoding (gzip) is the caller's job. Total: malformed input gives
 * `{ ok: false, error }`.
 */
import { isUuid } from '../headers/ids.js';
import { MAX_JSON_DEPTH, parseBoundedJson } from './json-limits.js';

export interface MultipartPart {
  name: string;
  /** The part's Content-Type header, as sent ('' when absent). */
  contentType: string;
  /** Part headers, lowercase names. */
  headers: Record<string, string>;
  data: Uint8Array;
}

export interface MultipartAttachment {
  runId: string;
  name: string;
  contentType: string;
  data: Uint8Array;
}

/** The operations in one multipart body, each run with its field parts merged in. */
export interface MultipartRunBatch {
  posts: Array<Record<string, unknown>>;
  patches: Array<Record<string, unknown>>;
  attachments: MultipartAttachment[];
  feedback: Array<Record<string, unknown>>;
}

export type MultipartResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** RFC 2046 §5.1.1: a boundary is 1–70 characters. */
const MAX_BOUNDARY_LENGTH = 70;
/** A part's header block longer than this is rejected (the SDKs send ~120 bytes). */
const MAX_PART_HEADER_BYTES = 8192;

const HEADER_END = Buffer.from('\r\n\r\n');

/** The `boundary` parameter of a `multipart/form-data` content type. */
export function boundaryFromContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const [mediaType, ...params] = splitParams(contentType);
  if (mediaType?.toLowerCase() !== 'multipart/form-data') return undefined;
  const boundary = paramValue(params, 'boundary');
  if (boundary === undefined || boundary.length === 0 || boundary.length > MAX_BOUNDARY_LENGTH) return undefined;
  return boundary;
}

/** Splits a multipart body into its parts. */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartResult<MultipartPart[]> {
  if (boundary.length === 0 || boundary.length > MAX_BOUNDARY_LENGTH) {
    return { ok: false, error: 'multipart boundary must be 1-70 characters' };
  }
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');

  // The first delimiter opens the body, or follows a preamble and CRLF.
  let pos: number;
  if (buf.subarray(0, delimiter.length).equals(delimiter)) pos = 0;
  else {
    const at = buf.indexOf(nextDelimiter);
    if (at < 0) return { ok: false, error: 'multipart body has no opening boundary' };
    pos = at + 2;
  }

  const parts: MultipartPart[] = [];
  for (;;) {
    pos += delimiter.length;
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) return { ok: true, value: parts }; // "--": close delimiter
    while (buf[pos] === 0x20 || buf[pos] === 0x09) pos++; // transport padding
    if (buf[pos] !== 0x0d || buf[pos + 1] !== 0x0a) {
      return { ok: false, error: `multipart part ${parts.length + 1}: boundary not followed by CRLF` };
    }
    pos += 2;
    const end = buf.indexOf(nextDelimiter, pos);
    if (end < 0) return { ok: false, error: 'multipart body ends without a closing boundary' };
    const part = parsePart(buf.subarray(pos, end), parts.length + 1);
    if (!part.ok) return part;
    parts.push(part.value);
    pos = end + 2;
  }
}

function parsePart(raw: Buffer, index: number): MultipartResult<MultipartPart> {
  let headerEnd: number;
  let bodyStart: number;
  if (raw[0] === 0x0d && raw[1] === 0x0a) {
    headerEnd = 0; // no headers at all
    bodyStart = 2;
  } else {
    headerEnd = raw.indexOf(HEADER_END);
    if (headerEnd < 0) return { ok: false, error: `multipart part ${index}: headers not terminated by a blank line` };
    bodyStart = headerEnd + 4;
  }
  if (headerEnd > MAX_PART_HEADER_BYTES) return { ok: false, error: `multipart part ${index}: headers too long` };

  const headers: Record<string, string> = {};
  if (headerEnd > 0) {
    for (const line of raw.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) return { ok: false, error: `multipart part ${index}: malformed header line` };
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  const disposition = headers['content-disposition'];
  if (disposition === undefined) return { ok: false, error: `multipart part ${index}: no Content-Disposition` };
  const [kind, ...params] = splitParams(disposition);
  const name = paramValue(params, 'name');
  if (kind?.toLowerCase() !== 'form-data' || name === undefined || name === '') {
    return { ok: false, error: `multipart part ${index}: Content-Disposition is not form-data with a name` };
  }

  const data = new Uint8Array(raw.subarray(bodyStart));
  const contentType = headers['content-type'] ?? '';
  const declared = [paramValue(splitParams(contentType).slice(1), 'length'), headers['content-length']];
  for (const d of declared) {
    if (d === undefined) continue;
    if (!/^[0-9]{1,12}$/.test(d) || Number(d) !== data.byteLength) {
      return { ok: false, error: `multipart part "${name}": declared length ${d} but has ${data.byteLength} bytes` };
    }
  }
  return { ok: true, value: { name, contentType, headers, data } };
}

const OPERATIONS = new Set(['post', 'patch']);
/** Field names the SDKs send as separate parts; others are kept as well. */
const FIELD_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Groups parts into run posts and patches, each with its field parts merged in. */
export function assembleMultipartRuns(parts: MultipartPart[]): MultipartResult<MultipartRunBatch> {
  const ops = new Map<string, Record<string, unknown>>(); // "post.<id>" → run
  const fields: Array<{ key: string; field: string; value: unknown; name: string }> = [];
  const batch: MultipartRunBatch = { posts: [], patches: [], attachments: [], feedback: [] };

  for (const part of parts) {
    const firstDot = part.name.indexOf('.');
    const prefix = firstDot < 0 ? part.name : part.name.slice(0, firstDot);
    const rest = firstDot < 0 ? '' : part.name.slice(firstDot + 1);

    if (OPERATIONS.has(prefix)) {
      const secondDot = rest.indexOf('.');
      const runId = (secondDot < 0 ? rest : rest.slice(0, secondDot)).toLowerCase();
      if (!isUuid(runId)) return { ok: false, error: `multipart part "${part.name}": run id is not a UUID` };
      const json = parseJsonPart(part);
      if (!json.ok) return json;
      const key = `${prefix}.${runId}`;
      if (secondDot < 0) {
        if (ops.has(key)) return { ok: false, error: `multipart part "${part.name}" appears twice` };
        const run = json.value;
        if (typeof run !== 'object' || run === null || Array.isArray(run)) {
          return { ok: false, error: `multipart part "${part.name}" is not a JSON object` };
        }
        const body = run as Record<string, unknown>;
        if (body['id'] !== undefined && String(body['id']).toLowerCase() !== runId) {
          return { ok: false, error: `multipart part "${part.name}" carries id ${JSON.stringify(body['id'])}` };
        }
        body['id'] = runId;
        ops.set(key, body);
        (prefix === 'post' ? batch.posts : batch.patches).push(body);
      } else {
        const field = rest.slice(secondDot + 1);
        if (!FIELD_NAME.test(field)) return { ok: false, error: `multipart part "${part.name}": bad field name` };
        fields.push({ key, field, value: json.value, name: part.name });
      }
    } else if (prefix === 'attachment') {
      const secondDot = rest.indexOf('.');
      const runId = rest.slice(0, secondDot < 0 ? rest.length : secondDot).toLowerCase();
      const name = secondDot < 0 ? '' : rest.slice(secondDot + 1);
      if (!isUuid(runId) || name === '') {
        return { ok: false, error: `multipart part "${part.name}": expected attachment.<run id>.<name>` };
      }
      batch.attachments.push({ runId, name, contentType: part.contentType.split(';', 1)[0]!.trim(), data: part.data });
    } else if (prefix === 'feedback') {
      const json = parseJsonPart(part);
      if (!json.ok) return json;
      if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) {
        return { ok: false, error: `multipart part "${part.name}" is not a JSON object` };
      }
      batch.feedback.push(json.value as Record<string, unknown>);
    } else {
      return { ok: false, error: `multipart part "${part.name}": unknown part kind "${prefix}"` };
    }
  }

  for (const { key, field, value, name } of fields) {
    const run = ops.get(key);
    if (run === undefined) return { ok: false, error: `multipart part "${name}" has no "${key}" part` };
    Object.defineProperty(run, field, { value, enumerable: true, writable: true, configurable: true });
  }
  return { ok: true, value: batch };
}

/** `parseMultipart` then `assembleMultipartRuns`, from the request's content type. */
export function decodeMultipartRuns(body: Uint8Array, contentType: string | undefined): MultipartResult<MultipartRunBatch> {
  const boundary = boundaryFromContentType(contentType);
  if (boundary === undefined) {
    return { ok: false, error: 'content-type must be multipart/form-data with a boundary' };
  }
  const parts = parseMultipart(body, boundary);
  if (!parts.ok) return parts;
  return assembleMultipartRuns(parts.value);
}

function parseJsonPart(part: MultipartPart): MultipartResult<unknown> {
  const parsed = parseBoundedJson(part.data);
  if (parsed.ok) return parsed;
  if (parsed.problem === 'depth') return { ok: false, error: `multipart part "${part.name}" is nested deeper than ${MAX_JSON_DEPTH} levels` };
  return { ok: false, error: `multipart part "${part.name}" is not valid UTF-8 JSON` };
}

/** Splits `a; b=c; d="e;f"` at semicolons outside quotes. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out;
}

function paramValue(params: string[], name: string): string | undefined {
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== name) continue;
    const v = p.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
    return v;
  }
  return undefined;
}
