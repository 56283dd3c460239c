/**
 * The single pass over attributes (prefix checks, no regexes) and the one over
 * events, and the per-span context every rule reads.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import * as C from '../conventions.js';
import type { RunType, SpanEventLike } from '../types.js';

/** An index in `gen_ai.prompt.N.…` has at most this many digits. */
const MAX_INDEX_DIGITS = 9;

export type Fields = Map<string, AttributeValue>;
export type Indexed = Map<number, Fields>;

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

export interface Cx {
  attrs: Attributes;
  scan: Scan;
  events: readonly SpanEventLike[];
  ev: EventScan;
  runType: RunType;
  parseLimit: number;
}

export function scanAttributes(attrs: Attributes): Scan {
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
          scan.rerankedDocuments = addIndexed(scan.rerankedDocuments, key, C.RERANKER_OUTPUT_DOCUMENTS_PREFIX.length, attrs[key]);
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
export function subIndexed(fields: Fields, prefix: string): Indexed | undefined {
  let sub: Indexed | undefined;
  for (const [key, value] of fields) {
    if (key.startsWith(prefix)) sub = addIndexed(sub, key, prefix.length, value);
  }
  return sub;
}

export function ordered(indexed: Indexed): Fields[] {
  return [...indexed.keys()].sort((a, b) => a - b).map((k) => indexed.get(k)!);
}

export function scanEvents(events: readonly SpanEventLike[]): EventScan {
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
