import type { Run } from '../mapping/types.js';

/**
 * A destination for runs (encoding b). `write` receives batches from the
 * processor's bounded queue; a rejected promise makes the queue retry the
 * batch with backoff and jitter (after `retryAfterMillis` when the error has
 * one), unless `retriesItself`.
 */
export interface RunSink {
  readonly name: string;
  /** How notices on stderr name it, e.g. `file .langsmith-otel/runs.jsonl`. Default: `name`. */
  readonly label?: string;
  /**
   * The sink retries failed writes itself (backoff, jitter, Retry-After), so
   * the processor's queue does not retry on top (one retry layer per
   * destination). Default false: the queue retries with backoff and jitter.
   */
  readonly retriesItself?: boolean;
  write(runs: Run[]): Promise<void>;
  forceFlush?(): Promise<void>;
  shutdown?(): Promise<void>;
}
