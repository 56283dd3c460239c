// Types for scripts/fuzz.mjs, so test/fuzz.test.ts type-checks without allowJs.
import type { Context, TextMapPropagator } from '@opentelemetry/api';

/** What the fuzzer needs from the package: `dist/esm/index.js` or `src/index.ts`. */
export interface FuzzTarget {
  LangSmithPropagator: new (options: { trust: boolean }) => TextMapPropagator;
  LangSmithLineageProcessor: new () => object;
  getInboundContext(context: Context): { baggage?: { metadata?: unknown; tags?: unknown; project?: unknown } | undefined } | undefined;
  codecs: {
    parseDottedOrder(value: string): unknown;
    parseBaggage(value: string): { dropped: number };
    parseTraceState(value: string): unknown;
    formatDottedOrderSegment(micros: number, runId: string): string;
  };
}

export interface FuzzExample {
  kind: string;
  index: number;
  category: string;
  detail: string;
  input: string;
}

export interface FuzzReport {
  count: number;
  seed: number;
  timeBoundMs: number;
  /** Inputs for which something escaped, or the propagator swallowed an exception of its own. */
  throws: number;
  /** Inputs slower than the bound twice in a row. */
  timeBoundViolations: number;
  invariantViolations: number;
  /** Inputs slower than the bound once but not on retry (GC pauses). */
  slowOnce: number;
  plantedErrorsSwallowed: number;
  /** Violations per kind: `throw`, `time-bound`, `prototype-pollution` and the invariant names. */
  byKind: Record<string, number>;
  overHttpByKind: Record<string, number>;
  examples: FuzzExample[];
  slowest: { index: number; ms: number; category: string; input: string };
  categories: Record<string, number>;
  elapsedMs: number;
  inputsPerSecond: number;
}

export interface FuzzOptions {
  count?: number;
  seed?: number;
  timeBoundMs?: number;
  /** First input index (default 0). */
  from?: number;
  onProgress?: (done: number) => void;
}

export declare const DEFAULT_COUNT: number;
export declare const DEFAULT_TIME_BOUND_MS: number;
export declare function fuzz(options?: FuzzOptions & { lib?: FuzzTarget }): Promise<FuzzReport>;
export declare function fuzzWith(lib: FuzzTarget, options?: FuzzOptions): FuzzReport;
export declare function replay(options: { seed?: number; index: number; lib?: FuzzTarget }): Promise<{
  category: string;
  carrier: unknown;
  report: FuzzReport;
}>;
export declare function describeInput(carrier: unknown): string;
export declare function formatReport(report: FuzzReport): string;
export declare function hasViolations(report: FuzzReport, allowed?: readonly string[]): boolean;
