import type { Run } from '../mapping/types.js';

/**
 * A destination for runs (encoding b). `write` receives batches from the
 * processor's bounded queue; a rejected promise makes the queue retry the
 * batch with backoff.
 */
export interface RunSink {
  readonly name: string;
  write(runs: Run[]): Promise<void>;
  forceFlush?(): Promise<void>;
  shutdown?(): Promise<void>;
}
