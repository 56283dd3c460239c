/** A run's inputs: the first rule that yields a value wins (MAPPING.md "inputs"). */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import * as C from '../conventions.js';
import type { SpanEventLike } from '../types.js';
import { flatMessage, normaliseMessage, openInferenceMessages } from './messages.js';
import { type Cx, ordered } from './scan.js';
import { traceloopEntity } from './traceloop-entity.js';
import { copyValue, ioFromValue, isRecord, type Json, jsonAttribute, jsonOr, parseJson, parseStructured, str } from './values.js';

/** First rule that yields a value wins (MAPPING.md "inputs"). */
export function inputsOf(cx: Cx): Json | undefined {
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
export function infrastructureInputs(attrs: Attributes): Json | undefined {
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
    return service === undefined ? { method: copyValue(rpcMethod) } : { service: copyValue(service), method: copyValue(rpcMethod) };
  }
  return undefined;
}
