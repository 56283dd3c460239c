/**
 * The feature tests in front of what the bridge does to the `langsmith` SDK
 * without a public API (issue 12): each patch is applied only where the SDK
 * has the shape it was written for; otherwise one notice says which feature
 * is off and what still works, and nothing throws into the app. The real
 * SDK's shapes are covered by test/langsmith-range.test.ts (0.3.35 and the
 * newest); here, SDKs that differ.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { notices } from '../src/notices.js';
import { isTracingSuppressed } from '../src/context/keys.js';
import { alignSdkTracingMode, holdEarlyRunEnds, registerOtelInstancesDirectly, untraceLangSmithTransport } from '../src/setup/langsmith-sdk.js';

type Langsmith = typeof import('langsmith');
const lines: string[] = [];

afterEach(() => {
  notices.reset();
  lines.length = 0;
  const g = globalThis as Record<symbol, unknown>;
  for (const key of ['ls:otel_trace', 'ls:otel_context', 'ls:otel_get_default_otlp_tracer_provider', 'ls:fetch_implementation']) delete g[Symbol.for(key)];
});

function capture(): void {
  notices.configure({ write: (line) => lines.push(line) });
}

/** A fake SDK whose shared Client owns `translator`. */
function sdkWith(translator: object | undefined, version = '0.12.0', extra: Record<string, unknown> = {}): Langsmith {
  return { __version__: version, RunTree: { getSharedClient: () => ({ langSmithToOTELTranslator: translator }) }, ...extra } as unknown as Langsmith;
}

interface Op {
  operation: 'post' | 'patch';
  id: string;
}

/** The translator shape of langsmith 0.3.35 to 0.12: exportBatch(operations, contexts), open spans in a Map. */
class KnownTranslator {
  spans = new Map<string, unknown>();
  seen: Op[][] = [];
  exportBatch(operations: Op[], _contexts: unknown): void {
    this.seen.push(operations);
    for (const op of operations) {
      if (op.operation === 'post') this.spans.set(op.id, {});
      else this.spans.delete(op.id);
    }
  }
}

describe('the guard for run ends that arrive before their starts', () => {
  it('on the known shape: an early end is held and handed over right after its start', () => {
    capture();
    const translator = new KnownTranslator();
    holdEarlyRunEnds(sdkWith(translator));
    translator.exportBatch([{ operation: 'patch', id: 'a' }], new Map());
    translator.exportBatch([{ operation: 'post', id: 'a' }], new Map());
    expect(translator.seen).toEqual([
      [],
      [
        { operation: 'post', id: 'a' },
        { operation: 'patch', id: 'a' },
      ],
    ]);
    expect(lines).toEqual([]);
  });

  it.each([
    [
      'exportBatch with another signature',
      class {
        spans = new Map();
        exportBatch(_operations: unknown): void {}
      },
    ],
    [
      'no exportBatch',
      class {
        spans = new Map();
      },
    ],
    [
      'open spans not in a Map',
      class {
        spans = {};
        exportBatch(_operations: unknown, _contexts: unknown): void {}
      },
    ],
  ])('%s: left alone, one notice saying what is off and what still works', (_name, Translator) => {
    capture();
    const translator = new Translator();
    const before = Object.getPrototypeOf(translator).exportBatch;
    expect(() => holdEarlyRunEnds(sdkWith(translator, '9.1.0'))).not.toThrow();
    expect(Object.getPrototypeOf(translator).exportBatch).toBe(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/langsmith 9\.1\.0: its OTel translator is not the shape the bridge knows/);
    expect(lines[0]).toMatch(/traceable\(\) runs still become spans/);
  });

  it('a shared Client that cannot be built: a notice, no throw', () => {
    capture();
    const sdk = {
      __version__: '0.12.0',
      RunTree: {
        getSharedClient: () => {
          throw new Error('no');
        },
      },
    } as unknown as Langsmith;
    expect(() => holdEarlyRunEnds(sdk)).not.toThrow();
    expect(lines).toHaveLength(1);
  });
});

describe("the SDK Client's own HTTP calls", () => {
  it('run with tracing suppressed, through the public overrideFetchImplementation', async () => {
    capture();
    let installed: ((...args: unknown[]) => unknown) | undefined;
    const sdk = sdkWith(undefined, '0.12.0', { overrideFetchImplementation: (f: (...args: unknown[]) => unknown) => (installed = f) });
    const seen: boolean[] = [];
    (globalThis as Record<symbol, unknown>)[Symbol.for('ls:fetch_implementation')] = () => seen.push(isTracingSuppressed(context.active()));
    untraceLangSmithTransport(sdk);
    expect(installed).toBeTypeOf('function');
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      await installed!('http://x');
    } finally {
      context.disable();
    }
    // The app's own earlier override is kept, wrapped.
    expect(seen).toEqual([true]);
    expect(lines).toEqual([]);
  });

  it('an SDK without overrideFetchImplementation: a notice, no throw', () => {
    capture();
    expect(() => untraceLangSmithTransport(sdkWith(undefined, '0.2.0'))).not.toThrow();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/langsmith 0\.2\.0 has no overrideFetchImplementation/);
  });
});

describe("the SDK's OTel registry where initializeOTEL cannot load (OTel SDK 3.x)", () => {
  const provider = trace.getTracerProvider();
  const g = globalThis as Record<symbol, unknown>;

  it.each(['0.3.35', '0.12.0', '0.12.9'])('langsmith %s (tested): the three instances are registered', (version) => {
    capture();
    expect(registerOtelInstancesDirectly(sdkWith(undefined, version), provider, 'Cannot find package @opentelemetry/sdk-trace-base')).toBe(true);
    expect(g[Symbol.for('ls:otel_trace')]).toBe(trace);
    expect(g[Symbol.for('ls:otel_context')]).toBe(context);
    expect(g[Symbol.for('ls:otel_get_default_otlp_tracer_provider')]).toEqual({ DEFAULT_LANGSMITH_TRACER_PROVIDER: provider });
    expect(lines).toEqual([]);
  });

  it.each(['0.3.34', '0.13.0', '1.0.0', 'unknown'])('langsmith %s (not tested): nothing written, OTel mode off, one notice', (version) => {
    capture();
    expect(registerOtelInstancesDirectly(sdkWith(undefined, version), provider, 'Cannot find package @opentelemetry/sdk-trace-base')).toBe(false);
    expect(g[Symbol.for('ls:otel_trace')]).toBeUndefined();
    expect(g[Symbol.for('ls:otel_get_default_otlp_tracer_provider')]).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/its OTel mode is not enabled/);
    expect(lines[0]).toMatch(/the bridge's own spans, propagation and runTreeForActiveSpan\(\) work as before/);
  });
});

describe('the SDK hears OTel mode in every version in range', () => {
  it.each([
    ['LANGSMITH_OTEL_ENABLED=true: OTEL_ENABLED=true too (langsmith before 0.4 reads only that)', { LANGSMITH_OTEL_ENABLED: 'true' }, 'true'],
    ['OTEL_ENABLED=on becomes true', { OTEL_ENABLED: 'on' }, 'true'],
    ['OTEL_ENABLED=false set by the app is left alone', { LANGSMITH_OTEL_ENABLED: 'true', OTEL_ENABLED: 'false' }, 'false'],
    ['an explicit LANGSMITH_TRACING_MODE leaves everything alone', { LANGSMITH_OTEL_ENABLED: 'true', LANGSMITH_TRACING_MODE: 'langsmith' }, undefined],
  ] as const)('%s', (_rule, vars, otelEnabled) => {
    const env: Record<string, string | undefined> = { ...vars };
    alignSdkTracingMode(env);
    expect(env.OTEL_ENABLED).toBe(otelEnabled);
  });
});
