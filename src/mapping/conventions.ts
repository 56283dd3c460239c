/**
 * Attribute and event names the span-to-run mapping reads, one constant per
 * name, grouped by the convention that defines them (the layout of LangSmith
 * JS `experimental/otel/constants.ts`). `attributes/` imports names only from
 * here, so this file is the inventory of every convention the mapping speaks.
 *
 * Sources:
 * - LangSmith: langsmith-sdk `js/src/experimental/otel/constants.ts` and the
 *   OTLP ingest table (shared/reference/langsmith.md §4).
 * - OTel GenAI: open-telemetry/semantic-conventions `docs/gen-ai/` (current
 *   JSON-attribute form and the deprecated event form).
 * - OpenInference: Arize-ai/openinference `spec/semantic_conventions.md`.
 * - Traceloop / OpenLLMetry: `opentelemetry-semantic-conventions-ai`.
 * - Vercel AI SDK: `ai` package telemetry (`ai.*` attributes).
 * - General OTel: HTTP, RPC and database semantic conventions.
 */

// ---- LangSmith (explicit attributes; they win over everything derived) ----

export const LANGSMITH_NAME = 'langsmith.trace.name';
export const LANGSMITH_RUN_TYPE = 'langsmith.span.kind';
export const LANGSMITH_TAGS = 'langsmith.span.tags';
export const LANGSMITH_METADATA_PREFIX = 'langsmith.metadata.';
export const LANGSMITH_USAGE_METADATA = 'langsmith.usage_metadata';
/** Project (session) name; else the request's `Langsmith-Project` header; else `default`. */
export const LANGSMITH_SESSION_NAME = 'langsmith.trace.session_name';
export const LANGSMITH_SESSION_ID = 'langsmith.trace.session_id';
/** The project of a span that names none and came without a `Langsmith-Project` header (langsmith.md §3). */
export const DEFAULT_PROJECT = 'default';
export const LANGSMITH_REFERENCE_EXAMPLE_ID = 'langsmith.reference_example_id';

// Lineage overrides: ingest derives all four from the OTel ids (run id =
// padded span id, parent = padded parentSpanId, trace = root run, dotted
// order from the parent chain); these are written only where the bridge's
// lineage differs from that (MAPPING.md, "What ingest derives").
export const LANGSMITH_RUN_ID = 'langsmith.span.id';
export const LANGSMITH_TRACE_ID = 'langsmith.trace.id';
export const LANGSMITH_PARENT_RUN_ID = 'langsmith.span.parent_id';
export const LANGSMITH_DOTTED_ORDER = 'langsmith.span.dotted_order';
/** Boolean: the run is a root even though the span has a parent span. */
export const LANGSMITH_IS_ROOT = 'langsmith.is_root';
/**
 * The bridge's own flag on spans the span filter keeps out of LangSmith: the
 * collector's LangSmith pipeline drops them (collector-config.yaml).
 */
export const LANGSMITH_BRIDGE_EXCLUDED = 'langsmith.bridge.excluded';

/**
 * Resource attributes a run shows as metadata: all but the OTel SDK's own
 * `telemetry.sdk.*` (and `__proto__`), the first 64 of them. Direct ingest
 * gets them from spanToRun; on the OTLP path ingest shows a span's resource
 * attributes as metadata itself (langsmith.md §4), so the bridge leaves them
 * out and the local ingest stand-in applies this same rule.
 */
export const MAX_RESOURCE_METADATA = 64;
export function isResourceMetadataKey(key: string): boolean {
  return key !== '__proto__' && !key.startsWith('telemetry.sdk.');
}

/** LangSmith's run types (the `run_type` enum of its run schema); `RunType` is derived from this list. */
export const RUN_TYPE_VALUES = ['llm', 'chain', 'tool', 'retriever', 'embedding', 'prompt', 'parser'] as const;
export const RUN_TYPES: ReadonlySet<string> = new Set<string>(RUN_TYPE_VALUES);
/** Ingest's run type when no attribute says otherwise (langsmith.md §4). */
export const DEFAULT_RUN_TYPE = 'chain';
/** Metadata key the SDK's Vercel exporter turns into the run name. */
export const LS_RUN_NAME_KEY = 'ls_run_name';

// ---- OTel GenAI: operation, provider, model, request parameters ----

export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** Deprecated in favour of gen_ai.provider.name; still emitted by most instrumentations. */
export const GEN_AI_SYSTEM = 'gen_ai.system';
export const GEN_AI_REQUEST_PREFIX = 'gen_ai.request.';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
export const GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
/** Retrieval spans (`gen_ai.operation.name` = retrieval). */
export const GEN_AI_RETRIEVAL_QUERY_TEXT = 'gen_ai.retrieval.query.text';
/** JSON array of `{id, score, content, metadata}`. */
export const GEN_AI_RETRIEVAL_DOCUMENTS = 'gen_ai.retrieval.documents';

/** `gen_ai.operation.name` values (current and older spellings). */
export const GEN_AI_OP_CHAT = 'chat';
export const GEN_AI_OP_TEXT_COMPLETION = 'text_completion';
export const GEN_AI_OP_COMPLETION = 'completion';
export const GEN_AI_OP_GENERATE_CONTENT = 'generate_content';
export const GEN_AI_OP_EMBEDDINGS = 'embeddings';
export const GEN_AI_OP_EMBEDDING = 'embedding';
export const GEN_AI_OP_EXECUTE_TOOL = 'execute_tool';
export const GEN_AI_OP_INVOKE_AGENT = 'invoke_agent';
export const GEN_AI_OP_CREATE_AGENT = 'create_agent';
export const GEN_AI_OP_RETRIEVAL = 'retrieval';

// ---- OTel GenAI: content (JSON attributes, current form) ----

export const GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
/** Plain prompt / completion strings (also what the LangSmith SDK writes in OTel mode). */
export const GEN_AI_PROMPT = 'gen_ai.prompt';
export const GEN_AI_COMPLETION = 'gen_ai.completion';
/** Indexed flat messages (Traceloop / OpenLLMetry): `gen_ai.prompt.N.role` … */
export const GEN_AI_PROMPT_PREFIX = 'gen_ai.prompt.';
export const GEN_AI_COMPLETION_PREFIX = 'gen_ai.completion.';

// ---- OTel GenAI: content (span events, deprecated form) ----

export const EVENT_GEN_AI_SYSTEM_MESSAGE = 'gen_ai.system.message';
export const EVENT_GEN_AI_USER_MESSAGE = 'gen_ai.user.message';
export const EVENT_GEN_AI_ASSISTANT_MESSAGE = 'gen_ai.assistant.message';
export const EVENT_GEN_AI_TOOL_MESSAGE = 'gen_ai.tool.message';
export const EVENT_GEN_AI_CHOICE = 'gen_ai.choice';
export const EVENT_GEN_AI_CONTENT_PROMPT = 'gen_ai.content.prompt';
export const EVENT_GEN_AI_CONTENT_COMPLETION = 'gen_ai.content.completion';

// ---- OTel GenAI: usage ----

export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const GEN_AI_USAGE_TOTAL_TOKENS = 'gen_ai.usage.total_tokens';
/** Deprecated names of input/output tokens. */
export const GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
export const GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
export const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
/** Pre-registry spellings still emitted by several instrumentations. */
export const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_OLD = 'gen_ai.usage.cache_read_input_tokens';
export const GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_OLD = 'gen_ai.usage.cache_creation_input_tokens';
export const GEN_AI_USAGE_REASONING_TOKENS_OLD = 'gen_ai.usage.reasoning_tokens';
export const GEN_AI_USAGE_DETAILS_REASONING_TOKENS = 'gen_ai.usage.details.reasoning_tokens';

// ---- OpenInference ----

export const OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
export const INPUT_VALUE = 'input.value';
export const INPUT_MIME_TYPE = 'input.mime_type';
export const OUTPUT_VALUE = 'output.value';
export const OUTPUT_MIME_TYPE = 'output.mime_type';
export const MIME_TEXT_PLAIN = 'text/plain';
export const TOOL_NAME = 'tool.name';
export const LLM_INPUT_MESSAGES_PREFIX = 'llm.input_messages.';
export const LLM_OUTPUT_MESSAGES_PREFIX = 'llm.output_messages.';
export const LLM_INVOCATION_PARAMETERS = 'llm.invocation_parameters';
export const LLM_MODEL_NAME = 'llm.model_name';
export const LLM_PROVIDER = 'llm.provider';
export const LLM_SYSTEM = 'llm.system';
export const LLM_PROMPT_TEMPLATE_VARIABLES = 'llm.prompt_template.variables';
export const LLM_TOKEN_COUNT_PROMPT = 'llm.token_count.prompt';
export const LLM_TOKEN_COUNT_COMPLETION = 'llm.token_count.completion';
export const LLM_TOKEN_COUNT_TOTAL = 'llm.token_count.total';
export const LLM_TOKEN_COUNT_PROMPT_CACHE_READ = 'llm.token_count.prompt_details.cache_read';
export const LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write';
export const LLM_TOKEN_COUNT_PROMPT_AUDIO = 'llm.token_count.prompt_details.audio';
export const LLM_TOKEN_COUNT_COMPLETION_REASONING = 'llm.token_count.completion_details.reasoning';
export const LLM_TOKEN_COUNT_COMPLETION_AUDIO = 'llm.token_count.completion_details.audio';
export const RETRIEVAL_DOCUMENTS_PREFIX = 'retrieval.documents.';
export const RERANKER_OUTPUT_DOCUMENTS_PREFIX = 'reranker.output_documents.';
/** OpenInference's own metadata (a JSON object string) and tags (string[]). */
export const OPENINFERENCE_METADATA = 'metadata';
export const OPENINFERENCE_TAGS = 'tag.tags';
export const SESSION_ID = 'session.id';
export const USER_ID = 'user.id';

/** Message sub-keys under `llm.{input,output}_messages.N.` */
export const OI_MESSAGE_ROLE = 'message.role';
export const OI_MESSAGE_CONTENT = 'message.content';
export const OI_MESSAGE_NAME = 'message.name';
export const OI_MESSAGE_TOOL_CALL_ID = 'message.tool_call_id';
export const OI_MESSAGE_CONTENTS_PREFIX = 'message.contents.';
export const OI_MESSAGE_TOOL_CALLS_PREFIX = 'message.tool_calls.';
/** Document sub-keys under `retrieval.documents.N.` */
export const OI_DOCUMENT_CONTENT = 'document.content';
export const OI_DOCUMENT_ID = 'document.id';
export const OI_DOCUMENT_SCORE = 'document.score';
export const OI_DOCUMENT_METADATA = 'document.metadata';

// ---- Traceloop / OpenLLMetry ----

export const TRACELOOP_SPAN_KIND = 'traceloop.span.kind';
export const TRACELOOP_ENTITY_NAME = 'traceloop.entity.name';
export const TRACELOOP_ENTITY_INPUT = 'traceloop.entity.input';
export const TRACELOOP_ENTITY_OUTPUT = 'traceloop.entity.output';
export const TRACELOOP_ASSOCIATION_PROPERTIES_PREFIX = 'traceloop.association.properties.';
export const LLM_REQUEST_TYPE = 'llm.request.type';

// ---- Vercel AI SDK ----

export const AI_PREFIX = 'ai.';
export const AI_OPERATION_ID = 'ai.operationId';
export const AI_TELEMETRY_METADATA_PREFIX = 'ai.telemetry.metadata.';
export const AI_PROMPT = 'ai.prompt';
export const AI_PROMPT_MESSAGES = 'ai.prompt.messages';
export const AI_RESPONSE_TEXT = 'ai.response.text';
export const AI_RESPONSE_TOOL_CALLS = 'ai.response.toolCalls';
export const AI_RESPONSE_OBJECT = 'ai.response.object';
export const AI_RESPONSE_FINISH_REASON = 'ai.response.finishReason';
export const AI_RESPONSE_MODEL = 'ai.response.model';
export const AI_TOOL_CALL_OPERATION = 'ai.toolCall';
export const AI_TOOL_CALL_NAME = 'ai.toolCall.name';
/** v4 `args`/`result`; v5 `input`/`output` (both read by the LangSmith SDK exporter). */
export const AI_TOOL_CALL_ARGS = 'ai.toolCall.args';
export const AI_TOOL_CALL_INPUT = 'ai.toolCall.input';
export const AI_TOOL_CALL_RESULT = 'ai.toolCall.result';
export const AI_TOOL_CALL_OUTPUT = 'ai.toolCall.output';
export const AI_VALUE = 'ai.value';
export const AI_VALUES = 'ai.values';
export const AI_MODEL_ID = 'ai.model.id';
export const AI_MODEL_PROVIDER = 'ai.model.provider';
export const AI_USAGE_PROMPT_TOKENS = 'ai.usage.promptTokens';
export const AI_USAGE_COMPLETION_TOKENS = 'ai.usage.completionTokens';
export const AI_USAGE_INPUT_TOKENS = 'ai.usage.inputTokens';
export const AI_USAGE_OUTPUT_TOKENS = 'ai.usage.outputTokens';
export const AI_USAGE_TOTAL_TOKENS = 'ai.usage.totalTokens';
export const AI_USAGE_CACHED_INPUT_TOKENS = 'ai.usage.cachedInputTokens';
export const AI_USAGE_REASONING_TOKENS = 'ai.usage.reasoningTokens';
export const AI_SETTINGS_PREFIX = 'ai.settings.';
/** Operation-id shapes: `ai.generateText.doGenerate`, `ai.streamText.doStream`, `ai.embed.doEmbed`. */
export const AI_OP_DO_GENERATE_SUFFIX = '.doGenerate';
export const AI_OP_DO_STREAM_SUFFIX = '.doStream';
export const AI_OP_DO_EMBED_SUFFIX = '.doEmbed';
export const AI_OP_EMBED_PREFIX = 'ai.embed';
/** The outer (non-model-call) operations, recognised by span name when `ai.operationId` is absent. */
export const AI_OUTER_OPERATIONS: ReadonlySet<string> = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject']);
/** Metadata keys the SDK's Vercel exporter maps to the project, not to metadata. */
export const AI_TELEMETRY_LS_PROJECT_NAME = 'ls_project_name';
export const AI_TELEMETRY_LS_PROJECT_ID = 'ls_project_id';

// ---- General OTel conventions (non-GenAI spans) ----

export const HTTP_REQUEST_METHOD = 'http.request.method';
/** Pre-1.23 HTTP conventions. */
export const HTTP_METHOD_OLD = 'http.method';
export const URL_FULL = 'url.full';
export const HTTP_URL_OLD = 'http.url';
export const HTTP_ROUTE = 'http.route';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const HTTP_STATUS_CODE_OLD = 'http.status_code';
export const RPC_SYSTEM = 'rpc.system';
export const RPC_SERVICE = 'rpc.service';
export const RPC_METHOD = 'rpc.method';
export const DB_SYSTEM_NAME = 'db.system.name';
/** Pre-1.26 database conventions. */
export const DB_SYSTEM_OLD = 'db.system';
export const DB_QUERY_TEXT = 'db.query.text';
export const DB_STATEMENT_OLD = 'db.statement';
export const ERROR_TYPE = 'error.type';

// ---- Exceptions (OTel exception event) ----

export const EXCEPTION_EVENT = 'exception';
export const EXCEPTION_TYPE = 'exception.type';
export const EXCEPTION_MESSAGE = 'exception.message';
export const EXCEPTION_STACKTRACE = 'exception.stacktrace';
