/** Runs as JSON lines in a local file: the embedded default, read back by `langsmith-otel-bridge tree`. */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Run } from '../mapping/types.js';
import type { RunSink } from './types.js';

export class JsonlFileSink implements RunSink {
  readonly name = 'jsonl-file';
  private _ready: Promise<unknown> | undefined;

  constructor(readonly path: string) {
    if (typeof path !== 'string' || path.length === 0) {
      throw new TypeError('JsonlFileSink: pass the file path to write runs to (e.g. .langsmith-otel/runs.jsonl).');
    }
  }

  async write(runs: Run[]): Promise<void> {
    this._ready ??= mkdir(dirname(this.path), { recursive: true });
    await this._ready;
    let text = '';
    for (const run of runs) text += JSON.stringify(run, bigintSafe) + '\n';
    await appendFile(this.path, text, 'utf8');
  }
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
