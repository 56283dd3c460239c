/**
 * `langsmith-otel-bridge inspect`: the command line. Reads one request's
 * tracing headers from options or from curl -v style lines on stdin, and
 * prints the inspection (inspection.ts) as text (inspect-text.ts) or JSON.
 */
import { BAGGAGE_HEADER, LANGSMITH_TRACE_HEADER, TRACE_PARENT_HEADER, TRACE_STATE_HEADER } from '../constants.js';
import { quote } from '../headers/result.js';
import { trimOws } from '../headers/traceparent.js';
import { safeForTerminal, safeJsonForTerminal } from '../terminal.js';
import { parseCommandArgs, usageHint } from './args.js';
import { formatInspection } from './inspect-text.js';
import { inspectHeaders, TRACING_HEADER_NAMES, type HeaderValues } from './inspection.js';

export const INSPECT_HELP = `Usage: langsmith-otel-bridge inspect [headers] [--json]

Decodes the tracing headers of one request and shows both id worlds side by
side: OTel trace id, parent span id and flags (traceparent) and LangSmith
trace id, parent run id and dotted order (langsmith-trace); the conversions
between them; whether the two families name the same hop; the tracestate and
baggage members (langsmith-metadata, -tags and -project decoded); and what is
invalid, with the reason.

Headers, any of:
  --traceparent VALUE       --tracestate VALUE
  --langsmith-trace VALUE   --baggage VALUE
  -H, --header 'NAME: VALUE'   (repeatable; other header names are ignored)
  or, with none of these and stdin not a terminal, header lines on stdin:
  "name: value" lines as printed by curl -v (lines starting "> " are request
  headers; "< " response lines and anything else are ignored).

Options:
  --json       print a machine-readable object instead of text
  -h, --help   show this help

The rules cited are in the README: the id conversions (rules 1-3) in
"Propagation modes › Ids", what extract does with each combination of headers
in "Propagation modes", the sizes and grammars accepted in "Limits".

Exit status: 0 when every header present is valid, 1 when one is invalid,
2 for a usage error.

Examples:
  langsmith-otel-bridge inspect --traceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
  curl -sv -o /dev/null http://localhost:3000/ 2>&1 | langsmith-otel-bridge inspect
`;

export interface InspectIo {
  out(text: string): void;
  err(text: string): void;
  stdinIsTTY: boolean;
  readStdin(): Promise<string>;
}

/** The header options, by parseArgs option name. */
const FLAG_HEADERS: Record<string, string> = {
  traceparent: TRACE_PARENT_HEADER,
  tracestate: TRACE_STATE_HEADER,
  'langsmith-trace': LANGSMITH_TRACE_HEADER,
  baggage: BAGGAGE_HEADER,
};

const INSPECT_OPTIONS = {
  traceparent: { type: 'string', multiple: true },
  tracestate: { type: 'string', multiple: true },
  'langsmith-trace': { type: 'string', multiple: true },
  baggage: { type: 'string', multiple: true },
  header: { type: 'string', short: 'H', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE_HINT = usageHint('inspect');

/** `inspect` with its arguments (after the command name); resolves to the exit status. */
export async function runInspect(args: readonly string[], io: InspectIo): Promise<number> {
  const result = parseCommandArgs(args, INSPECT_OPTIONS, false);
  if (!result.ok) return usage(io, `inspect: ${result.problem}.`);
  const values: HeaderValues = {};
  const add = (name: string, value: string) => (values[name] ??= []).push(value);
  let fromFlags = false;
  let json = false;
  // Tokens, not values: -H and --traceparent for the same header keep their command-line order.
  for (const token of result.parsed.tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'help') {
      io.out(INSPECT_HELP);
      return 0;
    }
    if (token.name === 'json') {
      json = true;
      continue;
    }
    const value = token.value!;
    fromFlags = true;
    const flagHeader = FLAG_HEADERS[token.name];
    if (flagHeader !== undefined) {
      add(flagHeader, value);
      continue;
    }
    const line = parseHeaderLine(value);
    if (!line) return usage(io, `inspect: ${token.rawName} takes 'name: value', got ${quote(value)}.`);
    if (TRACING_HEADER_NAMES.includes(line.name)) add(line.name, line.value);
  }

  if (!fromFlags) {
    if (io.stdinIsTTY) return usage(io, 'inspect: no headers given.');
    for (const line of (await io.readStdin()).split('\n')) {
      const parsed = parseStdinLine(line);
      if (parsed && TRACING_HEADER_NAMES.includes(parsed.name)) add(parsed.name, parsed.value);
    }
  }
  if (!TRACING_HEADER_NAMES.some((name) => values[name])) {
    return usage(io, `inspect: no tracing header found (looked for ${TRACING_HEADER_NAMES.join(', ')}${fromFlags ? '' : ' on stdin'}).`);
  }

  const inspection = inspectHeaders(values);
  io.out(json ? safeJsonForTerminal(JSON.stringify(inspection, null, 2)) + '\n' : formatInspection(inspection));
  return inspection.valid ? 0 : 1;
}

function usage(io: InspectIo, message: string): number {
  io.err(`${safeForTerminal(message)}\n${USAGE_HINT}\n`);
  return 2;
}

const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*)$/;

/** `Name: value` → lowercase name and the value (OWS-trimmed); undefined when it is not a header line. */
function parseHeaderLine(line: string): { name: string; value: string } | undefined {
  const m = HEADER_LINE.exec(line.replace(/\r$/, ''));
  return m ? { name: m[1]!.toLowerCase(), value: trimOws(m[2]!) } : undefined;
}

/** A stdin line: request headers bare or after curl -v's "> "; response ("< ") and other lines skipped. */
function parseStdinLine(line: string): { name: string; value: string } | undefined {
  if (line.startsWith('<') || line.startsWith('*')) return undefined;
  return parseHeaderLine(line.startsWith('>') ? line.slice(1).trimStart() : line);
}
