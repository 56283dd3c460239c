/**
 * `inspect`'s text output: the Inspection (inspection.ts) as the table a
 * person reads — headers with their verdicts, the ids of both worlds side by
 * side, the dotted order, the conversions, the decoded members, the problems.
 */
import {
  BAGGAGE_HEADER,
  LANGSMITH_METADATA_MEMBER,
  LANGSMITH_TAGS_MEMBER,
  LANGSMITH_TRACE_HEADER,
  TRACE_FLAG_RANDOM,
  TRACE_FLAG_SAMPLED,
  TRACE_PARENT_HEADER,
  TRACE_STATE_HEADER,
} from '../constants.js';
import { clip } from '../headers/result.js';
import { safeForTerminal } from '../terminal.js';
import { TRACING_HEADER_NAMES, type Inspection } from './inspection.js';

/**
 * Where the rules shown are documented: README sections, the package's manual
 * (a source path would send a reader to code that may change under it).
 */
const README_MODES = 'README › Propagation modes';
const README_IDS = `${README_MODES} › Ids`;
const README_LIMITS = 'README › Limits';

/** Column where values start, after labels. */
const LABEL = 20;
const OTEL_COLUMN = 38;

export function formatInspection(r: Inspection): string {
  const out: string[] = [];
  const row = (label: string, otel: string, ls: string) => out.push(`  ${label.padEnd(LABEL - 2)}${otel.padEnd(OTEL_COLUMN)}${ls}`.trimEnd());

  out.push('headers');
  for (const name of TRACING_HEADER_NAMES) {
    const value = r.headers[name];
    if (value === undefined) {
      out.push(`  · ${name.padEnd(LABEL - 4)}(absent)`);
      continue;
    }
    const report = reportOf(r, name);
    const ok = report === null ? true : report.valid;
    out.push(`  ${ok ? '✓' : '✗'} ${name.padEnd(LABEL - 4)}${value === '' ? '(empty)' : clip(value, 80)}`);
    if (report && !report.valid && report.reason !== undefined) out.push(`${' '.repeat(LABEL)}${report.reason}`);
    if (name === BAGGAGE_HEADER && r.baggage && !r.baggage.valid) {
      for (const problem of r.baggage.problems) out.push(`${' '.repeat(LABEL)}${problem.replace(/^baggage:? ?/, '')}`);
    }
  }

  const tp = r.traceparent?.valid ? r.traceparent : undefined;
  const ls = r.langsmithTrace?.valid ? r.langsmithTrace : undefined;
  if (tp || ls) {
    out.push('');
    out.push(`ids${' '.repeat(LABEL - 3)}${'OpenTelemetry (traceparent)'.padEnd(OTEL_COLUMN)}LangSmith (langsmith-trace)`);
    row('trace id', tp?.traceId ?? '—', ls?.lsTraceId ?? '—');
    row('parent', tp ? `span ${tp.spanId}` : '—', ls ? `run ${ls.runId}` : '—');
    if (tp) row('flags', `${hex2(tp.flags)} ${describeFlags(tp.flags)}${tp.version === '00' ? '' : ` (version ${tp.version})`}`, '');
    if (ls) row('depth', '', `${ls.depth} ${ls.depth === 1 ? 'segment: the caller is the root run' : 'segments'}`);
  }

  if (ls) {
    out.push('');
    out.push(`dotted order (${ls.depth} segment${ls.depth === 1 ? '' : 's'})`);
    const width = String(ls.depth).length;
    ls.segments.forEach((s, i) => {
      const roles: string[] = [];
      if (i === 0) roles.push('root run = LangSmith trace id');
      if (i === ls.segments.length - 1) roles.push("caller's run = parent of the receiver's runs");
      out.push(`  ${String(i + 1).padStart(width)}  ${s.time}  ${s.runId}${roles.length ? `  ${roles.join('; ')}` : ''}`);
    });
  }

  if (tp || ls) {
    out.push('');
    out.push(`conversions (${README_IDS})`);
    const d = r.derived;
    const conv = (rule: string, what: string, value: string, compare?: string) =>
      out.push(`  ${rule.padEnd(LABEL - 2)}${what.padEnd(34)}${value}${compare ? `  ${compare}` : ''}`);
    if (ls) {
      conv(
        'rule 2',
        'LangSmith trace → OTel trace id',
        d.traceIdFromLsTraceId!,
        tp ? (d.traceIdFromLsTraceId === tp.traceId ? '= traceparent' : '≠ traceparent') : undefined,
      );
      conv(
        `rule ${d.spanIdRule}`,
        "caller's run → OTel span id",
        d.spanIdFromRunId!,
        tp ? (d.spanIdFromRunId === tp.spanId ? '= traceparent' : '≠ traceparent') : undefined,
      );
    }
    if (tp) {
      conv('rule 1', 'parent span → LangSmith run id', d.runIdFromSpanId!);
      conv('rule 2 reverse', 'OTel trace id as a UUID', d.lsTraceIdFromTraceId!);
    }
    out.push('');
    out.push(...verdictLines(r));
    out.push(`${'see'.padEnd(LABEL)}${README_MODES}`);
  }

  if (r.tracestate?.valid && r.tracestate.members.length > 0) {
    out.push('');
    out.push(`tracestate (${count(r.tracestate.members.length, 'member')})`);
    for (const m of r.tracestate.members) out.push(`  ${m.key}=${m.value}${m.duplicate ? '  (repeated key: ignored)' : ''}`);
  }

  if (r.baggage && r.baggage.members.length > 0) {
    out.push('');
    out.push(`baggage (${count(r.baggage.members.length, 'member')})`);
    const width = String(r.baggage.members.length).length;
    for (const m of r.baggage.members) {
      const head = `  ${String(m.index).padStart(width)}  `;
      if (m.problem !== undefined) {
        out.push(`${head}✗ ${clip(m.raw, 60)}  ${m.problem}`);
        continue;
      }
      const key = m.key!.padEnd(20);
      const indent = ' '.repeat(head.length + Math.max(20, m.key!.length));
      const props = m.properties ? `  ;${m.properties}` : '';
      const lsm = m.langsmith;
      if (!lsm) {
        out.push(`${head}${key}${m.value === '' ? '(empty)' : m.value}${props}`);
      } else if (lsm.problem !== undefined) {
        out.push(`${head}${key}✗ ${lsm.problem}: ${clip(m.value!, 60)}`);
      } else if (lsm.unused) {
        out.push(`${head}${key}${clip(m.value!, 60)}  (recognised, not propagated)`);
      } else {
        const suffix = lsm.overridden ? '  (overridden by a later member)' : '';
        if (m.key === LANGSMITH_METADATA_MEMBER) {
          const lines = JSON.stringify(lsm.decoded, null, 2).split('\n');
          out.push(`${head}${key}${lines[0]}`);
          for (const line of lines.slice(1)) out.push(`${indent}${line}`);
          if (suffix) out.push(`${indent}${suffix.trim()}`);
        } else if (m.key === LANGSMITH_TAGS_MEMBER) {
          out.push(`${head}${key}${(lsm.decoded as string[]).join(', ')}${suffix}`);
        } else {
          out.push(`${head}${key}${String(lsm.decoded)}${suffix}`);
        }
      }
    }
  }

  if (r.notes.length > 0) {
    out.push('');
    out.push('notes');
    for (const note of r.notes) out.push(`  · ${note}`);
  }
  out.push('');
  if (r.problems.length === 0) {
    out.push('✓ every header present is valid');
  } else {
    out.push(`✗ ${count(r.problems.length, 'problem')}`);
    for (const problem of r.problems) out.push(`  ${problem}`);
    out.push(`see ${README_LIMITS} for what is accepted, ${README_MODES} for what extract does with the rest`);
  }
  // Header values, decoded baggage, tags and metadata are the caller's: their controls are shown, not obeyed.
  return safeForTerminal(out.join('\n'), { keepNewlines: true }) + '\n';
}

function verdictLines(r: Inspection): string[] {
  const tp = r.traceparent?.valid ? r.traceparent : undefined;
  const ls = r.langsmithTrace?.valid ? r.langsmithTrace : undefined;
  const d = r.derived;
  switch (r.mode) {
    case 'both': {
      const why: string[] = [];
      if (r.consistency!.spanIdMatches) why.push(`the parent span is the caller's run (rule ${d.spanIdRule})`);
      if (r.consistency!.traceIdMatches) why.push('the trace ids agree (rule 2)');
      return [
        `${'verdict'.padEnd(LABEL)}consistent: ${why.join(' and ')}`,
        `${'extract'.padEnd(LABEL)}OTel parent from traceparent; LangSmith parent run ${ls!.runId} (mode "both", trusted caller)`,
      ];
    }
    case 'inconsistent':
      return [
        `${'verdict'.padEnd(LABEL)}INCONSISTENT: parent span ${tp!.spanId} is not the caller's run's span ${d.spanIdFromRunId} (rule ${d.spanIdRule}),`,
        `${' '.repeat(LABEL)}and trace ${tp!.traceId} is not the LangSmith trace's ${d.traceIdFromLsTraceId} (rule 2).`,
        ' '.repeat(LABEL) + 'The two families name different hops: did an intermediary forward one and rewrite the other?',
        `${'extract'.padEnd(LABEL)}each family wins in its own world: OTel parent span ${tp!.spanId}, LangSmith parent run ${ls!.runId}`,
        ' '.repeat(LABEL) + '(mode "inconsistent", counted in propagator.stats.inconsistent)',
      ];
    case 'traceparent':
      return [
        'verdict'.padEnd(LABEL) + 'traceparent only: no LangSmith lineage to check against',
        `${'extract'.padEnd(LABEL)}OTel parent from traceparent; in LangSmith the first local span is a root (traceparentOnly: 'root'),`,
        `${' '.repeat(LABEL)}or a child of run ${d.runIdFromSpanId} with traceparentOnly: 'attach' (rule 1)`,
      ];
    case 'langsmith':
      return [
        'verdict'.padEnd(LABEL) + 'langsmith-trace only: the OTel parent is synthesized from it',
        `${'extract'.padEnd(LABEL)}OTel parent span ${d.spanIdFromRunId} in trace ${d.traceIdFromLsTraceId} (sampled); LangSmith parent run ${ls!.runId}`,
      ];
    default:
      return [];
  }
}

function reportOf(r: Inspection, name: string): { valid: boolean; reason?: string } | null {
  switch (name) {
    case TRACE_PARENT_HEADER:
      return r.traceparent;
    case TRACE_STATE_HEADER:
      return r.tracestate;
    case LANGSMITH_TRACE_HEADER:
      return r.langsmithTrace;
    default:
      return r.baggage;
  }
}

function describeFlags(flags: number): string {
  const names: string[] = [];
  names.push((flags & TRACE_FLAG_SAMPLED) !== 0 ? 'sampled' : 'not sampled');
  if ((flags & TRACE_FLAG_RANDOM) !== 0) names.push('random');
  const unknown = flags & ~(TRACE_FLAG_SAMPLED | TRACE_FLAG_RANDOM);
  if (unknown !== 0) names.push(`unknown bits ${hex2(unknown)} (zeroed on inject)`);
  return `(${names.join(', ')})`;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
