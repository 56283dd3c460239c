/**
 * SDK 3.x leg: registerLangSmithBridge in-process (its own file: the global
 * provider, propagator and context manager are per process). It must build
 * `@opentelemetry/sdk-trace`'s TracerProvider (no sdk-trace-base on 3.x), and
 * spans of the global tracer must reach the ingest as one tree.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { Client } from 'langsmith';
import { traceable } from 'langsmith/traceable';
import { registerLangSmithBridge, type LangSmithBridge } from 'langsmith-otel-bridge';
import * as codecs from 'langsmith-otel-bridge/codecs';
import { startIngestServer, type IngestServer } from 'langsmith-otel-bridge/ingest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.LANGSMITH_OTEL_ENABLED = 'true';
  process.env.LANGSMITH_TRACING = 'true';
  process.env.LANGSMITH_API_KEY = 'test';
  delete process.env.LANGSMITH_TRACING_MODE;
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
});

let ingest: IngestServer;
let bridge: LangSmithBridge;

beforeAll(async () => {
  ingest = await startIngestServer();
  process.env.LANGSMITH_ENDPOINT = ingest.url;
  bridge = await registerLangSmithBridge({
    quiet: true,
    serviceName: 'reg3',
    project: 'reg3-proj',
    instrumentHttp: false, // the ingest server runs in this process
    instrumentFetch: false,
    otlp: { url: `${ingest.url}/otel/v1/traces`, headers: { 'x-api-key': 'test' } },
  });
});

afterAll(async () => {
  await bridge?.shutdown();
  await ingest?.close();
});

describe('registerLangSmithBridge on SDK 3.x', () => {
  it("picks @opentelemetry/sdk-trace's TracerProvider and registers it, the propagator and a context manager", () => {
    expect(bridge.provider).toBeInstanceOf(TracerProvider);
    const global = trace.getTracerProvider() as unknown as { getDelegate(): unknown };
    expect(global.getDelegate()).toBe(bridge.provider);
    expect(propagation.fields()).toEqual(bridge.propagator.fields());
    expect(bridge.config).toMatchObject({ serviceName: 'reg3', project: 'reg3-proj', sampler: 'parentbased_always_on' });
  });

  it('active spans of the global tracer → one tree in the ingest, in the configured project', async () => {
    const tracer = trace.getTracer('app');
    const ids = await tracer.startActiveSpan('outer', async (outer) => {
      await new Promise((r) => setTimeout(r, 1));
      const inner = tracer.startActiveSpan('inner', (span) => {
        const headers: Record<string, string> = {};
        propagation.inject(context.active(), headers);
        span.end();
        return { span: span.spanContext().spanId, headers };
      });
      outer.end();
      return { outer: outer.spanContext().spanId, ...inner };
    });
    await bridge.forceFlush();
    const outerId = codecs.runIdFromSpanId(ids.outer);
    const innerId = codecs.runIdFromSpanId(ids.span);
    const mine = ingest.runs().filter((r) => r.trace_id === outerId);
    expect(ingest.orphans()).toEqual([]);
    expect(ingest.violations()).toEqual([]);
    expect(mine.map((r) => [r.name, r.parent_run_id ?? null, r.session_name])).toEqual([
      ['outer', null, 'reg3-proj'],
      ['inner', outerId, 'reg3-proj'],
    ]);
    expect(mine[1]!.id).toBe(innerId);
    expect(ids.headers['langsmith-trace']).toBe(mine[1]!.dotted_order);
    expect((mine[0]!.extra as { metadata: Record<string, unknown> }).metadata['service.name']).toBe('reg3');
  });

  // langsmith 0.12's initializeOTEL imports @opentelemetry/sdk-trace-base, absent on the 3.x line;
  // enableLangSmithOtelMode() then registers the SDK's OTel globals itself.
  // registerLangSmithBridge above already turned OTel mode on (LANGSMITH_OTEL_ENABLED=true).
  it('langsmith OTel mode on 3.x: traceable() inside an active span becomes its child run', async () => {
    const client = new Client({ apiUrl: ingest.url, apiKey: 'test' });
    const tracer = trace.getTracer('app');
    const answer = traceable(async (q: string) => `${q}!`, { name: 'traceable-step', run_type: 'llm', client });
    const outer = await tracer.startActiveSpan('otel-outer', async (span) => {
      expect(await answer('hi')).toBe('hi!');
      span.end();
      return span.spanContext().spanId;
    });
    await client.awaitPendingTraceBatches();
    await bridge.forceFlush();
    const step = ingest.runs().find((r) => r.name === 'traceable-step');
    expect(step).toMatchObject({ parent_run_id: codecs.runIdFromSpanId(outer), run_type: 'llm' });
  });
});
