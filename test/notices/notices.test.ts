import { afterEach, describe, expect, it, vi } from 'vitest';
import { notices } from '../../src/notices.js';

describe('notices', () => {
  afterEach(() => {
    notices.reset();
    vi.useRealTimers();
  });

  function capture(intervalMs = 60_000): string[] {
    const lines: string[] = [];
    notices.configure({ write: (line) => lines.push(line), intervalMs });
    return lines;
  }

  it('writes a new cause at once, then one summary per interval with the running count', () => {
    vi.useFakeTimers();
    const lines = capture(60_000);
    notices.warn('export:otlp', 'OTLP export failed: ECONNREFUSED', 10);
    expect(lines).toEqual(['langsmith-otel-bridge: OTLP export failed: ECONNREFUSED']);
    notices.warn('export:otlp', 'OTLP export failed: ECONNREFUSED', 5);
    notices.warn('export:otlp', 'OTLP export failed: ECONNREFUSED', 7);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(59_999);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(lines[1]).toBe('langsmith-otel-bridge: OTLP export failed: ECONNREFUSED (12 more since the last report, 22 in all)');
    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(2);
    expect(notices.counts()['export:otlp']).toEqual({ total: 22, active: true });
  });

  it('says once that a cause cleared, and a later recurrence is written at once again', () => {
    const lines = capture();
    notices.warn('export:otlp', 'down');
    notices.resolved('export:otlp', 'delivery resumed');
    notices.resolved('export:otlp', 'delivery resumed');
    notices.warn('export:otlp', 'down again');
    expect(lines).toEqual(['langsmith-otel-bridge: down', 'langsmith-otel-bridge: delivery resumed', 'langsmith-otel-bridge: down again']);
  });

  it('resolving a cause that was never reported writes nothing', () => {
    const lines = capture();
    notices.resolved('export:file', 'resumed');
    expect(lines).toEqual([]);
  });

  it('flush writes what is pending, once', () => {
    const lines = capture();
    notices.warn('queue:full', 'queue full', 1);
    notices.warn('queue:full', 'queue full', 3);
    notices.flush();
    notices.flush();
    expect(lines).toEqual(['langsmith-otel-bridge: queue full', 'langsmith-otel-bridge: queue full (3 more since the last report, 4 in all)']);
  });

  it('keeps each line one line, and a throwing writer never reaches the caller', () => {
    const lines = capture();
    notices.warn('a', 'two\nlines\r\nhere');
    expect(lines).toEqual(['langsmith-otel-bridge: two lines here']);
    notices.warn('c', 'cannot write \u001b]52;c;aGk=\u0007/tmp/x');
    expect(lines[1]).toBe('langsmith-otel-bridge: cannot write \\x1b]52;c;aGk=\\x07/tmp/x');
    notices.configure({
      write: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => notices.warn('b', 'x')).not.toThrow();
  });

  it('a message given as a function is built only when a line is written', () => {
    vi.useFakeTimers();
    const lines = capture(1000);
    let built = 0;
    const message = () => `queue full (${++built})`;
    for (let i = 0; i < 1000; i++) notices.warn('queue-full:x', message);
    expect(built).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(built).toBe(2);
    expect(lines).toEqual(['langsmith-otel-bridge: queue full (1)', 'langsmith-otel-bridge: queue full (2) (999 more since the last report, 1000 in all)']);
  });

  it('enabled: false writes nothing but still counts', () => {
    const lines = capture();
    notices.configure({ enabled: false });
    notices.warn('a', 'x', 2);
    expect(lines).toEqual([]);
    expect(notices.counts().a!.total).toBe(2);
  });
});
