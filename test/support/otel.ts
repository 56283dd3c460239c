/** A real OTel SDK tracer provider with the lineage processor, for tests. */
import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LangSmithLineageProcessor, type LineageOptions } from '../../src/index.js';

export function makeProvider(options: LineageOptions = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new LangSmithLineageProcessor(options), new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('test');
  /** Starts a span whose parent is the span in `parent` (default: none). */
  const start = (name: string, parent: Context = ROOT_CONTEXT): Span => tracer.startSpan(name, {}, parent);
  const ctxOf = (span: Span, base: Context = ROOT_CONTEXT): Context => trace.setSpan(base, span);
  return { provider, tracer, exporter, start, ctxOf };
}

/** A plain-object carrier and the getter/setter OTel uses for it. */
export function carrier(headers: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { ...headers };
}
