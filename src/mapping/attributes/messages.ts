/**
 * Messages in the OpenAI chat shape: normalised from OTel GenAI parts and
 * Vercel content parts, or assembled from the flattened, indexed attributes
 * of Traceloop and OpenInference.
 */
import type { AttributeValue } from '@opentelemetry/api';
import * as C from '../conventions.js';
import { type Fields, type Indexed, ordered, subIndexed } from './scan.js';
import { asText, isRecord, type Json, parseJson } from './values.js';

/**
 * Appends the OpenAI-style form of one message to `out`: `{role, content,
 * name?, tool_calls?}`, content a string when it is one text part, else a
 * list of blocks (text → `{type:'text', text}`, images → `image_url`, other
 * parts kept as they are). Each tool result becomes its own `{role:'tool',
 * tool_call_id, content}` message, placed first. Accepts the GenAI part
 * names (`tool_call`, `tool_call_response`, `blob`, `uri`) and Vercel's
 * (`tool-call`, `tool-result`, `image`).
 */
export function normaliseMessage(raw: unknown, partsKey: 'parts' | 'content', defaultRole: string, out: unknown[]): void {
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
export function toolCall(id: unknown, name: unknown, args: unknown): Json {
  const call: Json = {};
  if (typeof id === 'string') call.id = id;
  call.type = 'function';
  call.function = {
    name: typeof name === 'string' ? name : name === undefined ? '' : asText(name),
    arguments: typeof args === 'string' ? args : args === undefined ? '{}' : asText(args),
  };
  return call;
}

export function flatMessage(fields: Fields, defaultRole: string, parseLimit: number): Json {
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
export function openInferenceMessages(indexed: Indexed | undefined, wrap: (messages: Json[]) => Json): Json | undefined {
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
