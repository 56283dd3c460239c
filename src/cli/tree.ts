/**
 * `langsmith-otel-bridge tree`: prints the runs of a local sink file (JSON
 * lines of `Run`, as JsonlFileSink writes them) as one tree per trace, the
 * newest trace last.
 */
import { readFile } from 'node:fs/promises';
import { isUuid, lsTraceIdFromTraceId } from '../headers/ids.js';
import { buildTree, formatTree } from '../tree/index.js';
import { microsFromTime } from '../time.js';
import type { Run } from '../mapping/types.js';
import { safeForTerminal } from '../terminal.js';
import { parseCommandArgs, usageHint } from './args.js';

/** Where the demo's JSONL sink writes when LANGSMITH_OTEL_FILE is not set. */
export const DEFAULT_RUNS_FILE = '.langsmith-otel/runs.jsonl';

export const TREE_HELP = `Usage: langsmith-otel-bridge tree [file] [options]

Prints the runs in a local sink file (JSON lines of runs, as written by the
bridge's JSONL file sink) as one tree per trace, the newest trace last.
file defaults to $LANGSMITH_OTEL_FILE, else ${DEFAULT_RUNS_FILE}; a name that
starts with "-" goes after "--" (tree -- -runs.jsonl).

Options:
  --trace ID        print only this trace: its LangSmith trace id (the root
                    run's UUID), the 32-hex OTel form of it, or a unique prefix
  --ids             show each run's id
  --color           ANSI colours (default: when stdout is a terminal and
  --no-color        NO_COLOR is not set)
  -h, --help        show this help

Blank lines are skipped; lines that are not runs are counted and reported on
stderr, with the reason. Exit status: 0 on success; 1 when the file is missing,
empty or holds no run, or the trace is not in it; 2 for a usage error.
`;

export interface TreeIo {
  out(text: string): void;
  err(text: string): void;
  stdoutIsTTY: boolean;
  env: Record<string, string | undefined>;
}

const USAGE_HINT = usageHint('tree');

const TREE_OPTIONS = {
  trace: { type: 'string' },
  ids: { type: 'boolean' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `tree` with its arguments (after the command name); resolves to the exit status. */
export async function runTree(args: readonly string[], terminal: TreeIo): Promise<number> {
  // Messages may quote the file (trace ids): their control characters are shown, not obeyed.
  // The trees themselves are made safe field by field in formatTree, around its colours.
  const io: TreeIo = { ...terminal, err: (text) => terminal.err(safeForTerminal(text, { keepNewlines: true })) };
  const result = parseCommandArgs(args, TREE_OPTIONS, true);
  if (!result.ok) return usage(io, `tree: ${result.problem}.`);
  let traceQuery: string | undefined;
  let color: boolean | undefined;
  let ids = false;
  // Tokens in order: the last of --color / --no-color wins.
  for (const token of result.parsed.tokens) {
    if (token.kind !== 'option') continue;
    switch (token.name) {
      case 'help':
        io.out(TREE_HELP);
        return 0;
      case 'ids':
        ids = true;
        break;
      case 'color':
        color = true;
        break;
      case 'no-color':
        color = false;
        break;
      case 'trace':
        if (token.value === '') return usage(io, 'tree: --trace needs a trace id.');
        traceQuery = token.value;
        break;
    }
  }
  const positionals = result.parsed.positionals;
  if (positionals.length > 1) {
    return usage(io, `tree: one file at a time (got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(', ')}).`);
  }
  let file = positionals[0];
  file ??= io.env.LANGSMITH_OTEL_FILE || DEFAULT_RUNS_FILE;
  color ??= io.stdoutIsTTY && !io.env.NO_COLOR;

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      io.err(
        `tree: ${file} does not exist.\n` +
          "Runs are written there by the bridge's JSONL file sink: run the demo (`npm run demo` writes " +
          `${DEFAULT_RUNS_FILE}), or set LANGSMITH_OTEL_FILE=<path> in the service you trace, then pass that path.\n`,
      );
    } else {
      io.err(`tree: cannot read ${file}: ${(err as Error).message}\n`);
    }
    return 1;
  }

  const { traces, lines, skipped } = readRuns(text);
  if (traces.length === 0) {
    io.err(lines === 0 ? emptyFileMessage(file, text) : noRunsMessage(file, lines, skipped));
    return 1;
  }
  if (skipped.length > 0) {
    io.err(`warning: skipped ${count(skipped.length, 'line')} that ${skipped.length === 1 ? 'is' : 'are'} not a run: ${describeSkipped(skipped)}\n`);
  }

  let selected = traces;
  if (traceQuery !== undefined) {
    const found = findTrace(traces, traceQuery);
    if (typeof found === 'string') {
      io.err(`tree: ${found}\n`);
      return 1;
    }
    selected = [found];
  }
  const blocks = selected.map((trace) => formatTrace(trace, { color, ids }));
  io.out(blocks.join('\n\n') + '\n');
  return 0;
}

function usage(io: TreeIo, message: string): number {
  io.err(`${message}\n${USAGE_HINT}\n`);
  return 2;
}

export interface TraceRuns {
  lsTraceId: string;
  runs: Run[];
  /** Earliest start among the runs (µs), for ordering. */
  startMicros: number;
}

/** Why a non-blank line is not a run. */
export type SkipReason = 'not-json' | 'not-object' | 'no-id';

export interface SkippedLine {
  /** 1-based line number in the file. */
  line: number;
  reason: SkipReason;
}

/**
 * JSON lines → runs grouped by LangSmith trace id, oldest trace first. A run
 * written twice (a retried batch) keeps its last version. Blank lines are
 * skipped silently and not counted in `lines`; other lines that are not run
 * objects are returned by line number, with the reason.
 */
export function readRuns(text: string): { traces: TraceRuns[]; lines: number; skipped: SkippedLine[] } {
  const skipped: SkippedLine[] = [];
  const byId = new Map<string, Run>();
  const lines = text.split('\n');
  let nonBlank = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    nonBlank++;
    const run = parseRun(line);
    if (typeof run === 'string') skipped.push({ line: i + 1, reason: run });
    else byId.set(run.id, run);
  }
  const traces = new Map<string, TraceRuns>();
  for (const run of byId.values()) {
    const lsTraceId = run.trace_id!;
    let trace = traces.get(lsTraceId);
    if (!trace) traces.set(lsTraceId, (trace = { lsTraceId, runs: [], startMicros: Number.POSITIVE_INFINITY }));
    trace.runs.push(run);
    const start = microsFromTime(run.start_time);
    if (start !== undefined && start < trace.startMicros) trace.startMicros = start;
  }
  // Stable sort: traces without a readable time keep file order, after the rest.
  const ordered = [...traces.values()].sort((a, b) => (a.startMicros === b.startMicros ? 0 : a.startMicros < b.startMicros ? -1 : 1));
  return { traces: ordered, lines: nonBlank, skipped };
}

const SKIP_REASONS: Record<SkipReason, (n: number) => string> = {
  'not-json': (n) => `${n} ${n === 1 ? 'is' : 'are'} not JSON`,
  'not-object': (n) => `${n} ${n === 1 ? 'is JSON but not an object' : 'are JSON but not objects'}`,
  'no-id': (n) => `${n} ${n === 1 ? 'is an object' : 'are objects'} without a string "id"`,
};

/** `2 are not JSON (line 1, 3); 1 is an object without a string "id" (line 2)`: each reason once, in file order. */
export function describeSkipped(skipped: readonly SkippedLine[]): string {
  const byReason = new Map<SkipReason, number[]>();
  for (const { line, reason } of skipped) {
    const numbers = byReason.get(reason) ?? [];
    if (numbers.length === 0) byReason.set(reason, numbers);
    numbers.push(line);
  }
  return [...byReason]
    .map(([reason, numbers]) => `${SKIP_REASONS[reason](numbers.length)} (line ${numbers.slice(0, 10).join(', ')}${numbers.length > 10 ? ', …' : ''})`)
    .join('; ');
}

const FILE_FORMAT = 'tree reads JSON lines: one run object with an "id" per line, as the bridge\'s JSONL file sink writes them.';

function emptyFileMessage(file: string, text: string): string {
  const blank = text.length === 0 ? 'empty' : 'empty (blank lines only)';
  return (
    `tree: ${file} is ${blank}: no run has been written to it yet.\n` +
    'The JSONL file sink appends a line per run as the bridge exports its spans (in batches): ' +
    'let the traced service handle a request, or shut it down so it flushes, then try again.\n'
  );
}

function noRunsMessage(file: string, lines: number, skipped: readonly SkippedLine[]): string {
  const none = lines === 1 ? 'its only line is not a run' : `none of its ${lines} lines is a run`;
  return `tree: no runs in ${file}: ${none} — ${describeSkipped(skipped)}.\n${FILE_FORMAT}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A line as a Run (an object with a string id; missing fields get what the tree needs), or why it is not one. */
function parseRun(line: string): Run | SkipReason {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not-json';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not-object';
  const run = value as Partial<Run>;
  if (typeof run.id !== 'string' || run.id === '') return 'no-id';
  const dotted = typeof run.dotted_order === 'string' ? run.dotted_order : undefined;
  // The trace id of a run without one is its dotted order's first UUID, else the run itself.
  const traceId = typeof run.trace_id === 'string' && run.trace_id !== '' ? run.trace_id : dotted ? dotted.slice(22, 58) : run.id;
  return {
    ...(run as Run),
    trace_id: traceId,
    name: typeof run.name === 'string' ? run.name : '',
    run_type: typeof run.run_type === 'string' ? run.run_type : 'chain',
    error: typeof run.error === 'string' ? run.error : undefined,
  };
}

/** One trace by id, OTel hex id or unique prefix; a message when none or several match. */
function findTrace(traces: TraceRuns[], query: string): TraceRuns | string {
  const q = query.trim().toLowerCase();
  const id = /^[0-9a-f]{32}$/.test(q) ? lsTraceIdFromTraceId(q) : q;
  const exact = traces.find((t) => t.lsTraceId === id);
  if (exact) return exact;
  if (!isUuid(id)) {
    const matches = traces.filter((t) => t.lsTraceId.startsWith(id) || t.lsTraceId.replace(/-/g, '').startsWith(id));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) return `${matches.length} traces start with ${query}: ${matches.map((t) => t.lsTraceId).join(', ')}`;
  }
  return `no trace ${query} (traces in the file: ${traces.map((t) => t.lsTraceId).join(', ')})`;
}

/** A trace as text: the tree of its root, then any run whose parent is not in the file, as its own tree. */
export function formatTrace(trace: TraceRuns, options: { color: boolean; ids: boolean }): string {
  const roots = buildTree(trace.runs);
  const project = trace.runs.find((r) => r.id === trace.lsTraceId)?.session_name ?? trace.runs[0]?.session_name ?? 'default';
  const parts: string[] = [];
  roots.forEach((root, i) => {
    const tree = { lsTraceId: trace.lsTraceId, project, runs: trace.runs.length, root };
    const lines = formatTree(tree, { color: options.color, ids: options.ids, header: i === 0 }).split('\n');
    const parentId = (root.run as Run).parent_run_id;
    if (parentId) lines.splice(i === 0 ? 1 : 0, 0, `(parent run ${safeForTerminal(parentId)} is not in the file)`);
    parts.push(lines.join('\n'));
  });
  return parts.join('\n');
}
