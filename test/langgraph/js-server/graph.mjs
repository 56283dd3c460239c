/**
 * The graph the JS Agent Server serves in test/langgraph/agent-server.test.ts,
 * written as the README's "LangGraph" section shows it. The bridge is loaded
 * from BRIDGE_DIST (the test's compiled snapshot: `langsmith-otel-bridge` in
 * an app).
 *
 * plan → act; `act` calls CALLEE_URL (an OTel service with the bridge) with
 * the global, instrumented `fetch`, inside `nodeContext(config)`.
 */
import { context } from '@opentelemetry/api';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';

const { trustHeaderToken } = await import(`${process.env.BRIDGE_DIST}/index.js`);
const { continueCallerTrace, nodeContext } = await import(`${process.env.BRIDGE_DIST}/langgraph/index.js`);

// The gateway in front of the Agent Server sets this header on requests it
// forwards (and strips it from outside requests); the JS server copies it
// into `configurable` with the x-* trace headers.
const trust = trustHeaderToken({ token: process.env.LANGSMITH_OTEL_TRUST_TOKEN });

const State = Annotation.Root({ question: Annotation(), answer: Annotation() });

const compiled = new StateGraph(State)
  .addNode('plan', async (state) => ({ answer: `plan for ${state.question}` }))
  .addNode('act', async (state, config) =>
    context.with(await nodeContext(config, { trust }), async () => {
      const res = await fetch(process.env.CALLEE_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: state.question }),
      });
      const callee = await res.json();
      return { answer: `${state.answer}: ${callee.service} ${callee.handle.runId}` };
    }),
  )
  .addEdge(START, 'plan')
  .addEdge('plan', 'act')
  .addEdge('act', END)
  .compile();

/** The graph factory: the Agent Server calls it per run with the run's config. */
export const graph = (config) => continueCallerTrace(compiled, config, { trust });
