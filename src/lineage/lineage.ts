/**
 * Lineage: the LangSmith identity of each local span — run id, LangSmith
 * trace id, parent run, dotted order — assigned when the span starts, so
 * inject can name the active span's run and the span processor can map it.
 *
 * Records live on the span object: they are released with the span (once it
 * has ended and been exported), yet a child started after its parent ended
 * still finds the parent's lineage.
 */
import { trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { formatDottedOrderSegment, type DottedOrder } from '../headers/dotted-order.js';
import { runIdFromSpanId } from '../headers/ids.js';
import { LangSmithBaggage } from '../headers/langsmith-baggage.js';
import { getInboundContext, getUntrustedCaller } from '../context/keys.js';
import { hrTimeToMicros } from '../time.js';

export interface SpanLineage {
  /** This span's run id (ingest rule: padded span id). */
  readonly runId: string;
  /**
   * LangSmith trace id: the root run's id or the upstream LangSmith trace.
   * Undefined only under `traceparentOnly: 'attach'`, where LangSmith's
   * ingest resolves the trace from the parent.
   */
  readonly lsTraceId: string | undefined;
  readonly parentRunId: string | undefined;
  /** Undefined only under `traceparentOnly: 'attach'` (see lsTraceId). */
  readonly dottedOrder: string | undefined;
  /** Start time used in the dotted order (µs since the epoch, clamped to the parent's). */
  readonly startMicros: number;
  /** Trusted inbound (or configured) LangSmith metadata, tags and project, inherited by descendants. */
  readonly baggage: LangSmithBaggage | undefined;
  /**
   * On the local root of a `traceparent`-only request: the upstream OTel
   * parent, recorded in the run's metadata so the LangSmith root can be found
   * from the Jaeger trace.
   */
  readonly upstream: { traceId: string; spanId: string } | undefined;
}

/**
 * True when the lineage names the span's own run; false for a span the
 * `keep` filter passed over, whose lineage is its nearest kept ancestor's.
 */
export function isOwnRun(lineage: SpanLineage, spanId: string): boolean {
  // A local record compares span ids: formatting the padded UUID for the
  // comparison measured ~3% of encoding an HTTP span.
  if (lineage instanceof Lineage) return lineage.spanId === spanId;
  return lineage.runId === runIdFromSpanId(spanId);
}

/**
 * Lineage is stored on the span object under a `Symbol.for` key: released
 * with the span, shared by ESM and CJS copies of this package, and far
 * cheaper than a WeakMap (whose ephemeron table the GC walks on every cycle;
 * measured: a quarter of the time per span went to GC). Symbol keys are
 * invisible to `Object.keys` and `JSON.stringify`. A span object that cannot
 * take a property (frozen) falls back to a WeakMap.
 */
const LINEAGE_KEY = Symbol.for('langsmith-otel-bridge.lineage');
const frozenSpans = new WeakMap<object, SpanLineage>();

export function getSpanLineage(span: object | undefined): SpanLineage | undefined {
  if (span === undefined || span === null) return undefined;
  return (span as Record<symbol, SpanLineage | undefined>)[LINEAGE_KEY] ?? frozenSpans.get(span);
}

/** Internal: gives a copy of a span (the exported view) its original's lineage. */
export function setSpanLineage(span: object, lineage: SpanLineage): void {
  try {
    (span as Record<symbol, SpanLineage>)[LINEAGE_KEY] = lineage;
  } catch {
    frozenSpans.set(span, lineage);
  }
}

/** The lineage of the span active in `context`, if it is a local span with one. */
export function getContextLineage(context: Context): SpanLineage | undefined {
  return getSpanLineage(trace.getSpan(context));
}

/** Marks the link to the caller of an untrusted request. */
export const UNTRUSTED_LINK_ATTRIBUTE = 'langsmith.bridge.untrusted_caller';

export interface LineageOptions {
  /**
   * LangSmith project for traces that start here (no trusted inbound
   * `langsmith-project`); propagated downstream as `langsmith-project`.
   */
  project?: string;
  /**
   * Whether a span becomes a run of its own. A span that is not kept passes
   * its parent's lineage to its children, so they attach to the nearest kept
   * ancestor and no run is ever orphaned. Evaluated once, at start.
   */
  keep?: (span: Span) => boolean;
}

/** Minimal view of an SDK span at start: works with the SDK 2.x and 3.x shapes. */
interface StartedSpan extends Span {
  readonly startTime?: [number, number];
}

/**
 * Assigns lineage in `onStart`. Used by LangSmithSpanProcessor; exposed for
 * setups that run their own processors (see LangSmithLineageProcessor).
 *
 * onStart only links the new record to its parent's; run id, dotted order
 * and trace id are computed on first read (inject or export) and cached, so
 * the per-span cost on the request path is one small object and a symbol-keyed property set on the span.
 */
export class LineageTracker {
  private readonly _rootBaggage: LangSmithBaggage | undefined;
  private readonly _keep: ((span: Span) => boolean) | undefined;

  constructor(options: LineageOptions = {}) {
    this._rootBaggage = options.project ? LangSmithBaggage.from({ project: options.project }) : undefined;
    this._keep = options.keep;
  }

  /** Assigns (once) and returns the lineage of a span that just started. */
  onStart(span: Span, parentContext: Context): SpanLineage {
    const existing = getSpanLineage(span);
    if (existing) return existing;
    const lineage = this._assign(span as StartedSpan, parentContext);
    setSpanLineage(span, lineage);
    return lineage;
  }

  private _assign(span: StartedSpan, parentContext: Context): SpanLineage {
    const spanId = span.spanContext().spanId;
    const parentSpan = trace.getSpan(parentContext);
    const parentLineage = getSpanLineage(parentSpan);
    const kept = this._keep === undefined || safeKeep(this._keep, span);
    if (parentLineage) return kept ? new Lineage(spanId, startMicrosOf(span), parentLineage, undefined) : parentLineage;

    const inbound = getInboundContext(parentContext);
    // The inbound lineage applies only to children of the remote span it came with.
    const remoteParent = parentSpan?.spanContext();
    if (inbound && remoteParent && sameSpan(remoteParent, inbound.remote)) {
      const baggage = inbound.baggage ?? this._rootBaggage;
      if (inbound.parent) {
        const upstreamRun = inboundRun(inbound.parent, baggage);
        return kept ? new Lineage(spanId, startMicrosOf(span), upstreamRun, undefined) : upstreamRun;
      }
      if (inbound.attachToRunId) {
        return new Lineage(spanId, startMicrosOf(span), undefined, baggage, undefined, inbound.attachToRunId);
      }
    }

    const untrustedCaller = parentSpan ? undefined : getUntrustedCaller(parentContext);
    if (untrustedCaller && typeof span.addLink === 'function') {
      // OTel Go's public-endpoint pattern: a new root that links to the caller.
      span.addLink({ context: untrustedCaller, attributes: { [UNTRUSTED_LINK_ATTRIBUTE]: true } });
    }

    // A LangSmith root. Always kept, whatever the filter says: a root has no
    // ancestor its children could attach to instead.
    const upstream = remoteParent && remoteParent.isRemote ? { traceId: remoteParent.traceId, spanId: remoteParent.spanId } : undefined;
    return new Lineage(spanId, startMicrosOf(span), undefined, inbound?.baggage ?? this._rootBaggage, upstream);
  }
}

/**
 * Which lineage fields LangSmith's OTLP ingest would not derive for a span
 * (see lineageToWrite). The same bits as encoding's WRITE_PARENT, … (which
 * are defined as these: lineage/ may not import mapping/), so a result is
 * passed to runToAttributes as it is; bit 1 is encoding's WRITE_RUN_ID.
 */
export const LINEAGE_PARENT = 2;
export const LINEAGE_TRACE_ID = 4;
export const LINEAGE_DOTTED_ORDER = 8;
export const LINEAGE_IS_ROOT = 16;
export const LINEAGE_ALL = LINEAGE_PARENT | LINEAGE_TRACE_ID | LINEAGE_DOTTED_ORDER | LINEAGE_IS_ROOT;

/**
 * The lineage fields of a span's own run that LangSmith's OTLP ingest would
 * not derive from the OTel ids (LINEAGE_* flags; 0: ingest derives them all).
 * Ingest's rules (MAPPING.md, "What ingest derives"): run id = padded span
 * id (always so here); parent = padded `parentSpanId`; trace = the parent's
 * trace, or the run itself at a root; dotted order = the parent's + a
 * segment of the span's own start time and run id. So a field is written
 * only where the bridge's lineage says otherwise:
 * - a root whose span has a parent span (traceparent-only, untrusted caller): is_root;
 * - a parent that is not the padded parent span id (re-parented past a
 *   filtered span, an inbound LangSmith-native run, `attach`): parent id —
 *   and trace and dotted order too when that parent is not a local span
 *   (ingest may hold no dotted order for a run posted another way);
 * - a start clamped to the parent's (a child never starts before its
 *   parent): the dotted order, whose segment time is not the span's start.
 * `parentSpanId` is the exported span's, `ownMicros` its start in µs.
 * Lineage objects of another shape (a caller's own) get every field written.
 */
export function lineageToWrite(lineage: SpanLineage, parentSpanId: string | undefined, ownMicros: number | undefined): number {
  if (!(lineage instanceof Lineage)) return LINEAGE_ALL;
  return lineage.toWrite(parentSpanId, ownMicros);
}

/** A local span's run. Derived fields are computed on first read and cached. */
class Lineage implements SpanLineage {
  private _runId: string | undefined;
  private _dottedOrder: string | undefined;
  private _startMicros = -1;

  constructor(
    private readonly _spanId: string,
    private readonly _ownMicros: number,
    private readonly _parent: SpanLineage | undefined,
    private readonly _baggage: LangSmithBaggage | undefined,
    readonly upstream: { traceId: string; spanId: string } | undefined = undefined,
    private readonly _attachToRunId: string | undefined = undefined,
  ) {}

  get runId(): string {
    return (this._runId ??= runIdFromSpanId(this._spanId));
  }

  /** The OTel span id of the span whose run this is. */
  get spanId(): string {
    return this._spanId;
  }

  get parentRunId(): string | undefined {
    return this._parent ? this._parent.runId : this._attachToRunId;
  }

  get lsTraceId(): string | undefined {
    if (this._parent) return this._parent.lsTraceId;
    return this._attachToRunId ? undefined : this.runId;
  }

  get baggage(): LangSmithBaggage | undefined {
    return this._parent ? this._parent.baggage : this._baggage;
  }

  /** Clamped so a child never starts before its parent (a server invariant). */
  get startMicros(): number {
    if (this._startMicros < 0) {
      const parentMicros = this._parent ? this._parent.startMicros : 0;
      this._startMicros = this._ownMicros < parentMicros ? parentMicros : this._ownMicros;
    }
    return this._startMicros;
  }

  /** See lineageToWrite. */
  toWrite(parentSpanId: string | undefined, ownMicros: number | undefined): number {
    const parent = this._parent;
    let write = 0;
    if (parent === undefined && this._attachToRunId === undefined) {
      // A root: ingest makes one only of a span without a parent span.
      return parentSpanId === undefined ? 0 : LINEAGE_IS_ROOT;
    }
    // Ingest's parent is the padded parent span id. A local parent compares
    // span ids, as isOwnRun does: no run id formatted per exported span.
    const localParent = parent instanceof Lineage;
    const derivesParent = localParent ? parent.spanId === parentSpanId : parentSpanId !== undefined && this.parentRunId === runIdFromSpanId(parentSpanId);
    if (!derivesParent) {
      write |= LINEAGE_PARENT;
      // Only a local parent's lineage is known to ingest as the bridge knows it.
      if (parent !== undefined && !localParent) write |= LINEAGE_TRACE_ID | LINEAGE_DOTTED_ORDER;
    }
    if (ownMicros === undefined || this.startMicros !== ownMicros) write |= LINEAGE_DOTTED_ORDER;
    return write;
  }

  get dottedOrder(): string | undefined {
    if (this._dottedOrder === undefined) {
      if (this._parent) {
        const parent = this._parent.dottedOrder;
        if (parent === undefined) return undefined;
        this._dottedOrder = `${parent}.${formatDottedOrderSegment(this.startMicros, this.runId)}`;
      } else if (this._attachToRunId === undefined) {
        this._dottedOrder = formatDottedOrderSegment(this.startMicros, this.runId);
      }
    }
    return this._dottedOrder;
  }
}

/** The upstream run named by an inbound `langsmith-trace`, as a lineage parent. */
function inboundRun(parent: DottedOrder, baggage: LangSmithBaggage | undefined): SpanLineage {
  return {
    runId: parent.runId,
    lsTraceId: parent.lsTraceId,
    parentRunId: parent.parentRunId,
    dottedOrder: parent.value,
    startMicros: parent.startMicros,
    baggage,
    upstream: undefined,
  };
}

/**
 * The span's start in µs. OTel JS SDK 2.x takes start times from Date.now()
 * (millisecond precision), so their µs digits are 000. They are left so: a
 * LangSmith JS SDK run continued downstream puts its execution order (001,
 * 002, …) in those digits, and anything larger here would make such a child
 * of ours sort before its parent in the same millisecond, which LangSmith
 * rejects. Same-millisecond siblings tie, which LangSmith allows.
 */
function startMicrosOf(span: StartedSpan): number {
  return hrTimeToMicros(span.startTime) ?? Date.now() * 1000;
}

function safeKeep(keep: (span: Span) => boolean, span: Span): boolean {
  try {
    return keep(span);
  } catch {
    return true; // a throwing filter must not strand anything: keep the span
  }
}

function sameSpan(a: SpanContext, b: SpanContext): boolean {
  return a.spanId === b.spanId && a.traceId === b.traceId;
}
