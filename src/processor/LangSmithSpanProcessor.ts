/**
 * LangSmithSpanProcessor: every OTel span becomes the right LangSmith run.
 *
 *   onStart  assign lineage (run id, trace, parent, dotted order; lazy)
 *   onEnd    push the span onto bounded queues — nothing else on the hot path
 *   export   map span → run, then
 *            (a) `exporter`: the span with the `langsmith.*` attributes
 *                LangSmith's OTLP ingest cannot derive from it (issue 10;
 *                Jaeger sees an ordinary span, LangSmith ingest rebuilds
 *                exactly this run), and/or
 *            (b) `sinks`: the run object (LangSmith Client, JSONL file, terminal)
 */
import { context, diag, TraceFlags, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { notices } from '../notices.js';
import { hrTimeToMicros } from '../time.js';
import { suppressTracing } from '../context/keys.js';
import { getSpanLineage, isOwnRun, LineageTracker, lineageToWrite, type SpanLineage } from '../lineage/lineage.js';
import type { SpanProcessorLike } from '../lineage/LangSmithLineageProcessor.js';
import {
  DEFAULT_PROJECT,
  LANGSMITH_BRIDGE_EXCLUDED,
  LANGSMITH_DOTTED_ORDER,
  LANGSMITH_IS_ROOT,
  LANGSMITH_METADATA_PREFIX,
  LANGSMITH_PARENT_RUN_ID,
  LANGSMITH_RUN_ID,
  LANGSMITH_SESSION_NAME,
  LANGSMITH_TRACE_ID,
} from '../mapping/conventions.js';
import { infrastructureAttributes, isInfrastructureSpan } from '../mapping/infrastructure.js';
import { payloadLimit } from '../mapping/attributes/index.js';
import { nameAndTypeToWrite, runToAttributes, WRITE_LINEAGE, WRITE_PARENT, WRITE_PROJECT } from '../mapping/encoding.js';
import { OTEL_TRACE_ID_METADATA, projectOf, spanToRun, type RunMappingOptions } from '../mapping/span-to-run.js';
import type { Run, SpanLike } from '../mapping/types.js';
import type { RunSink } from '../sinks/types.js';
import { BatchQueue, describeError, within, type BatchQueueOptions, type BatchQueueStats, type ShutdownResult } from './batch-queue.js';
import { ExportedSpan } from './exported-span.js';
import { defaultSpanFilter, type SpanFilter } from './filter.js';

/** OTel's SpanExporter contract, stated structurally (SDK 2.x and 3.x). */
export interface SpanExporterLike {
  export(spans: SpanLike[], resultCallback: (result: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

export interface LangSmithSpanProcessorOptions extends RunMappingOptions, BatchQueueOptions {
  /**
   * Receives every ended span, runs encoded as `langsmith.*` attributes;
   * spans the filter keeps out of LangSmith carry `langsmith.bridge.excluded`.
   * Typically `new OTLPTraceExporter()` pointed at a collector.
   */
  exporter?: SpanExporterLike;
  /** Receive the runs of kept spans as LangSmith run objects. */
  sinks?: RunSink[];
  /** Which spans become runs (decided at start). Default: `defaultSpanFilter`. */
  filter?: SpanFilter;
  /**
   * Whether spans the filter keeps out of LangSmith still go to `exporter`,
   * flagged `langsmith.bridge.excluded` (default true: the exporter feeds a
   * collector whose LangSmith pipeline drops them while Jaeger keeps them).
   * Set false when `exporter` sends straight to LangSmith's OTLP endpoint.
   */
  exportFilteredSpans?: boolean;
  /**
   * The one deadline of `shutdown()` (queues, exporter and sinks together)
   * and of the register entry's exit-time flush: what is not delivered by
   * then is discarded, counted and reported in one line on stderr. Env:
   * LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS. Default 5000 ms.
   */
  shutdownTimeoutMillis?: number;
  /** How the exporter is named in notices on stderr, e.g. `OTLP http://collector:4318/v1/traces`. Default `exporter`. */
  exporterLabel?: string;
  /**
   * The project LangSmith gives a span of `exporter` that names none: the
   * exporter's `Langsmith-Project` header when it sends straight to
   * LangSmith, else ingest's `default`. Runs of this project go without
   * `langsmith.trace.session_name`; any other project is written per span.
   * Default `default`.
   */
  exporterProject?: string;
}

/** What a final flush (exit or shutdown) could not deliver, per destination. */
export interface UndeliveredReport {
  /** Items not delivered, all destinations. */
  total: number;
  destinations: Array<{ label: string } & ShutdownResult>;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

/** Retries of the queue for sinks that do not retry themselves. */
const SINK_RETRIES = 5;

export interface LangSmithSpanProcessorStats {
  started: number;
  ended: number;
  /** Per destination: `exporter` and each sink by name. */
  queues: Record<string, BatchQueueStats>;
  /** Everything dropped anywhere (queue full, failed exports, discarded at the shutdown deadline). */
  dropped: number;
  /** Runs a sink could not take (e.g. `traceparentOnly: 'attach'` runs without dotted order). */
  unplaceable: number;
}

const log = diag.createComponentLogger({ namespace: 'langsmith-otel-bridge' });

export class LangSmithSpanProcessor implements SpanProcessorLike {
  private readonly _tracker: LineageTracker;
  private readonly _mapping: RunMappingOptions;
  private readonly _exporter: SpanExporterLike | undefined;
  private readonly _sinks: RunSink[];
  private readonly _queues: Array<BatchQueue<SpanLike>> = [];
  private readonly _queueNames: string[] = [];
  private readonly _queueLabels: string[] = [];
  private readonly _shutdownTimeout: number;
  private _started = 0;
  private _ended = 0;
  private _unplaceable = 0;
  private _shutdown: Promise<void> | undefined;
  private readonly _exportFiltered: boolean;
  private readonly _exportTimeoutMillis: number;
  private readonly _exporterProject: string;
  /** The fast path is off when a hideInputs/hideOutputs option may rewrite what the mapping yields. */
  private readonly _fastPath: boolean;
  private readonly _maxPayloadBytes: number;

  constructor(options: LangSmithSpanProcessorOptions = {}) {
    const { exporter, sinks = [], filter = defaultSpanFilter, project, hideInputs, hideOutputs, maxPayloadBytes } = options;
    if (!exporter && sinks.length === 0) {
      throw new TypeError(
        'LangSmithSpanProcessor: set `exporter` (e.g. an OTLPTraceExporter to your collector) and/or `sinks` ' +
          '(LangSmithClientSink, JsonlFileSink, TreePrinterSink) — or use registerLangSmithBridge(), which reads ' +
          'LANGSMITH_API_KEY / OTEL_EXPORTER_OTLP_ENDPOINT.',
      );
    }
    if (filter !== undefined && typeof filter !== 'function') {
      throw new TypeError('LangSmithSpanProcessor: `filter` must be a function (span) => boolean.');
    }
    this._tracker = new LineageTracker({ project, keep: filter });
    this._mapping = { project, hideInputs, hideOutputs, maxPayloadBytes };
    this._fastPath = (hideInputs === undefined || hideInputs === false) && (hideOutputs === undefined || hideOutputs === false);
    this._maxPayloadBytes = payloadLimit(maxPayloadBytes);
    this._exporter = exporter;
    this._exportFiltered = options.exportFilteredSpans ?? true;
    this._exporterProject = options.exporterProject ?? DEFAULT_PROJECT;
    this._sinks = sinks;
    this._exportTimeoutMillis = options.exportTimeoutMillis ?? 30_000;
    this._shutdownTimeout = options.shutdownTimeoutMillis ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    if (!Number.isFinite(this._shutdownTimeout) || this._shutdownTimeout < 0) {
      throw new TypeError(`LangSmithSpanProcessor: \`shutdownTimeoutMillis\` must be a number ≥ 0 (got ${String(options.shutdownTimeoutMillis)}).`);
    }
    // One retry layer per destination (#8): an OTel exporter retries in its
    // transport (backoff, jitter, Retry-After), as BatchSpanProcessor assumes,
    // and so does a sink that says so (the langsmith Client); others get the queue's.
    if (exporter) {
      const label = options.exporterLabel ?? 'exporter';
      this._addQueue('exporter', label, (spans) => this._exportSpans(spans), { ...options, maxRetries: 0 });
    }
    for (const sink of sinks) {
      const maxRetries = sink.retriesItself ? 0 : (options.maxRetries ?? SINK_RETRIES);
      this._addQueue(sink.name, sink.label ?? sink.name, (spans) => this._writeRuns(sink, spans), { ...options, maxRetries });
    }
  }

  /**
   * Exports run with tracing suppressed: the HTTP calls a sink or exporter
   * makes (the langsmith Client's requests, say) must not become spans that
   * are exported in turn.
   */
  private static _untraced<T>(fn: () => Promise<T>): Promise<T> {
    return context.with(suppressTracing(context.active()), fn);
  }

  get stats(): LangSmithSpanProcessorStats {
    const queues: Record<string, BatchQueueStats> = {};
    let dropped = 0;
    this._queues.forEach((queue, i) => {
      queues[this._queueNames[i]!] = { ...queue.stats };
      dropped += queue.stats.droppedQueueFull + queue.stats.droppedExportFailed + queue.stats.discardedAtShutdown;
    });
    return { started: this._started, ended: this._ended, queues, dropped, unplaceable: this._unplaceable };
  }

  onStart(span: Span, parentContext: Context): void {
    this._started++;
    this._tracker.onStart(span, parentContext);
  }

  onEnd(span: SpanLike): void {
    this._ended++;
    // As BatchSpanProcessor: a RECORD_ONLY span (sampler said record, not sample) is not exported.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    for (let i = 0; i < this._queues.length; i++) this._queues[i]!.push(span);
  }

  /**
   * Delivers what was queued at the call (later spans do not hold it up),
   * waiting at most `exportTimeoutMillis` per destination. Never rejects.
   */
  forceFlush(): Promise<void> {
    return LangSmithSpanProcessor._untraced(async () => {
      const started = Date.now();
      await Promise.all(this._queues.map((q) => q.forceFlush()));
      const left = this._exportTimeoutMillis - (Date.now() - started);
      await settleWithin([this._exporter?.forceFlush?.(), ...this._sinks.map((s) => s.forceFlush?.())], left);
    });
  }

  /**
   * Delivers what is queued within `shutdownTimeoutMillis` (each batch tried
   * once), then stops. What is not delivered by the deadline is discarded,
   * counted (`stats.queues[*].discardedAtShutdown`) and reported in one line
   * on stderr. Never rejects; resolves by the deadline. `deadline` (epoch ms)
   * replaces it when a caller has already spent part of the time (the
   * bridge's shutdown flushes the langsmith SDK first: one deadline in all).
   */
  shutdown(deadline?: number): Promise<void> {
    return (this._shutdown ??= LangSmithSpanProcessor._untraced(async () => {
      deadline ??= Date.now() + this._shutdownTimeout;
      const results = await Promise.all(this._queues.map((q) => q.shutdown(deadline)));
      this._report(this._collect(results), 'at shutdown');
      await settleWithin([this._exporter?.shutdown(), ...this._sinks.map((s) => s.shutdown?.())], deadline - Date.now());
    }));
  }

  /**
   * The flush at process exit (the register entry's `beforeExit`): each
   * queued batch tried once until `deadline` (epoch ms); what is not
   * delivered is reported in one line and returned. The processor stays open.
   */
  async flushAtExit(deadline: number): Promise<UndeliveredReport> {
    const results = await LangSmithSpanProcessor._untraced(() => Promise.all(this._queues.map((q) => q.finalFlush(deadline))));
    const report = this._collect(results);
    this._report(report, 'at exit');
    return report;
  }

  /** Spans queued or in flight now, all destinations (what an exit now would lose). */
  get pending(): number {
    return this._queues.reduce((sum, q) => sum + q.pending, 0);
  }

  /** Reports spans still queued when the process exits without a flush (process.exit()). */
  reportLostAtExit(): void {
    const destinations = this._queues
      .map((q, i) => ({ label: this._queueLabels[i]!, discarded: q.pending, reason: q.lastError ?? 'the process exited before they were sent' }))
      .filter((d) => d.discarded > 0);
    this._report({ total: destinations.reduce((n, d) => n + d.discarded, 0), destinations }, 'at exit');
  }

  private _collect(results: ShutdownResult[]): UndeliveredReport {
    const destinations = results.map((r, i) => ({ label: this._queueLabels[i]!, ...r })).filter((d) => d.discarded > 0);
    return { total: destinations.reduce((n, d) => n + d.discarded, 0), destinations };
  }

  private _report(report: UndeliveredReport, when: string): void {
    if (report.total === 0) return;
    const deadline = `no answer within ${this._shutdownTimeout} ms, LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS`;
    const parts = report.destinations.map((d) => `${d.label}: ${d.discarded} (${d.reason ?? deadline})`);
    notices.warn(`undelivered ${when}`, `${report.total} span(s) not delivered ${when}; ${parts.join('; ')}`, report.total);
    notices.flush();
  }

  private _addQueue(name: string, label: string, exportFn: (spans: SpanLike[]) => Promise<void>, options: BatchQueueOptions): void {
    const untraced = (spans: SpanLike[]) => LangSmithSpanProcessor._untraced(() => exportFn(spans));
    this._queues.push(new BatchQueue<SpanLike>(name, untraced, { ...options, label }));
    this._queueNames.push(name);
    this._queueLabels.push(label);
  }

  /** Encoding (a): each span with its run as `langsmith.*` attributes. */
  private async _exportSpans(spans: SpanLike[]): Promise<void> {
    const encoded: SpanLike[] = [];
    await forEachInSlices(spans, (span) => {
      const view = this._encode(span);
      if (view !== undefined) encoded.push(view);
    });
    if (encoded.length === 0) return;
    return new Promise((resolve, reject) => {
      try {
        this._exporter!.export(encoded, (result) => {
          if (result.code === 0) resolve();
          else reject(result.error ?? new Error('export failed'));
        });
      } catch (err) {
        reject(err);
      }
    });
  }

  private _encode(span: SpanLike): SpanLike | undefined {
    try {
      const lineage = getSpanLineage(span);
      if (lineage && !isOwnRun(lineage, span.spanContext().spanId)) {
        if (!this._exportFiltered) return undefined;
        const attributes = Object.assign({}, span.attributes);
        attributes[LANGSMITH_BRIDGE_EXCLUDED] = true;
        return new ExportedSpan(span, attributes);
      }
      const lineageWrite = lineage === undefined ? WRITE_LINEAGE : this._lineageToWrite(span, lineage);
      if (lineageWrite === 0 && this._fastPath) {
        const fast = this._encodeFast(span, lineage!);
        if (fast !== undefined) return fast;
      }
      return this._encodeFull(span, lineage, lineageWrite);
    } catch (err) {
      log.debug('could not map a span to a run; exporting it unchanged', err);
      return span;
    }
  }

  /**
   * The fast path (issue 10): a span whose lineage ingest derives and whose
   * own data is infrastructure only (isInfrastructureSpan) goes without
   * spanToRun — as is, the same object, when there is nothing to write;
   * else a copy with what infrastructureAttributes, the project and the
   * root's `otel_trace_id` add, exactly what _encodeFull would write
   * (test/fast-path.test.ts). Undefined: take the full path.
   */
  private _encodeFast(span: SpanLike, lineage: SpanLineage): SpanLike | undefined {
    const baggage = lineage.baggage;
    if (baggage !== undefined) {
      // Inbound metadata and tags are written on every run of the trace.
      const metadata = baggage.metadata;
      if (metadata !== undefined && Object.keys(metadata).length > 0) return undefined;
      if (baggage.tags !== undefined && baggage.tags.length > 0) return undefined;
    }
    // The upstream OTel ids of a traceparent-only root are written as metadata.
    if (lineage.upstream !== undefined) return undefined;
    if (!isInfrastructureSpan(span)) return undefined;
    const added: Attributes = {};
    let written = infrastructureAttributes(span, this._maxPayloadBytes, added);
    const project = projectOf(lineage, this._mapping);
    if (project !== this._exporterProject) {
      added[LANGSMITH_SESSION_NAME] = project;
      written++;
    }
    // Where the OTel trace enters the LangSmith trace: its root run (decision 1, MAPPING.md).
    if (lineage.parentRunId === undefined) {
      added[LANGSMITH_METADATA_PREFIX + OTEL_TRACE_ID_METADATA] = span.spanContext().traceId;
      written++;
    }
    if (written === 0) return span;
    return new ExportedSpan(span, Object.assign(Object.assign({}, span.attributes), added));
  }

  /** spanToRun, then the `langsmith.*` attributes ingest cannot derive. */
  private _encodeFull(span: SpanLike, lineage: SpanLineage | undefined, lineageWrite: number): SpanLike {
    // `otel_trace_id` where the OTel trace enters the LangSmith trace: a
    // root run, or a run whose parent run is not its OTel parent span.
    const otelTraceId = lineage === undefined || lineage.parentRunId === undefined || (lineageWrite & WRITE_PARENT) !== 0;
    const run = spanToRun(span, this._mapping, { otelTraceId });
    const write = this._toWrite(span, run, lineageWrite);
    // Object.assign, not spread: spreading these attribute objects measured 2.5x slower.
    const attributes = runToAttributes(run, Object.assign({}, span.attributes), write);
    return new ExportedSpan(span, attributes, withErrorEvent(span, run));
  }

  /**
   * The lineage fields ingest would not derive (lineageToWrite's LINEAGE_*
   * bits, which are WRITE_* bits). Under a lineage attribute the span carried:
   * WRITE_LINEAGE, every lineage field, the run id included (which no
   * lineageToWrite result holds: a lineage object of another shape leaves
   * the run id to ingest).
   */
  private _lineageToWrite(span: SpanLike, lineage: SpanLineage): number {
    const attributes = span.attributes;
    // A lineage attribute the span carried itself would override ingest's
    // derivation: every lineage field is then written over it.
    if (
      attributes[LANGSMITH_RUN_ID] !== undefined ||
      attributes[LANGSMITH_TRACE_ID] !== undefined ||
      attributes[LANGSMITH_PARENT_RUN_ID] !== undefined ||
      attributes[LANGSMITH_DOTTED_ORDER] !== undefined ||
      attributes[LANGSMITH_IS_ROOT] !== undefined
    ) {
      return WRITE_LINEAGE;
    }
    const parentSpanId = span.parentSpanContext?.spanId ?? span.parentSpanId;
    return lineageToWrite(lineage, parentSpanId, hrTimeToMicros(span.startTime));
  }

  /**
   * The WRITE_* fields of encoding (a) that LangSmith's OTLP ingest would not
   * derive from the span itself (issue 10; MAPPING.md, "What ingest derives").
   * `lineageWrite` is already WRITE_* bits (see _lineageToWrite).
   */
  private _toWrite(span: SpanLike, run: Run, lineageWrite: number): number {
    let write = nameAndTypeToWrite(run, span) | lineageWrite;
    if (run.session_name !== this._exporterProject) write |= WRITE_PROJECT;
    return write;
  }

  /** Encoding (b): the runs of kept spans. */
  private async _writeRuns(sink: RunSink, spans: SpanLike[]): Promise<void> {
    const runs: Run[] = [];
    await forEachInSlices(spans, (span) => {
      const lineage = getSpanLineage(span);
      if (lineage && !isOwnRun(lineage, span.spanContext().spanId)) return;
      let run: Run;
      try {
        run = spanToRun(span, this._mapping);
      } catch (err) {
        log.debug('could not map a span to a run; skipped', err);
        return;
      }
      if (run.dotted_order === undefined || run.trace_id === undefined) {
        this._unplaceable++;
        log.debug(`${sink.name}: run ${run.id} has no dotted order (traceparentOnly: 'attach'); only OTLP ingest can place it`);
        return;
      }
      runs.push(run);
    });
    if (runs.length > 0) await sink.write(runs);
  }
}

/**
 * Mapping runs on the application's event loop: a batch is mapped in slices
 * of at most ~MAP_SLICE_MS with a yield between them, so a 512-span batch of
 * chat spans (≈ 12–25 ms of mapping here) never holds up requests for longer
 * than one slice. By time, not by count: a batch the fast path encodes (HTTP
 * spans, ~1 µs each) is not cut into eight, and each yield lengthens the
 * export while the queue fills (bench/load-spans.mjs, 256k spans at 25k/s,
 * four alternating runs: 8357/1091/0/5603 dropped with a yield every 64 spans,
 * 4379/0/0/0 without; loaded 2-core machine, indicative only). The clock is
 * read every MAP_CHECK_MASK + 1 spans.
 */
const MAP_SLICE_MS = 4;
const MAP_CHECK_MASK = 15;

/** Calls `fn` on each item, yielding to the event loop between slices of ~MAP_SLICE_MS (see there). */
async function forEachInSlices<T>(items: readonly T[], fn: (item: T) => void): Promise<void> {
  let slice = performance.now();
  for (let i = 0; i < items.length; i++) {
    if ((i & MAP_CHECK_MASK) === MAP_CHECK_MASK && performance.now() - slice >= MAP_SLICE_MS) {
      await yieldToEventLoop();
      slice = performance.now();
    }
    fn(items[i]!);
  }
}

/**
 * Waits for the exporter's and sinks' own flush/shutdown, at most `ms`; their
 * failures are absorbed (the queues already counted what was not delivered)
 * and nothing is left unhandled.
 */
async function settleWithin(promises: Array<Promise<unknown> | undefined>, ms: number): Promise<void> {
  const pending = promises.filter((p): p is Promise<unknown> => p !== undefined);
  if (pending.length === 0) return;
  const failed = (err: unknown) => log.debug(`flush/shutdown of a destination failed: ${describeError(err)}`);
  await within(Promise.all(pending.map((p) => p.catch(failed))), ms);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * LangSmith's OTLP ingest reads errors from `exception` events, not from the
 * status code: a span with an error status and no recorded exception gets one.
 */
function withErrorEvent(span: SpanLike, run: Run): SpanLike['events'] {
  if (run.error === undefined || span.events.some((e) => e.name === 'exception')) return span.events;
  const event = { name: 'exception', time: span.endTime, attributes: { 'exception.message': run.error }, droppedAttributesCount: 0 };
  return [...span.events, event];
}
