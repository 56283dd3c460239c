/**
 * Direct ingest through the real `langsmith` Client (`batchIngestRuns`: its
 * serialization, limits and retries), for setups without a collector. The
 * processor's queue batches; the Client retries (the only retry layer), and
 * a batch LangSmith still refuses is counted as dropped, never lost silently. `langsmith` is an optional peer
 * dependency, loaded on first use.
 */
import type { Run } from '../mapping/types.js';
import type { RunSink } from './types.js';

/** The part of `langsmith`'s Client this sink uses. Typed loosely so every Client version fits. */
interface ClientLike {
  batchIngestRuns?(runs: never): Promise<void>;
  createRun(run: never): Promise<void>;
  awaitPendingTraceBatches(): Promise<void>;
}

/** LangSmith's batch endpoint takes at most 100 operations per request. */
const MAX_RUNS_PER_REQUEST = 100;

export interface LangSmithClientSinkOptions {
  /** A Client you configured yourself; otherwise one is built from the options below. */
  client?: ClientLike;
  /** Default: LANGSMITH_API_KEY. */
  apiKey?: string;
  /** Default: LANGSMITH_ENDPOINT, else https://api.smith.langchain.com. */
  apiUrl?: string;
  /** Default: LANGSMITH_WORKSPACE_ID (sent as x-tenant-id). */
  workspaceId?: string;
}

export class LangSmithClientSink implements RunSink {
  readonly name = 'langsmith';
  readonly label: string;
  /** The Client's batch-ingest caller retries (4 retries, randomized backoff; Retry-After on 429 and 503 through honourRetryAfter): the only layer. */
  readonly retriesItself = true;
  private _client: Promise<ClientLike> | undefined;

  constructor(private readonly _options: LangSmithClientSinkOptions = {}) {
    const clientUrl = (_options.client as { apiUrl?: unknown } | undefined)?.apiUrl;
    const apiUrl = typeof clientUrl === 'string' ? clientUrl : (_options.apiUrl ?? process.env.LANGSMITH_ENDPOINT);
    this.label = `LangSmith ${apiUrl ?? 'https://api.smith.langchain.com'}`;
    if (!_options.client && !(_options.apiKey ?? process.env.LANGSMITH_API_KEY)) {
      throw new TypeError(
        'LangSmithClientSink: set LANGSMITH_API_KEY (or pass `apiKey`, or a configured `client`). ' +
          'For a local run without an account, use the local ingest server: LANGSMITH_ENDPOINT=http://127.0.0.1:<port>.',
      );
    }
  }

  async write(runs: Run[]): Promise<void> {
    const client = await this._getClient();
    if (typeof client.batchIngestRuns !== 'function') {
      // An old Client: createRun queues in its own batcher, which only logs failures.
      await Promise.all(runs.map((run) => client.createRun(toRunCreate(run) as never)));
      return;
    }
    // batchIngestRuns sends now (with the Client's retries and limits) and rejects
    // when LangSmith does not take the batch, so the processor's queue counts it. createRun's background batcher would only log the failure: runs
    // lost that way would still count as delivered.
    // The requests of one batch go out together; the batch fails if any does.
    const requests: Array<Promise<void>> = [];
    for (let i = 0; i < runs.length; i += MAX_RUNS_PER_REQUEST) {
      const runCreates = runs.slice(i, i + MAX_RUNS_PER_REQUEST).map(toRunCreate);
      requests.push(client.batchIngestRuns({ runCreates } as never));
    }
    await Promise.all(requests);
  }

  async forceFlush(): Promise<void> {
    if (this._client) await (await this._client).awaitPendingTraceBatches();
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }

  private _getClient(): Promise<ClientLike> {
    return (this._client ??= this._options.client
      ? Promise.resolve(this._options.client)
      : import('langsmith').then(({ Client }) => {
          // REST ingest even when LANGSMITH_OTEL_ENABLED puts the SDK's default client in OTel mode:
          // this sink is the direct path, and in OTel mode the Client would hand runs back to OTel.
          const config: Record<string, unknown> = {
            autoBatchTracing: true,
            tracingMode: 'langsmith',
            fetchImplementation: honourRetryAfter,
          };
          const apiKey = this._options.apiKey ?? process.env.LANGSMITH_API_KEY;
          const apiUrl = this._options.apiUrl ?? process.env.LANGSMITH_ENDPOINT;
          const workspaceId = this._options.workspaceId ?? process.env.LANGSMITH_WORKSPACE_ID;
          if (apiKey) config.apiKey = apiKey;
          if (apiUrl) config.apiUrl = apiUrl;
          if (workspaceId) config.workspaceId = workspaceId;
          return new Client(config) as unknown as ClientLike;
        }));
  }
}

/** A Retry-After longer than this is cut to it (the queue's export timeout bounds the whole call anyway). */
const MAX_RETRY_AFTER_MS = 30_000;

/**
 * The Client retries 429 and 503 after its own backoff (from 1 s): on 503 it
 * never reads Retry-After, and on 429 `langsmith` 0.12 loses it (the error
 * it hands to its 429 handler carries no response). Holding such a response
 * until its Retry-After has passed makes the Client's next attempt honour it —
 * still one retry layer (#8). A Client that does read it on 429 then waits
 * twice, at most 2 × Retry-After: later, never sooner. Fetches through the
 * implementation the `langsmith` package would use
 * (`overrideFetchImplementation`), else the global fetch. Only for a Client
 * the sink builds itself; a Client passed in keeps its own behaviour.
 */
async function honourRetryAfter(input: unknown, init?: Record<string, unknown>): Promise<Response> {
  const override = (globalThis as Record<symbol, unknown>)[Symbol.for('ls:fetch_implementation')];
  const fetchImpl = (typeof override === 'function' ? override : fetch) as (input: unknown, init?: unknown) => Promise<Response>;
  const response = await fetchImpl(input, init);
  if (response.status === 503 || response.status === 429) {
    const wait = retryAfterMillis(response.headers.get('retry-after'));
    if (wait > 0) await pause(Math.min(wait, MAX_RETRY_AFTER_MS), init?.signal as AbortSignal | undefined);
  }
  return response;
}

/**
 * Waits `ms`, or less when the Client gives up on the request (its timeout,
 * shutdown). Unref'd: the wait alone never holds the process open — the exit
 * deadline, not a Retry-After, decides how long the process waits.
 */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref?.();
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Retry-After: delay-seconds or an HTTP date (RFC 9110 §10.2.3); 0 when absent or unreadable. */
function retryAfterMillis(value: string | null): number {
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(0, at - Date.now());
}

/** A complete run (post with end time and outputs): one operation per run. */
function toRunCreate(run: Run): Record<string, unknown> {
  const create: Record<string, unknown> = {
    id: run.id,
    trace_id: run.trace_id,
    dotted_order: run.dotted_order,
    name: run.name,
    run_type: run.run_type,
    start_time: run.start_time,
    end_time: run.end_time,
    inputs: run.inputs,
    extra: run.extra,
    events: run.events,
    session_name: run.session_name,
  };
  if (run.parent_run_id) create.parent_run_id = run.parent_run_id;
  if (run.outputs !== undefined) create.outputs = run.outputs;
  if (run.error !== undefined) create.error = run.error;
  if (run.tags) create.tags = run.tags;
  return create;
}
