/**
 * What extract leaves in the OTel `Context` for the span processor and for
 * inject. Keys are created with `createContextKey`, which uses `Symbol.for`,
 * so two copies of this package (ESM and CJS) share them.
 *
 * A neutral module (issue 13, "arrows"): the propagator writes these values
 * and lineage/, the processor, setup/ and langgraph/ read them, so it imports
 * neither side — only `@opentelemetry/api` and header types.
 */
import { createContextKey, trace, type Context, type SpanContext } from '@opentelemetry/api';
import type { DottedOrder } from '../headers/dotted-order.js';
import type { LangSmithBaggage } from '../headers/langsmith-baggage.js';

/** Which header families a trusted request carried (the README's modes table). */
export type PropagationMode =
  /** `traceparent` and `langsmith-trace` naming the same hop. */
  | 'both'
  /** Both present but naming different hops; LangSmith lineage follows `langsmith-trace`. */
  | 'inconsistent'
  /** Only `langsmith-trace`: the OTel parent is synthesized from it. */
  | 'langsmith'
  /** Only `traceparent`. */
  | 'traceparent';

export interface InboundContext {
  mode: PropagationMode;
  /** The upstream LangSmith run that local root spans become children of. */
  parent: DottedOrder | undefined;
  /**
   * `traceparent`-only with `traceparentOnly: 'attach'`: the run id of the
   * upstream span (ingest rule), used as parent without a known dotted order.
   */
  attachToRunId: string | undefined;
  /** Trusted LangSmith baggage members (metadata, tags, project). */
  baggage: LangSmithBaggage | undefined;
  /** The remote OTel parent put in the context (from `traceparent` or synthesized). */
  remote: SpanContext;
}

const INBOUND_KEY = createContextKey('langsmith-otel-bridge: inbound LangSmith context');
const UNTRUSTED_CALLER_KEY = createContextKey('langsmith-otel-bridge: untrusted caller span context');
/** The key `@opentelemetry/core`'s suppressTracing() sets; same Symbol.for description. */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * What extract recorded. A context value, not a property of the remote span:
 * it must stay reachable below a local span the sampler dropped (no lineage),
 * so that inject still keeps the inbound W3C random flag.
 */
export function getInboundContext(context: Context): InboundContext | undefined {
  return context.getValue(INBOUND_KEY) as InboundContext | undefined;
}

/** Puts `inbound.remote` in the context as the remote parent, and `inbound` beside it. */
export function setInboundContext(context: Context, inbound: InboundContext): Context {
  return trace.setSpanContext(context, inbound.remote).setValue(INBOUND_KEY, inbound);
}

/** The caller's span context of an untrusted request: only ever used as a span link. */
export function getUntrustedCaller(context: Context): SpanContext | undefined {
  return context.getValue(UNTRUSTED_CALLER_KEY) as SpanContext | undefined;
}

export function setUntrustedCaller(context: Context, caller: SpanContext): Context {
  return context.setValue(UNTRUSTED_CALLER_KEY, caller);
}

export function isTracingSuppressed(context: Context): boolean {
  return context.getValue(SUPPRESS_TRACING_KEY) === true;
}

/** What `@opentelemetry/core`'s suppressTracing() does: instrumentations record nothing under it. */
export function suppressTracing(context: Context): Context {
  return context.setValue(SUPPRESS_TRACING_KEY, true);
}
