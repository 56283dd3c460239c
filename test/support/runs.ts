/** Finished runs as the sinks receive them, for the sink and CLI tests. */
import type { Run } from '../../src/mapping/types.js';

/** Where a run hangs: a run of the same trace, [id, dotted order] of a run elsewhere (not written here), or nowhere (a root). */
export type RunParent = Run | [id: string, dottedOrder: string] | undefined;

/**
 * A finished run under `parent`, its own dotted-order segment `segment`;
 * empty inputs and metadata, no outputs, error or tags, project `demo`,
 * unless `more` says otherwise.
 */
export function finishedRun(
  fields: { id: string; name: string; run_type: Run['run_type']; parent: RunParent; segment: string; start_time: string; end_time: string },
  more: Partial<Run> = {},
): Run {
  const { id, parent, segment } = fields;
  const parentOrder = parent === undefined ? undefined : Array.isArray(parent) ? parent[1] : parent.dotted_order;
  return {
    id,
    trace_id: parentOrder === undefined ? id : parentOrder.slice(22, 58),
    parent_run_id: parent === undefined ? undefined : Array.isArray(parent) ? parent[0] : parent.id,
    dotted_order: parentOrder === undefined ? segment : `${parentOrder}.${segment}`,
    name: fields.name,
    run_type: fields.run_type,
    start_time: fields.start_time,
    end_time: fields.end_time,
    inputs: {},
    outputs: undefined,
    error: undefined,
    extra: { metadata: {} },
    tags: undefined,
    events: [],
    session_name: 'demo',
    ...more,
  };
}
