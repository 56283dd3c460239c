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
export { DEFAULT_MAX_PAYLOAD_BYTES, MIN_JSON_PARSE_LIMIT, mapAttributes, payloadLimit, type MapOptions } from './map.js';
export { exceptionHead } from './error-and-events.js';
export { UNSERIALISABLE_MARKER, capValues } from './truncation.js';
// The infrastructure rules alone, for the processor's fast path (mapping/infrastructure.ts).
export { infrastructureInputs } from './inputs.js';
export { infrastructureOutputs } from './outputs.js';
export { httpName } from './name-and-type.js';
