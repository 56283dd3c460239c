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
 * nested deeper than MAX_JSON_DEPTH and times outside 1970–2255 get 400
 * before anything is stored; the store itself is bounded (RunStore).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isUuid } from '../headers/ids.js';
import { drain, headerValue, HttpError, jsonList, parseJsonObject, readBody, ZSTD_AVAILABLE } from './http-body.js';
import { decodeMultipartRuns } from './multipart.js';
import { decodeOtlpTraceRequest, flattenOtlpSpans, mediaType } from './otlp/index.js';
import { RunStore, type IngestedRun, type RunStoreStats, type TraceTree } from './run-store.js';
import { decodeRun, decodeRuns, ingestRuns } from './run-payloads.js';
import { runFromOtlpSpan } from './otlp-run.js';

export { ZSTD_AVAILABLE };

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
    const media = mediaType(contentType);
    if (!accepted.includes(media)) {
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
        // The route already took only the two OTLP media types: what fails here is the body.
        if (!decoded.ok) throw new HttpError(400, decoded.error);
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
        if (media === 'application/json') {
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

type Route = { counter: 'multipart' | 'batch' | 'createRun' | 'otlp' } | { counter: 'updateRun'; runId: string };

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

// ---- small helpers ----

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
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
