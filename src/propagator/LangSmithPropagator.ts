/**
 * LangSmithPropagator: one TextMapPropagator for both header families.
 *
 *   inbound  traceparent/tracestate + langsmith-trace + baggage → Context
 *   outbound Context → traceparent/tracestate + langsmith-trace + one baggage
 *
 * It replaces OTel's W3CTraceContextPropagator and W3CBaggagePropagator (it
 * must be the only writer of `baggage`: a CompositePropagator overwrites,
 * never merges). See the README's propagation-modes table.
 */
import {
  diag,
  isSpanContextValid,
  propagation,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import {
  BAGGAGE_HEADER,
  DOTTED_ORDER_SEGMENT_LENGTH,
  LANGSMITH_ADDRESS_MEMBER,
  LANGSMITH_METADATA_MEMBER,
  LANGSMITH_PROJECT_MEMBER,
  LANGSMITH_REPLICAS_MEMBER,
  LANGSMITH_TAGS_MEMBER,
  LANGSMITH_TRACE_HEADER,
  MAX_BAGGAGE_BYTES,
  MAX_INJECTED_DOTTED_ORDER_LENGTH,
  MAX_INJECTED_DOTTED_ORDER_SEGMENTS,
  MAX_INJECTED_HEADER_BYTES,
  MAX_INJECTED_HEADER_FIELD,
  MAX_INJECTED_TRACE_STATE_LENGTH,
  MAX_TRACE_STATE_LENGTH,
  TRACE_FLAG_RANDOM,
  TRACE_PARENT_HEADER,
  TRACE_STATE_HEADER,
} from '../constants.js';
import { formatBaggageMember, isValidProperties, joinEncodedBaggage } from '../headers/baggage.js';
import { parseDottedOrder, readDottedOrder, type DottedOrder } from '../headers/dotted-order.js';
import { runIdFromSpanId, spanIdOfValidUuid, traceIdOfValidUuid } from '../headers/ids.js';
import { type LangSmithBaggage } from '../headers/langsmith-baggage.js';
import type { Parsed } from '../headers/result.js';
import { formatTraceParent, parseTraceParentOrReason, type TraceParent } from '../headers/traceparent.js';
import { truncateTraceState } from '../headers/tracestate.js';
import { notices } from '../notices.js';
import type { TrustPolicy } from '../trust/policies.js';
import { getContextLineage } from '../lineage/lineage.js';
import { getInboundContext, isTracingSuppressed, setInboundContext, setUntrustedCaller, type InboundContext, type PropagationMode } from '../context/keys.js';
import { baggageEntries, DeferredBaggage, DeferredTraceState, InboundBaggage, scanBaggage } from './deferred.js';

export interface LangSmithPropagatorOptions {
  /**
   * Whose context to continue. `false` (default): every caller is untrusted —
   * a new root that links to the caller's `traceparent`, nothing else read.
   * `true`: every caller is trusted (only behind a gateway that strips these
   * headers). A function: decide per carrier (see `trust/`).
   */
  trust?: boolean | TrustPolicy;
  /**
   * What a trusted `traceparent`-only request becomes in LangSmith.
   * `'root'` (default): the first local span is a LangSmith root; the
   * upstream OTel ids are kept in its metadata. Never produces orphans.
   * `'attach'`: the first local span's parent run is the upstream span's run
   * (ingest rule). Only when the upstream exports to LangSmith via OTLP too,
   * or LangSmith drops this subtree as an orphan.
   */
  traceparentOnly?: 'root' | 'attach';
}

/** Counters a user can read (`propagator.stats`); monotonic, never reset. */
export interface PropagatorStats {
  extracted: number;
  untrusted: number;
  inconsistent: number;
  /** Headers ignored as malformed, per header. */
  malformed: { traceparent: number; tracestate: number; langsmithTrace: number; baggageMembers: number };
  injected: number;
  /** Outbound baggage members left out to stay within 64 members / 8192 bytes / the header budget. */
  baggageMembersDropped: number;
  /** Injects without `langsmith-trace` because the lineage was deeper than MAX_INJECTED_DOTTED_ORDER_SEGMENTS. */
  lineageTooDeep: number;
  /** Injects whose `tracestate` was truncated to MAX_INJECTED_TRACE_STATE_LENGTH (or left out). */
  traceStateTruncated: number;
}

const FIELDS = [TRACE_PARENT_HEADER, TRACE_STATE_HEADER, LANGSMITH_TRACE_HEADER, BAGGAGE_HEADER];

const LANGSMITH_MEMBERS = new Set([
  LANGSMITH_METADATA_MEMBER,
  LANGSMITH_TAGS_MEMBER,
  LANGSMITH_PROJECT_MEMBER,
  LANGSMITH_REPLICAS_MEMBER,
  LANGSMITH_ADDRESS_MEMBER,
]);

const log = diag.createComponentLogger({ namespace: 'langsmith-otel-bridge' });

export class LangSmithPropagator implements TextMapPropagator {
  private readonly _stats: PropagatorStats = {
    extracted: 0,
    untrusted: 0,
    inconsistent: 0,
    malformed: { traceparent: 0, tracestate: 0, langsmithTrace: 0, baggageMembers: 0 },
    injected: 0,
    baggageMembersDropped: 0,
    lineageTooDeep: 0,
    traceStateTruncated: 0,
  };

  private readonly _trust: TrustPolicy | boolean;
  private readonly _attach: boolean;
  private _warnedInconsistent = false;
  private _warnedNoLineage = false;

  constructor(options: LangSmithPropagatorOptions = {}) {
    const trust = options.trust ?? false;
    if (typeof trust !== 'boolean' && typeof trust !== 'function') {
      throw new TypeError(
        'LangSmithPropagator: `trust` must be a boolean or a function (carrier, getter) => boolean; see trustHeaderToken() and trustedNetworks().',
      );
    }
    const mode = options.traceparentOnly ?? 'root';
    if (mode !== 'root' && mode !== 'attach') {
      throw new TypeError("LangSmithPropagator: `traceparentOnly` must be 'root' or 'attach'.");
    }
    this._trust = trust;
    this._attach = mode === 'attach';
  }

  /**
   * A snapshot: a fresh plain object per read, as the span processor's
   * `stats` is (issue 13), so a caller can keep or change it without touching
   * the counters, and two reads can be diffed.
   */
  get stats(): PropagatorStats {
    const s = this._stats;
    return { ...s, malformed: { ...s.malformed } };
  }

  fields(): string[] {
    return FIELDS.slice();
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      return this._extract(context, carrier, getter);
    } catch (err) {
      log.debug('extract failed; continuing without inbound context', err);
      return context;
    }
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      this._inject(context, carrier, setter);
    } catch (err) {
      log.debug('inject failed; request sent without trace headers', err);
    }
  }

  private _extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const traceParent = this._readTraceParent(carrier, getter);

    if (!this._isTrusted(carrier, getter)) {
      this._stats.untrusted++;
      if (!traceParent) return context;
      // Kept only as a span link: never a parent, never a sampling input.
      return setUntrustedCaller(context, {
        traceId: traceParent.traceId,
        spanId: traceParent.spanId,
        traceFlags: TraceFlags.NONE,
        isRemote: true,
      });
    }

    const lsParent = this._readLangSmithTrace(carrier, getter);
    const baggageHeader = readJoined(carrier, getter, BAGGAGE_HEADER, MAX_BAGGAGE_BYTES);
    const members = baggageHeader ? scanBaggage(baggageHeader) : undefined;
    if (!traceParent && !lsParent && !members?.langsmith && !members?.foreign) return context;
    this._stats.extracted++;
    const baggage = baggageHeader && (members?.langsmith || members?.foreign) ? new InboundBaggage(baggageHeader, this._countDroppedMembers) : undefined;

    let remote: SpanContext | undefined;
    let mode: PropagationMode | undefined;
    if (traceParent) {
      remote = {
        traceId: traceParent.traceId,
        spanId: traceParent.spanId,
        traceFlags: traceParent.traceFlags,
        isRemote: true,
      };
      const traceState = readJoined(carrier, getter, TRACE_STATE_HEADER, MAX_TRACE_STATE_LENGTH);
      if (traceState) remote.traceState = new DeferredTraceState(traceState, this._countInvalidTraceState);
      if (lsParent) {
        mode = isConsistent(traceParent, lsParent) ? 'both' : 'inconsistent';
        if (mode === 'inconsistent') this._countInconsistent();
      } else {
        mode = 'traceparent';
      }
    } else if (lsParent) {
      // parseDottedOrder validated both UUIDs.
      const traceId = traceIdOfValidUuid(lsParent.lsTraceId);
      const spanId = spanIdOfValidUuid(lsParent.runId);
      if (traceId && spanId) {
        remote = { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
        mode = 'langsmith';
      }
    }

    let result = context;
    if (remote && mode) {
      const inbound: InboundContext = {
        mode,
        parent: mode === 'traceparent' ? undefined : lsParent,
        attachToRunId: mode === 'traceparent' && this._attach ? runIdFromSpanId(remote.spanId) : undefined,
        baggage: baggage && members?.langsmith ? baggage.langsmith() : undefined,
        remote,
      };
      result = setInboundContext(result, inbound);
    }
    if (baggage && members?.foreign) result = propagation.setBaggage(result, new DeferredBaggage(baggage));
    return result;
  }

  private _inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (isTracingSuppressed(context)) return;
    const spanContext = trace.getSpanContext(context);
    if (!spanContext || !isSpanContextValid(spanContext)) return;

    // W3C level 2: the random flag describes the trace id, so it is kept for as
    // long as the inbound trace id is (the SDK sets a child's flags from its sampler only).
    const lineage = getContextLineage(context);
    const inbound = getInboundContext(context);
    let flags = spanContext.traceFlags;
    if (inbound && inbound.remote.traceId === spanContext.traceId) flags |= inbound.remote.traceFlags & TRACE_FLAG_RANDOM;
    // Everything written counts against MAX_INJECTED_HEADER_BYTES (constants.ts: measured).
    // (Written out per header, not through a closure: inject runs on every outgoing request.)
    let budget = MAX_INJECTED_HEADER_BYTES;
    const traceParent = formatTraceParent(spanContext.traceId, spanContext.spanId, flags);
    setter.set(carrier, TRACE_PARENT_HEADER, traceParent);
    budget -= headerLineBytes(TRACE_PARENT_HEADER, traceParent);
    const traceState = spanContext.traceState?.serialize();
    if (traceState) {
      const kept = truncateTraceState(traceState, MAX_INJECTED_TRACE_STATE_LENGTH);
      if (kept.length < traceState.length) {
        this._stats.traceStateTruncated++;
        log.debug(`tracestate cut from ${traceState.length} to ${kept.length} characters (W3C truncation; budget ${MAX_INJECTED_TRACE_STATE_LENGTH})`);
      }
      if (kept) {
        setter.set(carrier, TRACE_STATE_HEADER, kept);
        budget -= headerLineBytes(TRACE_STATE_HEADER, kept);
      }
    }

    let dottedOrder: string | undefined;
    let lsBaggage: LangSmithBaggage | undefined;
    if (lineage) {
      dottedOrder = lineage.dottedOrder;
      lsBaggage = lineage.baggage;
    } else {
      if (inbound && inbound.remote.spanId === spanContext.spanId && inbound.remote.traceId === spanContext.traceId) {
        // No local span: re-emit the lineage that came in.
        dottedOrder = inbound.parent?.value;
        lsBaggage = inbound.baggage;
      } else if (!spanContext.isRemote && !this._warnedNoLineage) {
        this._warnedNoLineage = true;
        log.warn(
          'no LangSmith lineage for the active span: `langsmith-trace` is not sent. Register ' +
            'LangSmithSpanProcessor (or LangSmithLineageProcessor) on the tracer provider.',
        );
      }
    }
    if (dottedOrder && dottedOrder.length > MAX_INJECTED_DOTTED_ORDER_LENGTH) {
      // Over the budget a default server accepts (a 431 for the whole request).
      // Not cut: a shorter dotted order would name another tree. The next hop
      // continues from traceparent (a LangSmith root that records our ids).
      this._stats.lineageTooDeep++;
      notices.warn(
        'inject:lineage-too-deep',
        `langsmith-trace not sent: the lineage is ${(dottedOrder.length + 1) / (DOTTED_ORDER_SEGMENT_LENGTH + 1)} runs deep, over the ` +
          `${MAX_INJECTED_DOTTED_ORDER_SEGMENTS} that fit a header line of 8 KiB; the next service starts a new ` +
          'LangSmith trace from traceparent (counted in propagator.stats.lineageTooDeep)',
      );
    } else if (dottedOrder) {
      setter.set(carrier, LANGSMITH_TRACE_HEADER, dottedOrder);
      budget -= headerLineBytes(LANGSMITH_TRACE_HEADER, dottedOrder);
    }

    const members: string[] = lsBaggage ? lsBaggage.members.slice() : [];
    const otelBaggage = propagation.getBaggage(context);
    if (otelBaggage) {
      for (const [key, entry] of baggageEntries(otelBaggage)) {
        if (LANGSMITH_MEMBERS.has(key)) continue;
        const properties = entry.metadata?.toString();
        members.push(formatBaggageMember(key, entry.value, properties && isValidProperties(properties) ? properties : undefined));
      }
    }
    if (members.length > 0) {
      const room = Math.min(budget - headerLineBytes(BAGGAGE_HEADER, ''), MAX_INJECTED_HEADER_FIELD - BAGGAGE_HEADER.length - 2);
      const { header, dropped } = joinEncodedBaggage(members, room); // formatBaggageMember output only
      if (dropped > 0) {
        this._stats.baggageMembersDropped += dropped;
        log.debug(
          `baggage: ${dropped} member(s) left out whole to stay within 64 members, ${room} bytes ` +
            `(8192, less what fits one ${MAX_INJECTED_HEADER_FIELD}-byte field and ${MAX_INJECTED_HEADER_BYTES} bytes for all trace headers)`,
        );
      }
      if (header) setter.set(carrier, BAGGAGE_HEADER, header);
    }
    this._stats.injected++;
  }

  private _isTrusted(carrier: unknown, getter: TextMapGetter): boolean {
    if (typeof this._trust === 'boolean') return this._trust;
    try {
      return this._trust(carrier, getter) === true;
    } catch (err) {
      log.debug('trust policy threw; treating the caller as untrusted', err);
      return false;
    }
  }

  private _readTraceParent(carrier: unknown, getter: TextMapGetter): TraceParent | undefined {
    const value = readSingle(carrier, getter, TRACE_PARENT_HEADER);
    if (value === undefined) return undefined;
    // One pass: the parse returns the reason instead of the header.
    const parsed = value === null ? 'duplicated' : parseTraceParentOrReason(value);
    if (typeof parsed !== 'string') return parsed;
    this._stats.malformed.traceparent++;
    log.debug(`ignoring traceparent: ${parsed}`);
    return undefined;
  }

  private _readLangSmithTrace(carrier: unknown, getter: TextMapGetter): DottedOrder | undefined {
    const value = readSingle(carrier, getter, LANGSMITH_TRACE_HEADER);
    if (value === undefined) return undefined;
    const parsed = value === null ? undefined : parseDottedOrder(value);
    if (!parsed) {
      this._stats.malformed.langsmithTrace++;
      log.debug(`ignoring langsmith-trace: ${value === null ? 'duplicated' : reasonOf(readDottedOrder(value))}`);
    }
    return parsed;
  }

  private readonly _countDroppedMembers = (count: number): void => {
    this._stats.malformed.baggageMembers += count;
  };

  private readonly _countInvalidTraceState = (): void => {
    this._stats.malformed.tracestate++;
  };

  private _countInconsistent(): void {
    this._stats.inconsistent++;
    if (this._warnedInconsistent) return;
    this._warnedInconsistent = true;
    log.warn(
      'inbound traceparent and langsmith-trace name different hops (an intermediary forwarded one ' +
        'family and rewrote the other?). OTel parent: traceparent; LangSmith parent: langsmith-trace. ' +
        'Further cases are counted in propagator.stats.inconsistent.',
    );
  }
}

/**
 * `traceparent` and `langsmith-trace` name the same hop when the parent span
 * id is the one derived from the last run id (ids.ts rule 3), or when the
 * trace ids match by rule 2 (the Python SDK's OTel mode).
 */
function isConsistent(traceParent: TraceParent, lsParent: DottedOrder): boolean {
  return spanIdOfValidUuid(lsParent.runId) === traceParent.spanId || traceIdOfValidUuid(lsParent.lsTraceId) === traceParent.traceId;
}

function reasonOf(result: Parsed<unknown>): string {
  return result.ok ? 'rejected' : result.reason;
}

/** `name: value\r\n` on the wire (trace header values are ASCII: their length is their size). */
function headerLineBytes(name: string, value: string): number {
  return name.length + 2 + value.length + 2;
}

/** A header that must appear once: `undefined` absent, `null` duplicated or not a string. */
function readSingle(carrier: unknown, getter: TextMapGetter, key: string): string | undefined | null {
  const value = getter.get(carrier, key);
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return value.length === 1 && typeof value[0] === 'string' ? value[0] : null;
  }
  return null;
}

/**
 * A list header that may be split over several lines, joined with `,`.
 * Joining stops past `maxLength`: the codecs reject or cut such input anyway.
 */
function readJoined(carrier: unknown, getter: TextMapGetter, key: string, maxLength: number): string | undefined {
  const value = getter.get(carrier, key);
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  let joined = '';
  for (const part of value) {
    if (typeof part !== 'string') return undefined;
    joined = joined ? joined + ',' + part : part;
    if (joined.length > maxLength) break;
  }
  return joined;
}
