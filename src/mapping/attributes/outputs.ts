/** A run's outputs: the first rule that yields a value wins (MAPPING.md "outputs"). */
import type { Attributes } from '@opentelemetry/api';
import * as C from '../conventions.js';
import { flatMessage, normaliseMessage, openInferenceMessages, toolCall } from './messages.js';
import { type Cx, ordered } from './scan.js';
import { traceloopEntity } from './traceloop-entity.js';
import { toInt } from './usage.js';
import { copyValue, ioFromValue, isRecord, type Json, jsonAttribute, parseJson, parseStructured } from './values.js';

/**
 * First rule that yields a value wins (MAPPING.md "outputs"). Chat output is
 * the OpenAI Chat Completions shape `{choices: [{index, message,
 * finish_reason}]}`, one of the three formats LangSmith renders as chat
 * (docs "Log LLM calls") and what its OpenAI wrapper logs.
 */
export function outputsOf(cx: Cx): Json | undefined {
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
  const message: Json = isRecord(parsed) ? { role: 'assistant', ...parsed } : { role: 'assistant', content: content === undefined ? '' : copyValue(content) };
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
        isRecord(call) ? toolCall(call.toolCallId ?? call.id, call.toolName ?? call.name, call.input !== undefined ? call.input : call.args) : call,
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

/** The HTTP response status; last resort for non-GenAI spans. */
export function infrastructureOutputs(attrs: Attributes): Json | undefined {
  const status = attrs[C.HTTP_RESPONSE_STATUS_CODE] ?? attrs[C.HTTP_STATUS_CODE_OLD];
  return status === undefined ? undefined : { status_code: copyValue(status) };
}
