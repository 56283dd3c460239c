/**
 * Demo agent: OpenTelemetry + the bridge + `langsmith` `traceable` in OTel
 * mode (LANGSMITH_OTEL_ENABLED=true): traceable runs are OTel spans of this
 * process. A fake LLM and a tool carry GenAI attributes; the tool calls the
 * LangSmith-native search service over HTTP.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { traceable } from 'langsmith/traceable';
import { getRegisteredBridge } from '../../setup/register.js';
import { postJson, requireEnv, serve, sleep } from '../common.js';

const nativeUrl = requireEnv('NATIVE_URL');
const tracer = trace.getTracer('demo-agent');
/**
 * DEMO_EXCLUDED_SPAN=true: each request also reads a file under a span of the
 * file-system instrumentation's scope, as @opentelemetry/instrumentation-fs
 * would record it. The bridge's default filter keeps such spans out of
 * LangSmith (flagged `langsmith.bridge.excluded`; the collector drops them from
 * the LangSmith pipeline), Jaeger still gets them. The stack test uses this.
 */
const excludedSpan = process.env.DEMO_EXCLUDED_SPAN === 'true';
const fsTracer = trace.getTracer('@opentelemetry/instrumentation-fs');

async function readPromptFile(): Promise<void> {
  await fsTracer.startActiveSpan('fs readFile', { kind: SpanKind.INTERNAL }, async (span) => {
    try {
      await readFile(fileURLToPath(import.meta.url));
    } finally {
      span.end();
    }
  });
}

/** A fake chat model call with GenAI semantic-convention attributes. */
async function chat(messages: Array<{ role: string; content: string }>, reply: string): Promise<string> {
  return tracer.startActiveSpan('chat fake-gpt', { kind: SpanKind.CLIENT }, async (span) => {
    span.setAttributes({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'fake-gpt',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.input.messages': JSON.stringify(messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] }))),
    });
    await sleep(15);
    span.setAttributes({
      'gen_ai.response.model': 'fake-gpt-2026-01',
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: reply }], finish_reason: 'stop' }]),
      'gen_ai.usage.input_tokens': 20 + messages.length * 7,
      'gen_ai.usage.output_tokens': reply.length,
    });
    span.end();
    return reply;
  });
}

/** A tool call: searches the LangSmith-native service. */
async function searchTool(query: string): Promise<unknown> {
  return tracer.startActiveSpan('execute_tool search', async (span) => {
    span.setAttributes({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'input.value': query });
    try {
      const result = await postJson(`${nativeUrl}/search`, { query });
      if (result.status >= 400) {
        const error = new Error(`search failed: ${String(result.body.error ?? result.status)}`);
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        throw error;
      }
      span.setAttribute('output.value', JSON.stringify(result.body));
      return result.body;
    } finally {
      span.end();
    }
  });
}

const answer = traceable(
  async (question: string) => {
    if (excludedSpan) await readPromptFile();
    const plan = await chat([{ role: 'user', content: `Plan how to answer: ${question}` }], 'search, then answer');
    const found = await searchTool(question);
    const reply = await chat(
      [
        { role: 'system', content: 'Answer from the documents.' },
        { role: 'user', content: `${question}\n\n${JSON.stringify(found)}` },
      ],
      `Answer to "${question}" (plan: ${plan})`,
    );
    return { answer: reply };
  },
  { name: 'agent', run_type: 'chain', metadata: { agent_version: '1.2.0' } },
);

serve(
  {
    '/run': async (body) => {
      const question = String((body as { question?: unknown }).question ?? '');
      try {
        return { status: 200, body: await answer(question) };
      } catch (err) {
        return { status: 502, body: { error: (err as Error).message } };
      }
    },
  },
  async () => {
    const bridge = getRegisteredBridge();
    await bridge?.shutdown();
    // For bench/load.mjs: the processor's counters (queued, exported, dropped) after the final flush.
    if (bridge && process.env.DEMO_BRIDGE_STATS === 'true') process.stderr.write(`BRIDGE_STATS ${JSON.stringify(bridge.spanProcessor.stats)}\n`);
  },
);
