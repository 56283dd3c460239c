/** Runs as JSON lines in a local file: the embedded default, read back by `langsmith-otel-bridge tree`. */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Run } from '../mapping/types.js';
import type { RunSink } from './types.js';

export class JsonlFileSink implements RunSink {
  readonly name = 'jsonl-file';
  readonly label: string;
  private _ready: Promise<unknown> | undefined;

  constructor(readonly path: string) {
    if (typeof path !== 'string' || path.length === 0) {
      throw new TypeError('JsonlFileSink: pass the file path to write runs to (e.g. .langsmith-otel/runs.jsonl).');
    }
    this.label = `file ${path}`;
  }

  async write(runs: Run[]): Promise<void> {
    // A failed mkdir is tried again with the next batch (the queue retries, the directory may appear).
    this._ready ??= makeDirectory(dirname(this.path)).catch((err: unknown) => {
      this._ready = undefined;
      throw err;
    });
    await this._ready;
    let text = '';
    for (const run of runs) text += JSON.stringify(run, bigintSafe) + '\n';
    await appendFile(this.path, text, 'utf8');
  }
}

/**
 * `mkdir -p`, one level at a time. Not `mkdir(dir, { recursive: true })`:
 * on Node 20 it never returns for a parent that exists but refuses children
 * with ENOENT (`/proc/nope`), spinning a libuv thread (#8).
 */
async function makeDirectory(dir: string, depth = 0): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw err;
    await makeDirectory(parent, depth + 1);
    try {
      await mkdir(dir);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
    }
  }
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
