/**
 * The cheap encoder of encoding (a) for spans that carry only infrastructure
 * attributes (HTTP, URL, database, RPC, network, peer): what the full mapping
 * (spanToRun → runToAttributes) would write about such a span's own data,
 * without the attribute and event scans, the message rules or a Run object
 * (issue 10, "fast path").
 *
 * Equivalence with the full path is the contract: every attribute key this
 * module lets through is one the mapping either ignores or reads only through
 * the functions called here (nameOf, runTypeOf, infrastructureInputs,
 * infrastructureOutputs, capValues), and test/fast-path.test.ts checks the
 * two paths against each other on generated spans.
 */
import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { capValues, httpName, infrastructureInputs, infrastructureOutputs } from './attributes/index.js';
import { runTypeOf } from './attributes/name-and-type.js';
import {
  AI_PREFIX,
  DEFAULT_RUN_TYPE,
  ERROR_TYPE,
  EXCEPTION_EVENT,
  GEN_AI_COMPLETION,
  GEN_AI_PROMPT,
  LANGSMITH_NAME,
  LANGSMITH_RUN_TYPE,
} from './conventions.js';
import type { SpanLike } from './types.js';

/**
 * Attribute prefixes of the OTel HTTP, URL, database, RPC and network
 * semantic conventions. The mapping reads only the keys named in
 * conventions.ts ("General OTel conventions") among them, and those only
 * through the rules called below; every other key under these prefixes it
 * ignores. Grouped by first character: one switch, then a few startsWith.
 */
const INFRA_PREFIXES: Readonly<Record<number, readonly string[]>> = {
  0x68: ['http.'], // h
  0x75: ['url.', 'user_agent.'], // u
  0x64: ['db.'], // d
  0x72: ['rpc.'], // r
  0x6e: ['net.', 'network.'], // n
  0x73: ['server.'], // s
  0x63: ['client.'], // c
  0x70: ['peer.'], // p
};

/** True when every attribute key is an infrastructure one (see INFRA_PREFIXES; `error.type` too). */
export function onlyInfrastructureAttributes(attributes: Attributes): boolean {
  for (const key in attributes) {
    const prefixes = INFRA_PREFIXES[key.charCodeAt(0)];
    if (prefixes === undefined) {
      // Read only as the error text of an ERROR span, which never comes here.
      if (key === ERROR_TYPE) continue;
      return false;
    }
    let known = false;
    for (let i = 0; i < prefixes.length; i++) {
      if (key.startsWith(prefixes[i]!)) {
        known = true;
        break;
      }
    }
    if (!known) return false;
  }
  return true;
}

/**
 * Whether the full mapping reads nothing from this span but its
 * infrastructure attributes: a string name that is not a Vercel AI SDK
 * operation (`ai.*`), status not ERROR (an error is written), no
 * `exception` or `gen_ai.*` event (errors, messages), and only
 * infrastructure attribute keys.
 */
export function isInfrastructureSpan(span: SpanLike): boolean {
  const name = span.name;
  if (typeof name !== 'string' || name.startsWith(AI_PREFIX)) return false;
  if (span.status?.code === SpanStatusCode.ERROR) return false;
  const events = span.events;
  if (!Array.isArray(events)) return false;
  for (let i = 0; i < events.length; i++) {
    const eventName = events[i]?.name;
    if (typeof eventName !== 'string' || eventName === EXCEPTION_EVENT || eventName.startsWith('gen_ai.')) return false;
  }
  const attributes = span.attributes;
  return attributes !== undefined && attributes !== null && onlyInfrastructureAttributes(attributes);
}

/**
 * For a span isInfrastructureSpan accepts: the attributes the full mapping
 * would add about its own data, written into `out` — `langsmith.trace.name`
 * where the run name differs from the span name (`POST /ask`),
 * `langsmith.span.kind` where the type is not `chain` (a database call is a
 * tool), `gen_ai.prompt` (`{method,url}`, `{query}`, `{service,method}`) and
 * `gen_ai.completion` (`{status_code}`). Returns how many were written (0:
 * ingest derives everything about this span's data).
 */
export function infrastructureAttributes(span: SpanLike, maxPayloadBytes: number, out: Attributes): number {
  const attributes = span.attributes;
  let written = 0;
  const name = httpName(attributes, span.name);
  if (name !== undefined && name !== span.name) {
    out[LANGSMITH_NAME] = name;
    written++;
  }
  const runType = runTypeOf(attributes, undefined);
  if (runType !== DEFAULT_RUN_TYPE) {
    out[LANGSMITH_RUN_TYPE] = runType;
    written++;
  }
  const inputs = infrastructureInputs(attributes);
  if (inputs !== undefined) {
    if (maxPayloadBytes !== Infinity) capValues(inputs, maxPayloadBytes);
    out[GEN_AI_PROMPT] = JSON.stringify(inputs);
    written++;
  }
  const outputs = infrastructureOutputs(attributes);
  if (outputs !== undefined) {
    if (maxPayloadBytes !== Infinity) capValues(outputs, maxPayloadBytes);
    out[GEN_AI_COMPLETION] = JSON.stringify(outputs);
    written++;
  }
  return written;
}
