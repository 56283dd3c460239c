/**
 * Issue 13: every public `stats` is a snapshot. A reading is a fresh object a
 * caller may keep, compare with a later one, or change, without touching the
 * counters. (The propagator's `stats` joins this table when it becomes one.)
 */
import { BasicTracerProvider, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { LangSmithSpanProcessor, TreePrinterSink } from '../src/index.js';

type Counters = Record<string, unknown>;

/** Sets every number in `stats` (and its nested objects) to -1. */
function scribble(stats: Counters): void {
  for (const [key, value] of Object.entries(stats)) {
    if (typeof value === 'number') stats[key] = -1;
    else if (value && typeof value === 'object') scribble(value as Counters);
  }
}

async function processorWithOneSpan(): Promise<{ stats: Counters }> {
  const processor = new LangSmithSpanProcessor({ exporter: new InMemorySpanExporter(), project: 'p' });
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  provider.getTracer('t').startSpan('llm call').end();
  await provider.forceFlush();
  return processor as unknown as { stats: Counters };
}

const OWNERS: Array<[string, () => Promise<{ stats: Counters }>]> = [
  ['LangSmithSpanProcessor', processorWithOneSpan],
  ['TreePrinterSink', async () => new TreePrinterSink({ write: () => {} }) as unknown as { stats: Counters }],
];

describe('every stats is a snapshot', () => {
  it.each(OWNERS)('%s: a reading is a fresh copy, and changing it changes nothing', async (_name, make) => {
    const owner = await make();
    const first = owner.stats;
    const expected = structuredClone(first);
    expect(owner.stats).not.toBe(first);
    scribble(first);
    expect(owner.stats).toEqual(expected);
  });
});
