/** Invocation parameters, metadata and tags. */
import type { Attributes } from '@opentelemetry/api';
import * as C from '../conventions.js';
import type { UsageMetadata } from '../types.js';
import type { Cx } from './scan.js';
import { copyValue, isRecord, type Json, jsonContainerOr, nonEmpty, parseStructured, setOwn, str } from './values.js';

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

/** `llm.invocation_parameters` JSON < Vercel `ai.settings.*` (+ `ai.model.id`) < `gen_ai.request.*`. */
export function invocationParamsOf(cx: Cx): Json | undefined {
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
 * Metadata, later sources overriding earlier ones: derived keys (`ls_*` as
 * the SDK's wrappers write them, thread ids) < OpenInference `metadata` <
 * Traceloop association properties < `ai.telemetry.metadata.*` <
 * `langsmith.metadata.*`; then `usage_metadata`. Nothing else is copied: the
 * run keeps what LangSmith reads, not a dump of the span (the raw span can be
 * exported to an OTel backend instead).
 */
export function metadataOf(cx: Cx, params: Json | undefined, usage: UsageMetadata | undefined): { metadata: Json; runName: string | undefined } {
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
export function tagsOf(attrs: Attributes): string[] | undefined {
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
