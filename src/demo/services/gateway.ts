/**
 * Demo gateway: OpenTelemetry + the bridge (`node --import
 * langsmith-otel-bridge/register`). The public edge: it trusts no inbound
 * trace headers (LANGSMITH_OTEL_TRUST=false), so every request starts a new
 * trace, and it forwards to the agent with its own context.
 */
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { getRegisteredBridge } from '../../setup/register.js';
import { postJson, requireEnv, serve } from '../common.js';

const agentUrl = requireEnv('AGENT_URL');
const tracer = trace.getTracer('demo-gateway');

serve(
  {
    '/ask': async (body) => {
      const question = String((body as { question?: unknown }).question ?? '');
      return tracer.startActiveSpan('route request', { attributes: { 'langsmith.span.kind': 'chain', 'input.value': question } }, async (span) => {
        try {
          const answer = await postJson(`${agentUrl}/run`, { question });
          span.setAttribute('output.value', JSON.stringify(answer.body));
          if (answer.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `agent answered ${answer.status}` });
          return { status: answer.status === 200 ? 200 : 502, body: answer.body };
        } finally {
          span.end();
        }
      });
    },
  },
  async () => {
    const bridge = getRegisteredBridge();
    await bridge?.shutdown();
    // For bench/load.mjs: the processor's counters (queued, exported, dropped) after the final flush.
    if (bridge && process.env.DEMO_BRIDGE_STATS === 'true') process.stderr.write(`BRIDGE_STATS ${JSON.stringify(bridge.spanProcessor.stats)}\n`);
  },
);
