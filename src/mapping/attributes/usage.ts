/** Token usage (`usage_metadata`). */
import type { Attributes } from '@opentelemetry/api';
import * as C from '../conventions.js';
import type { UsageMetadata } from '../types.js';
import type { Cx } from './scan.js';
import { isRecord, parseStructured, setOwn } from './values.js';

// Token counts: per field, the first name holding a valid count wins
// (GenAI registry > deprecated GenAI > OpenInference > Vercel v5 > v4).
const INPUT_TOKEN_KEYS = [
  C.GEN_AI_USAGE_INPUT_TOKENS,
  C.GEN_AI_USAGE_PROMPT_TOKENS,
  C.LLM_TOKEN_COUNT_PROMPT,
  C.AI_USAGE_INPUT_TOKENS,
  C.AI_USAGE_PROMPT_TOKENS,
];
const OUTPUT_TOKEN_KEYS = [
  C.GEN_AI_USAGE_OUTPUT_TOKENS,
  C.GEN_AI_USAGE_COMPLETION_TOKENS,
  C.LLM_TOKEN_COUNT_COMPLETION,
  C.AI_USAGE_OUTPUT_TOKENS,
  C.AI_USAGE_COMPLETION_TOKENS,
];
const TOTAL_TOKEN_KEYS = [C.GEN_AI_USAGE_TOTAL_TOKENS, C.LLM_TOKEN_COUNT_TOTAL, C.AI_USAGE_TOTAL_TOKENS];
/** LangSmith detail name ← attribute names, the first holding a valid count wins. */
const INPUT_DETAIL_KEYS: ReadonlyArray<readonly [string, readonly string[]]> = [
  [
    'cache_read',
    [C.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, C.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_OLD, C.LLM_TOKEN_COUNT_PROMPT_CACHE_READ, C.AI_USAGE_CACHED_INPUT_TOKENS],
  ],
  ['cache_creation', [C.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, C.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_OLD, C.LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE]],
  ['audio', [C.LLM_TOKEN_COUNT_PROMPT_AUDIO]],
];
const OUTPUT_DETAIL_KEYS: ReadonlyArray<readonly [string, readonly string[]]> = [
  [
    'reasoning',
    [
      C.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
      C.GEN_AI_USAGE_REASONING_TOKENS_OLD,
      C.GEN_AI_USAGE_DETAILS_REASONING_TOKENS,
      C.LLM_TOKEN_COUNT_COMPLETION_REASONING,
      C.AI_USAGE_REASONING_TOKENS,
    ],
  ],
  ['audio', [C.LLM_TOKEN_COUNT_COMPLETION_AUDIO]],
];

/**
 * `langsmith.usage_metadata` (JSON) wins on any run. Otherwise tokens are
 * read only for llm and embedding runs: LangSmith sums child usage into every
 * ancestor, so usage on a wrapper (Vercel's outer `ai.generateText`, which
 * repeats its model call's `ai.usage.*`) would be counted twice — the SDK's
 * exporter sets usage only on Vercel model-call spans for that reason.
 */
export function usageOf(cx: Cx): UsageMetadata | undefined {
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
export function toInt(value: unknown): number | undefined {
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
