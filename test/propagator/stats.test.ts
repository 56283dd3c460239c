import { defaultTextMapGetter, diag, DiagLogLevel, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { LangSmithPropagator } from '../../src/index.js';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('.stats', () => {
  it('is a snapshot: a fresh plain object per read that later extracts do not change', () => {
    const p = new LangSmithPropagator({ trust: true });
    p.extract(ROOT_CONTEXT, { traceparent: 'bad' }, defaultTextMapGetter);
    const first = p.stats;
    expect(first).toMatchObject({ extracted: 0, malformed: { traceparent: 1 } });

    p.extract(ROOT_CONTEXT, { traceparent: TP }, defaultTextMapGetter);
    p.extract(ROOT_CONTEXT, { traceparent: 'bad' }, defaultTextMapGetter);
    expect(first.extracted).toBe(0);
    expect(first.malformed.traceparent).toBe(1);
    const second = p.stats;
    expect(second).not.toBe(first);
    expect(second.malformed).not.toBe(first.malformed);
    expect(second).toMatchObject({ extracted: 1, malformed: { traceparent: 2 } });
  });

  it("cannot be changed by the reader: the propagator's counters stay its own", () => {
    const p = new LangSmithPropagator({ trust: true });
    const read = p.stats;
    read.extracted = 100;
    read.malformed.traceparent = 100;
    expect(p.stats.extracted).toBe(0);
    expect(p.stats.malformed.traceparent).toBe(0);
    p.extract(ROOT_CONTEXT, { traceparent: TP }, defaultTextMapGetter);
    expect(p.stats.extracted).toBe(1);
  });
});

describe('malformed headers in diag (debug)', () => {
  it("names the codec's reason, and a repeat as duplicated", () => {
    const lines: string[] = [];
    const sink = (...args: unknown[]) => void lines.push(args.join(' '));
    diag.setLogger({ debug: sink, info: sink, warn: sink, error: sink, verbose: sink }, { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true });
    try {
      const p = new LangSmithPropagator({ trust: true });
      p.extract(ROOT_CONTEXT, { traceparent: `ff${TP.slice(2)}`, 'langsmith-trace': 'garbage' }, defaultTextMapGetter);
      p.extract(ROOT_CONTEXT, { traceparent: [TP, TP] }, defaultTextMapGetter);
    } finally {
      diag.disable();
    }
    expect(lines.filter((l) => l.includes('ignoring'))).toEqual([
      expect.stringContaining('ignoring traceparent: version ff is invalid'),
      expect.stringContaining('ignoring langsmith-trace: segment 1 does not start with a YYYYMMDDTHHMMSS timestamp ("garbage")'),
      expect.stringContaining('ignoring traceparent: duplicated'),
    ]);
  });
});
