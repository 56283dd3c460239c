/**
 * What a queue with its own retry layer says on stderr: the first "retrying"
 * line must not swallow the first real drop (each is a cause of its own), and
 * recovery is one "delivering again" line, however many causes were open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notices } from '../../src/notices.js';
import { BatchQueue } from '../../src/processor/batch-queue.js';

afterEach(() => notices.reset());

function capture(): string[] {
  const lines: string[] = [];
  notices.configure({ write: (line) => lines.push(line) });
  return lines;
}

/** A queue that retries once, at once, named `test sink` in its lines. */
function queue(name: string, exportFn: () => Promise<void>): BatchQueue<number> {
  return new BatchQueue<number>(name, exportFn, { maxRetries: 1, retryBaseMillis: 1, scheduledDelayMillis: 1, label: 'test sink' });
}

describe('BatchQueue notices', () => {
  it('writes the first drop at once even after a retry line', async () => {
    const lines = capture();
    const failing = queue('sink:test', () => Promise.reject(new Error('ECONNREFUSED')));
    failing.push(1);
    await failing.forceFlush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await failing.forceFlush();
    expect(failing.stats.droppedExportFailed).toBe(1);
    expect(lines).toEqual([
      'langsmith-otel-bridge: test sink: export failed (ECONNREFUSED); retrying',
      'langsmith-otel-bridge: test sink: spans not delivered (ECONNREFUSED)',
    ]);
  });

  it('says "delivering again" once when both the retry and the drop causes were open', async () => {
    const lines = capture();
    let fail = 2;
    const flaky = queue('sink:test2', () => (fail-- > 0 ? Promise.reject(new Error('503')) : Promise.resolve()));
    flaky.push(1);
    await flaky.forceFlush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await flaky.forceFlush();
    flaky.push(2);
    await flaky.forceFlush();
    expect(flaky.stats.exported).toBe(1);
    expect(lines.filter((l) => l.endsWith('delivering again'))).toEqual(['langsmith-otel-bridge: test sink: delivering again']);
  });
});
