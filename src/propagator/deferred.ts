/**
 * Deferred parsing for extract. `traceparent` and `langsmith-trace` decide
 * the parent and are validated eagerly; `tracestate` and `baggage` only
 * matter when something reads them (inject, span export), so extract keeps
 * the header and parses it once, on first use, with the same strict codecs.
 * A request that never reads them never pays for them.
 */
import { baggageEntryMetadataFromString, diag, type Baggage, type BaggageEntry, type TraceState } from '@opentelemetry/api';
import {
  LANGSMITH_ADDRESS_MEMBER,
  LANGSMITH_METADATA_MEMBER,
  LANGSMITH_PROJECT_MEMBER,
  LANGSMITH_REPLICAS_MEMBER,
  LANGSMITH_TAGS_MEMBER,
} from '../constants.js';
import { parseBaggage } from '../headers/baggage.js';
import { LangSmithBaggage } from '../headers/langsmith-baggage.js';
import { parseTraceState, W3CTraceState } from '../headers/tracestate.js';

const log = diag.createComponentLogger({ namespace: 'langsmith-otel-bridge' });
const LANGSMITH_PREFIX = 'langsmith-';

/** Which kinds of members a baggage header holds, found without parsing it. */
export function scanBaggage(header: string): { langsmith: boolean; foreign: boolean } {
  let langsmith = false;
  let foreign = false;
  let pos = 0;
  while (pos < header.length && !(langsmith && foreign)) {
    let start = pos;
    while (start < header.length && (header.charCodeAt(start) === 0x20 || header.charCodeAt(start) === 0x09)) start++;
    const comma = header.indexOf(',', start);
    const end = comma === -1 ? header.length : comma;
    if (end > start) {
      if (header.startsWith(LANGSMITH_PREFIX, start)) langsmith = true;
      else foreign = true;
    }
    pos = end + 1;
  }
  return { langsmith, foreign };
}

interface ParsedInbound {
  metadata: string | undefined;
  tags: string | undefined;
  project: string | undefined;
  entries: Map<string, BaggageEntry>;
}

/** One inbound `baggage` header, split once into LangSmith members and OTel entries. */
export class InboundBaggage {
  private _parsed: ParsedInbound | undefined;

  constructor(
    private readonly _header: string,
    private readonly _onDropped: (count: number) => void,
  ) {}

  get parsed(): ParsedInbound {
    return (this._parsed ??= this._parse());
  }

  private _parse(): ParsedInbound {
    const { members, dropped } = parseBaggage(this._header);
    if (dropped > 0) {
      this._onDropped(dropped);
      log.debug(`baggage: ignored ${dropped} malformed or over-limit member(s)`);
    }
    const out: ParsedInbound = { metadata: undefined, tags: undefined, project: undefined, entries: new Map() };
    for (const member of members) {
      switch (member.key) {
        case LANGSMITH_METADATA_MEMBER:
          out.metadata = member.value;
          break;
        case LANGSMITH_TAGS_MEMBER:
          out.tags = member.value;
          break;
        case LANGSMITH_PROJECT_MEMBER:
          out.project = member.value;
          break;
        case LANGSMITH_REPLICAS_MEMBER:
        case LANGSMITH_ADDRESS_MEMBER:
          break; // recognised so they never leak into OTel Baggage; not supported
        default: {
          const entry: BaggageEntry = { value: member.value };
          if (member.properties) entry.metadata = baggageEntryMetadataFromString(member.properties);
          out.entries.set(member.key, entry);
        }
      }
    }
    return out;
  }

  /** The LangSmith members, decoded on first use; relayed only as decoded, re-encoded. */
  langsmith(): LangSmithBaggage {
    return LangSmithBaggage.deferred(
      () => this.parsed,
      (member, reason) => log.debug(`baggage: ${member} from the caller not used or relayed as received: ${reason}`),
    );
  }
}

/**
 * OTel `Baggage` over an InboundBaggage: the non-LangSmith members, read on
 * first use. Immutable like the API's own implementation: every change
 * returns a new Baggage.
 */
export class DeferredBaggage implements Baggage {
  private _baggage: MapBaggage | undefined;

  constructor(private readonly _source: InboundBaggage) {}

  private get _real(): MapBaggage {
    return (this._baggage ??= new MapBaggage(this._source.parsed.entries));
  }

  getEntry(key: string): BaggageEntry | undefined {
    return this._real.getEntry(key);
  }

  /** Read-only: the entries are not copied (see baggageEntries). */
  entriesForRead(): Iterable<[string, BaggageEntry]> {
    return this._real.entriesForRead();
  }

  getAllEntries(): [string, BaggageEntry][] {
    return this._real.getAllEntries();
  }

  setEntry(key: string, entry: BaggageEntry): Baggage {
    return this._real.setEntry(key, entry);
  }

  removeEntry(key: string): Baggage {
    return this._real.removeEntry(key);
  }

  removeEntries(...keys: string[]): Baggage {
    return this._real.removeEntries(...keys);
  }

  clear(): Baggage {
    return this._real.clear();
  }
}

/**
 * The entries of `baggage` for reading once, in order. Inject reads every
 * entry of every request; for the bridge's own Baggage this iterates the
 * immutable map instead of copying it into an array of pairs first.
 */
export function baggageEntries(baggage: Baggage): Iterable<[string, BaggageEntry]> {
  if (baggage instanceof DeferredBaggage) return baggage.entriesForRead();
  if (baggage instanceof MapBaggage) return baggage.entriesForRead();
  return baggage.getAllEntries();
}

/** An immutable Map-backed Baggage (what DeferredBaggage becomes once changed). */
class MapBaggage implements Baggage {
  constructor(private readonly _entries: ReadonlyMap<string, BaggageEntry>) {}

  getEntry(key: string): BaggageEntry | undefined {
    const entry = this._entries.get(key);
    return entry ? { ...entry } : undefined;
  }

  getAllEntries(): [string, BaggageEntry][] {
    return Array.from(this._entries.entries()); // as the API's BaggageImpl does
  }

  /** Read-only: the entries are not copied (see baggageEntries). */
  entriesForRead(): Iterable<[string, BaggageEntry]> {
    return this._entries;
  }

  setEntry(key: string, entry: BaggageEntry): Baggage {
    return new MapBaggage(new Map(this._entries).set(key, entry));
  }

  removeEntry(key: string): Baggage {
    const next = new Map(this._entries);
    next.delete(key);
    return new MapBaggage(next);
  }

  removeEntries(...keys: string[]): Baggage {
    const next = new Map(this._entries);
    for (const key of keys) next.delete(key);
    return new MapBaggage(next);
  }

  clear(): Baggage {
    return new MapBaggage(new Map());
  }
}

/** `TraceState` over a raw header: parsed on first use; an invalid header is discarded whole. */
export class DeferredTraceState implements TraceState {
  private _state: W3CTraceState | undefined;

  constructor(
    private readonly _header: string,
    private readonly _onInvalid: () => void,
  ) {}

  private get _real(): W3CTraceState {
    if (this._state === undefined) {
      const parsed = parseTraceState(this._header);
      if (!parsed) {
        this._onInvalid();
        log.debug('discarding invalid tracestate');
      }
      this._state = parsed ?? new W3CTraceState();
    }
    return this._state;
  }

  get(key: string): string | undefined {
    return this._real.get(key);
  }

  set(key: string, value: string): TraceState {
    return this._real.set(key, value);
  }

  unset(key: string): TraceState {
    return this._real.unset(key);
  }

  serialize(): string {
    return this._real.serialize();
  }
}
