/** The run's name and run type. */
import type { Attributes } from '@opentelemetry/api';
import * as C from '../conventions.js';
import type { RunType } from '../types.js';
import { nonEmpty, str } from './values.js';

/**
 * `gen_ai.operation.name` → run type. Ingest knows only chat/completion/
 * embedding (langsmith.md §4); the newer registry values are added here.
 * An unknown value falls through to the later rules (and ends at chain).
 */
const GEN_AI_OPERATION_RUN_TYPES: ReadonlyMap<string, RunType> = new Map<string, RunType>([
  [C.GEN_AI_OP_CHAT, 'llm'],
  [C.GEN_AI_OP_TEXT_COMPLETION, 'llm'],
  [C.GEN_AI_OP_COMPLETION, 'llm'],
  [C.GEN_AI_OP_GENERATE_CONTENT, 'llm'],
  [C.GEN_AI_OP_EMBEDDINGS, 'embedding'],
  [C.GEN_AI_OP_EMBEDDING, 'embedding'],
  [C.GEN_AI_OP_EXECUTE_TOOL, 'tool'],
  [C.GEN_AI_OP_INVOKE_AGENT, 'chain'],
  [C.GEN_AI_OP_CREATE_AGENT, 'chain'],
  [C.GEN_AI_OP_RETRIEVAL, 'retriever'],
]);

/** Traceloop `llm.request.type` (LLMRequestTypeValues); rerank returns documents, like a retriever. */
const LLM_REQUEST_TYPE_RUN_TYPES: ReadonlyMap<string, RunType> = new Map<string, RunType>([
  ['chat', 'llm'],
  ['completion', 'llm'],
  ['embedding', 'embedding'],
  ['rerank', 'retriever'],
]);

/**
 * OpenInference span kinds (upper case in the spec, compared case-insensitively).
 * RERANKER → retriever: its output is a ranked document list, which LangSmith
 * renders only for retriever runs. PROMPT → prompt (template rendering).
 */
const OPENINFERENCE_RUN_TYPES: ReadonlyMap<string, RunType> = new Map<string, RunType>([
  ['LLM', 'llm'],
  ['EMBEDDING', 'embedding'],
  ['TOOL', 'tool'],
  ['RETRIEVER', 'retriever'],
  ['RERANKER', 'retriever'],
  ['PROMPT', 'prompt'],
  ['CHAIN', 'chain'],
  ['AGENT', 'chain'],
  ['GUARDRAIL', 'chain'],
  ['EVALUATOR', 'chain'],
]);

/** Traceloop `traceloop.span.kind` (TraceloopSpanKindValues). */
const TRACELOOP_RUN_TYPES: ReadonlyMap<string, RunType> = new Map<string, RunType>([
  ['tool', 'tool'],
  ['workflow', 'chain'],
  ['task', 'chain'],
  ['agent', 'chain'],
]);

/**
 * `langsmith.trace.name` > `ls_run_name` metadata (the SDK's Vercel exporter)
 * > `traceloop.entity.name` > OpenInference TOOL `tool.name` > GenAI
 * execute_tool `gen_ai.tool.name` > Vercel ai.toolCall `ai.toolCall.name`
 * (the SDK exporter) > span name. Ingest order: langsmith.md §4.
 */
export function nameOf(attrs: Attributes, spanName: string, runName: string | undefined, vercelOp: string | undefined): string {
  const explicit = nonEmpty(attrs, C.LANGSMITH_NAME) ?? runName ?? nonEmpty(attrs, C.TRACELOOP_ENTITY_NAME);
  if (explicit !== undefined) return explicit;
  if (str(attrs, C.OPENINFERENCE_SPAN_KIND)?.toUpperCase() === 'TOOL') {
    const tool = nonEmpty(attrs, C.TOOL_NAME);
    if (tool !== undefined) return tool;
  }
  if (str(attrs, C.GEN_AI_OPERATION_NAME) === C.GEN_AI_OP_EXECUTE_TOOL) {
    const tool = nonEmpty(attrs, C.GEN_AI_TOOL_NAME);
    if (tool !== undefined) return tool;
  }
  if (vercelOp === C.AI_TOOL_CALL_OPERATION) {
    const tool = nonEmpty(attrs, C.AI_TOOL_CALL_NAME);
    if (tool !== undefined) return tool;
  }
  return httpName(attrs, spanName) ?? spanName;
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '_OTHER']);

/**
 * HTTP instrumentations name spans by method alone ("POST"); a run list of
 * "POST"s says little, so the route or path is added: "POST /ask".
 */
export function httpName(attrs: Attributes, spanName: string): string | undefined {
  if (!HTTP_METHODS.has(spanName)) return undefined;
  let path = nonEmpty(attrs, 'http.route') ?? nonEmpty(attrs, 'url.path') ?? nonEmpty(attrs, 'http.target');
  if (path === undefined) {
    const full = nonEmpty(attrs, 'url.full') ?? nonEmpty(attrs, 'http.url');
    if (full !== undefined) {
      try {
        path = new URL(full).pathname;
      } catch {
        path = undefined;
      }
    }
  }
  if (path === undefined) return undefined;
  const query = path.indexOf('?');
  return `${spanName} ${query === -1 ? path : path.slice(0, query)}`;
}

/**
 * Vercel AI SDK operation: `ai.operationId`, else the span name (the SDK
 * names spans after the operation) when it is one of the SDK's operations, so
 * an unrelated span merely named `ai.…` is not taken for one.
 */
export function vercelOperation(attrs: Attributes, spanName: string): string | undefined {
  const op = str(attrs, C.AI_OPERATION_ID);
  if (op !== undefined && op.startsWith(C.AI_PREFIX)) return op;
  if (!spanName.startsWith(C.AI_PREFIX)) return undefined;
  return C.AI_OUTER_OPERATIONS.has(spanName) || vercelRunType(spanName) !== 'chain' ? spanName : undefined;
}

/** First rule that recognises its attribute wins; see MAPPING.md "run_type". */
export function runTypeOf(attrs: Attributes, vercelOp: string | undefined): RunType {
  const explicit = str(attrs, C.LANGSMITH_RUN_TYPE)?.trim().toLowerCase();
  if (explicit !== undefined && C.RUN_TYPES.has(explicit)) return explicit as RunType;

  const op = str(attrs, C.GEN_AI_OPERATION_NAME);
  const fromOp = op === undefined ? undefined : GEN_AI_OPERATION_RUN_TYPES.get(op.trim().toLowerCase());
  if (fromOp !== undefined) return fromOp;

  const requestType = str(attrs, C.LLM_REQUEST_TYPE);
  const fromRequest = requestType === undefined ? undefined : LLM_REQUEST_TYPE_RUN_TYPES.get(requestType.toLowerCase());
  if (fromRequest !== undefined) return fromRequest;

  const oiKind = str(attrs, C.OPENINFERENCE_SPAN_KIND);
  const fromOi = oiKind === undefined ? undefined : OPENINFERENCE_RUN_TYPES.get(oiKind.toUpperCase());
  if (fromOi !== undefined) return fromOi;

  const tlKind = str(attrs, C.TRACELOOP_SPAN_KIND);
  const fromTl = tlKind === undefined ? undefined : TRACELOOP_RUN_TYPES.get(tlKind.toLowerCase());
  if (fromTl !== undefined) return fromTl;

  if (vercelOp !== undefined) return vercelRunType(vercelOp);
  if (attrs[C.GEN_AI_TOOL_NAME] !== undefined) return 'tool';
  if (attrs[C.LLM_PROMPT_TEMPLATE_VARIABLES] !== undefined) return 'prompt';

  // A database call is a call to an external system that returns rows, not
  // documents: LangSmith's retriever view expects `documents` with
  // `page_content`, which a DB span never has, so tool (an external action)
  // is the honest type. HTTP and RPC spans wrap work (server) or delegate it
  // (client); chain, LangSmith's generic container, fits both.
  if (attrs[C.DB_SYSTEM_NAME] !== undefined || attrs[C.DB_SYSTEM_OLD] !== undefined) return 'tool';
  return 'chain';
}

/**
 * LangSmith SDK `AI_SDK_LLM_OPERATIONS` / `AI_SDK_TOOL_OPERATIONS`, extended:
 * any `.doGenerate`/`.doStream` is a model call, `ai.embed*`/`.doEmbed` an
 * embedding, the outer `ai.generateText` etc. a chain.
 */
function vercelRunType(op: string): RunType {
  if (op.endsWith(C.AI_OP_DO_GENERATE_SUFFIX) || op.endsWith(C.AI_OP_DO_STREAM_SUFFIX)) return 'llm';
  if (op.startsWith(C.AI_OP_EMBED_PREFIX) || op.endsWith(C.AI_OP_DO_EMBED_SUFFIX)) return 'embedding';
  if (op === C.AI_TOOL_CALL_OPERATION) return 'tool';
  return 'chain';
}
