/**
 * A trace tree as indented text for a terminal:
 *
 *   trace 0190…-…4d0b5 · project demo · 3 runs
 *   handle-request  chain  41.2 ms
 *   ├─ retrieve  retriever  6.0 ms
 *   └─ generate  llm  30.5 ms  ✗ RateLimitError: slow down
 */
import { safeForTerminal } from '../terminal.js';
import { microsFromTime } from '../time.js';
import type { TreeNode } from './build-tree.js';

/**
 * What a line shows of a run: the ingest server's stored runs and the bridge's
 * own `Run` both fit. Declared here, not picked from either, so that sinks/
 * (the library's runtime path) and ingest/ (the dev server) both depend on
 * this module and neither on the other (issue 13).
 */
export interface TreeRun {
  id: string;
  name: string;
  run_type: string;
  start_time?: string | undefined;
  end_time?: string | undefined;
  error?: string | undefined;
}

/** A tree to print: `lsTraceId`, `project` and `runs` feed the header line. */
export interface PrintableTree {
  lsTraceId: string;
  project: string;
  runs: number;
  root: TreeNode;
}

export interface FormatTreeOptions {
  /** ANSI colours (default false: plain text, safe for logs and tests). */
  color?: boolean;
  /** Append each run's id (default false). */
  ids?: boolean;
  /** Start with a `trace … · project … · N runs` line (default true). */
  header?: boolean;
  /** Errors are cut to their first line and at most this many characters (default 80). */
  maxErrorLength?: number;
}

const BRANCH = '├─ ';
const LAST_BRANCH = '└─ ';
const PIPE = '│  ';
const SPACE = '   ';
const ERROR_MARK = '✗';

const ANSI = { bold: '\u001b[1m', dim: '\u001b[2m', red: '\u001b[31m', cyan: '\u001b[36m', reset: '\u001b[0m' };

export function formatTree(tree: PrintableTree, options: FormatTreeOptions = {}): string {
  const color = options.color ?? false;
  const paint = (code: string, text: string): string => (color ? `${code}${text}${ANSI.reset}` : text);
  const lines: string[] = [];
  if (options.header ?? true) {
    const count = `${tree.runs} run${tree.runs === 1 ? '' : 's'}`;
    lines.push(paint(ANSI.dim, `trace ${safeForTerminal(tree.lsTraceId)} · project ${safeForTerminal(tree.project)} · ${count}`));
  }
  // Iterative depth-first walk: a deep lineage cannot overflow the stack.
  const stack: Array<{ node: TreeNode; prefix: string; branch: string }> = [{ node: tree.root, prefix: '', branch: '' }];
  while (stack.length > 0) {
    const { node, prefix, branch } = stack.pop()!;
    lines.push(prefix + branch + formatRun(node.run, options, paint));
    const childPrefix = prefix + (branch === '' ? '' : branch === LAST_BRANCH ? SPACE : PIPE);
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({
        node: node.children[i]!,
        prefix: childPrefix,
        branch: i === node.children.length - 1 ? LAST_BRANCH : BRANCH,
      });
    }
  }
  return lines.join('\n');
}

function formatRun(run: TreeRun, options: FormatTreeOptions, paint: (code: string, text: string) => string): string {
  // Names, types, ids and errors come from the wire: their control characters are shown, not obeyed.
  const name = safeForTerminal(run.name || '(unnamed)');
  let line = `${paint(ANSI.bold, name)}  ${paint(ANSI.cyan, safeForTerminal(run.run_type))}  ${formatDuration(run)}`;
  if (options.ids ?? false) line += `  ${paint(ANSI.dim, safeForTerminal(run.id))}`;
  if (run.error !== undefined && run.error !== '') {
    const max = options.maxErrorLength ?? 80;
    let text = run.error.split('\n', 1)[0]!.trim();
    if (text.length > max) text = `${text.slice(0, Math.max(0, max - 1))}…`;
    line += `  ${paint(ANSI.red, `${ERROR_MARK} ${safeForTerminal(text)}`)}`;
  }
  return line;
}

/** `12.3 ms` below 100 ms, `1234 ms` above; `running` without an end time. */
export function formatDuration(run: Pick<TreeRun, 'start_time' | 'end_time'>): string {
  const start = microsFromTime(run.start_time);
  const end = microsFromTime(run.end_time);
  if (start === undefined || end === undefined) return 'running';
  const ms = Math.max(0, end - start) / 1000;
  return `${ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
}
