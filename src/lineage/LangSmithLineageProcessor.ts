/**
 * A span processor that only assigns lineage, for setups that export with
 * their own processors and use LangSmithPropagator alone. LangSmithSpanProcessor
 * does this itself; registering both is harmless (lineage is assigned once).
 */
import type { Context, Span } from '@opentelemetry/api';
import { LineageTracker, type LineageOptions } from './lineage.js';

/**
 * The SDK's SpanProcessor contract, stated structurally so this package
 * needs no SDK package at runtime or for its types (SDK 2.x and 3.x alike).
 */
export interface SpanProcessorLike {
  onStart(span: Span, parentContext: Context): void;
  onEnd(span: unknown): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export class LangSmithLineageProcessor implements SpanProcessorLike {
  private readonly _tracker: LineageTracker;

  constructor(options: LineageOptions = {}) {
    this._tracker = new LineageTracker(options);
  }

  onStart(span: Span, parentContext: Context): void {
    this._tracker.onStart(span, parentContext);
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
