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

export class LangSmithBaggage {
  private _metadata: Metadata | undefined | null = null; // null: not decoded yet
  private _tags: readonly string[] | undefined | null = null;
  private _project: string | undefined | null = null;

  private constructor(
    /** Decoded (not percent-encoded) member values as received. */
    private readonly _rawMetadata: string | undefined,
    private readonly _rawTags: string | undefined,
    private readonly _rawProject: string | undefined,
    /** Encoded members, ready for inject. */
    readonly members: readonly string[],
  ) {}

  /** From decoded member values, e.g. as parsed from an inbound `baggage`. */
  static fromMembers(
    metadata: string | undefined,
    tags: string | undefined,
    project: string | undefined,
    encoded: { metadata?: string; tags?: string; project?: string } = {},
  ): LangSmithBaggage {
    const members: string[] = [];
    // Order as RunTree.toHeaders(): metadata, tags, project.
    if (metadata) members.push(encoded.metadata ?? formatBaggageMember(LANGSMITH_METADATA_MEMBER, metadata));
    if (tags) members.push(encoded.tags ?? formatBaggageMember(LANGSMITH_TAGS_MEMBER, tags));
    if (project) members.push(encoded.project ?? formatBaggageMember(LANGSMITH_PROJECT_MEMBER, project));
    return new LangSmithBaggage(metadata, tags, project, members);
  }

  /** From values, encoded exactly as `RunTree.toHeaders()` encodes them. */
  static from(init: LangSmithBaggageInit): LangSmithBaggage {
    const metadata = init.metadata && Object.keys(init.metadata).length > 0 ? JSON.stringify(init.metadata) : undefined;
    const tags = init.tags && init.tags.length > 0 ? init.tags.join(',') : undefined;
    return LangSmithBaggage.fromMembers(metadata, tags, init.project || undefined);
  }

  get isEmpty(): boolean {
    return this.members.length === 0;
  }

  /** Decoded metadata, or undefined when absent, too large, not a JSON object. */
  get metadata(): Metadata | undefined {
    if (this._metadata === null) this._metadata = decodeMetadata(this._rawMetadata);
    return this._metadata;
  }

  get tags(): readonly string[] | undefined {
    if (this._tags === null) this._tags = decodeTags(this._rawTags);
    return this._tags;
  }

  get project(): string | undefined {
    if (this._project === null) this._project = decodeProject(this._rawProject);
    return this._project;
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
