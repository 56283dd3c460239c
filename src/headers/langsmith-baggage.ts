/**
 * The LangSmith members of `baggage`: `langsmith-metadata` (JSON object),
 * `langsmith-tags` (comma list) and `langsmith-project`. Pure and total.
 *
 * What is relayed downstream is what decoded, re-encoded exactly as
 * `RunTree.toHeaders()` encodes it — never the member as received: a
 * member this module rejects (bad JSON, over 4 KiB, a project with control
 * characters) would otherwise reach a LangSmith-native callee, whose
 * `RunTree.fromHeaders` throws on it or accepts it (issue 8). Decoding is
 * lazy: nothing is parsed until inject or span export reads it. Metadata is
 * size-capped, must be a JSON object, and is parsed without prototype
 * pollution (`__proto__`, `constructor`, `prototype` dropped at every
 * depth); top-level keys reserved for LangSmith and the bridge are dropped
 * (see RESERVED_METADATA_KEYS).
 */
import {
  LANGSMITH_METADATA_MEMBER,
  LANGSMITH_PROJECT_MEMBER,
  LANGSMITH_TAGS_MEMBER,
  MAX_METADATA_BYTES,
  MAX_PROJECT_LENGTH,
  MAX_TAG_LENGTH,
  MAX_TAGS,
} from '../constants.js';
import { formatBaggageMember, utf8Length } from './baggage.js';
import { accepted, rejected, type Parsed } from './result.js';

export type Metadata = Record<string, unknown>;

export interface LangSmithBaggageInit {
  metadata?: Metadata | undefined;
  tags?: readonly string[] | undefined;
  project?: string | undefined;
}

interface Members {
  /** Decoded (not percent-encoded) member values, as received. */
  metadata: string | undefined;
  tags: string | undefined;
  project: string | undefined;
}

const NO_MEMBERS: Members = { metadata: undefined, tags: undefined, project: undefined };

/** Told when a received member is not relayed (it did not decode) or lost reserved metadata keys. */
export type RejectedMemberListener = (member: string, reason: string) => void;

export class LangSmithBaggage {
  private _members: Members | undefined;
  private _source: (() => Members) | undefined;
  private _metadata: Metadata | undefined | null = null; // null: not decoded yet
  private _tags: readonly string[] | undefined | null = null;
  private _project: string | undefined | null = null;
  private _encoded: readonly string[] | undefined;

  private constructor(
    members: Members | undefined,
    source: (() => Members) | undefined,
    private readonly _onRejected?: RejectedMemberListener,
  ) {
    this._members = members;
    this._source = source;
  }

  /** From decoded member values, e.g. as parsed from an inbound `baggage`. */
  static fromMembers(metadata: string | undefined, tags: string | undefined, project: string | undefined): LangSmithBaggage {
    return new LangSmithBaggage({ metadata, tags, project }, undefined);
  }

  /** From values, encoded exactly as `RunTree.toHeaders()` encodes them. */
  static from(init: LangSmithBaggageInit): LangSmithBaggage {
    const metadata = init.metadata && Object.keys(init.metadata).length > 0 ? safeStringify(init.metadata) : undefined;
    const tags = init.tags && init.tags.length > 0 ? init.tags.join(',') : undefined;
    return LangSmithBaggage.fromMembers(metadata, tags, init.project || undefined);
  }

  /**
   * Members produced on first use. Extract uses this so a request pays for
   * baggage parsing only if something reads it (inject, span export).
   */
  static deferred(source: () => Members, onRejected?: RejectedMemberListener): LangSmithBaggage {
    return new LangSmithBaggage(undefined, source, onRejected);
  }

  /**
   * Encoded members, ready for inject, in `RunTree.toHeaders()` order
   * (metadata, tags, project): only what decoded, re-encoded.
   */
  get members(): readonly string[] {
    return (this._encoded ??= encodeMembers(this.metadata, this.tags, this.project));
  }

  get isEmpty(): boolean {
    return this.members.length === 0;
  }

  /** Decoded metadata, or undefined when absent, too large, not a JSON object. */
  get metadata(): Metadata | undefined {
    if (this._metadata === null) {
      const raw = this._resolve().metadata;
      const reserved: string[] = [];
      const result = readMetadata(raw, reserved);
      this._metadata = result.ok ? result.value : undefined;
      if (raw && !result.ok && reserved.length === 0) this._reject(LANGSMITH_METADATA_MEMBER, result.reason);
      if (reserved.length > 0) this._reject(LANGSMITH_METADATA_MEMBER, `reserved key(s) dropped: ${reserved.slice(0, 8).join(', ')}`);
    }
    return this._metadata;
  }

  get tags(): readonly string[] | undefined {
    if (this._tags === null) {
      const raw = this._resolve().tags;
      const result = readTags(raw);
      this._tags = result.ok ? result.value : undefined;
      if (raw && !result.ok) this._reject(LANGSMITH_TAGS_MEMBER, result.reason);
    }
    return this._tags;
  }

  get project(): string | undefined {
    if (this._project === null) {
      const raw = this._resolve().project;
      const result = readProject(raw);
      this._project = result.ok ? result.value : undefined;
      if (raw && !result.ok) this._reject(LANGSMITH_PROJECT_MEMBER, result.reason);
    }
    return this._project;
  }

  private _reject(member: string, reason: string): void {
    try {
      this._onRejected?.(member, reason);
    } catch {
      // a listener must not break decoding
    }
  }

  private _resolve(): Members {
    if (this._members === undefined) {
      try {
        this._members = this._source ? this._source() : NO_MEMBERS;
      } catch {
        this._members = NO_MEMBERS;
      }
      this._source = undefined;
    }
    return this._members;
  }
}

function encodeMembers(metadata: Metadata | undefined, tags: readonly string[] | undefined, project: string | undefined): readonly string[] {
  const members: string[] = [];
  const json = metadata ? safeStringify(metadata) : undefined;
  if (json) members.push(formatBaggageMember(LANGSMITH_METADATA_MEMBER, json));
  if (tags?.length) members.push(formatBaggageMember(LANGSMITH_TAGS_MEMBER, tags.join(',')));
  if (project) members.push(formatBaggageMember(LANGSMITH_PROJECT_MEMBER, project));
  return members;
}

/** JSON for metadata; undefined for values JSON cannot hold (BigInt, cycles). */
function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function dropForbiddenKeys(key: string, value: unknown): unknown {
  return FORBIDDEN_KEYS.has(key) ? undefined : value;
}

function mayHoldForbiddenKey(json: string): boolean {
  return json.indexOf('\\') !== -1 || json.indexOf('__proto__') !== -1 || json.indexOf('constructor') !== -1 || json.indexOf('prototype') !== -1;
}

/**
 * Top-level metadata keys a caller may not set (issue 8): their values have
 * meaning beyond "metadata", so a caller's would be believed.
 * - `usage_metadata`: LangSmith reads token counts (and so cost) from
 *   `extra.metadata.usage_metadata`, and the bridge exports it as
 *   `langsmith.usage_metadata` on every span of the request;
 * - `ls_*`: LangSmith's own keys (`ls_provider`, `ls_model_name` price a
 *   run; `ls_run_name` renames it; `ls_project_name`, …);
 * - `otel_*`: the bridge's own (`otel_trace_id`, `otel_upstream_span_id`, …),
 *   which say where to find the run in the OTel backend;
 * - `service.*`: OTel resource attributes (`service.name`), which describe
 *   the local process, not the caller.
 */
export function isReservedMetadataKey(key: string): boolean {
  return key === 'usage_metadata' || key.startsWith('ls_') || key.startsWith('otel_') || key.startsWith('service.');
}

export function decodeMetadata(json: string | undefined): Metadata | undefined {
  const result = readMetadata(json);
  return result.ok ? result.value : undefined;
}

/** Metadata decoded, or the reason it is unusable. `reserved`, when given, receives the reserved keys dropped. */
export function readMetadata(json: string | undefined, reserved?: string[]): Parsed<Metadata> {
  if (!json) return rejected('is empty');
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short JSON needs no count.
  const size = json.length * 3 <= MAX_METADATA_BYTES ? 0 : utf8Length(json);
  if (size > MAX_METADATA_BYTES) return rejected(`is ${size} bytes, over the ${MAX_METADATA_BYTES} limit`);
  let parsed: unknown;
  try {
    // Removing the keys at parse time means a later spread or Object.assign
    // of this metadata can never reach a prototype. A reviver makes
    // JSON.parse several times slower (it was the top frame of extract + first
    // use), so it only runs when a forbidden key can occur: as a literal, or
    // behind a `\` escape (`"\u005f_proto__"`).
    parsed = mayHoldForbiddenKey(json) ? JSON.parse(json, dropForbiddenKeys) : JSON.parse(json);
  } catch (err) {
    return rejected(`is not JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object') return rejected(`is JSON ${parsed === null ? 'null' : typeof parsed}, not an object`);
  if (Array.isArray(parsed)) return rejected('is a JSON array, not an object');
  const metadata = parsed as Metadata;
  let dropped = 0;
  for (const key of Object.keys(metadata)) {
    if (!isReservedMetadataKey(key)) continue;
    delete metadata[key];
    reserved?.push(key);
    dropped++;
  }
  if (Object.keys(metadata).length > 0) return accepted(metadata);
  return rejected(dropped > 0 ? 'holds only reserved keys' : 'is an empty object');
}

/** Comma list → trimmed, non-empty, de-duplicated tags in order, capped. */
export function decodeTags(list: string | undefined): readonly string[] | undefined {
  if (!list) return undefined;
  const tags: string[] = [];
  for (const raw of list.split(',')) {
    const tag = raw.trim();
    if (tag.length === 0 || tag.length > MAX_TAG_LENGTH || hasControl(tag) || tags.includes(tag)) continue;
    tags.push(tag);
    if (tags.length >= MAX_TAGS) break;
  }
  return tags.length > 0 ? tags : undefined;
}

/** Tags decoded, or the reason there is none (each unusable tag is skipped alone). */
export function readTags(list: string | undefined): Parsed<readonly string[]> {
  const tags = decodeTags(list);
  return tags ? accepted(tags) : rejected(`holds no usable tag (empty, over ${MAX_TAG_LENGTH} characters or with control characters)`);
}

export function decodeProject(value: string | undefined): string | undefined {
  const result = readProject(value);
  return result.ok ? result.value : undefined;
}

/** The project name decoded, or the reason it is unusable. */
export function readProject(value: string | undefined): Parsed<string> {
  const project = value?.trim();
  if (!project) return rejected('is empty');
  if (project.length > MAX_PROJECT_LENGTH) return rejected(`is ${project.length} characters, over the ${MAX_PROJECT_LENGTH} limit`);
  if (hasControl(project)) return rejected('has a control character');
  return accepted(project);
}

function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
