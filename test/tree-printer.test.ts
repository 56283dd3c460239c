/**
 * TreePrinterSink: one tree per trace when its root ends, and bounded when
 * it never does here (issue 8): a trusted service continuing one long
 * upstream trace must print what it has and hold a bounded number of runs.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDottedOrderSegment } from '../src/headers/dotted-order.js';
import type { Run } from '../src/mapping/types.js';
import { notices } from '../src/notices.js';
import { TreePrinterSink, type TreePrinterSinkOptions, type TreePrinterStats } from '../src/sinks/tree-printer.js';
import { finishedRun, type RunParent } from './support/runs.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A finished run: `parent` is a run of the same trace, or [id, dotted order] of one elsewhere. */
function run(name: string, parent: RunParent, startMs: number, more: Partial<Run> = {}): Run {
  const id = randomUUID();
  return finishedRun(
    {
      id,
      name,
      run_type: 'chain',
      parent,
      segment: formatDottedOrderSegment(startMs * 1000, id),
      start_time: new Date(startMs).toISOString().replace('Z', '000Z'),
      end_time: new Date(startMs + 2).toISOString().replace('Z', '000Z'),
    },
    more,
  );
}

/** The upstream caller's run: in another process, so never written here. */
function upstream(): [string, string] {
  const id = randomUUID();
  return [id, formatDottedOrderSegment(1_000_000, id)];
}

/** One request of a service continuing `parent`'s trace: a local root and `n - 1` children. */
function request(parent: [string, string], i: number, n = 5): Run[] {
  const local = run(`request-${i}`, parent, 2_000 + i);
  return [...Array.from({ length: n - 1 }, (_, k) => run(`step-${k}`, local, 2_000 + i)), local];
}

function printer(options: TreePrinterSinkOptions = {}): { sink: TreePrinterSink; out: string[] } {
  const out: string[] = [];
  const sink = new TreePrinterSink({ write: (text) => void out.push(text), ...options });
  return { sink, out };
}

const noticeLines: string[] = [];
afterEach(() => {
  notices.reset();
  noticeLines.length = 0;
});

describe('TreePrinterSink', () => {
  it('prints a trace once its root ends, in the tree format, and holds nothing after', async () => {
    const { sink, out } = printer({ graceMillis: 10 });
    const root = run('handle', undefined, 1_000);
    const child = run('tool', root, 1_001, { run_type: 'tool', error: 'Boom: bad\n  at x' });
    await sink.write([child]);
    await sink.write([root]);
    expect(out).toEqual([]);
    await sleep(60);
    expect(out).toEqual([`trace ${root.id} · project demo · 2 runs\nhandle  chain  2.0 ms\n└─ tool  tool  2.0 ms  ✗ Boom: bad\n\n`]);
    expect(sink.stats).toEqual({ bufferedTraces: 0, bufferedRuns: 0, printedTraces: 1, partialTraces: 0, droppedRuns: 0 });
  });

  it('a trace whose root never ends here: at most maxRunsPerTrace runs held, printed after idleMillis, drops counted', async () => {
    notices.configure({ write: (line) => void noticeLines.push(line) });
    const { sink, out } = printer({ idleMillis: 100, maxRunsPerTrace: 50 });
    const parent = upstream();
    for (let i = 0; i < 20; i++) await sink.write(request(parent, i));
    expect(sink.stats).toMatchObject({ bufferedTraces: 1, bufferedRuns: 50, droppedRuns: 50 });
    expect(noticeLines).toEqual([
      `langsmith-otel-bridge: tree printer: trace ${parent[0]} holds 50 runs (maxRunsPerTrace); its later runs are dropped until it is printed`,
    ]);
    expect(out).toEqual([]);
    await sleep(400);
    expect(sink.stats).toMatchObject({ bufferedTraces: 0, bufferedRuns: 0, printedTraces: 1, partialTraces: 1, droppedRuns: 50 });
    // One tree per local request root (their parent is upstream), each saying why it is partial.
    expect(out).toHaveLength(10);
    expect(out[0]!.split('\n').slice(0, 3)).toEqual([
      `trace ${parent[0]} · project demo · 50 runs`,
      '(partial: no new run for a while, and its root has not ended in this process; 50 more runs dropped (maxRunsPerTrace 50))',
      'request-0  chain  2.0 ms',
    ]);
    // Later runs of the printed trace start over.
    await sink.write(request(parent, 99));
    expect(sink.stats).toMatchObject({ bufferedTraces: 1, bufferedRuns: 5 });
    await sink.shutdown();
    expect(out[10]).toContain('(partial: flushed before its root ended)');
  });

  it('a continuing stream: the idle timer is not pushed back by dropped runs, so the trace still prints', async () => {
    const { sink, out } = printer({ idleMillis: 150, maxRunsPerTrace: 20 });
    const parent = upstream();
    const until = Date.now() + 600;
    for (let i = 0; Date.now() < until; i++) {
      await sink.write(request(parent, i));
      await sleep(5);
    }
    expect(out.length).toBeGreaterThan(0);
    expect(sink.stats.bufferedRuns).toBeLessThanOrEqual(20);
    expect(sink.stats.droppedRuns).toBeGreaterThan(0);
    await sink.shutdown();
  });

  it.each([
    { bound: 'maxRuns', options: { maxRuns: 50, maxTraces: 100, maxRunsPerTrace: 50 }, check: (s: TreePrinterStats) => s.bufferedRuns <= 50 },
    { bound: 'maxTraces', options: { maxRuns: 1000, maxTraces: 3, maxRunsPerTrace: 100 }, check: (s: TreePrinterStats) => s.bufferedTraces <= 3 },
  ])('holds within $bound in all: the oldest trace is printed early', async ({ options, check }) => {
    const { sink, out } = printer(options);
    const parents = Array.from({ length: 5 }, upstream);
    for (const [t, parent] of parents.entries()) {
      for (let i = 0; i < 6; i++) {
        await sink.write(request(parent, t * 100 + i)); // 30 runs a trace
        expect(check(sink.stats), JSON.stringify(sink.stats)).toBe(true);
      }
    }
    expect(sink.stats.droppedRuns).toBe(0);
    expect(sink.stats.printedTraces).toBeGreaterThanOrEqual(2);
    expect(out[0]).toContain(`trace ${parents[0]![0]} · project demo · 30 runs\n(partial: printed early to stay within the printer’s bounds)`);
    await sink.shutdown();
    expect(sink.stats).toMatchObject({ bufferedTraces: 0, bufferedRuns: 0 });
  });

  it('120,000 requests continuing one upstream trace hold at most maxRunsPerTrace runs (defaults)', async () => {
    const { sink } = printer();
    const parent = upstream();
    const local = run('request', parent, 2_000);
    const batch = Array.from({ length: 1000 }, () => run('step', local, 2_001));
    for (let i = 0; i < 600; i++) await sink.write(batch); // 600,000 runs, one trace
    expect(sink.stats).toMatchObject({ bufferedTraces: 1, bufferedRuns: 1000, droppedRuns: 599_000 });
    await sink.shutdown();
  });

  it('its timers never keep the process alive', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { sink } = printer({ idleMillis: 60_000, graceMillis: 60_000 });
    await sink.write(request(upstream(), 1));
    const root = run('root', undefined, 1);
    await sink.write([root]);
    expect(sink.stats.bufferedTraces).toBe(2);
    expect(timers()).toBe(before);
    await sink.shutdown();
  });

  it('shows control characters in names and errors instead of sending them to the terminal', async () => {
    const { sink, out } = printer({ color: true });
    const root = run('evil\u001b]52;c;aGVsbG8=\u0007', undefined, 1, { error: 'x\u001b[2J\u009b31m' });
    await sink.write([root]);
    await sink.shutdown();
    expect(out[0]).toContain('evil\\x1b]52;c;aGVsbG8=\\x07');
    expect(out[0]).toContain('✗ x\\x1b[2J\\x9b31m');
    expect(out[0]!.replace(/\u001b\[(?:0|1|2|31|36)m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
