/**
 * Shared by the LangGraph tests: a two-node graph whose second node calls an
 * HTTP service from `nodeContext(config)`, and that service (the callee), an
 * OTel service continuing trusted callers with the bridge's propagator.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, defaultTextMapGetter, propagation, ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { LangSmithPropagator } from '../../src/index.js';
import type { IngestServer, RunNode } from '../../src/ingest/index.js';
import { nodeContext, type CallerContextOptions } from '../../src/langgraph/index.js';

export interface Callee {
  url: string;
  propagator: LangSmithPropagator;
  /** What the callee saw per request: the raw headers and its server span. */
  seen: Array<{ headers: http.IncomingHttpHeaders; span: Span }>;
  close(): Promise<void>;
}

export async function startCallee(): Promise<Callee> {
  const propagator = new LangSmithPropagator({ trust: true });
  const seen: Callee['seen'] = [];
  const server = http.createServer((req, res) => {
    const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = trace.getTracer('callee').startSpan('GET /tool', { kind: SpanKind.SERVER }, parent);
    seen.push({ headers: req.headers, span });
    span.end();
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, propagator, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export const State = Annotation.Root({ question: Annotation<string>(), answer: Annotation<string>() });

/** plan → act; `act` calls `${calleeUrl}/tool` inside a `tool call` client span, in `nodeContext(config)`. */
export function buildGraph(calleeUrl: () => string, options: CallerContextOptions = {}) {
  return new StateGraph(State)
    .addNode('plan', async (state) => ({ answer: `plan for ${state.question}` }))
    .addNode('act', async (state, config) =>
      context.with(await nodeContext(config, options), () =>
        trace.getTracer('graph').startActiveSpan('tool call', { kind: SpanKind.CLIENT }, async (span) => {
          try {
            // No fetch instrumentation in-process: inject from the active context by hand.
            const headers: Record<string, string> = {};
            propagation.inject(context.active(), headers);
            const res = await fetch(`${calleeUrl()}/tool`, { headers });
            return { answer: `${state.answer}: ${await res.text()}` };
          } finally {
            span.end();
          }
        }),
      ),
    )
    .addEdge(START, 'plan')
    .addEdge('plan', 'act')
    .addEdge('act', END)
    .compile();
}

/** A tree as nested names: leaves are names, inner nodes `{ name: children }`. */
export function names(node: RunNode): unknown {
  return node.children.length === 0 ? node.run.name : { [node.run.name]: node.children.map(names) };
}

export const metadataOf = (run: { extra?: unknown }) =>
  ((run.extra as { metadata?: Record<string, unknown> } | undefined)?.metadata ?? {}) as Record<string, unknown>;

export function expectNoOrphans(ingest: IngestServer): string[] {
  return [...ingest.orphans().map((r) => `orphan ${r.name} ${r.id} → ${r.parent_run_id}`), ...ingest.violations()];
}
