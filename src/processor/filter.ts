/**
 * Which spans become LangSmith runs. Decided once, when a span starts (its
 * children need to know whom to attach to), from what a span has at start:
 * name, kind, initial attributes, instrumentation scope.
 *
 * A span that is not kept never strands a descendant: its children attach to
 * its nearest kept ancestor (lineage), in both encodings. A local root is
 * always kept. Jaeger still receives every span.
 */
import { SpanKind, type Span } from '@opentelemetry/api';

/** Returns true to make the span a LangSmith run. */
export type SpanFilter = (span: Span) => boolean;

/** Instrumentations whose INTERNAL spans are plumbing, not steps of an LLM application. */
export const NOISY_INSTRUMENTATION_SCOPES: readonly string[] = [
  '@opentelemetry/instrumentation-fs',
  '@opentelemetry/instrumentation-dns',
  '@opentelemetry/instrumentation-net',
  '@opentelemetry/instrumentation-express',
  '@opentelemetry/instrumentation-connect',
  '@opentelemetry/instrumentation-koa',
  '@opentelemetry/instrumentation-fastify',
  '@opentelemetry/instrumentation-router',
];

const NOISY_SCOPES = new Set(NOISY_INSTRUMENTATION_SCOPES);

interface SpanAtStart {
  readonly kind?: SpanKind;
  readonly instrumentationScope?: { name?: string };
  readonly instrumentationLibrary?: { name?: string };
}

/**
 * The default filter: keeps every span except INTERNAL spans of the
 * instrumentations above (file system, DNS, sockets, web-framework
 * middleware). SERVER, CLIENT, PRODUCER and CONSUMER spans are always kept:
 * they carry the request across services, and a kept CLIENT span is what
 * makes outbound `traceparent` and `langsmith-trace` name the same hop.
 */
export const defaultSpanFilter: SpanFilter = (span: Span): boolean => {
  const s = span as unknown as SpanAtStart;
  if (s.kind !== undefined && s.kind !== SpanKind.INTERNAL) return true;
  const scope = s.instrumentationScope?.name ?? s.instrumentationLibrary?.name;
  return scope === undefined || !NOISY_SCOPES.has(scope);
};

/** Keeps every span. */
export const keepAllSpans: SpanFilter = () => true;
