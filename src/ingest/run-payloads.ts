/**
 * Direct run payloads (langsmith.md §5): the JSON runs of `/runs/batch`,
 * `/runs` and `PATCH /runs/:id`, checked field by field into the store's
 * runs. A wrong field is an `HttpError` 400 naming it.
 */
import { isUuid } from '../headers/ids.js';
import { HttpError } from './http-body.js';
import { isoFromMicros, microsFromTime } from '../time.js';
import type { IngestedRun, RunLineage, RunSource, RunStore, RunUpdate } from './run-store.js';
import { DEFAULT_PROJECT, DEFAULT_RUN_TYPE } from '../mapping/conventions.js';

interface DecodedPost {
  run: IngestedRun;
  lineage: RunLineage;
}
interface DecodedPatch {
  run: RunUpdate;
}

export function decodeRuns(list: unknown[], kind: 'post', source: RunSource, what: string): DecodedPost[];
export function decodeRuns(list: unknown[], kind: 'patch', source: RunSource, what: string): DecodedPatch[];
export function decodeRuns(list: unknown[], kind: 'post' | 'patch', source: RunSource, what: string): Array<DecodedPost | DecodedPatch> {
  return list.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new HttpError(400, `${what}[${i}] is not an object`);
    return decodeRun(item as Record<string, unknown>, kind, source, `${what}[${i}]`);
  });
}

export function decodeRun(raw: Record<string, unknown>, kind: 'post', source: RunSource, what: string, pathId?: string): DecodedPost;
export function decodeRun(raw: Record<string, unknown>, kind: 'patch', source: RunSource, what: string, pathId?: string): DecodedPatch;
export function decodeRun(raw: Record<string, unknown>, kind: 'post' | 'patch', source: RunSource, what: string, pathId?: string): DecodedPost | DecodedPatch;
export function decodeRun(raw: Record<string, unknown>, kind: 'post' | 'patch', source: RunSource, what: string, pathId?: string): DecodedPost | DecodedPatch {
  const field = <T>(name: string, check: (v: unknown) => v is T, expected: string): T | undefined => {
    const v = raw[name];
    if (v === undefined || v === null) return undefined;
    if (!check(v)) throw new HttpError(400, `${what}.${name} is not ${expected}`);
    return v;
  };
  const uuid = (name: string): string | undefined => {
    const v = field(name, isString, 'a UUID')?.toLowerCase();
    if (v !== undefined && !isUuid(v)) throw new HttpError(400, `${what}.${name} is not a UUID`);
    return v;
  };
  const time = (name: string): { iso: string; micros: number } | undefined => {
    const v = raw[name];
    if (v === undefined || v === null) return undefined;
    const micros = microsFromTime(v);
    if (micros === undefined) throw new HttpError(400, `${what}.${name} is not a time (ISO 8601 or epoch ms)`);
    return { iso: isoFromMicros(micros), micros };
  };

  const id = uuid('id') ?? pathId;
  if (id === undefined) throw new HttpError(400, `${what}.id is missing`);
  if (pathId !== undefined && id !== pathId) throw new HttpError(400, `${what}.id ${id} differs from the URL's ${pathId}`);
  const start = time('start_time');
  const end = time('end_time');
  const run: RunUpdate & { source: RunSource } = {
    id,
    trace_id: uuid('trace_id'),
    parent_run_id: uuid('parent_run_id'),
    dotted_order: field('dotted_order', isString, 'a string'),
    name: field('name', isString, 'a string'),
    run_type: field('run_type', isString, 'a string'),
    start_time: start?.iso,
    end_time: end?.iso,
    inputs: field('inputs', isObject, 'an object'),
    outputs: field('outputs', isObject, 'an object'),
    error: field('error', isString, 'a string'),
    extra: field('extra', isObject, 'an object'),
    tags: field('tags', isStringArray, 'an array of strings'),
    events: field('events', Array.isArray, 'an array'),
    serialized: raw['serialized'] ?? undefined,
    reference_example_id: uuid('reference_example_id'),
    session_name: field('session_name', isString, 'a string'),
    source,
  };
  if (kind === 'patch') return { run };
  const post: IngestedRun = {
    ...run,
    name: run.name ?? '',
    run_type: run.run_type ?? DEFAULT_RUN_TYPE,
    session_name: run.session_name ?? DEFAULT_PROJECT,
  };
  return {
    run: post,
    lineage: { computeDottedOrder: post.dotted_order === undefined, explicitTraceId: post.trace_id, startMicros: start?.micros },
  };
}

/** Posts before patches, so a body carrying both for one run merges them. */
export function ingestRuns(store: RunStore, posts: DecodedPost[], patches: DecodedPatch[]): void {
  for (const p of posts) store.post(p.run, p.lineage);
  for (const p of patches) store.patch(p.run);
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
