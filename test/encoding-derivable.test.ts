/**
 * Encoding (a) writes only what LangSmith's OTLP ingest cannot derive
 * (issue 10; MAPPING.md, "What ingest derives"). One row per rule: the
 * `langsmith.*` attributes a span is exported with, and — through the local
 * ingest server, which applies ingest's derivation rules — the run it
 * becomes, identical to the run the direct sink receives.
 */
import { defaultTextMapGetter, ROOT_CONTEXT, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import * as codecs from '../src/headers/index.js';
import { LangSmithPropagator } from '../src/index.js';
import { startIngestServer } from '../src/ingest/index.js';
import { LangSmithSpanProcessor } from '../src/processor/LangSmithSpanProcessor.js';
import type { Run } from '../src/mapping/types.js';
import type { RunSink } from '../src/sinks/types.js';

const LINEAGE = ['langsmith.span.id', 'langsmith.trace.id', 'langsmith.span.parent_id', 'langsmith.span.dotted_order', 'langsmith.is_root'];
const INFERRED = ['langsmith.trace.name', 'langsmith.span.kind', 'langsmith.trace.session_name'];
const NATIVE_RUN = '0195c1a2-3b4c-7d5e-8f60-718293a4b5c6';
const NATIVE_DOTTED = `20250101T000000000000Z${NATIVE_RUN}`;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

interface Row {
  rule: string;
  /** Starts the spans; returns the one whose exported attributes are checked. */
  build(tracer: Tracer, noisy: Tracer): Span;
  /** The `langsmith.*` lineage/name/type/project attributes expected on it. */
  writes: string[];
  project?: string;
  exporterProject?: string;
  /** The parent run is in another service, not sent to this ingest. */
  upstreamElsewhere?: boolean;
}

function under(parent: Span | Context): Context {
  return 'spanContext' in parent ? trace.setSpan(ROOT_CONTEXT, parent) : parent;
}

function inbound(headers: Record<string, string>, traceparentOnly?: 'root' | 'attach'): Context {
  return new LangSmithPropagator({ trust: true, traceparentOnly }).extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const rows: Row[] = [
  {
    rule: 'a root span without a parent span: nothing (ingest makes it the root of its own trace)',
    build: (t) => t.startSpan('root'),
    writes: [],
  },
  {
    rule: 'a child of a local kept span: nothing (parent, trace and dotted order follow from parentSpanId)',
    build: (t) => {
      const root = t.startSpan('root');
      const c = t.startSpan('child', {}, under(root));
      c.end();
      root.end();
      return c;
    },
    writes: [],
  },
  {
    rule: 'a child re-parented past a filtered span: its parent id only',
    build: (t, noisy) => {
      const root = t.startSpan('root');
      const fs = noisy.startSpan('fs.readFile', {}, under(root));
      const c = t.startSpan('parse', {}, under(fs));
      c.end();
      fs.end();
      root.end();
      return c;
    },
    writes: ['langsmith.span.parent_id'],
  },
  {
    rule: 'a traceparent-only root (the caller sent no LangSmith lineage): is_root',
    build: (t) => t.startSpan('server', {}, inbound({ traceparent: TRACEPARENT })),
    writes: ['langsmith.is_root'],
  },
  {
    rule: 'under a LangSmith-native parent (a full UUID run): parent, trace and dotted order',
    build: (t) => t.startSpan('server', {}, inbound({ traceparent: TRACEPARENT, 'langsmith-trace': NATIVE_DOTTED })),
    writes: ['langsmith.span.parent_id', 'langsmith.trace.id', 'langsmith.span.dotted_order'],
    upstreamElsewhere: true,
  },
  {
    rule: 'under an upstream run that is the padded remote parent span: nothing',
    build: (t) => {
      const upstreamRun = codecs.runIdFromSpanId('b7ad6b7169203331');
      return t.startSpan('server', {}, inbound({ traceparent: TRACEPARENT, 'langsmith-trace': `20250101T000000000000Z${upstreamRun}` }));
    },
    writes: [],
    upstreamElsewhere: true,
  },
  {
    rule: 'a child whose start is clamped to its parent’s: its dotted order',
    build: (t) => {
      const root = t.startSpan('root', { startTime: [1_700_000_010, 0] });
      const c = t.startSpan('early', { startTime: [1_700_000_000, 0] }, under(root));
      c.end([1_700_000_011, 0]);
      root.end([1_700_000_012, 0]);
      return c;
    },
    writes: ['langsmith.span.dotted_order'],
  },
  {
    rule: 'a span carrying a lineage attribute of its own: every lineage field, written over it',
    build: (t) => {
      const root = t.startSpan('root');
      const c = t.startSpan('claims', { attributes: { 'langsmith.span.dotted_order': 'bogus' } }, under(root));
      c.end();
      root.end();
      return c;
    },
    writes: ['langsmith.span.id', 'langsmith.trace.id', 'langsmith.span.parent_id', 'langsmith.span.dotted_order'],
  },
  {
    rule: 'a project other than the destination’s: the project',
    build: (t) => t.startSpan('root'),
    project: 'mine',
    writes: ['langsmith.trace.session_name'],
  },
  {
    rule: 'the project the exporter’s Langsmith-Project header names: nothing',
    build: (t) => t.startSpan('root'),
    project: 'mine',
    exporterProject: 'mine',
    writes: [],
  },
  {
    rule: 'a chat span: the run type (ingest’s inference from gen_ai.* differs in places)',
    build: (t) => t.startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat' } }),
    writes: ['langsmith.span.kind'],
  },
  {
    rule: 'a Traceloop entity name: the name',
    build: (t) => t.startSpan('task', { attributes: { 'traceloop.entity.name': 'summarize' } }),
    writes: ['langsmith.trace.name'],
  },
  {
    rule: 'a name source ingest may read (`tool.name`), even where the bridge keeps the span name: the name (when unsure, write it)',
    build: (t) => t.startSpan('call', { attributes: { 'tool.name': 'lookup' } }),
    writes: ['langsmith.trace.name'],
  },
];

describe('encoding (a) writes only what OTLP ingest cannot derive', () => {
  it.each(rows)('$rule', async (row) => {
    const otlp = await startIngestServer();
    cleanups.push(() => otlp.close());
    const exported: ReadableSpan[] = [];
    const direct: Run[] = [];
    const sink: RunSink = { name: 'direct', write: async (runs) => void direct.push(...runs) };
    const otlpExporter = new OTLPTraceExporter({
      url: `${otlp.url}/otel/v1/traces`,
      headers: row.exporterProject ? { 'Langsmith-Project': row.exporterProject } : {},
    });
    const exporter = {
      export: (spans: ReadableSpan[], cb: (r: { code: number }) => void) => {
        exported.push(...spans);
        otlpExporter.export(spans, cb);
      },
      shutdown: () => otlpExporter.shutdown(),
    };
    const processor = new LangSmithSpanProcessor({
      exporter,
      sinks: [sink],
      exportFilteredSpans: false,
      scheduledDelayMillis: 10,
      ...(row.project ? { project: row.project } : {}),
      ...(row.exporterProject ? { exporterProject: row.exporterProject } : {}),
    });
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), spanProcessors: [processor] });
    cleanups.push(() => provider.shutdown());
    const span = row.build(provider.getTracer('app'), provider.getTracer('@opentelemetry/instrumentation-fs'));
    span.end();
    await processor.forceFlush();

    const spanId = span.spanContext().spanId;
    const copy = exported.find((s) => s.spanContext().spanId === spanId)!;
    const written = [...LINEAGE, ...INFERRED].filter((k) => k in copy.attributes);
    expect(written.sort()).toEqual([...row.writes].sort());

    // What ingest derives plus what was written is the run the direct sink got.
    const runId = codecs.runIdFromSpanId(spanId);
    const viaDirect = direct.find((r) => r.id === runId)!;
    let viaOtlp = otlp.runs().find((r) => r.id === runId);
    if (row.upstreamElsewhere) {
      // Its parent ran in another service, never sent here: ingest holds the
      // run until the parent arrives; what it already knows must agree.
      const orphan = otlp.orphans().find((r) => r.id === runId)!;
      expect(orphan.parent_run_id).toBe(viaDirect.parent_run_id);
      if (row.writes.includes('langsmith.span.dotted_order')) expect(orphan.dotted_order).toBe(viaDirect.dotted_order);
      if (row.writes.includes('langsmith.trace.id')) expect(orphan.trace_id).toBe(viaDirect.trace_id);
      return;
    }
    expect(viaOtlp, 'run reached OTLP ingest').toBeDefined();
    viaOtlp = viaOtlp!;
    const fields = (r: {
      id: string;
      trace_id?: string | undefined;
      parent_run_id?: string | null | undefined;
      dotted_order?: string | undefined;
      name: string;
      run_type: string;
      session_name?: string | undefined;
    }) => ({
      id: r.id,
      trace_id: r.trace_id,
      parent_run_id: r.parent_run_id ?? undefined,
      dotted_order: r.dotted_order,
      name: r.name,
      run_type: r.run_type,
      session_name: r.session_name,
    });
    expect(fields(viaOtlp)).toEqual(fields(viaDirect));
  });
});
