/**
 * The LangSmith members of `baggage`: `langsmith-metadata` (JSON object),
 * `langsmith-tags` (comma list) and `langsmith-project`. Pure and total.
 *
 * Members keep their encoded form so inject re-emits exactly what was
 * received; decoding is lazy (span processing needs it, inject does not).
 * Metadata is size-capped, must be a JSON object, and is parsed without
 * prototype pollution: `__proto__`, `constructor` and `prototype` keys are
 * dropped at every depth.
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

export type Metadata = Record<string, unknown>;

export interface LangSmithBaggageInit {
  metadata?: Metadata | undefined;
  tags?: readonly string[] | undefined;
  project?: string | undefined;
}

interface Members {
  /** Decoded (not percent-encoded) member values. */
  metadata: string | undefined;
  tags: string | undefined;
  project: string | undefined;
  /** Encoded members, ready for inject, in `RunTree.toHeaders()` order. */
  encoded: readonly string[];
}

const NO_MEMBERS: Members = { metadata: undefined, tags: undefined, project: undefined, encoded: [] };

export class LangSmithBaggage {
  private _members: Members | undefined;
  private _source: (() => Members) | undefined;
  private _metadata: Metadata | undefined | null = null; // null: not decoded yet
  private _tags: readonly string[] | undefined | null = null;
  private _project: string | undefined | null = null;

  private constructor(members: Members | undefined, source: (() => Members) | undefined) {
    this._members = members;
    this._source = source;
  }

  /** From decoded member values, e.g. as parsed from an inbound `baggage`. */
  static fromMembers(
    metadata: string | undefined,
    tags: string | undefined,
    project: string | undefined,
    encoded: { metadata?: string; tags?: string; project?: string } = {},
  ): LangSmithBaggage {
    return new LangSmithBaggage(membersOf(metadata, tags, project, encoded), undefined);
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
  static deferred(source: () => Pick<Members, 'metadata' | 'tags' | 'project'> & {
    encoded?: { metadata?: string; tags?: string; project?: string };
  }): LangSmithBaggage {
    return new LangSmithBaggage(undefined, () => {
      const m = source();
      return membersOf(m.metadata, m.tags, m.project, m.encoded ?? {});
    });
  }

  /** Encoded members, ready for inject. */
  get members(): readonly string[] {
    return this._resolve().encoded;
  }

  get isEmpty(): boolean {
    return this._resolve().encoded.length === 0;
  }

  /** Decoded metadata, or undefined when absent, too large, not a JSON object. */
  get metadata(): Metadata | undefined {
    if (this._metadata === null) this._metadata = decodeMetadata(this._resolve().metadata);
    return this._metadata;
  }

  get tags(): readonly string[] | undefined {
    if (this._tags === null) this._tags = decodeTags(this._resolve().tags);
    return this._tags;
  }

  get project(): string | undefined {
    if (this._project === null) this._project = decodeProject(this._resolve().project);
    return this._project;
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

function membersOf(
  metadata: string | undefined,
  tags: string | undefined,
  project: string | undefined,
  encoded: { metadata?: string; tags?: string; project?: string },
): Members {
  const members: string[] = [];
  // Order as RunTree.toHeaders(): metadata, tags, project.
  if (metadata) members.push(encoded.metadata ?? formatBaggageMember(LANGSMITH_METADATA_MEMBER, metadata));
  if (tags) members.push(encoded.tags ?? formatBaggageMember(LANGSMITH_TAGS_MEMBER, tags));
  if (project) members.push(encoded.project ?? formatBaggageMember(LANGSMITH_PROJECT_MEMBER, project));
  return members.length === 0 ? NO_MEMBERS : { metadata, tags, project, encoded: members };
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

export function decodeMetadata(json: string | undefined): Metadata | undefined {
  if (!json || utf8Length(json) > MAX_METADATA_BYTES) return undefined;
  let parsed: unknown;
  try {
    // Removing the keys at parse time means a later spread or Object.assign
    // of this metadata can never reach a prototype.
    parsed = JSON.parse(json, (key, value: unknown) => (FORBIDDEN_KEYS.has(key) ? undefined : value));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  return Object.keys(parsed).length > 0 ? (parsed as Metadata) : undefined;
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

export function decodeProject(value: string | undefined): string | undefined {
  const project = value?.trim();
  if (!project || project.length > MAX_PROJECT_LENGTH || hasControl(project)) return undefined;
  return project;
}

function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
