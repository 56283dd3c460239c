/**
 * LangChain / LangGraph runs as OTel spans, for the `langsmith` SDK's OTel
 * mode.
 *
 * In OTel mode the SDK turns `traceable()` runs into spans, but
 * `@langchain/core`'s LangChainTracer runs reach LangSmith through the SDK
 * Client's OTel translator, which only decorates a span that is already
 * active (one `traceable` started); a LangGraph graph starts none, so its
 * runs are lost (measured with @langchain/core 1.4, langsmith 0.12: a graph
 * invoked under a server span leaves no run). This handler starts one span
 * per LangChain run instead, parented on its parent run's span (the root on
 * the context given, else the context active when the graph starts), with
 * the attributes the bridge's mapping reads (name, run type, inputs, outputs,
 * metadata, tags, error). The bridge's processor gives them their lineage
 * like any other span, so the graph is one tree in both worlds.
 */
import { context as otelContext, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { GEN_AI_COMPLETION, GEN_AI_PROMPT, LANGSMITH_METADATA_PREFIX, LANGSMITH_NAME, LANGSMITH_RUN_TYPE, LANGSMITH_TAGS } from '../mapping/conventions.js';

/** Live spans by LangChain run id, for `nodeContext` (a run's span is removed when it ends). */
const SPANS_KEY = Symbol.for('langsmith-otel-bridge.langchain-run-spans');
const registry = ((globalThis as Record<symbol, unknown>)[SPANS_KEY] ??= new Map<string, Span>()) as Map<string, Span>;
/** At most this many live run spans are remembered; past it the oldest entry is forgotten. */
const MAX_LIVE_SPANS = 10_000;

/** The span the handler started for a LangChain run that is still running. */
export function spanForLangChainRun(runId: string | undefined): Span | undefined {
  return runId === undefined ? undefined : registry.get(runId);
}

export interface LangChainSpanHandlerOptions {
  /** Context of the root run's parent. Default: the context active when the root run starts. */
  parentContext?: Context;
  /** Tracer name. Default `langsmith-otel-bridge/langchain`. */
  tracerName?: string;
  /** Metadata and tags added to every run (e.g. the caller's, from its baggage). */
  metadata?: Record<string, unknown>;
  tags?: string[];
}

interface RunLike {
  id: string;
  name: string;
  run_type: string;
  parent_run_id?: string;
  start_time: number;
  end_time?: number;
  inputs?: unknown;
  outputs?: unknown;
  error?: string;
  tags?: string[];
  extra?: { metadata?: Record<string, unknown> };
}

/**
 * A `@langchain/core` callback handler (a BaseTracer) that records every run
 * as an OTel span of the global tracer provider. Pass it in `callbacks`:
 * `graph.invoke(input, { callbacks: [await langChainSpanHandler()] })`.
 * Rejects when `@langchain/core` is not installed.
 */
export async function langChainSpanHandler(options: LangChainSpanHandlerOptions = {}): Promise<object> {
  const [{ BaseTracer }, { RunTree }] = await Promise.all([import('@langchain/core/tracers/base'), import('langsmith')]);
  const tracerName = options.tracerName ?? 'langsmith-otel-bridge/langchain';
  const extraMetadata = options.metadata;
  const extraTags = options.tags ?? [];

  class LangChainSpanHandler extends BaseTracer {
    // LangChain's tracer slot: CallbackManager.configure adds its own
    // LangChainTracer only when no handler has this name. In OTel mode that
    // tracer records nothing of its own and can write a run's name and
    // attributes onto whatever span is active (measured with this handler
    // under another name: the server span renamed `__start__`), so this
    // handler takes its place.
    override name = 'langchain_tracer';
    private readonly _spans = new Map<string, Span>();
    private _rootContext: Context | undefined = options.parentContext;

    constructor() {
      // Run inline: the root's parent is the context active when the graph starts.
      super({ _awaitHandler: true });
    }

    protected async persistRun(): Promise<void> {}

    /** Called by CallbackManager.configure on the handler in the tracer slot under a `traceable`: its span is already the active parent. */
    updateFromRunTree(): void {}

    /**
     * Called by @langchain/core for the handler in the tracer slot: the
     * RunTree put in AsyncLocalStorage while a run executes (LangGraph keeps
     * the node's config in it, for `getConfig()` and `interrupt()`). Never
     * posted; `traceable` children become spans of the active OTel context.
     */
    getRunTreeWithTracingConfig(id: string): InstanceType<typeof RunTree> {
      return new RunTree({ id, name: this.runMap.get(id)?.name ?? 'langchain run', tracingEnabled: true });
    }

    override onRunCreate(run: RunLike): void {
      const parentSpan = run.parent_run_id ? this._spans.get(run.parent_run_id) : undefined;
      const parentContext = parentSpan ? trace.setSpan(otelContext.active(), parentSpan) : (this._rootContext ?? otelContext.active());
      const span = trace.getTracer(tracerName).startSpan(run.name, { startTime: run.start_time }, parentContext);
      span.setAttribute(LANGSMITH_NAME, run.name);
      span.setAttribute(LANGSMITH_RUN_TYPE, run.run_type);
      setJson(span, GEN_AI_PROMPT, run.inputs);
      const metadata = { ...(extraMetadata ?? {}), ...(run.extra?.metadata ?? {}) };
      for (const [key, value] of Object.entries(metadata)) {
        if (value === undefined || value === null) continue;
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') span.setAttribute(LANGSMITH_METADATA_PREFIX + key, value);
        else setJson(span, LANGSMITH_METADATA_PREFIX + key, value);
      }
      const tags = [...new Set([...extraTags, ...(run.tags ?? [])])].filter((t) => !t.includes(','));
      if (tags.length > 0) span.setAttribute(LANGSMITH_TAGS, tags.join(','));
      this._spans.set(run.id, span);
      if (registry.size >= MAX_LIVE_SPANS) registry.delete(registry.keys().next().value!);
      registry.set(run.id, span);
    }

    override onRunUpdate(run: RunLike): void {
      const span = this._spans.get(run.id);
      if (!span || run.end_time === undefined) return;
      this._spans.delete(run.id);
      if (registry.get(run.id) === span) registry.delete(run.id);
      setJson(span, GEN_AI_COMPLETION, run.outputs);
      if (run.error) span.setStatus({ code: SpanStatusCode.ERROR, message: String(run.error).slice(0, 1024) });
      span.end(run.end_time);
    }
  }
  return new LangChainSpanHandler();
}

function setJson(span: Span, key: string, value: unknown): void {
  if (value === undefined) return;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) span.setAttribute(key, json);
  } catch {
    // not serialisable (cycles): left out
  }
}
