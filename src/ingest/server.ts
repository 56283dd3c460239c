/**
 * A small LangSmith-compatible ingest server on loopback: the demo's default
 * backend (point the real `langsmith` Client's `apiUrl` / LANGSMITH_ENDPOINT
 * at `server.url`) and the capture server of the contract tests.
 *
 * Routes (also under the self-hosted prefix `/api/v1`):
 *
 *   GET   /info              what the Client reads to pick multipart or batch and compression
 *   POST  /runs/multipart    the Client's default ingest (langsmith.md §5)
 *   POST  /runs/batch        `{ post: [...], patch: [...] }`
 *   POST  /runs              legacy single-run create (Client with autoBatchTracing: false)
 *   PATCH /runs/:id          legacy single-run update
 *   POST  /otel/v1/traces    OTLP/HTTP, protobuf or JSON (langsmith.md §3)
 *
 * Bodies may be gzip/deflate/br compressed (zstd where this Node has it:
 * 22.15+; /info only offers zstd when it does, so the Client on Node 20 never
 * sends it). Malformed bodies get a 400 with a message and never reach the
 * store; lineage problems in well-formed bodies are accepted and reported by
 * `violations()`, as the real server's ingest would reject them.
 *
 * It listens on loopback, but any web page the developer visits can still
 * POST to it: a `multipart/form-data` or `text/plain` form needs no CORS
 * preflight. So a request whose `Origin` is not loopback gets 403, and each
 * route takes only the content types its senders use (415 otherwise). JSON
 * nested deeper than MAX_JSON_DEPTH and times outside 1970–9999 get 400
 * before anything is stored; the store itself is bounded (RunStore).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { isUuid } from '../headers/ids.js';
import { jsonDepth, MAX_JSON_DEPTH } from './json-limits.js';
import { decodeMultipartRuns } from './multipart.js';
import { decodeOtlpTraceRequest, flattenOtlpSpans } from './otlp-protobuf.js';
import {
  RunStore,
  isoFromMicros,
  microsFromTime,
  type IngestedRun,
  type RunLineage,
  type RunSource,
  type RunStoreStats,
  type RunUpdate,
  type TraceTree,
} from './run-store.js';
import { DEFAULT_PROJECT, runFromOtlpSpan } from './otlp-run.js';

/** Default cap on a request body, compressed and decompressed alike. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** What /info advertises as the batch size limit (the Client's default is 20 MiB too). */
const BATCH_SIZE_LIMIT_BYTES = 20 * 1024 * 1024;
const BATCH_SIZE_LIMIT = 100;
/** The self-hosted API prefix: `https://<host>/api/v1` is the base URL there. */
const SELF_HOSTED_PREFIX = '/api/v1';
const API_KEY_HEADER = 'x-api-key';
const PROJECT_HEADER = 'langsmith-project';
const LOOPBACK = '127.0.0.1';
const MAX_CONTENT_ENCODINGS = 4;
/** An over-size body is drained (so the client reads the 413) up to this multiple of the cap, then cut. */
const DRAIN_FACTOR = 4;

export interface IngestServerOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Only loopback is allowed. */
  host?: '127.0.0.1';
  /** When set, every route but `GET /info` requires this `x-api-key` (else 401). */
  apiKey?: string;
  /** Larger bodies get 413, before and after decompression. Default 32 MiB. */
  maxBodyBytes?: number;
  /** What `/info` tells the Client to use for runs: `multipart` (default) or the JSON `batch` endpoint. */
  runIngest?: 'multipart' | 'batch';
  /** `/info` `gzip_body_enabled`: the Client then gzips whole multipart bodies. Default true. */
  gzipBody?: boolean;
  /** Called with a run each time it is resolved, or updated after that. */
  onRun?: (run: IngestedRun) => void;
  /** Runs kept (orphans and held patches included); past it the oldest whole traces are evicted. Default 100,000. */
  maxRuns?: number;
  /** Estimated bytes kept (about the runs' JSON size); past it the oldest whole traces are evicted. Default 64 MiB. */
  maxBytes?: number;
}

export interface IngestRequestCounts {
  info: number;
  multipart: number;
  batch: number;
  createRun: number;
  updateRun: number;
  otlp: number;
  /** Unknown routes (404). */
  notFound: number;
  /** Malformed bodies (400). */
  badRequest: number;
  /** Missing or wrong `x-api-key` (401). */
  unauthorized: number;
  /** Bodies over the cap (413). */
  tooLarge: number;
  /** Content types or encodings this server cannot read (415). */
  unsupported: number;
  /** Requests from a web page that is not on loopback (403). */
  forbidden: number;
  /** Accepted request bodies by `content-encoding` (`identity` when none). */
  encodings: Record<string, number>;
}

export interface IngestServer {
  /** `http://127.0.0.1:<port>`: the Client's `apiUrl`; OTLP goes to `${url}/otel/v1/traces`. */
  readonly url: string;
  readonly port: number;
  /** Resolved runs (posts merged with their patches), sorted by dotted order. */
  runs(): IngestedRun[];
  /** One tree per root run. */
  traces(): TraceTree[];
  /** Runs still waiting for a parent that has not arrived. */
  orphans(): IngestedRun[];
  /** Broken server invariants (langsmith.md §2) and unusable spans, one message each. */
  violations(): string[];
  /** What the store holds and what its bounds evicted. */
  stats(): RunStoreStats;
  /** A snapshot of the request counters. */
  readonly requests: IngestRequestCounts;
  /** Forgets all runs, violations and counters. */
  clear(): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Counter = Exclude<keyof IngestRequestCounts, 'encodings'>;

function zeroCounts(): IngestRequestCounts {
  return {
    info: 0,
    multipart: 0,
    batch: 0,
    createRun: 0,
    updateRun: 0,
    otlp: 0,
    notFound: 0,
    badRequest: 0,
    unauthorized: 0,
    tooLarge: 0,
    unsupported: 0,
    forbidden: 0,
    encodings: {},
  };
}

const STATUS_COUNTER: Record<number, Counter> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'notFound',
  413: 'tooLarge',
  415: 'unsupported',
};

type Decompress = (buf: Buffer, options: zlib.ZlibOptions) => Promise<Buffer>;

const DECOMPRESSORS: Record<string, Decompress> = {
  gzip: promisify(zlib.gunzip) as Decompress,
  'x-gzip': promisify(zlib.gunzip) as Decompress,
  deflate: promisify(zlib.inflate) as Decompress,
  br: promisify(zlib.brotliDecompress) as Decompress,
};
// zlib has zstd from Node 22.15 / 23.8 only; Node 20 has none.
const zstdDecompress: unknown = Reflect.get(zlib, 'zstdDecompress');
if (typeof zstdDecompress === 'function') {
  DECOMPRESSORS['zstd'] = promisify(zstdDecompress as (b: Buffer, o: object, cb: (e: Error | null, r: Buffer) => void) => void) as Decompress;
}

/** True when this Node can decode `content-encoding: zstd` (22.15+). */
export const ZSTD_AVAILABLE = DECOMPRESSORS['zstd'] !== undefined;

export function startIngestServer(options: IngestServerOptions = {}): Promise<IngestServer> {
  const host = options.host ?? LOOPBACK;
  if (host !== LOOPBACK) return Promise.reject(new Error(`ingest server binds ${LOOPBACK} only, not ${String(host)}`));
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    return Promise.reject(new Error('maxBodyBytes must be a positive integer'));
  }
  const store = new RunStore({ onRun: options.onRun, maxRuns: options.maxRuns, maxBytes: options.maxBytes });
  let counts = zeroCounts();
  const apiKeyDigest = options.apiKey === undefined ? undefined : digest(options.apiKey);
  const info = serverInfo(options, maxBodyBytes);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    let path = (req.url ?? '/').split('?', 1)[0]!;
    if (path === SELF_HOSTED_PREFIX || path.startsWith(`${SELF_HOSTED_PREFIX}/`)) path = path.slice(SELF_HOSTED_PREFIX.length) || '/';
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);

    if (method === 'GET' && path === '/info') {
      counts.info++;
      return sendJson(res, 200, info);
    }
    const route = matchRoute(method, path);
    if (route === undefined) {
      drain(req);
      throw new HttpError(404, `no route for ${method} ${path}`);
    }
    const origin = headerValue(req.headers['origin']);
    if (origin !== undefined && !isLoopbackOrigin(origin)) {
      drain(req);
      throw new HttpError(403, `requests from web pages are refused (Origin ${JSON.stringify(origin.slice(0, 100))} is not loopback)`);
    }
    if (apiKeyDigest !== undefined) {
      const given = req.headers[API_KEY_HEADER];
      if (typeof given !== 'string' || !timingSafeEqual(digest(given), apiKeyDigest)) {
        drain(req);
        throw new HttpError(401, `missing or invalid ${API_KEY_HEADER}`);
      }
    }
    const contentType = req.headers['content-type'];
    const accepted = ROUTE_CONTENT_TYPES[route.counter];
    if (!accepted.includes(mediaType(contentType))) {
      drain(req);
      throw new HttpError(415, `content-type must be ${accepted.join(' or ')}, not ${JSON.stringify(contentType ?? '(none)')}`);
    }
    const { body, encoding } = await readBody(req, maxBodyBytes);
    counts[route.counter]++;
    counts.encodings[encoding] = (counts.encodings[encoding] ?? 0) + 1;
    const project = headerValue(req.headers[PROJECT_HEADER]);

    switch (route.counter) {
      case 'multipart': {
        const decoded = decodeMultipartRuns(body, contentType);
        if (!decoded.ok) throw new HttpError(400, decoded.error);
        const posts = decodeRuns(decoded.value.posts, 'post', 'multipart', 'post');
        const patches = decodeRuns(decoded.value.patches, 'patch', 'multipart', 'patch');
        ingestRuns(store, posts, patches);
        for (const a of decoded.value.attachments) store.attach(a.runId, a.name, { contentType: a.contentType, data: a.data });
        return sendJson(res, 202, { accepted: { post: posts.length, patch: patches.length } });
      }
      case 'batch': {
        const doc = parseJsonObject(body, 'batch body');
        const posts = decodeRuns(jsonList(doc['post'], 'post'), 'post', 'batch', 'post');
        const patches = decodeRuns(jsonList(doc['patch'], 'patch'), 'patch', 'batch', 'patch');
        ingestRuns(store, posts, patches);
        return sendJson(res, 202, { accepted: { post: posts.length, patch: patches.length } });
      }
      case 'createRun': {
        const post = decodeRun(parseJsonObject(body, 'run'), 'post', 'runs', 'run');
        ingestRuns(store, [post], []);
        return sendJson(res, 202, { accepted: { post: 1, patch: 0 } });
      }
      case 'updateRun': {
        const patch = decodeRun(parseJsonObject(body, 'run update'), 'patch', 'runs', 'run update', route.runId);
        ingestRuns(store, [], [patch]);
        return sendJson(res, 202, { accepted: { post: 0, patch: 1 } });
      }
      case 'otlp': {
        const decoded = decodeOtlpTraceRequest(body, contentType);
        if (!decoded.ok) {
          throw new HttpError(decoded.error.startsWith('unsupported content-type') ? 415 : 400, decoded.error);
        }
        let rejected = 0;
        for (const record of flattenOtlpSpans(decoded.request)) {
          const mapped = runFromOtlpSpan(record, project);
          if (!mapped.ok) {
            rejected++;
            store.addViolation(mapped.error);
            continue;
          }
          for (const problem of mapped.value.problems) store.addViolation(problem);
          store.post(mapped.value.run, mapped.value.lineage);
        }
        // OTLP/HTTP: a protobuf request gets a protobuf response; an empty
        // ExportTraceServiceResponse is zero bytes.
        const isJson = (contentType ?? '').toLowerCase().startsWith('application/json');
        if (isJson) {
          return sendJson(res, 200, rejected > 0 ? { partialSuccess: { rejectedSpans: String(rejected) } } : {});
        }
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
        res.end();
        return;
      }
    }
  };

  const server = createServer((req, res) => {
    req.on('error', () => {
      // A client that hangs up mid-body: nothing to answer.
    });
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      const counter = STATUS_COUNTER[status];
      if (counter !== undefined) counts[counter]++;
      const message = e instanceof Error ? e.message : String(e);
      if (!res.headersSent) sendJson(res, status, { error: message });
      else res.end();
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${port}`,
        port,
        runs: () => store.runs(),
        traces: () => store.traces(),
        orphans: () => store.orphans(),
        violations: () => store.violations(),
        stats: () => store.stats(),
        get requests(): IngestRequestCounts {
          return { ...counts, encodings: { ...counts.encodings } };
        },
        clear: () => {
          store.clear();
          counts = zeroCounts();
        },
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}

// ---- routing ----

/** What each route's senders send: the langsmith Clients (JS and Python) and the OTLP/HTTP exporters. */
const ROUTE_CONTENT_TYPES: Record<Route['counter'], readonly string[]> = {
  multipart: ['multipart/form-data'],
  batch: ['application/json'],
  createRun: ['application/json'],
  updateRun: ['application/json'],
  otlp: ['application/x-protobuf', 'application/json'],
};

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A browser sends `Origin` with every POST; the SDKs and exporters send none.
 * Only a page served from loopback itself (a local dev UI) may write; `null`
 * (a sandboxed frame, a file: page) may not.
 */
function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
}

type Route =
  | { counter: 'multipart' | 'batch' | 'createRun' | 'otlp' }
  | { counter: 'updateRun'; runId: string };

function matchRoute(method: string, path: string): Route | undefined {
  if (method === 'POST') {
    if (path === '/runs/multipart') return { counter: 'multipart' };
    if (path === '/runs/batch') return { counter: 'batch' };
    if (path === '/runs') return { counter: 'createRun' };
    if (path === '/otel/v1/traces') return { counter: 'otlp' };
  }
  if (method === 'PATCH' && path.startsWith('/runs/')) {
    const runId = decodeURIComponentSafe(path.slice('/runs/'.length)).toLowerCase();
    if (isUuid(runId)) return { counter: 'updateRun', runId };
  }
  return undefined;
}

/**
 * The `/info` document. The Client (langsmith 0.12) reads
 * `batch_ingest_config.use_multipart_endpoint` (multipart, else /runs/batch),
 * `size_limit(_bytes)`, and `instance_flags.gzip_body_enabled` /
 * `zstd_compression_enabled`. No `version`: with none the Client skips its
 * backend-version checks instead of warning about an unknown backend.
 */
function serverInfo(options: IngestServerOptions, maxBodyBytes: number): Record<string, unknown> {
  const multipart = (options.runIngest ?? 'multipart') === 'multipart';
  return {
    license_expiration_time: null,
    batch_ingest_config: {
      use_multipart_endpoint: multipart,
      size_limit: BATCH_SIZE_LIMIT,
      size_limit_bytes: Math.min(BATCH_SIZE_LIMIT_BYTES, maxBodyBytes),
      scale_up_qsize_trigger: 1000,
      scale_up_nthreads_limit: 16,
      scale_down_nempty_trigger: 4,
    },
    instance_flags: {
      gzip_body_enabled: options.gzipBody ?? true,
      // Offered only when this process can decode it: a Client on Node ≥ 22.15
      // would otherwise send zstd that a Node 20 server cannot read.
      zstd_compression_enabled: ZSTD_AVAILABLE,
      dataset_examples_multipart_enabled: false,
    },
  };
}

// ---- bodies ----

async function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<{ body: Buffer; encoding: string }> {
  const declared = Number(req.headers['content-length'] ?? '0');
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = Number.isFinite(declared) && declared > maxBodyBytes;
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (size > maxBodyBytes * DRAIN_FACTOR) {
        req.destroy();
        resolve();
      }
    });
    req.on('end', () => resolve());
    req.on('error', reject);
  });
  if (tooLarge) throw new HttpError(413, `body larger than ${maxBodyBytes} bytes`);
  let body: Buffer = Buffer.concat(chunks, size);

  const header = headerValue(req.headers['content-encoding'])?.trim().toLowerCase() ?? '';
  const encodings = header === '' ? [] : header.split(',').map((e) => e.trim()).filter((e) => e !== 'identity' && e !== '');
  if (encodings.length > MAX_CONTENT_ENCODINGS) throw new HttpError(415, 'too many content encodings');
  // Applied in order, so they are removed in reverse (RFC 9110 §8.4).
  for (let i = encodings.length - 1; i >= 0; i--) {
    const name = encodings[i]!;
    const decompress = DECOMPRESSORS[name];
    if (decompress === undefined) {
      const hint = name === 'zstd' ? ' (this Node has no zstd: it needs 22.15+; /info does not offer it)' : '';
      throw new HttpError(415, `unsupported content-encoding "${name}"${hint}`);
    }
    try {
      body = await decompress(body, { maxOutputLength: maxBodyBytes });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new HttpError(413, `body larger than ${maxBodyBytes} bytes once decompressed`);
      }
      throw new HttpError(400, `body is not valid ${name}: ${(e as Error).message}`);
    }
  }
  return { body, encoding: encodings.length === 0 ? 'identity' : encodings.join(',') };
}

function drain(req: IncomingMessage): void {
  req.resume();
}

function parseJsonObject(body: Buffer, what: string): Record<string, unknown> {
  let text: string;
  let doc: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new HttpError(400, `${what} is not valid UTF-8 JSON`);
  }
  // Checked before parsing: JSON.parse takes a million levels, JSON.stringify of the result throws.
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new HttpError(400, `${what} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    doc = JSON.parse(text);
  } catch {
    throw new HttpError(400, `${what} is not valid UTF-8 JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new HttpError(400, `${what} is not a JSON object`);
  return doc as Record<string, unknown>;
}

function jsonList(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new HttpError(400, `"${what}" is not an array`);
  return value;
}

// ---- direct run payloads (langsmith.md §5) ----

interface DecodedPost {
  kind: 'post';
  run: IngestedRun;
  lineage: RunLineage;
}
interface DecodedPatch {
  kind: 'patch';
  run: RunUpdate;
}

function decodeRuns(list: unknown[], kind: 'post', source: RunSource, what: string): DecodedPost[];
function decodeRuns(list: unknown[], kind: 'patch', source: RunSource, what: string): DecodedPatch[];
function decodeRuns(list: unknown[], kind: 'post' | 'patch', source: RunSource, what: string): Array<DecodedPost | DecodedPatch> {
  return list.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new HttpError(400, `${what}[${i}] is not an object`);
    return decodeRun(item as Record<string, unknown>, kind, source, `${what}[${i}]`);
  });
}

function decodeRun(raw: Record<string, unknown>, kind: 'post', source: RunSource, what: string, pathId?: string): DecodedPost;
function decodeRun(raw: Record<string, unknown>, kind: 'patch', source: RunSource, what: string, pathId?: string): DecodedPatch;
function decodeRun(raw: Record<string, unknown>, kind: 'post' | 'patch', source: RunSource, what: string, pathId?: string): DecodedPost | DecodedPatch;
function decodeRun(
  raw: Record<string, unknown>,
  kind: 'post' | 'patch',
  source: RunSource,
  what: string,
  pathId?: string,
): DecodedPost | DecodedPatch {
  const field = <T>(name: string, check: (v: unknown) => v is T, expected: string): T | undefined => {
    const v = raw[name];
    if (v === undefined || v === null) return undefined;
    if (!check(v)) throw new HttpError(400, `${what}.${name} is not ${expected}`);
    return v;
  };
  const uuid = (name: string): string | undefined => {
    const v = field(name, isString, 'a UUID')?.toLowerCase();
    if (v !== undefined && !isUuid(v)) throw new HttpError(400, `${what}.${name} is not a UUID`);
    return v;
  };
  const time = (name: string): { iso: string; micros: number } | undefined => {
    const v = raw[name];
    if (v === undefined || v === null) return undefined;
    const micros = microsFromTime(v);
    if (micros === undefined) throw new HttpError(400, `${what}.${name} is not a time (ISO 8601 or epoch ms)`);
    return { iso: isoFromMicros(micros), micros };
  };

  const id = uuid('id') ?? pathId;
  if (id === undefined) throw new HttpError(400, `${what}.id is missing`);
  if (pathId !== undefined && id !== pathId) throw new HttpError(400, `${what}.id ${id} differs from the URL's ${pathId}`);
  const start = time('start_time');
  const end = time('end_time');
  const run: RunUpdate = {
    id,
    trace_id: uuid('trace_id'),
    parent_run_id: uuid('parent_run_id'),
    dotted_order: field('dotted_order', isString, 'a string'),
    name: field('name', isString, 'a string'),
    run_type: field('run_type', isString, 'a string'),
    start_time: start?.iso,
    end_time: end?.iso,
    inputs: field('inputs', isObject, 'an object'),
    outputs: field('outputs', isObject, 'an object'),
    error: field('error', isString, 'a string'),
    extra: field('extra', isObject, 'an object'),
    tags: field('tags', isStringArray, 'an array of strings'),
    events: field('events', Array.isArray, 'an array'),
    serialized: raw['serialized'] ?? undefined,
    reference_example_id: uuid('reference_example_id'),
    session_name: field('session_name', isString, 'a string'),
    source,
  };
  if (kind === 'patch') return { kind, run };
  const post: IngestedRun = {
    ...run,
    name: run.name ?? '',
    run_type: run.run_type ?? 'chain',
    session_name: run.session_name ?? DEFAULT_PROJECT,
    source,
  };
  return {
    kind,
    run: post,
    lineage: { computeDottedOrder: post.dotted_order === undefined, explicitTraceId: post.trace_id, startMicros: start?.micros },
  };
}

/** Posts before patches, so a body carrying both for one run merges them. */
function ingestRuns(store: RunStore, posts: DecodedPost[], patches: DecodedPatch[]): void {
  for (const p of posts) store.post(p.run, p.lineage);
  for (const p of patches) store.patch(p.run);
}

// ---- small helpers ----

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
