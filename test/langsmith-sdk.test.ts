/**
 * The real `langsmith` SDK in OTel mode with the bridge: `traceable()` runs
 * become spans of our provider, reach the ingest with their names, types,
 * inputs, outputs, metadata and our lineage, and outbound requests name runs
 * the ingest has. Also measures the SDK's own header bug.
 *
 * Its own file (vitest runs each file in its own process): the env must be
 * set before langsmith's Client is constructed (it resolves its tracing mode
 * then).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Client, RunTree } from 'langsmith';
import { getCurrentRunTree, traceable } from 'langsmith/traceable';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enableLangSmithOtelMode, type LangSmithSpanProcessor, langsmithHeaders } from '../src/index.js';
import * as codecs from '../src/headers/index.js';
import type { IngestServer } from '../src/ingest/index.js';
import { startBridgeHarness, stopBridgeHarness } from './support/bridge-harness.js';

await vi.hoisted(async () =>
  (await import('./support/langsmith-env.js')).langsmithEnv('otel', ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']),
);

/** Run ids of a dotted order, root first. */
const runIdsOf = (dottedOrder: string): string[] => dottedOrder.split('.').map((segment) => segment.slice(segment.indexOf('Z') + 1));
const lastRunId = (dottedOrder: string): string => runIdsOf(dottedOrder).at(-1)!;

let ingest: IngestServer;
let echo: Server;
let echoUrl: string;
const received: IncomingHttpHeaders[] = [];
let provider: BasicTracerProvider;
let processor: LangSmithSpanProcessor;
let undici: UndiciInstrumentation;
let client: Client;

beforeAll(async () => {
  const harness = await startBridgeHarness({ project: 'sdk-otel', serviceName: 'svc' });
  ({ ingest, processor, provider } = harness);
  expect(harness.registered).toBe(true);
  echo = createServer((req, res) => {
    received.push(req.headers);
    res.end('ok');
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/echo`;
  undici = new UndiciInstrumentation();
  undici.setTracerProvider(provider);
  undici.enable();
  client = new Client({ apiUrl: ingest.url, apiKey: 'test' });
});

afterAll(async () => {
  undici.disable();
  await new Promise((resolve) => echo.close(resolve));
  await stopBridgeHarness({ provider, ingest });
});

describe('langsmith SDK in OTel mode with the bridge', () => {
  it('enableLangSmithOtelMode turns the SDK OTel mode on with our provider', async () => {
    expect(client.tracingMode).toBe('otel');
    expect(await enableLangSmithOtelMode(provider)).toBe(true);
  });

  it('traceable runs reach the ingest as our runs; outbound headers name runs the ingest has; the SDK headers do not', async () => {
    const seen: Record<string, unknown> = {};
    const inner = traceable(
      async (question: string) => {
        const span = trace.getActiveSpan()!;
        seen.innerSpan = span.spanContext();
        seen.sdkRun = { id: getCurrentRunTree().id, headers: getCurrentRunTree().toHeaders() };
        seen.ours = langsmithHeaders();
        const injected: Record<string, string> = {};
        propagation.inject(context.active(), injected);
        seen.injected = injected;
        const res = await fetch(echoUrl, { method: 'POST', body: question });
        expect(await res.text()).toBe('ok');
        return { answer: 'forty-two', tokens: 3 };
      },
      { name: 'inner-llm', run_type: 'llm', metadata: { model_hint: 'tiny-model' }, client },
    );
    const outer = traceable(
      async (question: string) => {
        seen.outerSpan = trace.getActiveSpan()!.spanContext();
        seen.sdkRoot = { id: getCurrentRunTree().id, trace_id: getCurrentRunTree().trace_id, dotted_order: getCurrentRunTree().dotted_order };
        const { answer } = await inner(question);
        return { result: answer };
      },
      { name: 'outer-chain', run_type: 'chain', metadata: { tenant: 'acme' }, client },
    );

    expect(await outer('what is six times seven?')).toEqual({ result: 'forty-two' });
    await client.awaitPendingTraceBatches();
    await processor.forceFlush();

    const outerSpan = seen.outerSpan as { traceId: string; spanId: string };
    const innerSpan = seen.innerSpan as { traceId: string; spanId: string };
    const outerId = codecs.runIdFromSpanId(outerSpan.spanId);
    const innerId = codecs.runIdFromSpanId(innerSpan.spanId);
    expect(innerSpan.traceId).toBe(outerSpan.traceId);

    expect(ingest.orphans()).toEqual([]);
    expect(ingest.violations()).toEqual([]);
    expect(ingest.traces()).toHaveLength(1);
    const runs = ingest.runs();
    const byName = (name: string) => runs.find((r) => r.name === name)!;
    const outerRun = byName('outer-chain');
    const innerRun = byName('inner-llm');
    const fetchRun = runs.find((r) => r.id !== outerId && r.id !== innerId)!;
    // The Client's own `GET /info` (made inside outer's context) is untraced: no run for it.
    expect(ingest.requests.info).toBeGreaterThan(0);
    expect(runs).toHaveLength(3); // outer, inner, the fetch client span

    expect(outerRun).toMatchObject({ id: outerId, trace_id: outerId, run_type: 'chain', session_name: 'sdk-otel' });
    expect(outerRun.parent_run_id ?? undefined).toBeUndefined();
    expect(outerRun.inputs).toEqual({ input: 'what is six times seven?' });
    expect(outerRun.outputs).toEqual({ result: 'forty-two' });
    expect((outerRun.extra as { metadata: Record<string, unknown> }).metadata).toMatchObject({ tenant: 'acme' });

    expect(innerRun).toMatchObject({ id: innerId, trace_id: outerId, parent_run_id: outerId, run_type: 'llm', session_name: 'sdk-otel' });
    expect(innerRun.dotted_order!.startsWith(`${outerRun.dotted_order!}.`)).toBe(true);
    expect(innerRun.inputs).toEqual({ input: 'what is six times seven?' });
    expect(innerRun.outputs).toEqual({ answer: 'forty-two', tokens: 3 });
    // Child runs inherit the parent's metadata in the SDK.
    expect((innerRun.extra as { metadata: Record<string, unknown> }).metadata).toMatchObject({ model_hint: 'tiny-model', tenant: 'acme' });

    // The fetch made inside inner: a CLIENT span child of inner, injected by our propagator.
    expect(fetchRun).toMatchObject({ trace_id: outerId, parent_run_id: innerId });
    expect(received).toHaveLength(1);
    const outbound = received[0]!;
    const fetchSpanId = fetchRun.id.replace(/-/g, '').slice(16);
    expect(outbound.traceparent).toBe(`00-${outerSpan.traceId}-${fetchSpanId}-01`);
    expect(outbound['langsmith-trace']).toBe(fetchRun.dotted_order);
    expect(runIdsOf(outbound['langsmith-trace'] as string)).toEqual([outerId, innerId, fetchRun.id]);
    expect(outbound.baggage).toContain('langsmith-project=sdk-otel');

    // langsmithHeaders() inside inner names inner's run as the ingest has it, like propagation.inject.
    const ours = seen.ours as Record<string, string>;
    expect(ours['langsmith-trace']).toBe(innerRun.dotted_order);
    expect(lastRunId(ours['langsmith-trace']!)).toBe(innerId);
    expect(ours.baggage).toBe('langsmith-project=sdk-otel');
    const injected = seen.injected as Record<string, string>;
    expect(injected['langsmith-trace']).toBe(ours['langsmith-trace']);
    expect(injected.traceparent).toBe(`00-${innerSpan.traceId}-${innerSpan.spanId}-01`);

    // The SDK's bug: its headers name runs the ingest never has.
    const ingestIds = new Set(runs.map((r) => r.id));
    const sdkRun = seen.sdkRun as { id: string; headers: Record<string, string> };
    const sdkRoot = seen.sdkRoot as { id: string; trace_id: string; dotted_order: string };
    const sdkTrace = sdkRun.headers['langsmith-trace']!;
    const sdkIds = runIdsOf(sdkTrace);
    expect(sdkIds).toHaveLength(2);
    expect(sdkRoot.id).toBe(outerId); // the root's id was rewritten to the padded span id ...
    expect(sdkRoot.trace_id).toBe(outerId);
    expect(lastRunId(sdkRoot.dotted_order)).not.toBe(outerId); // ... its dotted order was not
    expect(sdkIds[0]).toBe(lastRunId(sdkRoot.dotted_order));
    expect(sdkRun.id).not.toBe(innerId); // a non-root run keeps its UUIDv7
    expect(sdkIds[1]).toBe(sdkRun.id);
    for (const id of sdkIds) expect(ingestIds.has(id)).toBe(false);
    expect(ingestIds.has(lastRunId(ours['langsmith-trace']!))).toBe(true);
    console.log(`SDK toHeaders(): ${sdkTrace}\nlangsmithHeaders(): ${ours['langsmith-trace']}\ningest ids: ${[...ingestIds].join(', ')}`);
  });

  it("holds a run's end that reaches the SDK's translator before its start, so the span still ends", async () => {
    // langsmith 0.12 flushes run batches concurrently: reproduce the order it sometimes produces.
    const translator = (
      RunTree as unknown as {
        getSharedClient(): {
          langSmithToOTELTranslator: {
            exportBatch(ops: unknown[], contexts: Map<string, unknown>): void;
          };
        };
      }
    ).getSharedClient().langSmithToOTELTranslator;
    const span = trace.getTracer('langsmith').startSpan('early-end');
    const id = '01a200aa-925f-7000-8000-0000000000aa';
    const ctx = trace.setSpan(context.active(), span);
    translator.exportBatch([{ operation: 'patch', id, trace_id: id, run: { id, end_time: Date.now(), outputs: { ok: 1 } } }], new Map([[id, ctx]]));
    expect((span as unknown as { ended: boolean }).ended).toBe(false);
    translator.exportBatch(
      [{ operation: 'post', id, trace_id: id, run: { id, name: 'early-end', run_type: 'chain', start_time: Date.now(), inputs: {} } }],
      new Map([[id, ctx]]),
    );
    expect((span as unknown as { ended: boolean }).ended).toBe(true);
  });
});
