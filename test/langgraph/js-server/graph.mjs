/**
 * The README's "LangGraph" JS Agent Server graph module, verbatim below this
 * comment. test/langgraph/agent-server.test.ts copies this directory into the
 * compiled package snapshot, where `langsmith-otel-bridge` resolves to the
 * package itself, and the JS Agent Server loads it from there.
 */
import { context } from '@opentelemetry/api';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { trustHeaderToken } from 'langsmith-otel-bridge';
import { continueCallerTrace, nodeContext } from 'langsmith-otel-bridge/langgraph';

// Comma-separated, as the bridge reads LANGSMITH_OTEL_TRUST_TOKEN (several tokens for rotation).
const tokens = (process.env.LANGSMITH_OTEL_TRUST_TOKEN ?? '')
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);
const trust = trustHeaderToken({ token: tokens });
const State = Annotation.Root({ question: Annotation(), answer: Annotation() });

const compiled = new StateGraph(State)
  .addNode('plan', async (state) => ({ answer: `plan for ${state.question}` }))
  .addNode('act', async (state, config) =>
    // An OTel service called from a node continues the node's run.
    context.with(await nodeContext(config, { trust }), async () => {
      const res = await fetch(process.env.CALLEE_URL, { method: 'POST', body: JSON.stringify(state) });
      return { answer: `${state.answer}: ${(await res.json()).service}` };
    }),
  )
  .addEdge(START, 'plan')
  .addEdge('plan', 'act')
  .addEdge('act', END)
  .compile();

// The server calls the factory per run with the run's config.
export const graph = (config) => continueCallerTrace(compiled, config, { trust });
