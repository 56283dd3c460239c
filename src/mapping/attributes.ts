/**
 * What a LangSmith run says about itself, derived from one ended span: name,
 * run type, inputs, outputs, error, metadata, tags, usage and the events not
 * consumed as content. Lineage, times and the project are spanToRun's job.
 *
 * The rules follow LangSmith's own OTLP ingest (shared/reference/langsmith.md
 * §4) and the LangSmith JS SDK's OTel exporter, then extend them where ingest
 * mis-types or drops data (newer `gen_ai.operation.name` values, Vercel AI SDK
 * usage, OpenInference token details). Every rule is one row of MAPPING.md.
 *
 * `mapAttributes` is pure and total: it reads the span, never throws, and
 * never lets a key from the span (`__proto__` included) reach a prototype.
 * It visits the attribute map once, for the prefixed families; every other
 * name is a direct lookup.
 */
import { SpanStatusCode, type AttributeValue, type Attributes, type HrTime } from '@opentelemetry/api';
import { utf8Length } from '../headers/baggage.js';
import { perSecond } from '../headers/per-second.js';
import * as C from './conventions.js';
import type { MappedAttributes, RunType, SpanEventLike, SpanLike, UsageMetadata } from './types.js';

export interface MapOptions {
  /**
   * Largest serialised size, in UTF-8 bytes, of any single top-level value of
   * `inputs` or `outputs` (a string counts its own bytes, anything else its
   * JSON). A larger value is replaced by that serialisation cut to this many
   * bytes plus `…[truncated N bytes]`, N being the bytes cut off. Default
   * {@link DEFAULT_MAX_PAYLOAD_BYTES}; `Infinity` turns truncation off.
   */
  maxPayloadBytes?: number;
}

/** 256 KiB: far above a typical chat turn, far below LangSmith's 20 MiB batch limit. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;
/**
 * A JSON attribute longer than this many characters (or 4 × maxPayloadBytes,
 * if that is larger) is not parsed: its value would be truncated anyway, so
 * it is kept as an opaque string and truncated as one.
 */
export const MIN_JSON_PARSE_LIMIT = 4 * 1024 * 1024;
/** Replaces a value that cannot be serialised (nesting too deep for JSON.stringify). */
export const UNSERIALISABLE_MARKER = '…[truncated: value not serialisable]';

/** `[seconds, nanoseconds]` → `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds, truncated), the run API's format. */
export function hrTimeToIso(time: HrTime): string {
  let seconds = Array.isArray(time) ? Number(time[0]) : NaN;
  let nanos = Array.isArray(time) ? Number(time[1]) : NaN;
  if (!Number.isFinite(seconds)) return EPOCH_ISO;
  if (!Number.isFinite(nanos) || nanos < 0) nanos = 0;
  const whole = Math.floor(seconds);
  nanos += (seconds - whole) * 1e9;
  seconds = whole + Math.floor(nanos / 1e9);
  nanos %= 1e9;
  const ms = seconds * 1000;
  if (Math.abs(ms) > MAX_DATE_MS) return EPOCH_ISO;
  return `${isoSecond(seconds)}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS` (or a ±YYYYYY year) of a second since the epoch. */
const isoSecond = perSecond((seconds) => new Date(seconds * 1000).toISOString().slice(0, -5));

/** Maps one ended span's own data to LangSmith run fields (see MAPPING.md). */
export function mapAttributes(span: SpanLike, options: MapOptions = {}): MappedAttributes {
  const limit = options.maxPayloadBytes;
  const maxBytes = typeof limit === 'number' && limit > 0 ? Math.floor(limit) : DEFAULT_MAX_PAYLOAD_BYTES;
  try {
    return mapSpan(span, maxBytes);
  } catch {
    // Defence in depth: every rule is written not to throw, but a malformed
    // SpanLike (getters that throw, non-arrays) must still yield a run.
    return fallbackMapping(span);
  }
}

// ---------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------

const EPOCH_ISO = '1970-01-01T00:00:00.000000Z';
/** ECMAScript Date range. */
const MAX_DATE_MS = 8.64e15;
const ELLIPSIS = '…';
/** An index in `gen_ai.prompt.N.…` has at most this many digits. */
const MAX_INDEX_DIGITS = 9;
/** Deeper values are measured exactly (JSON.stringify) rather than estimated. */
const MAX_ESTIMATE_DEPTH = 64;

type Json = Record<string, unknown>;
type Fields = Map<string, AttributeValue>;
type Indexed = Map<number, Fields>;

const RUN_TYPES: ReadonlySet<string> = new Set<RunType>([
  'llm', 'chain', 'tool', 'retriever', 'embedding', 'prompt', 'parser',
]);

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

/** Request parameters → invocation_params keys (OpenAI request names, which the playground reads). */
const GEN_AI_REQUEST_PARAMS: ReadonlyArray<readonly [string, string]> = [
  [C.GEN_AI_REQUEST_MODEL, 'model'],
  [C.GEN_AI_REQUEST_TEMPERATURE, 'temperature'],
  [C.GEN_AI_REQUEST_TOP_P, 'top_p'],
  [C.GEN_AI_REQUEST_TOP_K, 'top_k'],
  [C.GEN_AI_REQUEST_MAX_TOKENS, 'max_tokens'],
  [C.GEN_AI_REQUEST_SEED, 'seed'],
  [C.GEN_AI_REQUEST_STOP_SEQUENCES, 'stop'],
  [C.GEN_AI_REQUEST_FREQUENCY_PENALTY, 'frequency_penalty'],
  [C.GEN_AI_REQUEST_PRESENCE_PENALTY, 'presence_penalty'],
  [C.GEN_AI_REQUEST_CHOICE_COUNT, 'n'],
];

/** Vercel `ai.settings.*` → the same keys (v5 renamed maxTokens to maxOutputTokens). */
const AI_SETTINGS_PARAMS: ReadonlyArray<readonly [string, string]> = [
  [`${C.AI_SETTINGS_PREFIX}maxTokens`, 'max_tokens'],
  [`${C.AI_SETTINGS_PREFIX}maxOutputTokens`, 'max_tokens'],
  [`${C.AI_SETTINGS_PREFIX}temperature`, 'temperature'],
  [`${C.AI_SETTINGS_PREFIX}topP`, 'top_p'],
  [`${C.AI_SETTINGS_PREFIX}topK`, 'top_k'],
  [`${C.AI_SETTINGS_PREFIX}frequencyPenalty`, 'frequency_penalty'],
  [`${C.AI_SETTINGS_PREFIX}presencePenalty`, 'presence_penalty'],
  [`${C.AI_SETTINGS_PREFIX}stopSequences`, 'stop'],
  [`${C.AI_SETTINGS_PREFIX}seed`, 'seed'],
  [`${C.AI_SETTINGS_PREFIX}maxRetries`, 'max_retries'],
];

// Token counts: per field, the first name holding a valid count wins
// (GenAI registry > deprecated GenAI > OpenInference > Vercel v5 > v4).
const INPUT_TOKEN_KEYS = [
  C.GEN_AI_USAGE_INPUT_TOKENS, C.GEN_AI_USAGE_PROMPT_TOKENS, C.LLM_TOKEN_COUNT_PROMPT,
  C.AI_USAGE_INPUT_TOKENS, C.AI_USAGE_PROMPT_TOKENS,
];
const OUTPUT_TOKEN_KEYS = [
  C.GEN_AI_USAGE_OUTPUT_TOKENS, C.GEN_AI_USAGE_COMPLETION_TOKENS, C.LLM_TOKEN_COUNT_COMPLETION,
  C.AI_USAGE_OUTPUT_TOKENS, C.AI_USAGE_COMPLETION_TOKENS,
];
const TOTAL_TOKEN_KEYS = [C.GEN_AI_USAGE_TOTAL_TOKENS, C.LLM_TOKEN_COUNT_TOTAL, C.AI_USAGE_TOTAL_TOKENS];
/** LangSmith detail name ← attribute names, the first holding a valid count wins. */
const INPUT_DETAIL_KEYS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['cache_read', [
    C.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, C.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_OLD,
    C.LLM_TOKEN_COUNT_PROMPT_CACHE_READ, C.AI_USAGE_CACHED_INPUT_TOKENS,
  ]],
  ['cache_creation', [
    C.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, C.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_OLD,
    C.LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE,
  ]],
  ['audio', [C.LLM_TOKEN_COUNT_PROMPT_AUDIO]],
];
const OUTPUT_DETAIL_KEYS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['reasoning', [
    C.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, C.GEN_AI_USAGE_REASONING_TOKENS_OLD,
    C.GEN_AI_USAGE_DETAILS_REASONING_TOKENS, C.LLM_TOKEN_COUNT_COMPLETION_REASONING, C.AI_USAGE_REASONING_TOKENS,
  ]],
  ['audio', [C.LLM_TOKEN_COUNT_COMPLETION_AUDIO]],
];

/** Keys a Traceloop entity input/output wrapper may carry besides the payload. */
const TRACELOOP_WRAPPER_KEYS: ReadonlySet<string> = new Set(['tags', 'metadata', 'kwargs', 'run_type']);

/** The prefixed attribute families, collected in the single pass over the attributes. */
interface Scan {
  lsMetadata: Array<[string, AttributeValue]>;
  aiMetadata: Array<[string, AttributeValue]>;
  associationProperties: Array<[string, AttributeValue]>;
  prompts: Indexed | undefined;
  completions: Indexed | undefined;
  oiInputs: Indexed | undefined;
  oiOutputs: Indexed | undefined;
  documents: Indexed | undefined;
  rerankedDocuments: Indexed | undefined;
  /** Some `gen_ai.request.*` / `ai.settings.*` key exists: their fixed lookups are skipped otherwise. */
  hasGenAiRequest: boolean;
  hasAiSettings: boolean;
}

/** Span events by role; `consumed[i]` marks events represented elsewhere in the run. */
interface EventScan {
  exceptions: number[];
  messages: number[];
  choices: number[];
  contentPrompt: number;
  contentCompletion: number;
  consumed: Uint8Array;
}

interface Cx {
  attrs: Attributes;
  scan: Scan;
  events: readonly SpanEventLike[];
  ev: EventScan;
  runType: RunType;
  parseLimit: number;
}

function mapSpan(span: SpanLike, maxBytes: number): MappedAttributes {
  const attrs: Attributes = span.attributes ?? {};
  const events: readonly SpanEventLike[] = Array.isArray(span.events) ? span.events : [];
  const spanName = typeof span.name === 'string' ? span.name : String(span.name);
  const scan = scanAttributes(attrs);
  const ev = scanEvents(events);
  const vercelOp = vercelOperation(attrs, spanName);
  const runType = runTypeOf(attrs, vercelOp);
  const parseLimit = Math.max(MIN_JSON_PARSE_LIMIT, maxBytes * 4);
  const cx: Cx = { attrs, scan, events, ev, runType, parseLimit };

  const inputs = inputsOf(cx) ?? {};
  const outputs = outputsOf(cx);
  if (maxBytes !== Infinity) {
    capValues(inputs, maxBytes);
    if (outputs !== undefined) capValues(outputs, maxBytes);
  }
  const error = errorOf(span, cx);
  const invocationParams = invocationParamsOf(cx);
  const usage = usageOf(cx);
  const { metadata, runName } = metadataOf(cx, invocationParams, usage);
  return {
    name: nameOf(attrs, spanName, runName, vercelOp),
    run_type: runType,
    inputs,
    outputs,
    error,
    metadata,
    invocation_params: invocationParams,
    usage_metadata: usage,
    tags: tagsOf(attrs),
    events: remainingEvents(events, ev.consumed),
  };
}

function fallbackMapping(span: SpanLike): MappedAttributes {
  let name = '';
  try {
    name = typeof span.name === 'string' ? span.name : '';
  } catch {
    // keep ''
  }
  return {
    name,
    run_type: 'chain',
    inputs: {},
    outputs: undefined,
    error: undefined,
    metadata: {},
    invocation_params: undefined,
    usage_metadata: undefined,
    tags: undefined,
    events: [],
  };
}

// ---- The single pass over attributes (prefix checks, no regexes) ----

function scanAttributes(attrs: Attributes): Scan {
  const scan: Scan = {
    lsMetadata: [],
    aiMetadata: [],
    associationProperties: [],
    prompts: undefined,
    completions: undefined,
    oiInputs: undefined,
    oiOutputs: undefined,
    documents: undefined,
    rerankedDocuments: undefined,
    hasGenAiRequest: false,
    hasAiSettings: false,
  };
  // One switch on the first character keeps the common (unprefixed) key at a
  // single comparison; the value is read only for keys that are kept.
  for (const key in attrs) {
    switch (key.charCodeAt(0)) {
      case 0x6c: // l
        if (key.startsWith(C.LANGSMITH_METADATA_PREFIX)) {
          pushEntry(scan.lsMetadata, key, C.LANGSMITH_METADATA_PREFIX.length, attrs[key]);
        } else if (key.startsWith(C.LLM_INPUT_MESSAGES_PREFIX)) {
          scan.oiInputs = addIndexed(scan.oiInputs, key, C.LLM_INPUT_MESSAGES_PREFIX.length, attrs[key]);
        } else if (key.startsWith(C.LLM_OUTPUT_MESSAGES_PREFIX)) {
          scan.oiOutputs = addIndexed(scan.oiOutputs, key, C.LLM_OUTPUT_MESSAGES_PREFIX.length, attrs[key]);
        }
        break;
      case 0x67: // g
        if (key.startsWith(C.GEN_AI_REQUEST_PREFIX)) {
          scan.hasGenAiRequest = true;
        } else if (key.startsWith(C.GEN_AI_PROMPT_PREFIX)) {
          scan.prompts = addIndexed(scan.prompts, key, C.GEN_AI_PROMPT_PREFIX.length, attrs[key]);
        } else if (key.startsWith(C.GEN_AI_COMPLETION_PREFIX)) {
          scan.completions = addIndexed(scan.completions, key, C.GEN_AI_COMPLETION_PREFIX.length, attrs[key]);
        }
        break;
      case 0x61: // a
        if (key.startsWith(C.AI_TELEMETRY_METADATA_PREFIX)) {
          pushEntry(scan.aiMetadata, key, C.AI_TELEMETRY_METADATA_PREFIX.length, attrs[key]);
        } else if (key.startsWith(C.AI_SETTINGS_PREFIX)) {
          scan.hasAiSettings = true;
        }
        break;
      case 0x72: // r
        if (key.startsWith(C.RETRIEVAL_DOCUMENTS_PREFIX)) {
          scan.documents = addIndexed(scan.documents, key, C.RETRIEVAL_DOCUMENTS_PREFIX.length, attrs[key]);
        } else if (key.startsWith(C.RERANKER_OUTPUT_DOCUMENTS_PREFIX)) {
          scan.rerankedDocuments = addIndexed(
            scan.rerankedDocuments, key, C.RERANKER_OUTPUT_DOCUMENTS_PREFIX.length, attrs[key],
          );
        }
        break;
      case 0x74: // t
        if (key.startsWith(C.TRACELOOP_ASSOCIATION_PROPERTIES_PREFIX)) {
          pushEntry(scan.associationProperties, key, C.TRACELOOP_ASSOCIATION_PROPERTIES_PREFIX.length, attrs[key]);
        }
        break;
      default:
        break;
    }
  }
  return scan;
}

function pushEntry(entries: Array<[string, AttributeValue]>, key: string, start: number, value: AttributeValue | undefined): void {
  if (value !== undefined && value !== null) entries.push([key.slice(start), value]);
}

/** Files `<prefix>N.<field>` under index N; a key without a decimal index is ignored (e.g. `gen_ai.prompt.name`). */
function addIndexed(indexed: Indexed | undefined, key: string, start: number, value: AttributeValue | undefined): Indexed | undefined {
  if (value === undefined || value === null) return indexed;
  const index = readIndex(key, start);
  if (index === undefined) return indexed;
  const map = indexed ?? new Map<number, Fields>();
  let fields = map.get(index.value);
  if (fields === undefined) {
    fields = new Map();
    map.set(index.value, fields);
  }
  fields.set(key.slice(index.end + 1), value);
  return map;
}

/** Reads `N.` at `start`: the index and the position of its dot. */
function readIndex(key: string, start: number): { value: number; end: number } | undefined {
  const dot = key.indexOf('.', start);
  if (dot <= start || dot - start > MAX_INDEX_DIGITS) return undefined;
  let value = 0;
  for (let i = start; i < dot; i++) {
    const digit = key.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return { value, end: dot };
}

/** Sub-entries `<prefix>M.<field>` of one indexed entry, e.g. `tool_calls.0.name`. */
function subIndexed(fields: Fields, prefix: string): Indexed | undefined {
  let sub: Indexed | undefined;
  for (const [key, value] of fields) {
    if (key.startsWith(prefix)) sub = addIndexed(sub, key, prefix.length, value);
  }
  return sub;
}

function ordered(indexed: Indexed): Fields[] {
  return [...indexed.keys()].sort((a, b) => a - b).map((k) => indexed.get(k)!);
}

function scanEvents(events: readonly SpanEventLike[]): EventScan {
  const scan: EventScan = {
    exceptions: [],
    messages: [],
    choices: [],
    contentPrompt: -1,
    contentCompletion: -1,
    consumed: new Uint8Array(events.length),
  };
  for (let i = 0; i < events.length; i++) {
    switch (events[i]?.name) {
      case C.EXCEPTION_EVENT:
        scan.exceptions.push(i);
        break;
      case C.EVENT_GEN_AI_SYSTEM_MESSAGE:
      case C.EVENT_GEN_AI_USER_MESSAGE:
      case C.EVENT_GEN_AI_ASSISTANT_MESSAGE:
      case C.EVENT_GEN_AI_TOOL_MESSAGE:
        scan.messages.push(i);
        break;
      case C.EVENT_GEN_AI_CHOICE:
        scan.choices.push(i);
        break;
      case C.EVENT_GEN_AI_CONTENT_PROMPT:
        if (scan.contentPrompt < 0) scan.contentPrompt = i;
        break;
      case C.EVENT_GEN_AI_CONTENT_COMPLETION:
        if (scan.contentCompletion < 0) scan.contentCompletion = i;
        break;
      default:
        break;
    }
  }
  return scan;
}

// ---- Name and run type ----

/**
 * `langsmith.trace.name` > `ls_run_name` metadata (the SDK's Vercel exporter)
 * > `traceloop.entity.name` > OpenInference TOOL `tool.name` > GenAI
 * execute_tool `gen_ai.tool.name` > Vercel ai.toolCall `ai.toolCall.name`
 * (the SDK exporter) > span name. Ingest order: langsmith.md §4.
 */
function nameOf(attrs: Attributes, spanName: string, runName: string | undefined, vercelOp: string | undefined): string {
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
function httpName(attrs: Attributes, spanName: string): string | undefined {
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
function vercelOperation(attrs: Attributes, spanName: string): string | undefined {
  const op = str(attrs, C.AI_OPERATION_ID);
  if (op !== undefined && op.startsWith(C.AI_PREFIX)) return op;
  if (!spanName.startsWith(C.AI_PREFIX)) return undefined;
  return C.AI_OUTER_OPERATIONS.has(spanName) || vercelRunType(spanName) !== 'chain' ? spanName : undefined;
}

/** First rule that recognises its attribute wins; see MAPPING.md "run_type". */
function runTypeOf(attrs: Attributes, vercelOp: string | undefined): RunType {
  const explicit = str(attrs, C.LANGSMITH_RUN_TYPE)?.trim().toLowerCase();
  if (explicit !== undefined && RUN_TYPES.has(explicit)) return explicit as RunType;

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

// ---- Inputs ----

/** First rule that yields a value wins (MAPPING.md "inputs"). */
function inputsOf(cx: Cx): Json | undefined {
  return (
    genAiInputMessages(cx) ??
    eventInputMessages(cx) ??
    indexedPromptMessages(cx) ??
    openInferenceMessages(cx.scan.oiInputs, (messages) => ({ messages })) ??
    retrievalQuery(cx) ??
    inputValue(cx) ??
    traceloopEntity(cx, C.TRACELOOP_ENTITY_INPUT, 'inputs', 'input') ??
    genAiPromptString(cx) ??
    vercelPrompt(cx) ??
    vercelToolArgs(cx) ??
    vercelEmbedValues(cx) ??
    infrastructureInputs(cx.attrs)
  );
}

/** `gen_ai.input.messages` (+ `gen_ai.system_instructions` as a leading system message). */
function genAiInputMessages(cx: Cx): Json | undefined {
  const raw = cx.attrs[C.GEN_AI_INPUT_MESSAGES];
  const system = cx.attrs[C.GEN_AI_SYSTEM_INSTRUCTIONS];
  if (raw === undefined && system === undefined) return undefined;
  const messages: unknown[] = [];
  if (system !== undefined) messages.push(systemInstructionMessage(system, cx.parseLimit));
  if (raw === undefined) return { messages };
  const parsed = jsonAttribute(raw, cx.parseLimit);
  if (typeof raw === 'string' && Array.isArray(parsed)) {
    for (const message of parsed) normaliseMessage(message, 'parts', 'user', messages);
    return { messages };
  }
  // Not a JSON array: keep the value (and any system instructions) unnormalised.
  return messages.length > 0 ? { messages, input: parsed } : { input: parsed };
}

/** Current form: a JSON array of parts; older forms: a plain string or one object. */
function systemInstructionMessage(value: AttributeValue, parseLimit: number): Json {
  const parsed = typeof value === 'string' ? parseStructured(value, parseLimit) : value;
  if (Array.isArray(parsed)) {
    const out: unknown[] = [];
    normaliseMessage({ role: 'system', parts: parsed }, 'parts', 'system', out);
    const message = out[0];
    if (isRecord(message)) return message;
  }
  return { role: 'system', content: parsed === undefined ? value : parsed };
}

/** Deprecated per-message events, in span order; else a `gen_ai.content.prompt` event. */
function eventInputMessages(cx: Cx): Json | undefined {
  const { ev, events } = cx;
  if (ev.messages.length > 0) {
    const messages = ev.messages.map((i) => {
      ev.consumed[i] = 1;
      return eventMessage(events[i]!, cx.parseLimit);
    });
    return { messages };
  }
  if (ev.contentPrompt >= 0) {
    const value = events[ev.contentPrompt]!.attributes?.[C.GEN_AI_PROMPT];
    if (value === undefined) return undefined;
    ev.consumed[ev.contentPrompt] = 1;
    return ioFromValue(value, 'input', cx.parseLimit, 'messages');
  }
  return undefined;
}

function eventMessage(event: SpanEventLike, parseLimit: number): Json {
  const a = event.attributes ?? {};
  const content = a.content === undefined ? '' : copyValue(a.content);
  switch (event.name) {
    case C.EVENT_GEN_AI_SYSTEM_MESSAGE:
      return { role: str(a, 'role') ?? 'system', content };
    case C.EVENT_GEN_AI_USER_MESSAGE:
      return { role: str(a, 'role') ?? 'user', content };
    case C.EVENT_GEN_AI_TOOL_MESSAGE: {
      const message: Json = { role: str(a, 'role') ?? 'tool', content };
      const id = a.id ?? a.tool_call_id;
      if (typeof id === 'string') message.tool_call_id = id;
      return message;
    }
    default: {
      const message: Json = { role: str(a, 'role') ?? 'assistant', content };
      const toolCalls = typeof a.tool_calls === 'string' ? parseJson(a.tool_calls, parseLimit) : undefined;
      if (Array.isArray(toolCalls) && toolCalls.length > 0) message.tool_calls = toolCalls;
      return message;
    }
  }
}

/** Traceloop `gen_ai.prompt.N.{role,content,name,tool_call_id,tool_calls.M.*}`. */
function indexedPromptMessages(cx: Cx): Json | undefined {
  const prompts = cx.scan.prompts;
  if (prompts === undefined) return undefined;
  return { messages: ordered(prompts).map((fields) => flatMessage(fields, 'user', cx.parseLimit)) };
}

function flatMessage(fields: Fields, defaultRole: string, parseLimit: number): Json {
  const role = fields.get('role');
  const message: Json = {
    role: typeof role === 'string' ? role : defaultRole,
    content: flatContent(fields.get('content'), parseLimit),
  };
  const name = fields.get('name');
  if (typeof name === 'string') message.name = name;
  const toolCallId = fields.get('tool_call_id');
  if (typeof toolCallId === 'string') message.tool_call_id = toolCallId;
  const calls = subIndexed(fields, 'tool_calls.');
  if (calls !== undefined) {
    message.tool_calls = ordered(calls).map((call) => toolCall(call.get('id'), call.get('name'), call.get('arguments')));
  }
  return message;
}

/** Traceloop writes multimodal content as a JSON array of blocks. */
function flatContent(value: AttributeValue | undefined, parseLimit: number): unknown {
  if (value === undefined) return '';
  if (typeof value === 'string' && value.charCodeAt(0) === 0x5b /* [ */) {
    const parsed = parseJson(value, parseLimit);
    if (Array.isArray(parsed)) return parsed;
  }
  return value;
}

/** OpenInference `llm.{input,output}_messages.N.message.*`. */
function openInferenceMessages(indexed: Indexed | undefined, wrap: (messages: Json[]) => Json): Json | undefined {
  if (indexed === undefined) return undefined;
  return wrap(ordered(indexed).map(openInferenceMessage));
}

function openInferenceMessage(fields: Fields): Json {
  const role = fields.get(C.OI_MESSAGE_ROLE);
  let content: unknown = fields.get(C.OI_MESSAGE_CONTENT);
  if (content === undefined) {
    const contents = subIndexed(fields, C.OI_MESSAGE_CONTENTS_PREFIX);
    content = contents === undefined ? '' : collapseBlocks(ordered(contents).map(openInferenceContentBlock));
  }
  const message: Json = { role: typeof role === 'string' ? role : 'user', content };
  const name = fields.get(C.OI_MESSAGE_NAME);
  if (typeof name === 'string') message.name = name;
  const toolCallId = fields.get(C.OI_MESSAGE_TOOL_CALL_ID);
  if (typeof toolCallId === 'string') message.tool_call_id = toolCallId;
  const calls = subIndexed(fields, C.OI_MESSAGE_TOOL_CALLS_PREFIX);
  if (calls !== undefined) {
    message.tool_calls = ordered(calls).map((call) =>
      toolCall(call.get('tool_call.id'), call.get('tool_call.function.name'), call.get('tool_call.function.arguments')),
    );
  }
  return message;
}

function openInferenceContentBlock(fields: Fields): unknown {
  const type = fields.get('message_content.type');
  const url = fields.get('message_content.image.image.url');
  if (type === 'image' && typeof url === 'string') return { type: 'image_url', image_url: { url } };
  const text = fields.get('message_content.text');
  return { type: typeof type === 'string' ? type : 'text', text: text ?? '' };
}

/** GenAI retrieval spans: `{query}` from `gen_ai.retrieval.query.text`. */
function retrievalQuery(cx: Cx): Json | undefined {
  const query = cx.attrs[C.GEN_AI_RETRIEVAL_QUERY_TEXT];
  return query === undefined ? undefined : { query: copyValue(query) };
}

/**
 * OpenInference `input.value`: a JSON object is the inputs, a JSON array
 * `{input: array}`, anything else `{input: s}` — `{query: s}` on a retriever
 * (ingest: langsmith.md §4). `input.mime_type` text/plain disables parsing.
 */
function inputValue(cx: Cx): Json | undefined {
  const value = cx.attrs[C.INPUT_VALUE];
  if (value === undefined) return undefined;
  const plain = cx.attrs[C.INPUT_MIME_TYPE] === C.MIME_TEXT_PLAIN;
  const key = cx.runType === 'retriever' ? 'query' : 'input';
  return plain ? { [key]: copyValue(value) } : ioFromValue(value, key, cx.parseLimit);
}

/**
 * `traceloop.entity.input`/`output`. OpenLLMetry wraps a LangChain payload as
 * `{inputs|outputs, tags, metadata, kwargs}` and a decorated function's
 * arguments as `{args, kwargs}`; both wrappers are removed.
 */
function traceloopEntity(cx: Cx, attr: string, payloadKey: string, wrapKey: string): Json | undefined {
  const value = cx.attrs[attr];
  if (value === undefined) return undefined;
  const io = ioFromValue(value, wrapKey, cx.parseLimit);
  const keys = Object.keys(io);
  if (keys.includes(payloadKey) && keys.every((k) => k === payloadKey || TRACELOOP_WRAPPER_KEYS.has(k))) {
    const payload = io[payloadKey];
    return isRecord(payload) ? payload : { [wrapKey]: payload };
  }
  if (wrapKey === 'input' && keys.length > 0 && keys.every((k) => k === 'args' || k === 'kwargs')) {
    return unwrapArgs(io.args, io.kwargs);
  }
  return io;
}

/** `{args: [], kwargs}` → kwargs; `{args: [x]}` → x (an object) or `{input: x}`; else `{args, ...kwargs}`. */
function unwrapArgs(args: unknown, kwargs: unknown): Json {
  const list = Array.isArray(args) ? args : args === undefined ? [] : [args];
  const named = isRecord(kwargs) ? kwargs : {};
  const hasNamed = Object.keys(named).length > 0;
  if (list.length === 0) return { ...named };
  if (list.length === 1 && !hasNamed) {
    const only = list[0];
    return isRecord(only) ? only : { input: only };
  }
  const out: Json = { args: list };
  for (const key of Object.keys(named)) {
    if (key !== 'args') setOwn(out, key, named[key]);
  }
  return out;
}

/** A plain `gen_ai.prompt` (also what the LangSmith SDK writes in OTel mode: JSON of the inputs). */
function genAiPromptString(cx: Cx): Json | undefined {
  const value = cx.attrs[C.GEN_AI_PROMPT];
  return value === undefined ? undefined : ioFromValue(value, 'input', cx.parseLimit, 'messages');
}

/** Vercel `ai.prompt.messages` (model call) > `ai.prompt` (outer call: `{system?, prompt?, messages?}`). */
function vercelPrompt(cx: Cx): Json | undefined {
  const messages = cx.attrs[C.AI_PROMPT_MESSAGES];
  if (messages !== undefined) {
    const parsed = jsonAttribute(messages, cx.parseLimit);
    if (typeof messages !== 'string' || !Array.isArray(parsed)) return { input: parsed };
    const out: unknown[] = [];
    for (const message of parsed) normaliseMessage(message, 'content', 'user', out);
    return { messages: out };
  }
  const prompt = cx.attrs[C.AI_PROMPT];
  return prompt === undefined ? undefined : ioFromValue(prompt, 'input', cx.parseLimit);
}

/** Vercel tool call arguments: v5 `ai.toolCall.input`, v4 `ai.toolCall.args`. */
function vercelToolArgs(cx: Cx): Json | undefined {
  const value = cx.attrs[C.AI_TOOL_CALL_INPUT] ?? cx.attrs[C.AI_TOOL_CALL_ARGS];
  return value === undefined ? undefined : ioFromValue(value, 'input', cx.parseLimit);
}

/** Vercel `ai.embed` (`ai.value`, one JSON value) and `ai.embedMany` (`ai.values`, JSON values). */
function vercelEmbedValues(cx: Cx): Json | undefined {
  const one = cx.attrs[C.AI_VALUE];
  if (one !== undefined) return { input: typeof one === 'string' ? jsonOr(one, cx.parseLimit) : copyValue(one) };
  const many = cx.attrs[C.AI_VALUES];
  if (Array.isArray(many)) {
    return { input: many.map((v) => (typeof v === 'string' ? jsonOr(v, cx.parseLimit) : v)) };
  }
  return undefined;
}

/** Last resort for non-GenAI spans: the database query, the HTTP request line, the RPC method. */
function infrastructureInputs(attrs: Attributes): Json | undefined {
  const query = attrs[C.DB_QUERY_TEXT] ?? attrs[C.DB_STATEMENT_OLD];
  if (query !== undefined) return { query: copyValue(query) };
  const method = attrs[C.HTTP_REQUEST_METHOD] ?? attrs[C.HTTP_METHOD_OLD];
  if (method !== undefined) {
    const url = attrs[C.URL_FULL] ?? attrs[C.HTTP_URL_OLD] ?? attrs[C.HTTP_ROUTE];
    return url === undefined ? { method: copyValue(method) } : { method: copyValue(method), url: copyValue(url) };
  }
  const rpcMethod = attrs[C.RPC_METHOD];
  if (rpcMethod !== undefined) {
    const service = attrs[C.RPC_SERVICE];
    return service === undefined
      ? { method: copyValue(rpcMethod) }
      : { service: copyValue(service), method: copyValue(rpcMethod) };
  }
  return undefined;
}

// ---- Outputs ----

/**
 * First rule that yields a value wins (MAPPING.md "outputs"). Chat output is
 * the OpenAI Chat Completions shape `{choices: [{index, message,
 * finish_reason}]}`, one of the three formats LangSmith renders as chat
 * (docs "Log LLM calls") and what its OpenAI wrapper logs.
 */
function outputsOf(cx: Cx): Json | undefined {
  return (
    genAiOutputMessages(cx) ??
    eventChoices(cx) ??
    indexedCompletions(cx) ??
    openInferenceMessages(cx.scan.oiOutputs, choicesOf) ??
    documentsOf(cx) ??
    valueOutput(cx, C.OUTPUT_VALUE, C.OUTPUT_MIME_TYPE) ??
    traceloopEntity(cx, C.TRACELOOP_ENTITY_OUTPUT, 'outputs', 'output') ??
    genAiCompletionString(cx) ??
    vercelResponse(cx) ??
    vercelToolResult(cx) ??
    infrastructureOutputs(cx.attrs)
  );
}

function choicesOf(messages: Json[]): Json {
  return { choices: messages.map((message, index) => ({ index, message })) };
}

/** `gen_ai.output.messages`: `[{role, parts, finish_reason}]` → choices. */
function genAiOutputMessages(cx: Cx): Json | undefined {
  const raw = cx.attrs[C.GEN_AI_OUTPUT_MESSAGES];
  if (raw === undefined) return undefined;
  const parsed = jsonAttribute(raw, cx.parseLimit);
  if (typeof raw !== 'string' || !Array.isArray(parsed)) return { output: parsed };
  const choices = parsed.map((item, index) => {
    const out: unknown[] = [];
    normaliseMessage(item, 'parts', 'assistant', out);
    const message = out.find((m) => isRecord(m) && m.role !== 'tool') ?? out[0];
    const choice: Json = { index, message };
    if (isRecord(item) && typeof item.finish_reason === 'string') choice.finish_reason = item.finish_reason;
    return choice;
  });
  return { choices };
}

/** Deprecated `gen_ai.choice` events (by `index`), else a `gen_ai.content.completion` event. */
function eventChoices(cx: Cx): Json | undefined {
  const { ev, events } = cx;
  if (ev.choices.length > 0) {
    const choices = ev.choices.map((i, position) => {
      ev.consumed[i] = 1;
      return choiceFromEvent(events[i]!.attributes ?? {}, position, cx.parseLimit);
    });
    choices.sort((a, b) => (a.index as number) - (b.index as number));
    return { choices };
  }
  if (ev.contentCompletion >= 0) {
    const value = events[ev.contentCompletion]!.attributes?.[C.GEN_AI_COMPLETION];
    if (value === undefined) return undefined;
    ev.consumed[ev.contentCompletion] = 1;
    const parsed = typeof value === 'string' ? parseStructured(value, cx.parseLimit) : value;
    if (Array.isArray(parsed)) return choicesOf(parsed.filter(isRecord));
    if (isRecord(parsed)) return parsed;
    return { text: value };
  }
  return undefined;
}

function choiceFromEvent(a: Attributes, position: number, parseLimit: number): Json {
  const raw = a.message;
  const parsed = typeof raw === 'string' ? parseStructured(raw, parseLimit) : undefined;
  const content = raw ?? a.content;
  const message: Json = isRecord(parsed)
    ? { role: 'assistant', ...parsed }
    : { role: 'assistant', content: content === undefined ? '' : copyValue(content) };
  if (message.tool_calls === undefined && typeof a.tool_calls === 'string') {
    const calls = parseJson(a.tool_calls, parseLimit);
    if (Array.isArray(calls)) message.tool_calls = calls;
  }
  const choice: Json = { index: toInt(a.index) ?? position, message };
  if (typeof a.finish_reason === 'string') choice.finish_reason = a.finish_reason;
  return choice;
}

/** Traceloop `gen_ai.completion.N.{role,content,finish_reason,tool_calls.M.*}`. */
function indexedCompletions(cx: Cx): Json | undefined {
  const completions = cx.scan.completions;
  if (completions === undefined) return undefined;
  const choices = ordered(completions).map((fields, index) => {
    const choice: Json = { index, message: flatMessage(fields, 'assistant', cx.parseLimit) };
    const finish = fields.get('finish_reason');
    if (typeof finish === 'string') choice.finish_reason = finish;
    return choice;
  });
  return { choices };
}

/**
 * Documents: OpenInference `retrieval.documents.N.document.*` (and a
 * reranker's `reranker.output_documents.N.document.*`), GenAI
 * `gen_ai.retrieval.documents` → `{documents: [{page_content, metadata, id?, score?}]}`.
 */
function documentsOf(cx: Cx): Json | undefined {
  const indexed = cx.scan.documents ?? cx.scan.rerankedDocuments;
  if (indexed !== undefined) {
    const documents = ordered(indexed).map((fields) => {
      const metadata = fields.get(C.OI_DOCUMENT_METADATA);
      return documentOf(
        fields.get(C.OI_DOCUMENT_CONTENT),
        typeof metadata === 'string' ? parseJson(metadata, cx.parseLimit) : undefined,
        fields.get(C.OI_DOCUMENT_ID),
        fields.get(C.OI_DOCUMENT_SCORE),
      );
    });
    return { documents };
  }
  const raw = cx.attrs[C.GEN_AI_RETRIEVAL_DOCUMENTS];
  if (raw === undefined) return undefined;
  const parsed = jsonAttribute(raw, cx.parseLimit);
  if (typeof raw !== 'string' || !Array.isArray(parsed)) return { output: parsed };
  return {
    documents: parsed.map((d) => (isRecord(d) ? documentOf(d.content, d.metadata, d.id, d.score) : documentOf(d))),
  };
}

function documentOf(content: unknown, metadata?: unknown, id?: unknown, score?: unknown): Json {
  const document: Json = {
    page_content: content === undefined || content === null ? '' : content,
    metadata: isRecord(metadata) ? metadata : {},
  };
  if (typeof id === 'string' || typeof id === 'number') document.id = id;
  if (typeof score === 'number') document.score = score;
  return document;
}

/** OpenInference `output.value`, read like `input.value` (non-objects → `{output}`). */
function valueOutput(cx: Cx, attr: string, mimeAttr: string): Json | undefined {
  const value = cx.attrs[attr];
  if (value === undefined) return undefined;
  return cx.attrs[mimeAttr] === C.MIME_TEXT_PLAIN ? { output: copyValue(value) } : ioFromValue(value, 'output', cx.parseLimit);
}

/** A plain `gen_ai.completion`: JSON object → the object, other text → `{text}` (ingest, langsmith.md §4). */
function genAiCompletionString(cx: Cx): Json | undefined {
  const value = cx.attrs[C.GEN_AI_COMPLETION];
  return value === undefined ? undefined : ioFromValue(value, 'text', cx.parseLimit);
}

/** Vercel `ai.response.text`/`ai.response.toolCalls` → one choice; `ai.response.object` → the object. */
function vercelResponse(cx: Cx): Json | undefined {
  const { attrs } = cx;
  const text = attrs[C.AI_RESPONSE_TEXT];
  const rawCalls = attrs[C.AI_RESPONSE_TOOL_CALLS];
  if (text !== undefined || rawCalls !== undefined) {
    const message: Json = { role: 'assistant', content: text === undefined ? '' : copyValue(text) };
    const calls = typeof rawCalls === 'string' ? parseJson(rawCalls, cx.parseLimit) : undefined;
    if (Array.isArray(calls) && calls.length > 0) {
      message.tool_calls = calls.map((call) =>
        isRecord(call)
          ? toolCall(call.toolCallId ?? call.id, call.toolName ?? call.name, call.input !== undefined ? call.input : call.args)
          : call,
      );
    } else if (typeof rawCalls === 'string' && calls === undefined) {
      message.tool_calls = rawCalls; // not JSON: kept as text
    }
    const choice: Json = { index: 0, message };
    const finish = attrs[C.AI_RESPONSE_FINISH_REASON];
    if (typeof finish === 'string') choice.finish_reason = finish;
    return { choices: [choice] };
  }
  const object = attrs[C.AI_RESPONSE_OBJECT];
  return object === undefined ? undefined : ioFromValue(object, 'output', cx.parseLimit);
}

/** Vercel tool result: v5 `ai.toolCall.output`, v4 `ai.toolCall.result`. */
function vercelToolResult(cx: Cx): Json | undefined {
  const value = cx.attrs[C.AI_TOOL_CALL_OUTPUT] ?? cx.attrs[C.AI_TOOL_CALL_RESULT];
  return value === undefined ? undefined : ioFromValue(value, 'output', cx.parseLimit);
}

function infrastructureOutputs(attrs: Attributes): Json | undefined {
  const status = attrs[C.HTTP_RESPONSE_STATUS_CODE] ?? attrs[C.HTTP_STATUS_CODE_OLD];
  return status === undefined ? undefined : { status_code: copyValue(status) };
}

// ---- Message normalisation (OTel GenAI parts, Vercel content parts → OpenAI chat shape) ----

/**
 * Appends the OpenAI-style form of one message to `out`: `{role, content,
 * name?, tool_calls?}`, content a string when it is one text part, else a
 * list of blocks (text → `{type:'text', text}`, images → `image_url`, other
 * parts kept as they are). Each tool result becomes its own `{role:'tool',
 * tool_call_id, content}` message, placed first. Accepts the GenAI part
 * names (`tool_call`, `tool_call_response`, `blob`, `uri`) and Vercel's
 * (`tool-call`, `tool-result`, `image`).
 */
function normaliseMessage(raw: unknown, partsKey: 'parts' | 'content', defaultRole: string, out: unknown[]): void {
  if (!isRecord(raw)) {
    out.push(raw);
    return;
  }
  const parts = raw[partsKey];
  const role = typeof raw.role === 'string' ? raw.role : defaultRole;
  if (!Array.isArray(parts)) {
    out.push(raw.role === role ? raw : { ...raw, role });
    return;
  }
  const blocks: unknown[] = [];
  const toolCalls: Json[] = [];
  let toolResults = 0;
  for (const part of parts) {
    if (typeof part === 'string') {
      blocks.push({ type: 'text', text: part });
      continue;
    }
    if (!isRecord(part)) {
      blocks.push(part);
      continue;
    }
    switch (part.type) {
      case 'text': {
        const text = typeof part.content === 'string' ? part.content : part.text;
        blocks.push({ type: 'text', text: typeof text === 'string' ? text : asText(text) });
        break;
      }
      case 'tool_call':
      case 'tool-call':
        toolCalls.push(
          toolCall(
            part.id ?? part.toolCallId,
            part.name ?? part.toolName,
            part.arguments !== undefined ? part.arguments : part.input !== undefined ? part.input : part.args,
          ),
        );
        break;
      case 'tool_call_response':
      case 'tool-result': {
        const id = part.id ?? part.toolCallId;
        const result = part.response !== undefined ? part.response : part.result !== undefined ? part.result : part.output;
        const message: Json = { role: 'tool', content: asText(result) };
        if (typeof id === 'string') message.tool_call_id = id;
        out.push(message);
        toolResults++;
        break;
      }
      default:
        blocks.push(imageBlock(part) ?? part);
        break;
    }
  }
  if (blocks.length === 0 && toolCalls.length === 0 && toolResults > 0) return;
  const message: Json = { role, content: collapseBlocks(blocks) };
  if (typeof raw.name === 'string') message.name = raw.name;
  if (typeof raw.tool_call_id === 'string') message.tool_call_id = raw.tool_call_id;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  out.push(message);
}

/** GenAI `uri`/`blob` parts and Vercel `image` parts with an image → an OpenAI `image_url` block. */
function imageBlock(part: Json): Json | undefined {
  if (part.type === 'uri' && part.modality === 'image' && typeof part.uri === 'string') {
    return { type: 'image_url', image_url: { url: part.uri } };
  }
  if (part.type === 'blob' && part.modality === 'image' && typeof part.content === 'string' && typeof part.mime_type === 'string') {
    return { type: 'image_url', image_url: { url: `data:${part.mime_type};base64,${part.content}` } };
  }
  if (part.type === 'image' && typeof part.image === 'string') {
    const image = part.image;
    if (image.startsWith('http://') || image.startsWith('https://') || image.startsWith('data:')) {
      return { type: 'image_url', image_url: { url: image } };
    }
    const mime = part.mediaType ?? part.mimeType;
    if (typeof mime === 'string') return { type: 'image_url', image_url: { url: `data:${mime};base64,${image}` } };
  }
  return undefined;
}

/** One text block → its text; none → ''; otherwise the block list. */
function collapseBlocks(blocks: unknown[]): unknown {
  if (blocks.length === 0) return '';
  const only = blocks[0];
  if (blocks.length === 1 && isRecord(only) && only.type === 'text' && typeof only.text === 'string') return only.text;
  return blocks;
}

/** An OpenAI tool call; arguments are a JSON string, as in the Chat Completions API. */
function toolCall(id: unknown, name: unknown, args: unknown): Json {
  const call: Json = {};
  if (typeof id === 'string') call.id = id;
  call.type = 'function';
  call.function = {
    name: typeof name === 'string' ? name : name === undefined ? '' : asText(name),
    arguments: typeof args === 'string' ? args : args === undefined ? '{}' : asText(args),
  };
  return call;
}

// ---- Error and events ----

/**
 * `type: message`, unless the message already starts with its type (the
 * langsmith SDK's OTel mode records `new Error(String(error))`, whose message
 * is "Error: …" already).
 */
export function exceptionHead(type: string, message: string): string {
  return message.startsWith(`${type}:`) ? message : `${type}: ${message}`;
}

/**
 * Every `exception` event as `type: message\n\nstacktrace` (E1), joined by a
 * blank line, whatever the status (E3); with none, an ERROR status's message
 * (E2). Ingest reads only the events (langsmith.md §4).
 */
function errorOf(span: SpanLike, cx: Cx): string | undefined {
  // Exception events make an error whatever the status: LangSmith's OTLP ingest
  // reads them and not the status code, so both encodings agree; and the
  // langsmith SDK's OTel mode sets OK when a run starts, which the OTel SDK
  // then never lets its later ERROR replace.
  const code = span.status?.code;
  const texts: string[] = [];
  for (const i of cx.ev.exceptions) {
    cx.ev.consumed[i] = 1;
    const a = cx.events[i]!.attributes ?? {};
    const type = nonEmpty(a, C.EXCEPTION_TYPE);
    const message = nonEmpty(a, C.EXCEPTION_MESSAGE);
    const stack = nonEmpty(a, C.EXCEPTION_STACKTRACE);
    const head = type !== undefined && message !== undefined ? exceptionHead(type, message) : (type ?? message ?? '');
    // A JS stack already starts with "Type: message": then the stack alone.
    const text = stack === undefined ? head : head === '' || stack.startsWith(head) ? stack : `${head}\n\n${stack}`;
    if (text !== '') texts.push(text);
  }
  if (texts.length > 0) return texts.join('\n\n');
  if (code !== SpanStatusCode.ERROR) return undefined;
  const statusMessage = span.status.message;
  if (typeof statusMessage === 'string' && statusMessage !== '') return statusMessage;
  const httpStatus = cx.attrs['http.response.status_code'] ?? cx.attrs['http.status_code'];
  return nonEmpty(cx.attrs, C.ERROR_TYPE) ?? (typeof httpStatus === 'number' ? `HTTP ${httpStatus}` : 'Error');
}

function remainingEvents(events: readonly SpanEventLike[], consumed: Uint8Array): MappedAttributes['events'] {
  const out: MappedAttributes['events'] = [];
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (consumed[i] === 1 || event === undefined) continue;
    const entry: MappedAttributes['events'][number] = { name: String(event.name), time: hrTimeToIso(event.time) };
    if (event.attributes !== undefined) entry.kwargs = { ...event.attributes };
    out.push(entry);
  }
  return out;
}

// ---- Invocation parameters, usage, metadata, tags ----

/** `llm.invocation_parameters` JSON < Vercel `ai.settings.*` (+ `ai.model.id`) < `gen_ai.request.*`. */
function invocationParamsOf(cx: Cx): Json | undefined {
  const { attrs } = cx;
  const params: Json = {};
  let found = false;
  const oi = attrs[C.LLM_INVOCATION_PARAMETERS];
  if (typeof oi === 'string') {
    const parsed = parseStructured(oi, cx.parseLimit);
    if (isRecord(parsed)) {
      for (const key of Object.keys(parsed)) setOwn(params, key, parsed[key]);
      found = true;
    }
  }
  const vercelModel = attrs[C.AI_MODEL_ID];
  if (vercelModel !== undefined) {
    params.model = vercelModel;
    found = true;
  }
  if (cx.scan.hasAiSettings && copyParams(attrs, AI_SETTINGS_PARAMS, params)) found = true;
  if (cx.scan.hasGenAiRequest && copyParams(attrs, GEN_AI_REQUEST_PARAMS, params)) found = true;
  return found ? params : undefined;
}

function copyParams(attrs: Attributes, table: ReadonlyArray<readonly [string, string]>, params: Json): boolean {
  let found = false;
  for (const [attr, key] of table) {
    const value = attrs[attr];
    if (value === undefined) continue;
    params[key] = copyValue(value);
    found = true;
  }
  return found;
}

/**
 * `langsmith.usage_metadata` (JSON) wins on any run. Otherwise tokens are
 * read only for llm and embedding runs: LangSmith sums child usage into every
 * ancestor, so usage on a wrapper (Vercel's outer `ai.generateText`, which
 * repeats its model call's `ai.usage.*`) would be counted twice — the SDK's
 * exporter sets usage only on Vercel model-call spans for that reason.
 */
function usageOf(cx: Cx): UsageMetadata | undefined {
  const { attrs } = cx;
  const explicit = attrs[C.LANGSMITH_USAGE_METADATA];
  if (typeof explicit === 'string') {
    const usage = usageFromJson(parseStructured(explicit, cx.parseLimit));
    if (usage !== undefined) return usage;
  }
  if (cx.runType !== 'llm' && cx.runType !== 'embedding') return undefined;
  const input = firstInt(attrs, INPUT_TOKEN_KEYS);
  const output = firstInt(attrs, OUTPUT_TOKEN_KEYS);
  if (input === undefined && output === undefined) return undefined;
  const usage: UsageMetadata = {
    input_tokens: input ?? 0,
    output_tokens: output ?? 0,
    total_tokens: firstInt(attrs, TOTAL_TOKEN_KEYS) ?? (input ?? 0) + (output ?? 0),
  };
  const inputDetails = detailsOf(attrs, INPUT_DETAIL_KEYS);
  if (inputDetails !== undefined) usage.input_token_details = inputDetails;
  const outputDetails = detailsOf(attrs, OUTPUT_DETAIL_KEYS);
  if (outputDetails !== undefined) usage.output_token_details = outputDetails;
  return usage;
}

function usageFromJson(parsed: unknown): UsageMetadata | undefined {
  if (!isRecord(parsed)) return undefined;
  const input = toInt(parsed.input_tokens);
  const output = toInt(parsed.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const usage: UsageMetadata = {
    input_tokens: input ?? 0,
    output_tokens: output ?? 0,
    total_tokens: toInt(parsed.total_tokens) ?? (input ?? 0) + (output ?? 0),
  };
  const inputDetails = intRecord(parsed.input_token_details);
  if (inputDetails !== undefined) usage.input_token_details = inputDetails;
  const outputDetails = intRecord(parsed.output_token_details);
  if (outputDetails !== undefined) usage.output_token_details = outputDetails;
  return usage;
}

function detailsOf(attrs: Attributes, table: ReadonlyArray<readonly [string, readonly string[]]>): Record<string, number> | undefined {
  let details: Record<string, number> | undefined;
  for (const [name, keys] of table) {
    const value = firstInt(attrs, keys);
    if (value === undefined) continue;
    details ??= {};
    details[name] = value;
  }
  return details;
}

function intRecord(value: unknown): Record<string, number> | undefined {
  if (!isRecord(value)) return undefined;
  let out: Record<string, number> | undefined;
  for (const key of Object.keys(value)) {
    const n = toInt(value[key]);
    if (n === undefined) continue;
    out ??= {};
    setOwn(out, key, n);
  }
  return out;
}

function firstInt(attrs: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = attrs[key];
    if (value === undefined) continue;
    const n = toInt(value);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** A token count: a finite non-negative number (truncated) or a decimal digit string; anything else is absent. */
function toInt(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? Math.trunc(value) : undefined;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 15) return undefined;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return n;
}

/**
 * Metadata, later sources overriding earlier ones: derived keys (`ls_*` as
 * the SDK's wrappers write them, thread ids) < OpenInference `metadata` <
 * Traceloop association properties < `ai.telemetry.metadata.*` <
 * `langsmith.metadata.*`; then `usage_metadata`. Nothing else is copied: the
 * run keeps what LangSmith reads, not a dump of the span (the raw span can be
 * exported to an OTel backend instead).
 */
function metadataOf(
  cx: Cx,
  params: Json | undefined,
  usage: UsageMetadata | undefined,
): { metadata: Json; runName: string | undefined } {
  const { attrs, scan } = cx;
  const metadata: Json = {};

  const provider = providerOf(attrs);
  if (provider !== undefined) metadata.ls_provider = provider;
  const model =
    nonEmpty(attrs, C.GEN_AI_RESPONSE_MODEL) ??
    nonEmpty(attrs, C.GEN_AI_REQUEST_MODEL) ??
    nonEmpty(attrs, C.AI_RESPONSE_MODEL) ??
    nonEmpty(attrs, C.AI_MODEL_ID) ??
    nonEmpty(attrs, C.LLM_MODEL_NAME);
  if (model !== undefined) metadata.ls_model_name = model;
  if (cx.runType === 'llm') metadata.ls_model_type = isTextCompletion(attrs) ? 'llm' : 'chat';
  if (params !== undefined) {
    if (typeof params.temperature === 'number') metadata.ls_temperature = params.temperature;
    if (typeof params.max_tokens === 'number') metadata.ls_max_tokens = params.max_tokens;
    const stop = params.stop;
    if (typeof stop === 'string') metadata.ls_stop = [stop];
    else if (Array.isArray(stop) && stop.length > 0) metadata.ls_stop = stop;
  }
  // LangSmith groups runs into threads by session_id / thread_id / conversation_id.
  const conversation = attrs[C.GEN_AI_CONVERSATION_ID];
  if (conversation !== undefined) metadata.conversation_id = conversation;
  const session = attrs[C.SESSION_ID];
  if (session !== undefined) metadata.session_id = session;
  const user = attrs[C.USER_ID];
  if (user !== undefined) metadata.user_id = user;

  const oi = attrs[C.OPENINFERENCE_METADATA];
  if (typeof oi === 'string') {
    const parsed = parseStructured(oi, cx.parseLimit);
    if (isRecord(parsed)) for (const key of Object.keys(parsed)) setOwn(metadata, key, parsed[key]);
  }
  for (const [key, value] of scan.associationProperties) setOwn(metadata, key, copyValue(value));

  let runName: string | undefined;
  for (const [key, value] of scan.aiMetadata) {
    if (key === C.AI_TELEMETRY_LS_PROJECT_NAME || key === C.AI_TELEMETRY_LS_PROJECT_ID) continue;
    if (key === C.LS_RUN_NAME_KEY) {
      if (typeof value === 'string' && value !== '') runName = value;
      continue;
    }
    setOwn(metadata, key, copyValue(value));
  }
  for (const [key, value] of scan.lsMetadata) {
    if (key === C.LS_RUN_NAME_KEY) {
      if (typeof value === 'string' && value !== '') runName = value;
      continue;
    }
    setOwn(metadata, key, typeof value === 'string' ? jsonContainerOr(value, cx.parseLimit) : copyValue(value));
  }
  if (usage !== undefined) metadata.usage_metadata = usage;
  return { metadata, runName };
}

/**
 * `gen_ai.provider.name` > `gen_ai.system` > Vercel `ai.model.provider`
 * (`openai.chat` → `openai`: the SDK's provider id is `<provider>.<api>`) >
 * OpenInference `llm.provider` > `llm.system`.
 */
function providerOf(attrs: Attributes): string | undefined {
  const direct = nonEmpty(attrs, C.GEN_AI_PROVIDER_NAME) ?? nonEmpty(attrs, C.GEN_AI_SYSTEM);
  if (direct !== undefined) return direct;
  const vercel = nonEmpty(attrs, C.AI_MODEL_PROVIDER);
  if (vercel !== undefined) {
    const dot = vercel.indexOf('.');
    return (dot > 0 ? vercel.slice(0, dot) : vercel).toLowerCase();
  }
  return nonEmpty(attrs, C.LLM_PROVIDER) ?? nonEmpty(attrs, C.LLM_SYSTEM);
}

/** The SDK's OpenAI wrapper writes ls_model_type "llm" for the completions API, "chat" otherwise. */
function isTextCompletion(attrs: Attributes): boolean {
  const op = str(attrs, C.GEN_AI_OPERATION_NAME);
  return op === C.GEN_AI_OP_TEXT_COMPLETION || op === C.GEN_AI_OP_COMPLETION || str(attrs, C.LLM_REQUEST_TYPE) === 'completion';
}

/** `langsmith.span.tags` (comma-separated, or a string array) then OpenInference `tag.tags`; trimmed, deduplicated. */
function tagsOf(attrs: Attributes): string[] | undefined {
  const tags: string[] = [];
  const add = (tag: unknown): void => {
    if (typeof tag !== 'string') return;
    const trimmed = tag.trim();
    if (trimmed !== '' && !tags.includes(trimmed)) tags.push(trimmed);
  };
  const ls = attrs[C.LANGSMITH_TAGS];
  if (typeof ls === 'string') for (const tag of ls.split(',')) add(tag);
  else if (Array.isArray(ls)) for (const tag of ls) add(tag);
  const oi = attrs[C.OPENINFERENCE_TAGS];
  if (Array.isArray(oi)) for (const tag of oi) add(tag);
  else add(oi);
  return tags.length > 0 ? tags : undefined;
}

// ---- Truncation ----

/** Caps every top-level value of `target` at `maxBytes` (see MapOptions.maxPayloadBytes). */
function capValues(target: Json, maxBytes: number): void {
  for (const key of Object.keys(target)) {
    const value = target[key];
    const capped = capValue(value, maxBytes);
    if (capped !== value) setOwn(target, key, capped);
  }
}

function capValue(value: unknown, maxBytes: number): unknown {
  if (typeof value === 'string') {
    if (value.length * 3 <= maxBytes) return value;
    const bytes = utf8Length(value);
    return bytes <= maxBytes ? value : cutString(value, bytes, maxBytes);
  }
  if (value === null || typeof value !== 'object') return value;
  if (!mayExceed(value, maxBytes)) return value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return UNSERIALISABLE_MARKER;
  }
  if (text === undefined) return value;
  const bytes = utf8Length(text);
  return bytes <= maxBytes ? value : cutString(text, bytes, maxBytes);
}

/**
 * A cheap upper bound on the JSON size (6 bytes per UTF-16 unit covers both
 * `\u00XX` escapes and 3-byte characters), with an early exit; a value
 * nested deeper than MAX_ESTIMATE_DEPTH counts as exceeding, so it is
 * measured exactly (and the recursion here stays shallow).
 */
function mayExceed(value: object, maxBytes: number): boolean {
  return remainingBudget(value, maxBytes, 0) < 0;
}

function remainingBudget(value: unknown, budget: number, depth: number): number {
  if (typeof value === 'string') return budget - value.length * 6 - 2;
  if (value === null || typeof value !== 'object') return budget - 24;
  if (depth >= MAX_ESTIMATE_DEPTH) return -1;
  if (Array.isArray(value)) {
    let left = budget - value.length - 2;
    for (let i = 0; i < value.length && left >= 0; i++) left = remainingBudget(value[i], left, depth + 1);
    return left;
  }
  let left = budget - 2;
  for (const key of Object.keys(value)) {
    left = remainingBudget((value as Json)[key], left - key.length * 6 - 4, depth + 1);
    if (left < 0) return left;
  }
  return left;
}

/** The first `maxBytes` UTF-8 bytes of `text` (whole characters only) plus the marker. */
function cutString(text: string, totalBytes: number, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let size = 1;
    let units = 1;
    if (c >= 0x80) {
      if (c < 0x800) size = 2;
      else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        size = 4;
        units = 2;
      } else size = 3;
    }
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += units;
  }
  return `${text.slice(0, i)}${ELLIPSIS}[truncated ${totalBytes - bytes} bytes]`;
}

// ---- Small total helpers ----

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(attrs: Attributes, key: string): string | undefined {
  const value = attrs[key];
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(attrs: Attributes, key: string): string | undefined {
  const value = attrs[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Own-property write that cannot reach a prototype, whatever the key. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Attribute arrays are copied so the run never aliases the span. */
function copyValue(value: AttributeValue): unknown {
  return Array.isArray(value) ? value.slice() : value;
}

/** JSON.parse, or undefined for invalid JSON or text over the parse limit. */
function parseJson(text: string, limit: number): unknown {
  if (text.length > limit) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Parses only text that looks like a JSON object or array (first non-space character `{` or `[`). */
function parseStructured(text: string, limit: number): unknown {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b || c === 0x5b ? parseJson(text, limit) : undefined;
  }
  return undefined;
}

/**
 * A JSON attribute (`gen_ai.input.messages` …): a string's parsed JSON, or
 * the string when it is not JSON. A non-string value is not of the
 * convention's type; it comes back as it is, and callers never read it as
 * messages (they check `typeof value === 'string'`).
 */
function jsonAttribute(value: AttributeValue, limit: number): unknown {
  if (typeof value !== 'string') return copyValue(value);
  const parsed = parseJson(value, limit);
  return parsed === undefined ? value : parsed;
}

/** The parsed JSON value, or the text itself when it is not JSON. */
function jsonOr(text: string, limit: number): unknown {
  const parsed = parseJson(text, limit);
  return parsed === undefined ? text : parsed;
}

/** A JSON object/array string parsed, any other string kept (`langsmith.metadata.*`: the SDK writes primitives with String(v)). */
function jsonContainerOr(text: string, limit: number): unknown {
  const parsed = parseStructured(text, limit);
  return parsed === undefined ? text : parsed;
}

/**
 * The ingest rule for a content attribute: a JSON object string is the dict;
 * a JSON array goes under `arrayKey` (default `wrapKey`); anything else, a
 * plain string or a non-string value, goes under `wrapKey`.
 */
function ioFromValue(value: AttributeValue, wrapKey: string, limit: number, arrayKey: string = wrapKey): Json {
  if (typeof value !== 'string') return { [Array.isArray(value) ? arrayKey : wrapKey]: copyValue(value) };
  const parsed = parseStructured(value, limit);
  if (isRecord(parsed)) return parsed;
  if (Array.isArray(parsed)) return { [arrayKey]: parsed };
  return { [wrapKey]: value };
}

/** Text for a tool result / argument: strings as they are, anything else as JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
