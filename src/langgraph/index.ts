/**
 * LangGraph and the LangGraph Agent Server (issue 11).
 *
 *   caller (OTel + bridge) ──HTTP──▶ Agent Server ──configurable──▶ graph factory / nodes ──HTTP──▶ OTel service
 *
 * What the real servers do with trace context (checked against
 * @langchain/langgraph-api 1.5 and langgraph-api 0.16):
 *
 * - The JS Agent Server copies only `x-*` request headers (and `user-agent`)
 *   into the run's `configurable`; `traceparent`, `langsmith-trace` and
 *   `baggage` never reach the graph. So the client hook sends every family
 *   twice: under its own name, and as `x-<name>` (`x-traceparent`,
 *   `x-langsmith-trace`, `x-baggage`, `x-tracestate`).
 * - The Python Agent Server copies `langsmith-trace` and the parsed LangSmith
 *   baggage members into `configurable` (`langsmith-trace`,
 *   `langsmith-project`, `langsmith-metadata`, `langsmith-tags`).
 * - Neither continues the trace: the graph's runs become a new root unless
 *   the graph factory (or a node) continues it.
 *
 * Everything read from `configurable` is caller input (a request body can set
 * any key), so it goes through the propagator's extract with a trust policy,
 * exactly like inbound headers. The default trusts nobody. A header-token
 * policy (`trustHeaderToken`) works on the JS server, which copies
 * `x-langsmith-trust` into `configurable` too.
 */
import { context as otelContext, defaultTextMapGetter, defaultTextMapSetter, isSpanContextValid, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import type { RunTree } from 'langsmith';
import {
  BAGGAGE_HEADER,
  LANGSMITH_METADATA_MEMBER,
  LANGSMITH_PROJECT_MEMBER,
  LANGSMITH_TAGS_MEMBER,
  LANGSMITH_TRACE_HEADER,
  TRACE_PARENT_HEADER,
  TRACE_STATE_HEADER,
} from '../constants.js';
import { joinBaggage } from '../headers/baggage.js';
import { LangSmithBaggage } from '../headers/langsmith-baggage.js';
import { getInboundContext, setInboundContext } from '../context/keys.js';
import { LangSmithPropagator } from '../propagator/LangSmithPropagator.js';
import type { TrustPolicy } from '../trust/policies.js';
import { langsmithHeaders } from '../setup/langsmith-sdk.js';
import { getRegisteredBridge } from '../setup/register.js';
import { DEFAULT_TRUST_HEADER } from '../trust/policies.js';
import { langChainSpanHandler, spanForLangChainRun } from './span-handler.js';

export { langChainSpanHandler, spanForLangChainRun } from './span-handler.js';
export type { LangChainSpanHandlerOptions } from './span-handler.js';

/** The JS Agent Server passes only `x-*` headers to the graph: each family is also sent under this prefix. */
export const AGENT_SERVER_HEADER_PREFIX = 'x-';

const FAMILIES = [TRACE_PARENT_HEADER, TRACE_STATE_HEADER, LANGSMITH_TRACE_HEADER, BAGGAGE_HEADER] as const;
const UNDICI_INSTRUMENTATION = '@opentelemetry/instrumentation-undici';

// Inject only: trust is an extract-side setting.
const injector = new LangSmithPropagator();

export interface AgentServerHeadersOptions {
  /**
   * Also write the standard `traceparent`/`tracestate`/`langsmith-trace`/`baggage`
   * (the Python Agent Server reads `langsmith-trace` and `baggage`; a JS server
   * running the bridge continues its HTTP span from them). Default `'auto'`:
   * only when the registered bridge does not instrument `fetch`, which injects
   * them itself (writing them twice would make them duplicated, hence invalid).
   */
  standard?: boolean | 'auto';
}

/**
 * The trace headers for a call to an Agent Server from the span active in
 * `ctx`: each family under its own name and as `x-<name>`. `{}` when there is
 * no span with a run (nothing to continue).
 */
export function agentServerHeaders(ctx: Context = otelContext.active(), options: AgentServerHeadersOptions = {}): Record<string, string> {
  const carrier: Record<string, string> = {};
  injector.inject(ctx, carrier, defaultTextMapSetter);
  if (carrier[LANGSMITH_TRACE_HEADER] === undefined && carrier[TRACE_PARENT_HEADER] === undefined) return {};
  const standard = options.standard ?? 'auto';
  const writeStandard = standard === 'auto' ? !fetchIsInstrumented() : standard;
  const headers: Record<string, string> = {};
  for (const name of FAMILIES) {
    const value = carrier[name];
    if (value === undefined) continue;
    if (writeStandard) headers[name] = value;
    headers[AGENT_SERVER_HEADER_PREFIX + name] = value;
  }
  return headers;
}

type RequestHook = (url: URL | string, init: RequestInit) => RequestInit | Promise<RequestInit>;

/**
 * `onRequest` for `@langchain/langgraph-sdk`'s `Client` (and so for
 * `RemoteGraph({ client })`): adds `agentServerHeaders()` of the caller's
 * active span to every request. Chains to `next` when given.
 *
 * ```ts
 * const client = new Client({ apiUrl, onRequest: agentServerRequestHook() });
 * const remote = new RemoteGraph({ graphId: 'agent', client });
 * ```
 */
export function agentServerRequestHook(options: AgentServerHeadersOptions & { next?: RequestHook } = {}): RequestHook {
  const { next, ...headerOptions } = options;
  return async (url, init) => {
    const add = agentServerHeaders(otelContext.active(), headerOptions);
    let out = init;
    if (Object.keys(add).length > 0) {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(add)) headers.set(name, value);
      out = { ...init, headers };
    }
    return next ? next(url, out) : out;
  };
}

function fetchIsInstrumented(): boolean {
  const instrumentations = getRegisteredBridge()?.instrumentations ?? [];
  return instrumentations.some(
    (i) =>
      (i as { instrumentationName?: string }).instrumentationName === UNDICI_INSTRUMENTATION && (i as { isEnabled?: () => boolean }).isEnabled?.() !== false,
  );
}

// ------------------------------------------------------------------ server side

/** What `exposeTraceHeaders` needs of a request's headers (a Fetch `Headers`, e.g. Hono's `c.req.raw.headers`). */
export interface MutableHeaders {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
}

/**
 * For a JS Agent Server whose callers send only the standard headers (the
 * Python `RemoteGraph(distributed_tracing=True)` sends `langsmith-trace` and
 * `baggage`): copies each family present to `x-<name>` unless that is
 * already set, so the server passes it into `configurable`. Call it from a
 * middleware of the server's custom HTTP app (`http.app` in langgraph.json),
 * which runs before the runs API. Returns the names it set. Trust is still
 * decided where the context is read (`continueCallerTrace`, `nodeContext`).
 */
export function exposeTraceHeaders(headers: MutableHeaders): string[] {
  const set: string[] = [];
  for (const name of FAMILIES) {
    const value = headers.get(name);
    const prefixed = AGENT_SERVER_HEADER_PREFIX + name;
    if (value === null || headers.has(prefixed)) continue;
    headers.set(prefixed, value);
    set.push(prefixed);
  }
  return set;
}

/** A `RunnableConfig`, or anything with a `configurable` record. */
export interface ConfigLike {
  configurable?: Record<string, unknown>;
}

export interface CallerContextOptions {
  /**
   * Whose context to continue; the propagator's option, applied to the
   * carrier built from `configurable`. Default `false`: nothing is continued.
   * A `TrustPolicy` receives that carrier (header names as keys, including
   * `x-langsmith-trust` when the JS server copied it), e.g. `trustHeaderToken`.
   */
  trust?: boolean | TrustPolicy;
  /** Use this propagator's extract (and trust policy) instead of one built from `trust`. */
  propagator?: LangSmithPropagator;
  /** The `configurable` key of the gateway's trust header (as `trustHeaderToken`'s `header`). Default `x-langsmith-trust`. */
  trustHeader?: string;
}

/**
 * The header carrier a run's `configurable` stands for: what the JS Agent
 * Server copied (`x-traceparent`, `x-langsmith-trace`, `x-baggage`,
 * `x-tracestate`), else what the Python Agent Server
 * copied (`langsmith-trace` and the parsed `langsmith-project`,
 * `langsmith-metadata`, `langsmith-tags`, re-encoded as `baggage`); and the
 * trust header (`x-langsmith-trust`, or `trustHeader`) for the trust policy.
 */
export function carrierFromConfigurable(configurable: Record<string, unknown> | undefined, options: { trustHeader?: string } = {}): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (!configurable || typeof configurable !== 'object') return carrier;
  const str = (key: string): string | undefined => {
    const value = Object.prototype.hasOwnProperty.call(configurable, key) ? configurable[key] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  const trustHeader = (options.trustHeader ?? DEFAULT_TRUST_HEADER).toLowerCase();
  const trust = str(trustHeader);
  if (trust !== undefined) carrier[trustHeader] = trust;
  const prefixed = FAMILIES.some((name) => str(AGENT_SERVER_HEADER_PREFIX + name) !== undefined);
  if (prefixed) {
    for (const name of FAMILIES) {
      const value = str(AGENT_SERVER_HEADER_PREFIX + name);
      if (value !== undefined) carrier[name] = value;
    }
    return carrier;
  }
  const lsTrace = str(LANGSMITH_TRACE_HEADER);
  if (lsTrace === undefined) return carrier;
  carrier[LANGSMITH_TRACE_HEADER] = lsTrace;
  const metadata = configurable[LANGSMITH_METADATA_MEMBER];
  const tags = configurable[LANGSMITH_TAGS_MEMBER];
  const project = str(LANGSMITH_PROJECT_MEMBER);
  const baggage = LangSmithBaggage.from({
    metadata: metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : undefined,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : typeof tags === 'string' ? tags.split(',') : undefined,
    project,
  });
  const { header } = joinBaggage(baggage.members.slice());
  if (header) carrier[BAGGAGE_HEADER] = header;
  return carrier;
}

/**
 * The caller's context as an OTel `Context`: the propagator's extract over
 * `carrierFromConfigurable(config.configurable)`, under the trust policy.
 * Untrusted or absent: `base` unchanged (an untrusted `traceparent` is kept
 * only as a span link, as for headers).
 */
export function callerContextFromConfig(config: ConfigLike | undefined, options: CallerContextOptions = {}, base: Context = ROOT_CONTEXT): Context {
  const propagator = options.propagator ?? new LangSmithPropagator({ trust: options.trust ?? false });
  return propagator.extract(base, carrierFromConfigurable(config?.configurable, options), defaultTextMapGetter);
}

/**
 * A `langsmith` RunTree standing for the caller's run (never posted), or
 * `undefined` when the caller is untrusted or sent no LangSmith context.
 */
export async function callerRunTree(
  config: ConfigLike | undefined,
  options: CallerContextOptions & { client?: RunTree['client'] } = {},
): Promise<RunTree | undefined> {
  const ctx = callerContextFromConfig(config, options);
  if (!getInboundContext(ctx)?.parent) return undefined;
  const headers = langsmithHeaders(ctx);
  if (headers[LANGSMITH_TRACE_HEADER] === undefined) return undefined;
  const { RunTree } = await import('langsmith');
  return RunTree.fromHeaders(headers, options.client ? { client: options.client } : {});
}

/** What `withConfig` needs; every compiled LangGraph graph (and Runnable) has it. */
interface Configurable<T> {
  withConfig(config: { callbacks?: unknown }): T;
}

/**
 * For a graph factory on an Agent Server (`export const graph = (config) =>
 * continueCallerTrace(compiled, config, { trust })`), or any graph called on
 * behalf of a caller whose context is in `configurable`: the graph, bound to
 * callbacks that record its runs under the caller's run, in the caller's
 * project, with the caller's metadata and tags.
 *
 * - `langsmith` SDK in OTel mode (`LANGSMITH_OTEL_ENABLED=true` or
 *   `LANGSMITH_TRACING_MODE=otel`, as the bridge's register sets it up): a
 *   `langChainSpanHandler` whose root span's parent is the caller's context;
 *   the bridge's processor gives the spans the caller's lineage. An untrusted
 *   caller: the handler still records the graph, as a new root.
 * - REST mode: a LangChain tracer continuing the caller's run (a RunTree
 *   from its headers). An untrusted caller: the graph unchanged (the
 *   default tracer makes it a new root).
 */
export async function continueCallerTrace<T extends Configurable<T>>(
  graph: T,
  config: ConfigLike | undefined,
  options: CallerContextOptions & { client?: RunTree['client'] } = {},
): Promise<T> {
  if (isLangSmithOtelMode()) {
    const parentContext = callerContextFromConfig(config, options);
    return graph.withConfig({ callbacks: [await langChainSpanHandler({ parentContext })] });
  }
  const parent = await callerRunTree(config, options);
  if (!parent) return graph;
  const [{ LangChainTracer }, { CallbackManager }] = await Promise.all([
    import('@langchain/core/tracers/tracer_langchain'),
    import('@langchain/core/callbacks/manager'),
  ]);
  const tracer = new LangChainTracer({
    ...(parent.project_name ? { projectName: parent.project_name } : {}),
    ...(options.client ? { client: options.client as never } : {}),
    metadata: parent.metadata && Object.keys(parent.metadata).length > 0 ? { ...parent.metadata } : undefined,
    tags: parent.tags && parent.tags.length > 0 ? [...parent.tags] : undefined,
  });
  tracer.updateFromRunTree(parent as never);
  // The graph's root run gets the caller's run as parent from the manager.
  const manager = new CallbackManager(parent.id);
  manager.addHandler(tracer, true);
  return graph.withConfig({ callbacks: manager });
}

/** The `langsmith` SDK's tracing mode as its Client resolves it from the environment. */
export function isLangSmithOtelMode(env: NodeJS.ProcessEnv = process.env): boolean {
  const mode = env.LANGSMITH_TRACING_MODE ?? env.LANGCHAIN_TRACING_MODE;
  if (mode) return mode.toLowerCase() === 'otel';
  return env.LANGSMITH_OTEL_ENABLED === 'true' || env.OTEL_ENABLED === 'true';
}

/**
 * The OTel context for work inside a graph node (outbound HTTP, spans): its
 * LangSmith parent is the node's run (`getCurrentRunTree()`, the LangChain
 * run of the node), its OTel parent is the trusted caller's span from
 * `configurable` when there is one (so the node's spans join the caller's
 * OTel trace), else a span derived from the node's run (README "Ids").
 * Outbound requests made in it carry a `traceparent` and a `langsmith-trace`
 * naming the same hop. Without a current run, or in the SDK's OTel mode
 * without `langChainSpanHandler`: `callerContextFromConfig` over the active context.
 */
export async function nodeContext(config: ConfigLike | undefined, options: CallerContextOptions = {}): Promise<Context> {
  const caller = callerContextFromConfig(config, options, otelContext.active());
  // OTel mode: the node's run is a span of langChainSpanHandler.
  const runId = (config as { callbacks?: { _parentRunId?: unknown } } | undefined)?.callbacks?._parentRunId;
  const span = spanForLangChainRun(typeof runId === 'string' ? runId : undefined);
  if (span) return trace.setSpan(otelContext.active(), span);
  // OTel mode without the handler: LangChain's runs reach no backend (see
  // span-handler.ts), so a child of the node's run would be an orphan.
  if (isLangSmithOtelMode()) return caller;
  let run: RunTree | undefined;
  try {
    const { getCurrentRunTree } = await import('langsmith/traceable');
    run = getCurrentRunTree(true);
  } catch {
    run = undefined;
  }
  if (!run?.dotted_order) return caller;
  // The node's run is ours (our tracer made it): trusted by construction. Its
  // own metadata (langgraph_node, checkpoint ids, …) is not propagated: the
  // baggage is the trusted caller's, else just the run's project.
  const own = new LangSmithPropagator({ trust: true }).extract(ROOT_CONTEXT, { [LANGSMITH_TRACE_HEADER]: run.dotted_order }, defaultTextMapGetter);
  const inbound = getInboundContext(own);
  if (!inbound) return caller;
  // The OTel parent: the caller's span (a trusted `traceparent`, or the span
  // active in this process around an in-process graph), so that the node's
  // spans stay in that OTel trace; a span synthesized from a `langsmith-trace`
  // alone is replaced by the one synthesized from the node's run (same trace).
  const callerSpan = trace.getSpanContext(caller);
  const callerInbound = getInboundContext(caller);
  const synthesized = callerInbound?.mode === 'langsmith' && callerSpan === callerInbound.remote;
  const remote = callerSpan && isSpanContextValid(callerSpan) && !synthesized ? callerSpan : inbound.remote;
  const baggage = callerInbound?.baggage ?? (run.project_name ? LangSmithBaggage.from({ project: run.project_name }) : undefined);
  return setInboundContext(caller, { ...inbound, baggage, mode: remote === inbound.remote ? 'langsmith' : 'both', remote });
}
