/**
 * SDK 3.x leg (scripts/sdk3-leg.sh; Node 24, @opentelemetry/sdk-trace 3.1,
 * api 1.10, core 3.1): the packed package by its public name, against the
 * real `langsmith` RunTree and the real 3.x TracerProvider.
 *
 * Not part of the main Node 20 run (`*.sdk3.ts`, not `*.test.ts`): the 3.x
 * packages cannot be installed next to the 2.x line.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { RunTree } from 'langsmith';
import {
  getInboundContext,
  getSpanLineage,
  LangSmithLineageProcessor,
  LangSmithPropagator,
  LangSmithSpanProcessor,
  type RunSink,
  type Run,
} from 'langsmith-otel-bridge';
import * as codecs from 'langsmith-otel-bridge/codecs';
import { afterAll, describe, expect, it } from 'vitest';

const installed = (name: string): string =>
  (JSON.parse(readFileSync(join(process.cwd(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

const trusted = () => new LangSmithPropagator({ trust: true });

/** A 3.x provider whose only LangSmith piece is LangSmithSpanProcessor (lineage comes from it). */
function bridgedProvider(project?: string) {
  const runs: Run[] = [];
  const sink: RunSink = { name: 'memory', write: async (batch) => void runs.push(...batch) };
  const exporter = new InMemorySpanExporter();
  const processor = new LangSmithSpanProcessor({ sinks: [sink], scheduledDelayMillis: 5, ...(project ? { project } : {}) });
  const provider = new TracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('sdk3-interop');
  const start = (name: string, parent: Context = ROOT_CONTEXT): Span => tracer.startSpan(name, {}, parent);
  const ctxOf = (span: Span, base: Context = ROOT_CONTEXT): Context => trace.setSpan(base, span);
  return { provider, processor, tracer, exporter, runs, start, ctxOf };
}

function inject(p: LangSmithPropagator, ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  p.inject(ctx, out, defaultTextMapSetter);
  return out;
}

const providers: TracerProvider[] = [];
afterAll(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
});

describe('the 3.x leg runs what it says', () => {
  it('Node 24, api 1.10, sdk-trace / core 3.x, and no 2.x sdk-trace-base', async () => {
    expect(process.version).toMatch(/^v24\./);
    expect(installed('@opentelemetry/api')).toMatch(/^1\.10\./);
    expect(installed('@opentelemetry/sdk-trace')).toMatch(/^3\./);
    expect(installed('@opentelemetry/core')).toMatch(/^3\./);
    expect(installed('@opentelemetry/instrumentation-http')).toMatch(/^0\.30\d\./);
    await expect(import('@opentelemetry/sdk-trace-base' as string)).rejects.toThrow(/Cannot find (package|module)/);
  });
});

describe('propagator ↔ langsmith RunTree through a 3.x TracerProvider (LangSmithSpanProcessor)', () => {
  const metadata = { user: 'é中', reserved: "/ ! * ' ( ) , ; = % & +", nested: { ok: [1, 2] } };

  it('RunTree.toHeaders() of nested runs → extract → a 3.x span that extends the lineage; its run parents under the RunTree', async () => {
    const root = new RunTree({ name: 'client', project_name: 'proj / x', tags: ['a', 'b c'], extra: { metadata }, tracingEnabled: false });
    const child = root.createChild({ name: 'tool', tags: ['a', 'b c'] });
    const headers = child.toHeaders();
    const p = trusted();
    const ctx = p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    expect(getInboundContext(ctx)!.mode).toBe('langsmith');

    const { provider, processor, start, ctxOf, runs } = bridgedProvider();
    providers.push(provider);
    const span = start('server', ctx);
    const lineage = getSpanLineage(span)!;
    expect(lineage.parentRunId).toBe(child.id);
    expect(lineage.lsTraceId).toBe(root.id);
    expect(lineage.dottedOrder!.startsWith(child.dotted_order + '.')).toBe(true);
    expect(lineage.runId).toBe(codecs.runIdFromSpanId(span.spanContext().spanId));
    expect(lineage.baggage).toMatchObject({ metadata, tags: ['a', 'b c'], project: 'proj / x' });
    const inner = start('inner', ctxOf(span));
    expect(getSpanLineage(inner)!.dottedOrder!.startsWith(lineage.dottedOrder + '.')).toBe(true);

    // Re-inject from the span: the LangSmith baggage members come back byte for byte.
    expect(inject(p, ctxOf(span)).baggage).toBe(headers.baggage);

    inner.end();
    span.end();
    await processor.forceFlush();
    const byName = Object.fromEntries(runs.map((r) => [r.name, r]));
    expect(byName.server).toMatchObject({ id: lineage.runId, trace_id: root.id, parent_run_id: child.id, session_name: 'proj / x' });
    expect(byName.inner).toMatchObject({ trace_id: root.id, parent_run_id: lineage.runId });
    expect(byName.inner!.dotted_order!.startsWith(byName.server!.dotted_order + '.')).toBe(true);
  });

  it('inject from a local 3.x span → RunTree.fromHeaders() → a child run under that span', () => {
    const { provider, start, ctxOf } = bridgedProvider('bridge-proj');
    providers.push(provider);
    const root = start('gateway');
    const span = start('call-native', ctxOf(root));
    const out = inject(trusted(), ctxOf(span));
    expect(out.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    const parent = RunTree.fromHeaders(out)!;
    const run = parent.createChild({ name: 'native' });
    const lineage = getSpanLineage(span)!;
    expect(run.dotted_order.startsWith(lineage.dottedOrder + '.')).toBe(true);
    expect(run.trace_id).toBe(getSpanLineage(root)!.runId);
    expect(run.parent_run_id ?? parent.id).toBe(lineage.runId);
    expect(run.project_name).toBe('bridge-proj');
  });

  it("traceparent only (default 'root'): the first 3.x span is a LangSmith root recording the upstream ids", () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const ctx = trusted().extract(ROOT_CONTEXT, { traceparent: tp }, defaultTextMapGetter);
    const { provider, start } = bridgedProvider();
    providers.push(provider);
    const span = start('server', ctx);
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    const lineage = getSpanLineage(span)!;
    expect(lineage.parentRunId).toBeUndefined();
    expect(lineage.lsTraceId).toBe(lineage.runId);
    expect(lineage.upstream).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });
  });

  it('untrusted by default: RunTree headers do not choose the trace, the parent or the project', () => {
    const rt = new RunTree({ name: 'stranger', project_name: 'attacker', tracingEnabled: false });
    const ctx = new LangSmithPropagator().extract(ROOT_CONTEXT, rt.toHeaders(), defaultTextMapGetter);
    const { provider, start } = bridgedProvider('mine');
    providers.push(provider);
    const lineage = getSpanLineage(start('server', ctx))!;
    expect(lineage.parentRunId).toBeUndefined();
    expect(lineage.lsTraceId).toBe(lineage.runId);
    expect(lineage.baggage?.project).not.toBe('attacker');
  });

  it('as the global propagator with the 3.x AsyncLocalStorageContextManager: active nested spans inject their lineage', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    expect(context.setGlobalContextManager(manager)).toBe(true);
    expect(propagation.setGlobalPropagator(trusted())).toBe(true);
    try {
      const { provider, tracer } = bridgedProvider('global-proj');
      providers.push(provider);
      const seen = await tracer.startActiveSpan('outer', async (outer) => {
        await new Promise((r) => setTimeout(r, 1));
        return tracer.startActiveSpan('inner', (inner) => {
          const headers: Record<string, string> = {};
          propagation.inject(context.active(), headers);
          inner.end();
          outer.end();
          return { headers, outer: getSpanLineage(outer)!, inner: getSpanLineage(inner)! };
        });
      });
      const dotted = codecs.parseDottedOrder(seen.headers['langsmith-trace']!)!;
      expect(dotted).toMatchObject({ depth: 2, lsTraceId: seen.outer.runId, parentRunId: seen.outer.runId, runId: seen.inner.runId });
      expect(seen.headers['langsmith-trace']).toBe(seen.inner.dottedOrder);
      expect(seen.headers.baggage).toBe('langsmith-project=global-proj');
    } finally {
      propagation.disable();
      context.disable();
    }
  });

  it('LangSmithLineageProcessor alone on a 3.x provider gives the same lineage', () => {
    const provider = new TracerProvider({ spanProcessors: [new LangSmithLineageProcessor({ project: 'p' })] });
    providers.push(provider);
    const tracer = provider.getTracer('t');
    const root = tracer.startSpan('root');
    const leaf = tracer.startSpan('leaf', {}, trace.setSpan(ROOT_CONTEXT, root));
    expect(getSpanLineage(leaf)).toMatchObject({ parentRunId: getSpanLineage(root)!.runId, lsTraceId: getSpanLineage(root)!.runId });
    const dotted = codecs.parseDottedOrder(inject(trusted(), trace.setSpan(ROOT_CONTEXT, leaf))['langsmith-trace']!)!;
    expect(dotted.depth).toBe(2);
  });
});

describe('CommonJS consumers on 3.x', () => {
  it("require('langsmith-otel-bridge') with require('@opentelemetry/sdk-trace'): the same lineage and runs", () => {
    const script = `
      const { ROOT_CONTEXT, trace } = require('@opentelemetry/api');
      const { TracerProvider } = require('@opentelemetry/sdk-trace');
      const { LangSmithSpanProcessor, LangSmithPropagator, getSpanLineage } = require('langsmith-otel-bridge');
      const { RunStore } = require('langsmith-otel-bridge/ingest');
      const runs = [];
      const processor = new LangSmithSpanProcessor({ sinks: [{ name: 'memory', write: async (b) => void runs.push(...b) }], project: 'cjs' });
      const provider = new TracerProvider({ spanProcessors: [processor] });
      const tracer = provider.getTracer('cjs');
      const root = tracer.startSpan('root');
      const leaf = tracer.startSpan('leaf', {}, trace.setSpan(ROOT_CONTEXT, root));
      const headers = {};
      new LangSmithPropagator().inject(trace.setSpan(ROOT_CONTEXT, leaf), headers, { set: (c, k, v) => (c[k] = v) });
      leaf.end();
      root.end();
      processor.forceFlush().then(() => {
        console.log(JSON.stringify({
          store: typeof RunStore,
          leafDotted: getSpanLineage(leaf).dottedOrder,
          header: headers['langsmith-trace'],
          runs: runs.map((r) => [r.name, r.parent_run_id === undefined ? null : r.parent_run_id, r.id, r.session_name]),
        }));
        return provider.shutdown();
      });
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: process.cwd(), encoding: 'utf8' })) as {
      store: string;
      leafDotted: string;
      header: string;
      runs: Array<[string, string | null, string, string]>;
    };
    expect(out.store).toBe('function');
    expect(out.header).toBe(out.leafDotted);
    const [root, leaf] = [out.runs.find((r) => r[0] === 'root')!, out.runs.find((r) => r[0] === 'leaf')!];
    expect(root).toEqual(['root', null, root[2], 'cjs']);
    expect(leaf).toEqual(['leaf', root[2], leaf[2], 'cjs']);
  });
});

describe('traceparent agreement with @opentelemetry/core 3.x W3CTraceContextPropagator', () => {
  const w3c = new W3CTraceContextPropagator();
  const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${n}}$`)).filter((s) => !/^0+$/.test(s));
  const spanContexts = fc.record({ traceId: hex(32), spanId: hex(16), traceFlags: fc.integer({ min: 0, max: 255 }) });

  it('ours inject → core 3.x extract: the same (lowercased) ids, sampled and random flags kept', () => {
    fc.assert(
      fc.property(spanContexts, ({ traceId, spanId, traceFlags }) => {
        const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags, isRemote: false });
        const out = inject(trusted(), ctx);
        expect(out.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);
        const back = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, out, defaultTextMapGetter))!;
        expect(back).toMatchObject({ traceId: traceId.toLowerCase(), spanId: spanId.toLowerCase(), traceFlags: traceFlags & 0x03 });
      }),
      { numRuns: 300 },
    );
  });

  it('core 3.x inject → ours extract: the same span context', () => {
    const lower = fc.record({
      traceId: hex(32).map((s) => s.toLowerCase()),
      spanId: hex(16).map((s) => s.toLowerCase()),
      traceFlags: fc.constantFrom(0, 1, 2, 3),
    });
    fc.assert(
      fc.property(lower, ({ traceId, spanId, traceFlags }) => {
        const out: Record<string, string> = {};
        w3c.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags }), out, defaultTextMapSetter);
        const sc = trace.getSpanContext(trusted().extract(ROOT_CONTEXT, out, defaultTextMapGetter))!;
        expect(sc).toMatchObject({ traceId, spanId, traceFlags, isRemote: true });
      }),
      { numRuns: 300 },
    );
  });
});
