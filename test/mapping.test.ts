/**
 * The span → run attribute mapping, one test per row of src/mapping/MAPPING.md
 * (named by the row's id). Spans are real OTel SDK spans, ended and exported
 * through an InMemorySpanExporter; each case asserts exact field values.
 */
import { readFileSync } from 'node:fs';
import { SpanStatusCode, type Attributes, type AttributeValue, type HrTime, type Span } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { mapAttributes, type MapOptions } from '../src/mapping/attributes/index.js';
import { hrTimeToIso } from '../src/time.js';
import type { MappedAttributes } from '../src/mapping/types.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('mapping-test');

const T0: HrTime = [1_700_000_000, 123_456_789];
const T0_ISO = '2023-11-14T22:13:20.123456Z';

interface SpanSpec {
  name?: string;
  attrs?: Attributes;
  /** [name, attributes, time (default T0)] */
  events?: Array<[string, Attributes?, HrTime?]>;
  /** Runs after attributes and events, before end(). */
  then?: (span: Span) => void;
}

interface Case {
  span: SpanSpec;
  options?: MapOptions;
  /** Each listed field must equal exactly; unlisted fields are not checked. */
  expected?: Partial<MappedAttributes>;
  verify?: (mapped: MappedAttributes) => void;
}

interface Row {
  id: string;
  rule: string;
  cases: Case[];
}

/** Starts a real span, applies the spec, ends it and maps the exported ReadableSpan. */
function exported(spec: SpanSpec) {
  exporter.reset();
  const span = tracer.startSpan(spec.name ?? 'op', { startTime: T0 });
  if (spec.attrs !== undefined) span.setAttributes(spec.attrs);
  for (const [name, attributes, time] of spec.events ?? []) span.addEvent(name, attributes, time ?? T0);
  spec.then?.(span);
  span.end([1_700_000_002, 0]);
  const [finished] = exporter.getFinishedSpans();
  return finished!;
}

function mapSpec(spec: SpanSpec, options?: MapOptions): MappedAttributes {
  return mapAttributes(exported(spec), options);
}

const json = (value: unknown): string => JSON.stringify(value);
const chat = { 'gen_ai.operation.name': 'chat' } as const;
const runType = (attrs: Attributes, expected: MappedAttributes['run_type'], name?: string): Case => ({
  span: { attrs, name },
  expected: { run_type: expected },
});
const fn = (name: string, args: string, id?: string) => ({
  ...(id === undefined ? {} : { id }),
  type: 'function',
  function: { name, arguments: args },
});

const NAME_ROWS: Row[] = [
  {
    id: 'N1',
    rule: 'langsmith.trace.name wins',
    cases: [
      {
        span: {
          attrs: {
            'langsmith.trace.name': 'explicit',
            'langsmith.metadata.ls_run_name': 'meta',
            'traceloop.entity.name': 'tl',
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'tool',
          },
        },
        expected: { name: 'explicit' },
      },
    ],
  },
  {
    id: 'N2',
    rule: 'ls_run_name metadata names the run and is not copied',
    cases: [
      {
        span: { attrs: { 'langsmith.metadata.ls_run_name': 'custom', 'traceloop.entity.name': 'tl' } },
        expected: { name: 'custom', metadata: {} },
      },
      {
        span: { attrs: { 'ai.telemetry.metadata.ls_run_name': 'vercel-run', 'ai.telemetry.metadata.k': 'v' } },
        expected: { name: 'vercel-run', metadata: { k: 'v' } },
      },
    ],
  },
  {
    id: 'N3',
    rule: 'traceloop.entity.name',
    cases: [{ span: { name: 'span', attrs: { 'traceloop.entity.name': 'my_workflow' } }, expected: { name: 'my_workflow' } }],
  },
  {
    id: 'N4',
    rule: 'OpenInference TOOL: tool.name',
    cases: [
      { span: { attrs: { 'openinference.span.kind': 'TOOL', 'tool.name': 'search' } }, expected: { name: 'search' } },
      { span: { name: 'span', attrs: { 'openinference.span.kind': 'LLM', 'tool.name': 'search' } }, expected: { name: 'span' } },
    ],
  },
  {
    id: 'N5',
    rule: 'GenAI execute_tool: gen_ai.tool.name',
    cases: [
      {
        span: { name: 'execute_tool get_weather', attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather' } },
        expected: { name: 'get_weather' },
      },
    ],
  },
  {
    id: 'N6',
    rule: 'Vercel ai.toolCall: ai.toolCall.name',
    cases: [
      {
        span: { name: 'ai.toolCall', attrs: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'lookup' } },
        expected: { name: 'lookup', run_type: 'tool' },
      },
    ],
  },
  {
    id: 'N8',
    rule: 'HTTP spans named by method alone get the route or path',
    cases: [
      { span: { name: 'POST', attrs: { 'http.route': '/ask', 'url.path': '/ask/1' } }, expected: { name: 'POST /ask' } },
      { span: { name: 'GET', attrs: { 'url.path': '/health' } }, expected: { name: 'GET /health' } },
      { span: { name: 'POST', attrs: { 'url.full': 'http://127.0.0.1:8081/run?x=1' } }, expected: { name: 'POST /run' } },
      { span: { name: 'POST', attrs: { 'url.full': 'not a url' } }, expected: { name: 'POST' } },
      { span: { name: 'POST /custom', attrs: { 'url.path': '/other' } }, expected: { name: 'POST /custom' } },
    ],
  },
  {
    id: 'N7',
    rule: 'span name as fallback; empty strings are absent',
    cases: [{ span: { name: 'my-span', attrs: { 'langsmith.trace.name': '', 'traceloop.entity.name': '' } }, expected: { name: 'my-span' } }],
  },
];

const RUN_TYPE_ROWS: Row[] = [
  {
    id: 'R1',
    rule: 'langsmith.span.kind, case-insensitive, wins',
    cases: [
      runType({ 'langsmith.span.kind': 'LLM' }, 'llm'),
      runType({ 'langsmith.span.kind': ' Retriever ' }, 'retriever'),
      runType({ 'langsmith.span.kind': 'parser' }, 'parser'),
      runType({ 'langsmith.span.kind': 'prompt' }, 'prompt'),
      runType({ 'langsmith.span.kind': 'tool', 'gen_ai.operation.name': 'chat' }, 'tool'),
    ],
  },
  {
    id: 'R2',
    rule: 'invalid langsmith.span.kind falls through',
    cases: [runType({ 'langsmith.span.kind': 'agent', 'gen_ai.operation.name': 'chat' }, 'llm'), runType({ 'langsmith.span.kind': 42 }, 'chain')],
  },
  {
    id: 'R3',
    rule: 'gen_ai.operation.name chat/text_completion/completion/generate_content → llm',
    cases: ['chat', 'text_completion', 'completion', 'generate_content'].map((op) => runType({ 'gen_ai.operation.name': op }, 'llm')),
  },
  {
    id: 'R4',
    rule: 'gen_ai.operation.name embeddings/embedding → embedding',
    cases: ['embeddings', 'embedding'].map((op) => runType({ 'gen_ai.operation.name': op }, 'embedding')),
  },
  {
    id: 'R5',
    rule: 'gen_ai.operation.name execute_tool → tool',
    cases: [runType({ 'gen_ai.operation.name': 'execute_tool' }, 'tool')],
  },
  {
    id: 'R6',
    rule: 'gen_ai.operation.name invoke_agent/create_agent → chain',
    cases: [
      runType({ 'gen_ai.operation.name': 'invoke_agent', 'openinference.span.kind': 'LLM' }, 'chain'),
      runType({ 'gen_ai.operation.name': 'create_agent', 'gen_ai.tool.name': 'x' }, 'chain'),
    ],
  },
  {
    id: 'R7',
    rule: 'gen_ai.operation.name retrieval → retriever',
    cases: [runType({ 'gen_ai.operation.name': 'retrieval' }, 'retriever')],
  },
  {
    id: 'R8',
    rule: 'unknown gen_ai.operation.name falls through',
    cases: [
      runType({ 'gen_ai.operation.name': 'summarize', 'openinference.span.kind': 'LLM' }, 'llm'),
      runType({ 'gen_ai.operation.name': 'summarize' }, 'chain'),
    ],
  },
  {
    id: 'R9',
    rule: 'Traceloop llm.request.type',
    cases: [
      runType({ 'llm.request.type': 'chat' }, 'llm'),
      runType({ 'llm.request.type': 'completion' }, 'llm'),
      runType({ 'llm.request.type': 'embedding' }, 'embedding'),
      runType({ 'llm.request.type': 'rerank' }, 'retriever'),
      runType({ 'llm.request.type': 'unknown', 'traceloop.span.kind': 'tool' }, 'tool'),
    ],
  },
  {
    id: 'R10',
    rule: 'openinference.span.kind',
    cases: [
      runType({ 'openinference.span.kind': 'LLM' }, 'llm'),
      runType({ 'openinference.span.kind': 'EMBEDDING' }, 'embedding'),
      runType({ 'openinference.span.kind': 'TOOL' }, 'tool'),
      runType({ 'openinference.span.kind': 'RETRIEVER' }, 'retriever'),
      runType({ 'openinference.span.kind': 'RERANKER' }, 'retriever'),
      runType({ 'openinference.span.kind': 'PROMPT' }, 'prompt'),
      runType({ 'openinference.span.kind': 'chain' }, 'chain'),
      runType({ 'openinference.span.kind': 'AGENT', 'gen_ai.tool.name': 'x' }, 'chain'),
      runType({ 'openinference.span.kind': 'GUARDRAIL' }, 'chain'),
      runType({ 'openinference.span.kind': 'EVALUATOR' }, 'chain'),
    ],
  },
  {
    id: 'R11',
    rule: 'traceloop.span.kind',
    cases: [
      runType({ 'traceloop.span.kind': 'tool' }, 'tool'),
      runType({ 'traceloop.span.kind': 'workflow', 'gen_ai.tool.name': 'x' }, 'chain'),
      runType({ 'traceloop.span.kind': 'task' }, 'chain'),
      runType({ 'traceloop.span.kind': 'agent' }, 'chain'),
    ],
  },
  {
    id: 'R12',
    rule: 'Vercel doGenerate/doStream → llm',
    cases: [
      runType({ 'ai.operationId': 'ai.generateText.doGenerate' }, 'llm'),
      runType({ 'ai.operationId': 'ai.generateObject.doGenerate' }, 'llm'),
      runType({}, 'llm', 'ai.streamText.doStream'),
    ],
  },
  {
    id: 'R13',
    rule: 'Vercel ai.embed*/doEmbed → embedding',
    cases: ['ai.embed', 'ai.embedMany', 'ai.embed.doEmbed', 'ai.embedMany.doEmbed'].map((op) => runType({ 'ai.operationId': op }, 'embedding')),
  },
  {
    id: 'R14',
    rule: 'Vercel ai.toolCall → tool',
    cases: [runType({ 'ai.operationId': 'ai.toolCall' }, 'tool'), runType({}, 'tool', 'ai.toolCall')],
  },
  {
    id: 'R15',
    rule: 'Vercel outer call → chain',
    cases: [runType({ 'ai.operationId': 'ai.generateText', 'gen_ai.tool.name': 'x' }, 'chain'), runType({ 'ai.operationId': 'ai.streamText' }, 'chain')],
  },
  {
    id: 'R16',
    rule: 'gen_ai.tool.name present → tool',
    cases: [
      runType({ 'gen_ai.tool.name': 'get_weather' }, 'tool'),
      // A span merely named `ai.…` is not a Vercel operation (R12-R15).
      runType({ 'gen_ai.tool.name': 'get_weather' }, 'tool', 'ai.custom'),
    ],
  },
  {
    id: 'R17',
    rule: 'llm.prompt_template.variables present → prompt',
    cases: [runType({ 'llm.prompt_template.variables': '{"topic":"cats"}' }, 'prompt')],
  },
  {
    id: 'R18',
    rule: 'database spans → tool',
    cases: [runType({ 'db.system.name': 'postgresql' }, 'tool'), runType({ 'db.system': 'redis' }, 'tool')],
  },
  {
    id: 'R19',
    rule: 'HTTP and RPC spans → chain',
    cases: [runType({ 'http.request.method': 'GET' }, 'chain'), runType({ 'http.method': 'POST' }, 'chain'), runType({ 'rpc.system': 'grpc' }, 'chain')],
  },
  {
    id: 'R20',
    rule: 'default chain',
    cases: [runType({}, 'chain'), runType({ 'foo.bar': 'baz' }, 'chain')],
  },
];

const INPUT_ROWS: Row[] = [
  {
    id: 'I1',
    rule: 'gen_ai.input.messages parts → OpenAI-style messages',
    cases: [
      {
        span: {
          attrs: {
            ...chat,
            'gen_ai.input.messages': json([
              { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
              { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
              { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 57°F' }] },
              {
                role: 'user',
                name: 'ann',
                parts: [
                  { type: 'text', content: 'And this?' },
                  { type: 'uri', modality: 'image', uri: 'https://example.com/a.png' },
                  { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'AAAA' },
                  { type: 'reasoning', content: 'hmm' },
                ],
              },
            ]),
          },
        },
        expected: {
          run_type: 'llm',
          inputs: {
            messages: [
              { role: 'user', content: 'Weather in Paris?' },
              { role: 'assistant', content: '', tool_calls: [fn('get_weather', '{"city":"Paris"}', 'call_1')] },
              { role: 'tool', tool_call_id: 'call_1', content: 'rainy, 57°F' },
              {
                role: 'user',
                name: 'ann',
                content: [
                  { type: 'text', text: 'And this?' },
                  { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
                  { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
                  { type: 'reasoning', content: 'hmm' },
                ],
              },
            ],
          },
        },
      },
    ],
  },
  {
    id: 'I2',
    rule: 'gen_ai.system_instructions → leading system message',
    cases: [
      {
        span: {
          attrs: {
            'gen_ai.system_instructions': json([{ type: 'text', content: 'Be brief.' }]),
            'gen_ai.input.messages': json([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]),
          },
        },
        expected: {
          inputs: {
            messages: [
              { role: 'system', content: 'Be brief.' },
              { role: 'user', content: 'Hi' },
            ],
          },
        },
      },
      {
        span: { attrs: { 'gen_ai.system_instructions': 'You are terse.' } },
        expected: { inputs: { messages: [{ role: 'system', content: 'You are terse.' }] } },
      },
    ],
  },
  {
    id: 'I3',
    rule: 'gen_ai.input.messages that is not a JSON array',
    cases: [
      { span: { attrs: { 'gen_ai.input.messages': 'not json' } }, expected: { inputs: { input: 'not json' } } },
      { span: { attrs: { 'gen_ai.input.messages': '{"a":1}' } }, expected: { inputs: { input: { a: 1 } } } },
    ],
  },
  {
    id: 'I4',
    rule: 'deprecated GenAI message events → messages, consumed',
    cases: [
      {
        span: {
          events: [
            ['gen_ai.system.message', { content: 'sys', 'gen_ai.system': 'openai' }],
            ['gen_ai.user.message', { content: 'hi' }],
            ['gen_ai.assistant.message', { tool_calls: json([fn('f', '{}', 'c1')]) }],
            ['gen_ai.tool.message', { content: '42', id: 'c1' }],
            ['annotation', { note: 'kept' }],
          ],
        },
        expected: {
          inputs: {
            messages: [
              { role: 'system', content: 'sys' },
              { role: 'user', content: 'hi' },
              { role: 'assistant', content: '', tool_calls: [fn('f', '{}', 'c1')] },
              { role: 'tool', content: '42', tool_call_id: 'c1' },
            ],
          },
          events: [{ name: 'annotation', time: T0_ISO, kwargs: { note: 'kept' } }],
        },
      },
    ],
  },
  {
    id: 'I5',
    rule: 'gen_ai.content.prompt event',
    cases: [
      {
        span: { events: [['gen_ai.content.prompt', { 'gen_ai.prompt': json([{ role: 'user', content: 'hi' }]) }]] },
        expected: { inputs: { messages: [{ role: 'user', content: 'hi' }] }, events: [] },
      },
      {
        span: { events: [['gen_ai.content.prompt', { 'gen_ai.prompt': 'Tell me a joke' }]] },
        expected: { inputs: { input: 'Tell me a joke' }, events: [] },
      },
    ],
  },
  {
    id: 'I6',
    rule: 'indexed gen_ai.prompt.N.*',
    cases: [
      {
        span: {
          attrs: {
            'gen_ai.prompt.0.role': 'system',
            'gen_ai.prompt.0.content': 'sys',
            'gen_ai.prompt.10.role': 'user',
            'gen_ai.prompt.10.content': 'last',
            'gen_ai.prompt.1.role': 'user',
            'gen_ai.prompt.1.content': json([
              { type: 'text', text: 'look' },
              { type: 'image_url', image_url: { url: 'u' } },
            ]),
            'gen_ai.prompt.2.role': 'assistant',
            'gen_ai.prompt.2.tool_calls.0.id': 'c1',
            'gen_ai.prompt.2.tool_calls.0.name': 'f',
            'gen_ai.prompt.2.tool_calls.0.arguments': '{"x":1}',
            'gen_ai.prompt.3.role': 'tool',
            'gen_ai.prompt.3.content': 'ok',
            'gen_ai.prompt.3.tool_call_id': 'c1',
            'gen_ai.prompt.name': 'not-an-index',
          },
        },
        expected: {
          inputs: {
            messages: [
              { role: 'system', content: 'sys' },
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'look' },
                  { type: 'image_url', image_url: { url: 'u' } },
                ],
              },
              { role: 'assistant', content: '', tool_calls: [fn('f', '{"x":1}', 'c1')] },
              { role: 'tool', content: 'ok', tool_call_id: 'c1' },
              { role: 'user', content: 'last' },
            ],
          },
        },
      },
    ],
  },
  {
    id: 'I7',
    rule: 'OpenInference llm.input_messages.N.message.*',
    cases: [
      {
        span: {
          attrs: {
            'openinference.span.kind': 'LLM',
            'llm.input_messages.0.message.role': 'system',
            'llm.input_messages.0.message.content': 'sys',
            'llm.input_messages.1.message.role': 'user',
            'llm.input_messages.1.message.contents.0.message_content.type': 'text',
            'llm.input_messages.1.message.contents.0.message_content.text': 'describe',
            'llm.input_messages.1.message.contents.1.message_content.type': 'image',
            'llm.input_messages.1.message.contents.1.message_content.image.image.url': 'https://img',
            'llm.input_messages.2.message.role': 'assistant',
            'llm.input_messages.2.message.tool_calls.0.tool_call.id': 'c9',
            'llm.input_messages.2.message.tool_calls.0.tool_call.function.name': 'lookup',
            'llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments': '{"q":"x"}',
            'llm.input_messages.3.message.role': 'tool',
            'llm.input_messages.3.message.content': 'found',
            'llm.input_messages.3.message.tool_call_id': 'c9',
            'input.value': '{"ignored":true}',
          },
        },
        expected: {
          inputs: {
            messages: [
              { role: 'system', content: 'sys' },
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'describe' },
                  { type: 'image_url', image_url: { url: 'https://img' } },
                ],
              },
              { role: 'assistant', content: '', tool_calls: [fn('lookup', '{"q":"x"}', 'c9')] },
              { role: 'tool', content: 'found', tool_call_id: 'c9' },
            ],
          },
        },
      },
    ],
  },
  {
    id: 'I8',
    rule: 'gen_ai.retrieval.query.text → {query}',
    cases: [
      {
        span: { attrs: { 'gen_ai.operation.name': 'retrieval', 'gen_ai.retrieval.query.text': 'capital of France' } },
        expected: { run_type: 'retriever', inputs: { query: 'capital of France' } },
      },
    ],
  },
  {
    id: 'I9',
    rule: 'input.value',
    cases: [
      { span: { attrs: { 'input.value': '{"question":"q"}' } }, expected: { inputs: { question: 'q' } } },
      { span: { attrs: { 'input.value': ' \n{"a":1}' } }, expected: { inputs: { a: 1 } } },
      { span: { attrs: { 'input.value': '[1,2]' } }, expected: { inputs: { input: [1, 2] } } },
      { span: { attrs: { 'input.value': 'hello' } }, expected: { inputs: { input: 'hello' } } },
      { span: { attrs: { 'input.value': '42' } }, expected: { inputs: { input: '42' } } },
      {
        span: { attrs: { 'input.value': '{"a":1}', 'input.mime_type': 'text/plain' } },
        expected: { inputs: { input: '{"a":1}' } },
      },
    ],
  },
  {
    id: 'I10',
    rule: 'input.value on a retriever → {query}',
    cases: [
      {
        span: { attrs: { 'openinference.span.kind': 'RETRIEVER', 'input.value': 'what is x' } },
        expected: { inputs: { query: 'what is x' } },
      },
      {
        span: { attrs: { 'openinference.span.kind': 'RETRIEVER', 'input.value': '{"query":"q","k":3}' } },
        expected: { inputs: { query: 'q', k: 3 } },
      },
    ],
  },
  {
    id: 'I11',
    rule: 'traceloop.entity.input, wrappers removed',
    cases: [
      [json({ inputs: { question: 'q' }, tags: [], metadata: {}, kwargs: { run_id: null } }), { question: 'q' }],
      [json({ inputs: 'plain' }), { input: 'plain' }],
      [json({ args: [], kwargs: { city: 'Paris' } }), { city: 'Paris' }],
      [json({ args: [{ city: 'Paris' }], kwargs: {} }), { city: 'Paris' }],
      [json({ args: ['Paris'], kwargs: {} }), { input: 'Paris' }],
      [json({ args: ['Paris', 3], kwargs: { unit: 'C' } }), { args: ['Paris', 3], unit: 'C' }],
      [json({ city: 'Paris' }), { city: 'Paris' }],
      ['plain text', { input: 'plain text' }],
    ].map(([value, inputs]) => ({
      span: { attrs: { 'traceloop.span.kind': 'task', 'traceloop.entity.input': value as string } },
      expected: { inputs: inputs as Record<string, unknown> },
    })),
  },
  {
    id: 'I12',
    rule: 'plain gen_ai.prompt',
    cases: [
      {
        span: { attrs: { 'gen_ai.prompt': json({ messages: [{ role: 'user', content: 'hi' }] }) } },
        expected: { inputs: { messages: [{ role: 'user', content: 'hi' }] } },
      },
      {
        span: { attrs: { 'gen_ai.prompt': json([{ role: 'user', content: 'hi' }]) } },
        expected: { inputs: { messages: [{ role: 'user', content: 'hi' }] } },
      },
      { span: { attrs: { 'gen_ai.prompt': 'Tell me a joke' } }, expected: { inputs: { input: 'Tell me a joke' } } },
    ],
  },
  {
    id: 'I13',
    rule: 'Vercel ai.prompt.messages normalised',
    cases: [
      {
        span: {
          name: 'ai.generateText.doGenerate',
          attrs: {
            'ai.operationId': 'ai.generateText.doGenerate',
            'ai.prompt.messages': json([
              { role: 'system', content: 'sys' },
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'hi' },
                  { type: 'image', image: 'https://example.com/i.png' },
                  { type: 'image', image: 'QUJD', mediaType: 'image/jpeg' },
                ],
              },
              {
                role: 'assistant',
                content: [
                  { type: 'text', text: 'calling' },
                  { type: 'tool-call', toolCallId: 't1', toolName: 'weather', input: { city: 'Paris' } },
                ],
              },
              {
                role: 'tool',
                content: [{ type: 'tool-result', toolCallId: 't1', toolName: 'weather', output: { type: 'json', value: { temp: 20 } } }],
              },
            ]),
          },
        },
        expected: {
          run_type: 'llm',
          inputs: {
            messages: [
              { role: 'system', content: 'sys' },
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'hi' },
                  { type: 'image_url', image_url: { url: 'https://example.com/i.png' } },
                  { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,QUJD' } },
                ],
              },
              { role: 'assistant', content: 'calling', tool_calls: [fn('weather', '{"city":"Paris"}', 't1')] },
              { role: 'tool', tool_call_id: 't1', content: '{"type":"json","value":{"temp":20}}' },
            ],
          },
        },
      },
    ],
  },
  {
    id: 'I14',
    rule: 'Vercel ai.prompt',
    cases: [
      {
        span: { attrs: { 'ai.operationId': 'ai.generateText', 'ai.prompt': json({ system: 'sys', prompt: 'hi' }) } },
        expected: { inputs: { system: 'sys', prompt: 'hi' } },
      },
    ],
  },
  {
    id: 'I15',
    rule: 'Vercel ai.toolCall.input / ai.toolCall.args',
    cases: [
      { span: { attrs: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.args': '{"city":"Paris"}' } }, expected: { inputs: { city: 'Paris' } } },
      { span: { attrs: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.input': '{"q":1}' } }, expected: { inputs: { q: 1 } } },
    ],
  },
  {
    id: 'I16',
    rule: 'Vercel ai.value / ai.values',
    cases: [
      { span: { attrs: { 'ai.operationId': 'ai.embed', 'ai.value': '"hello"' } }, expected: { inputs: { input: 'hello' } } },
      { span: { attrs: { 'ai.operationId': 'ai.embedMany', 'ai.values': ['"a"', '"b"', 'raw'] } }, expected: { inputs: { input: ['a', 'b', 'raw'] } } },
    ],
  },
  {
    id: 'I17',
    rule: 'DB query, HTTP request line, RPC method as last resort',
    cases: [
      { span: { attrs: { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT 1' } }, expected: { run_type: 'tool', inputs: { query: 'SELECT 1' } } },
      { span: { attrs: { 'db.system': 'mysql', 'db.statement': 'SELECT 2' } }, expected: { inputs: { query: 'SELECT 2' } } },
      { span: { attrs: { 'http.request.method': 'GET', 'url.full': 'https://x.test/a' } }, expected: { inputs: { method: 'GET', url: 'https://x.test/a' } } },
      { span: { attrs: { 'http.method': 'POST', 'http.route': '/chat' } }, expected: { inputs: { method: 'POST', url: '/chat' } } },
      {
        span: { attrs: { 'rpc.system': 'grpc', 'rpc.service': 'Greeter', 'rpc.method': 'SayHello' } },
        expected: { inputs: { service: 'Greeter', method: 'SayHello' } },
      },
    ],
  },
  {
    id: 'I18',
    rule: 'no input source → {}',
    cases: [{ span: { attrs: { 'foo.bar': 'baz' } }, expected: { inputs: {} } }],
  },
  {
    id: 'I19',
    rule: 'first input rule wins',
    cases: [
      {
        span: {
          attrs: {
            'gen_ai.input.messages': json([{ role: 'user', parts: [{ type: 'text', content: 'a' }] }]),
            'gen_ai.prompt.0.role': 'user',
            'gen_ai.prompt.0.content': 'b',
            'input.value': 'c',
            'gen_ai.prompt': 'd',
          },
          events: [['gen_ai.user.message', { content: 'e' }]],
        },
        expected: {
          inputs: { messages: [{ role: 'user', content: 'a' }] },
          events: [{ name: 'gen_ai.user.message', time: T0_ISO, kwargs: { content: 'e' } }],
        },
      },
      {
        span: { attrs: { 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'b', 'input.value': 'c' } },
        expected: { inputs: { messages: [{ role: 'user', content: 'b' }] } },
      },
    ],
  },
];

const OUTPUT_ROWS: Row[] = [
  {
    id: 'O1',
    rule: 'gen_ai.output.messages → choices',
    cases: [
      {
        span: {
          attrs: {
            ...chat,
            'gen_ai.output.messages': json([
              { role: 'assistant', parts: [{ type: 'text', content: 'Rainy' }], finish_reason: 'stop' },
              { role: 'assistant', parts: [{ type: 'tool_call', id: 'c2', name: 'f', arguments: '{"a":1}' }], finish_reason: 'tool_call' },
            ]),
          },
        },
        expected: {
          outputs: {
            choices: [
              { index: 0, message: { role: 'assistant', content: 'Rainy' }, finish_reason: 'stop' },
              { index: 1, message: { role: 'assistant', content: '', tool_calls: [fn('f', '{"a":1}', 'c2')] }, finish_reason: 'tool_call' },
            ],
          },
        },
      },
      { span: { attrs: { 'gen_ai.output.messages': 'oops' } }, expected: { outputs: { output: 'oops' } } },
    ],
  },
  {
    id: 'O2',
    rule: 'gen_ai.choice events → choices by index, consumed',
    cases: [
      {
        span: {
          events: [
            ['gen_ai.choice', { index: 1, finish_reason: 'length', message: '{"content":"B"}' }],
            ['gen_ai.choice', { index: 0, finish_reason: 'stop', message: '{"role":"assistant","content":"A"}' }],
          ],
        },
        expected: {
          outputs: {
            choices: [
              { index: 0, message: { role: 'assistant', content: 'A' }, finish_reason: 'stop' },
              { index: 1, message: { role: 'assistant', content: 'B' }, finish_reason: 'length' },
            ],
          },
          events: [],
        },
      },
    ],
  },
  {
    id: 'O3',
    rule: 'gen_ai.content.completion event',
    cases: [
      {
        span: { events: [['gen_ai.content.completion', { 'gen_ai.completion': json([{ role: 'assistant', content: 'hi' }]) }]] },
        expected: { outputs: { choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }] }, events: [] },
      },
      {
        span: { events: [['gen_ai.content.completion', { 'gen_ai.completion': 'hi' }]] },
        expected: { outputs: { text: 'hi' }, events: [] },
      },
    ],
  },
  {
    id: 'O4',
    rule: 'indexed gen_ai.completion.N.*',
    cases: [
      {
        span: {
          attrs: {
            'gen_ai.completion.0.role': 'assistant',
            'gen_ai.completion.0.content': 'A',
            'gen_ai.completion.0.finish_reason': 'stop',
            'gen_ai.completion.0.tool_calls.0.id': 'c',
            'gen_ai.completion.0.tool_calls.0.name': 'f',
            'gen_ai.completion.0.tool_calls.0.arguments': '{}',
          },
        },
        expected: {
          outputs: {
            choices: [{ index: 0, message: { role: 'assistant', content: 'A', tool_calls: [fn('f', '{}', 'c')] }, finish_reason: 'stop' }],
          },
        },
      },
    ],
  },
  {
    id: 'O5',
    rule: 'OpenInference llm.output_messages.N.*',
    cases: [
      {
        span: {
          attrs: {
            'llm.output_messages.0.message.role': 'assistant',
            'llm.output_messages.0.message.content': 'Hello',
            'output.value': '{"ignored":true}',
          },
        },
        expected: { outputs: { choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' } }] } },
      },
    ],
  },
  {
    id: 'O6',
    rule: 'retrieval.documents.N.document.* → documents',
    cases: [
      {
        span: {
          attrs: {
            'openinference.span.kind': 'RETRIEVER',
            'retrieval.documents.0.document.content': 'Paris is the capital.',
            'retrieval.documents.0.document.id': 'd1',
            'retrieval.documents.0.document.score': 0.9,
            'retrieval.documents.0.document.metadata': '{"source":"wiki"}',
            'retrieval.documents.1.document.content': 'x',
            'retrieval.documents.1.document.metadata': 'not json',
            'output.value': 'ignored',
          },
        },
        expected: {
          outputs: {
            documents: [
              { page_content: 'Paris is the capital.', metadata: { source: 'wiki' }, id: 'd1', score: 0.9 },
              { page_content: 'x', metadata: {} },
            ],
          },
        },
      },
      {
        span: { attrs: { 'openinference.span.kind': 'RERANKER', 'reranker.output_documents.0.document.content': 'r' } },
        expected: { run_type: 'retriever', outputs: { documents: [{ page_content: 'r', metadata: {} }] } },
      },
    ],
  },
  {
    id: 'O7',
    rule: 'gen_ai.retrieval.documents → documents',
    cases: [
      {
        span: {
          attrs: {
            'gen_ai.operation.name': 'retrieval',
            'gen_ai.retrieval.documents': json([{ id: 'a', score: 0.5, content: 'A', metadata: { k: 1 } }, { id: 'b' }]),
          },
        },
        expected: {
          outputs: {
            documents: [
              { page_content: 'A', metadata: { k: 1 }, id: 'a', score: 0.5 },
              { page_content: '', metadata: {}, id: 'b' },
            ],
          },
        },
      },
    ],
  },
  {
    id: 'O8',
    rule: 'output.value',
    cases: [
      { span: { attrs: { 'output.value': '{"answer":42}' } }, expected: { outputs: { answer: 42 } } },
      { span: { attrs: { 'output.value': 'done' } }, expected: { outputs: { output: 'done' } } },
      { span: { attrs: { 'output.value': '[1]' } }, expected: { outputs: { output: [1] } } },
      { span: { attrs: { 'output.value': '{"a":1}', 'output.mime_type': 'text/plain' } }, expected: { outputs: { output: '{"a":1}' } } },
    ],
  },
  {
    id: 'O9',
    rule: 'traceloop.entity.output, wrapper removed',
    cases: [
      { span: { attrs: { 'traceloop.entity.output': json({ outputs: { answer: 'x' }, kwargs: {} }) } }, expected: { outputs: { answer: 'x' } } },
      { span: { attrs: { 'traceloop.entity.output': json({ outputs: 's' }) } }, expected: { outputs: { output: 's' } } },
      { span: { attrs: { 'traceloop.entity.output': 'result text' } }, expected: { outputs: { output: 'result text' } } },
      { span: { attrs: { 'traceloop.entity.output': json({ args: [1] }) } }, expected: { outputs: { args: [1] } } },
    ],
  },
  {
    id: 'O10',
    rule: 'plain gen_ai.completion',
    cases: [
      { span: { attrs: { 'gen_ai.completion': '{"choices":[]}' } }, expected: { outputs: { choices: [] } } },
      { span: { attrs: { 'gen_ai.completion': 'The answer' } }, expected: { outputs: { text: 'The answer' } } },
    ],
  },
  {
    id: 'O11',
    rule: 'Vercel ai.response.text / toolCalls / finishReason → one choice',
    cases: [
      {
        span: {
          attrs: {
            'ai.operationId': 'ai.generateText.doGenerate',
            'ai.response.text': 'It is sunny',
            'ai.response.toolCalls': json([{ toolCallType: 'function', toolCallId: 't1', toolName: 'weather', args: '{"city":"Paris"}' }]),
            'ai.response.finishReason': 'tool-calls',
          },
        },
        expected: {
          outputs: {
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: 'It is sunny', tool_calls: [fn('weather', '{"city":"Paris"}', 't1')] },
                finish_reason: 'tool-calls',
              },
            ],
          },
        },
      },
      {
        span: { attrs: { 'ai.response.toolCalls': json([{ toolCallId: 't2', toolName: 'w', input: { c: 1 } }]) } },
        expected: { outputs: { choices: [{ index: 0, message: { role: 'assistant', content: '', tool_calls: [fn('w', '{"c":1}', 't2')] } }] } },
      },
    ],
  },
  {
    id: 'O12',
    rule: 'Vercel ai.response.object',
    cases: [{ span: { attrs: { 'ai.response.object': '{"name":"x"}' } }, expected: { outputs: { name: 'x' } } }],
  },
  {
    id: 'O13',
    rule: 'Vercel ai.toolCall.output / ai.toolCall.result',
    cases: [
      { span: { attrs: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.result': '{"temp":20}' } }, expected: { outputs: { temp: 20 } } },
      { span: { attrs: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.output': 'sunny' } }, expected: { outputs: { output: 'sunny' } } },
    ],
  },
  {
    id: 'O14',
    rule: 'HTTP status code as last resort',
    cases: [
      { span: { attrs: { 'http.request.method': 'GET', 'http.response.status_code': 200 } }, expected: { outputs: { status_code: 200 } } },
      { span: { attrs: { 'http.method': 'GET', 'http.status_code': 404 } }, expected: { outputs: { status_code: 404 } } },
    ],
  },
  {
    id: 'O15',
    rule: 'no output source → undefined',
    cases: [{ span: { attrs: { 'foo.bar': 'baz' } }, expected: { outputs: undefined } }],
  },
];

const USAGE_ROWS: Row[] = [
  {
    id: 'U1',
    rule: 'langsmith.usage_metadata wins, on any run type',
    cases: [
      {
        span: {
          attrs: {
            'langsmith.span.kind': 'chain',
            'gen_ai.usage.input_tokens': 99,
            'langsmith.usage_metadata': json({
              input_tokens: 10,
              output_tokens: 5,
              total_tokens: 15,
              input_token_details: { cache_read: 2, bogus: 'x' },
              output_token_details: { reasoning: 1.7 },
            }),
          },
        },
        expected: {
          usage_metadata: {
            input_tokens: 10,
            output_tokens: 5,
            total_tokens: 15,
            input_token_details: { cache_read: 2 },
            output_token_details: { reasoning: 1 },
          },
        },
      },
      {
        span: { attrs: { ...chat, 'langsmith.usage_metadata': '{oops', 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 3 } },
        expected: { usage_metadata: { input_tokens: 7, output_tokens: 3, total_tokens: 10 } },
      },
    ],
  },
  {
    id: 'U2',
    rule: 'gen_ai.usage.input/output/total_tokens',
    cases: [
      {
        span: { attrs: { ...chat, 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20, 'gen_ai.usage.total_tokens': 125 } },
        expected: { usage_metadata: { input_tokens: 100, output_tokens: 20, total_tokens: 125 } },
      },
      {
        span: { attrs: { ...chat, 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 } },
        expected: { usage_metadata: { input_tokens: 100, output_tokens: 20, total_tokens: 120 } },
      },
      {
        span: { attrs: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.usage.input_tokens': 8 } },
        expected: { usage_metadata: { input_tokens: 8, output_tokens: 0, total_tokens: 8 } },
      },
    ],
  },
  {
    id: 'U3',
    rule: 'deprecated prompt_tokens / completion_tokens',
    cases: [
      {
        span: { attrs: { ...chat, 'gen_ai.usage.prompt_tokens': 8, 'gen_ai.usage.completion_tokens': 2 } },
        expected: { usage_metadata: { input_tokens: 8, output_tokens: 2, total_tokens: 10 } },
      },
      {
        span: { attrs: { ...chat, 'gen_ai.usage.input_tokens': 9, 'gen_ai.usage.prompt_tokens': 8, 'gen_ai.usage.completion_tokens': 2 } },
        expected: { usage_metadata: { input_tokens: 9, output_tokens: 2, total_tokens: 11 } },
      },
    ],
  },
  {
    id: 'U4',
    rule: 'GenAI cache and reasoning details',
    cases: [
      {
        span: {
          attrs: {
            ...chat,
            'gen_ai.usage.input_tokens': 100,
            'gen_ai.usage.output_tokens': 20,
            'gen_ai.usage.cache_read.input_tokens': 30,
            'gen_ai.usage.cache_creation.input_tokens': 5,
            'gen_ai.usage.reasoning.output_tokens': 7,
            'gen_ai.usage.cache_read_input_tokens': 99,
          },
        },
        expected: {
          usage_metadata: {
            input_tokens: 100,
            output_tokens: 20,
            total_tokens: 120,
            input_token_details: { cache_read: 30, cache_creation: 5 },
            output_token_details: { reasoning: 7 },
          },
        },
      },
      {
        span: {
          attrs: {
            ...chat,
            'gen_ai.usage.input_tokens': 10,
            'gen_ai.usage.cache_read_input_tokens': 3,
            'gen_ai.usage.cache_creation_input_tokens': 4,
            'gen_ai.usage.details.reasoning_tokens': 6,
          },
        },
        expected: {
          usage_metadata: {
            input_tokens: 10,
            output_tokens: 0,
            total_tokens: 10,
            input_token_details: { cache_read: 3, cache_creation: 4 },
            output_token_details: { reasoning: 6 },
          },
        },
      },
      {
        span: { attrs: { ...chat, 'gen_ai.usage.output_tokens': 10, 'gen_ai.usage.reasoning_tokens': 9 } },
        expected: { usage_metadata: { input_tokens: 0, output_tokens: 10, total_tokens: 10, output_token_details: { reasoning: 9 } } },
      },
    ],
  },
  {
    id: 'U5',
    rule: 'OpenInference llm.token_count.*',
    cases: [
      {
        span: {
          attrs: {
            'openinference.span.kind': 'LLM',
            'llm.token_count.prompt': 11,
            'llm.token_count.completion': 4,
            'llm.token_count.total': 15,
            'llm.token_count.prompt_details.cache_read': 2,
            'llm.token_count.prompt_details.cache_write': 1,
            'llm.token_count.prompt_details.audio': 3,
            'llm.token_count.completion_details.reasoning': 2,
            'llm.token_count.completion_details.audio': 1,
          },
        },
        expected: {
          usage_metadata: {
            input_tokens: 11,
            output_tokens: 4,
            total_tokens: 15,
            input_token_details: { cache_read: 2, cache_creation: 1, audio: 3 },
            output_token_details: { reasoning: 2, audio: 1 },
          },
        },
      },
    ],
  },
  {
    id: 'U6',
    rule: 'Vercel ai.usage.*',
    cases: [
      {
        span: { attrs: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.usage.promptTokens': 12, 'ai.usage.completionTokens': 3 } },
        expected: { usage_metadata: { input_tokens: 12, output_tokens: 3, total_tokens: 15 } },
      },
      {
        span: {
          attrs: {
            'ai.operationId': 'ai.streamText.doStream',
            'ai.usage.inputTokens': 20,
            'ai.usage.outputTokens': 5,
            'ai.usage.totalTokens': 26,
            'ai.usage.cachedInputTokens': 4,
            'ai.usage.reasoningTokens': 2,
          },
        },
        expected: {
          usage_metadata: {
            input_tokens: 20,
            output_tokens: 5,
            total_tokens: 26,
            input_token_details: { cache_read: 4 },
            output_token_details: { reasoning: 2 },
          },
        },
      },
    ],
  },
  {
    id: 'U7',
    rule: 'integers only',
    cases: [
      {
        span: { attrs: { ...chat, 'gen_ai.usage.input_tokens': 10.9, 'gen_ai.usage.output_tokens': -3, 'gen_ai.usage.total_tokens': NaN } },
        expected: { usage_metadata: { input_tokens: 10, output_tokens: 0, total_tokens: 10 } },
      },
      {
        span: { attrs: { ...chat, 'gen_ai.usage.input_tokens': '42', 'gen_ai.usage.output_tokens': '7.5' } },
        expected: { usage_metadata: { input_tokens: 42, output_tokens: 0, total_tokens: 42 } },
      },
      {
        span: { attrs: { ...chat, 'gen_ai.usage.input_tokens': 'abc', 'gen_ai.usage.output_tokens': Infinity } },
        expected: { usage_metadata: undefined },
      },
      {
        span: { attrs: { ...chat, 'gen_ai.usage.input_tokens': -1, 'llm.token_count.prompt': 5 } },
        expected: { usage_metadata: { input_tokens: 5, output_tokens: 0, total_tokens: 5 } },
      },
    ],
  },
  {
    id: 'U8',
    rule: 'no derived usage on chain/tool runs',
    cases: [
      {
        span: { attrs: { 'ai.operationId': 'ai.generateText', 'ai.usage.promptTokens': 12, 'ai.usage.completionTokens': 3 } },
        expected: { run_type: 'chain', usage_metadata: undefined },
      },
      {
        span: { attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.usage.input_tokens': 5 } },
        expected: { run_type: 'tool', usage_metadata: undefined },
      },
    ],
  },
  {
    id: 'U9',
    rule: 'usage also in metadata.usage_metadata',
    cases: [
      {
        span: { attrs: { 'langsmith.span.kind': 'llm', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 4 } },
        expected: {
          usage_metadata: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
          metadata: { ls_model_type: 'chat', usage_metadata: { input_tokens: 3, output_tokens: 4, total_tokens: 7 } },
        },
        verify: (m) => expect(m.metadata.usage_metadata).toBe(m.usage_metadata),
      },
    ],
  },
];

const PARAM_ROWS: Row[] = [
  {
    id: 'P1',
    rule: 'gen_ai.request.* → invocation_params',
    cases: [
      {
        span: {
          attrs: {
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.request.temperature': 0.2,
            'gen_ai.request.top_p': 0.9,
            'gen_ai.request.top_k': 40,
            'gen_ai.request.max_tokens': 256,
            'gen_ai.request.seed': 7,
            'gen_ai.request.stop_sequences': ['\n', 'END'],
            'gen_ai.request.frequency_penalty': 0.1,
            'gen_ai.request.presence_penalty': 0.3,
            'gen_ai.request.choice.count': 2,
          },
        },
        expected: {
          invocation_params: {
            model: 'gpt-4o',
            temperature: 0.2,
            top_p: 0.9,
            top_k: 40,
            max_tokens: 256,
            seed: 7,
            stop: ['\n', 'END'],
            frequency_penalty: 0.1,
            presence_penalty: 0.3,
            n: 2,
          },
        },
      },
    ],
  },
  {
    id: 'P2',
    rule: 'llm.invocation_parameters < ai.settings.* < gen_ai.request.*',
    cases: [
      {
        span: {
          attrs: {
            'llm.invocation_parameters': json({ model: 'm0', temperature: 0.1, foo: true }),
            'ai.model.id': 'gpt-4o-mini',
            'ai.settings.temperature': 0.5,
            'ai.settings.maxOutputTokens': 100,
            'ai.settings.topP': 0.8,
            'ai.settings.stopSequences': ['x'],
            'gen_ai.request.temperature': 0.9,
          },
        },
        expected: { invocation_params: { model: 'gpt-4o-mini', temperature: 0.9, foo: true, max_tokens: 100, top_p: 0.8, stop: ['x'] } },
      },
      { span: { attrs: { 'foo.bar': 1 } }, expected: { invocation_params: undefined } },
    ],
  },
  {
    id: 'P3',
    rule: 'metadata.ls_provider',
    cases: [
      [{ 'gen_ai.provider.name': 'anthropic', 'gen_ai.system': 'openai', 'ai.model.provider': 'x.y' }, 'anthropic'],
      [{ 'gen_ai.system': 'openai', 'ai.model.provider': 'x.y' }, 'openai'],
      [{ 'ai.model.provider': 'openai.chat', 'llm.provider': 'z' }, 'openai'],
      [{ 'ai.model.provider': 'google.generative-ai' }, 'google'],
      [{ 'ai.model.provider': 'amazon-bedrock' }, 'amazon-bedrock'],
      [{ 'llm.provider': 'openai', 'llm.system': 'z' }, 'openai'],
      [{ 'llm.system': 'anthropic' }, 'anthropic'],
    ].map(([attrs, provider]) => ({
      span: { attrs: attrs as Attributes },
      expected: { metadata: { ls_provider: provider as string } },
    })),
  },
  {
    id: 'P4',
    rule: 'metadata.ls_model_name',
    cases: [
      [{ 'gen_ai.response.model': 'gpt-4o-2024-08-06', 'gen_ai.request.model': 'gpt-4o' }, 'gpt-4o-2024-08-06'],
      [{ 'gen_ai.request.model': 'gpt-4o', 'ai.model.id': 'x' }, 'gpt-4o'],
      [{ 'ai.response.model': 'claude-3-5-sonnet-20241022', 'ai.model.id': 'claude-3-5-sonnet-latest' }, 'claude-3-5-sonnet-20241022'],
      [{ 'ai.model.id': 'claude-3-5-sonnet-latest', 'llm.model_name': 'x' }, 'claude-3-5-sonnet-latest'],
      [{ 'llm.model_name': 'mistral-large' }, 'mistral-large'],
    ].map(([attrs, model]) => ({
      span: { attrs: { 'langsmith.span.kind': 'tool', ...(attrs as Attributes) } },
      expected: { metadata: { ls_model_name: model as string } },
    })),
  },
  {
    id: 'P5',
    rule: 'metadata.ls_model_type on llm runs',
    cases: [
      { span: { attrs: { 'gen_ai.operation.name': 'chat' } }, expected: { metadata: { ls_model_type: 'chat' } } },
      { span: { attrs: { 'gen_ai.operation.name': 'text_completion' } }, expected: { metadata: { ls_model_type: 'llm' } } },
      { span: { attrs: { 'llm.request.type': 'completion' } }, expected: { metadata: { ls_model_type: 'llm' } } },
      { span: { attrs: { 'gen_ai.operation.name': 'embeddings' } }, expected: { metadata: {} } },
    ],
  },
  {
    id: 'P6',
    rule: 'ls_temperature / ls_max_tokens / ls_stop',
    cases: [
      {
        span: {
          attrs: {
            'langsmith.span.kind': 'chain',
            'gen_ai.request.temperature': 0.2,
            'gen_ai.request.max_tokens': 256,
            'gen_ai.request.stop_sequences': ['END'],
          },
        },
        expected: { metadata: { ls_temperature: 0.2, ls_max_tokens: 256, ls_stop: ['END'] } },
      },
    ],
  },
];

function boom(): Error {
  const error = new Error('boom');
  error.stack = 'Error: boom\n    at f (x.js:1:1)';
  return error;
}

const ERROR_ROWS: Row[] = [
  {
    id: 'E1',
    rule: 'exception events → error, consumed',
    cases: [
      {
        span: {
          then: (span) => {
            span.recordException(boom(), T0);
            span.recordException({ name: 'TypeError', message: 'bad' }, T0);
            span.setStatus({ code: SpanStatusCode.ERROR, message: 'not used' });
          },
        },
        expected: { error: 'Error: boom\n    at f (x.js:1:1)\n\nTypeError: bad', events: [] },
      },
      {
        // The langsmith SDK's OTel mode: recordException(new Error(String(err))).
        span: {
          then: (span) => {
            const err = new Error('Error: search failed');
            err.stack = 'Error: Error: search failed\n    at translate (t.js:1:1)';
            span.recordException(err, T0);
          },
        },
        expected: { error: 'Error: search failed\n\nError: Error: search failed\n    at translate (t.js:1:1)', events: [] },
      },
      {
        span: { then: (span) => span.recordException('just a message', T0) },
        expected: { error: 'just a message', events: [] },
      },
    ],
  },
  {
    id: 'E2',
    rule: 'ERROR status without exception events',
    cases: [
      { span: { then: (s) => s.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' }) }, expected: { error: 'rate limited' } },
      {
        span: { attrs: { 'error.type': 'timeout' }, then: (s) => s.setStatus({ code: SpanStatusCode.ERROR }) },
        expected: { error: 'timeout' },
      },
      {
        span: { attrs: { 'http.response.status_code': 502 }, then: (s) => s.setStatus({ code: SpanStatusCode.ERROR }) },
        expected: { error: 'HTTP 502' },
      },
      { span: { then: (s) => s.setStatus({ code: SpanStatusCode.ERROR }) }, expected: { error: 'Error' } },
    ],
  },
  {
    id: 'E3',
    rule: 'OK status with exception events: still an error (as LangSmith ingest reads it)',
    cases: [
      {
        span: {
          then: (s) => {
            s.recordException(boom(), T0);
            s.setStatus({ code: SpanStatusCode.OK });
          },
        },
        expected: { error: 'Error: boom\n    at f (x.js:1:1)', events: [] },
      },
      { span: { then: (s) => s.setStatus({ code: SpanStatusCode.OK }) }, expected: { error: undefined } },
    ],
  },
  {
    id: 'E4',
    rule: 'UNSET status, no exceptions: no error',
    cases: [{ span: { attrs: { 'error.type': 'ignored' } }, expected: { error: undefined } }],
  },
];

const METADATA_ROWS: Row[] = [
  {
    id: 'M1',
    rule: 'langsmith.metadata.<k>',
    cases: [
      {
        span: {
          attrs: {
            'langsmith.metadata.env': 'prod',
            'langsmith.metadata.config': '{"a":1}',
            'langsmith.metadata.list': '[1,2]',
            'langsmith.metadata.count': '3',
            'langsmith.metadata.flag': true,
            'langsmith.metadata.n': 5,
            'langsmith.metadata.arr': ['x', 'y'],
            'langsmith.metadata.bad': '{oops',
          },
        },
        expected: { metadata: { env: 'prod', config: { a: 1 }, list: [1, 2], count: '3', flag: true, n: 5, arr: ['x', 'y'], bad: '{oops' } },
      },
    ],
  },
  {
    id: 'M2',
    rule: 'ai.telemetry.metadata.<k>, project keys skipped',
    cases: [
      {
        span: {
          attrs: {
            'ai.telemetry.metadata.userId': 'u1',
            'ai.telemetry.metadata.ls_project_name': 'proj',
            'ai.telemetry.metadata.ls_project_id': 'pid',
          },
        },
        expected: { metadata: { userId: 'u1' } },
      },
    ],
  },
  {
    id: 'M3',
    rule: 'Traceloop association properties and OpenInference metadata',
    cases: [
      {
        span: { attrs: { 'traceloop.association.properties.customer': 'acme', metadata: '{"tenant":"t1"}' } },
        expected: { metadata: { customer: 'acme', tenant: 't1' } },
      },
    ],
  },
  {
    id: 'M4',
    rule: 'metadata precedence',
    cases: [
      {
        span: {
          attrs: {
            'gen_ai.system': 'openai',
            'langsmith.metadata.ls_provider': 'azure',
            'langsmith.metadata.k': 'ls',
            'ai.telemetry.metadata.k': 'ai',
            'ai.telemetry.metadata.j': 'ai',
            'traceloop.association.properties.k': 'tl',
            'traceloop.association.properties.j': 'tl',
            'traceloop.association.properties.i': 'tl',
            metadata: '{"k":"oi","i":"oi","h":"oi","ls_provider":"oi"}',
          },
        },
        expected: { metadata: { ls_provider: 'azure', k: 'ls', j: 'ai', i: 'tl', h: 'oi' } },
      },
    ],
  },
  {
    id: 'M5',
    rule: 'thread ids',
    cases: [
      {
        span: { attrs: { 'gen_ai.conversation.id': 'c1', 'session.id': 's1', 'user.id': 'u1' } },
        expected: { metadata: { conversation_id: 'c1', session_id: 's1', user_id: 'u1' } },
      },
    ],
  },
  {
    id: 'M6',
    rule: 'project, lineage and other attributes not copied',
    cases: [
      {
        span: {
          attrs: {
            'langsmith.trace.session_name': 'proj',
            'langsmith.trace.session_id': 'pid',
            'langsmith.span.id': '00000000-0000-0000-0102-030405060708',
            'langsmith.trace.id': '00000000-0000-0000-0102-030405060708',
            'langsmith.span.parent_id': '00000000-0000-0000-0102-030405060709',
            'langsmith.span.dotted_order': '20250102T030405678001Z00000000-0000-0000-0102-030405060708',
            'langsmith.is_root': true,
            'langsmith.traceable': 'true',
            'service.version': '1.2.3',
            'foo.bar': 'baz',
          },
        },
        expected: { metadata: {}, tags: undefined, inputs: {}, outputs: undefined, invocation_params: undefined },
      },
    ],
  },
  {
    id: 'T1',
    rule: 'tags',
    cases: [
      { span: { attrs: { 'langsmith.span.tags': ' a, b ,,a' } }, expected: { tags: ['a', 'b'] } },
      { span: { attrs: { 'langsmith.span.tags': ['x', ' y ', ''] } }, expected: { tags: ['x', 'y'] } },
      { span: { attrs: { 'langsmith.span.tags': 'a, b', 'tag.tags': ['b', 'c'] } }, expected: { tags: ['a', 'b', 'c'] } },
      { span: { attrs: { 'langsmith.span.tags': ' , ' } }, expected: { tags: undefined } },
      { span: {}, expected: { tags: undefined } },
    ],
  },
];

const EVENT_ROWS: Row[] = [
  {
    id: 'V1',
    rule: 'remaining events → {name, time, kwargs}',
    cases: [
      {
        span: {
          events: [
            ['retry', { attempt: 2, reason: 'timeout' }, [1_700_000_001, 5_000]],
            ['done', undefined, [1_700_000_001, 999_999_999]],
          ],
        },
        expected: {
          events: [
            { name: 'retry', time: '2023-11-14T22:13:21.000005Z', kwargs: { attempt: 2, reason: 'timeout' } },
            { name: 'done', time: '2023-11-14T22:13:21.999999Z', kwargs: {} },
          ],
        },
      },
    ],
  },
  {
    id: 'V2',
    rule: 'consumed events are omitted',
    cases: [
      {
        span: {
          events: [
            ['gen_ai.user.message', { content: 'hi' }],
            ['first_token', { ms: 120 }],
            ['gen_ai.choice', { index: 0, message: '{"content":"yo"}' }],
          ],
          then: (s) => s.recordException(boom(), T0),
        },
        expected: {
          inputs: { messages: [{ role: 'user', content: 'hi' }] },
          outputs: { choices: [{ index: 0, message: { role: 'assistant', content: 'yo' } }] },
          error: 'Error: boom\n    at f (x.js:1:1)',
          events: [{ name: 'first_token', time: T0_ISO, kwargs: { ms: 120 } }],
        },
      },
    ],
  },
  {
    id: 'H1',
    rule: 'HrTime → ISO with microseconds',
    cases: [
      {
        span: {},
        verify: () => {
          expect(hrTimeToIso(T0)).toBe(T0_ISO);
          expect(hrTimeToIso([0, 0])).toBe('1970-01-01T00:00:00.000000Z');
          expect(hrTimeToIso([1, 1_500_000_000])).toBe('1970-01-01T00:00:02.500000Z');
          expect(hrTimeToIso([1_700_000_000, 999])).toBe('2023-11-14T22:13:20.000000Z');
          expect(hrTimeToIso([NaN, 0])).toBe('1970-01-01T00:00:00.000000Z');
          expect(hrTimeToIso([1e20, 0])).toBe('1970-01-01T00:00:00.000000Z');
          expect(hrTimeToIso([1_700_000_000, -5])).toBe('2023-11-14T22:13:20.000000Z');
          expect(hrTimeToIso(undefined as unknown as HrTime)).toBe('1970-01-01T00:00:00.000000Z');
        },
      },
    ],
  },
];

const LONG = 300_000;
const bigMessages = [{ role: 'user', content: 'a'.repeat(200) }];
const bigMessagesJson = json(bigMessages);

const HOSTILE_ROWS: Row[] = [
  {
    id: 'X1',
    rule: 'a large string value is cut with a marker',
    cases: [
      {
        span: { attrs: { 'input.value': 'a'.repeat(LONG) } },
        expected: { inputs: { input: `${'a'.repeat(256 * 1024)}…[truncated ${LONG - 256 * 1024} bytes]` } },
      },
      {
        span: { attrs: { 'output.value': 'héllo wörld!' } },
        options: { maxPayloadBytes: 10 },
        expected: { outputs: { output: 'héllo wö…[truncated 4 bytes]' } },
      },
      {
        span: { attrs: { 'output.value': '😀😀😀' } },
        options: { maxPayloadBytes: 6 },
        expected: { outputs: { output: '😀…[truncated 8 bytes]' } },
      },
    ],
  },
  {
    id: 'X2',
    rule: 'a large structured value becomes its cut JSON; small siblings stay',
    cases: [
      {
        span: { attrs: { 'gen_ai.input.messages': json([{ role: 'user', parts: [{ type: 'text', content: 'a'.repeat(200) }] }]) } },
        options: { maxPayloadBytes: 40 },
        expected: { inputs: { messages: `${bigMessagesJson.slice(0, 40)}…[truncated ${bigMessagesJson.length - 40} bytes]` } },
      },
      {
        span: { attrs: { 'input.value': json({ small: 's', big: { text: 'b'.repeat(100) } }) } },
        options: { maxPayloadBytes: 50 },
        expected: {
          inputs: { small: 's', big: `${json({ text: 'b'.repeat(100) }).slice(0, 50)}…[truncated ${json({ text: 'b'.repeat(100) }).length - 50} bytes]` },
        },
      },
      {
        span: { attrs: { 'input.value': `[${'['.repeat(20_000)}${']'.repeat(20_000)}]` } },
        options: { maxPayloadBytes: 100 },
        verify: (m) => {
          expect(typeof m.inputs.input).toBe('string');
          expect(String(m.inputs.input)).toMatch(/…\[truncated(?: \d+ bytes|: value not serialisable)\]$/);
        },
      },
    ],
  },
  {
    id: 'X3',
    rule: 'invalid JSON is text, never a throw',
    cases: [
      {
        span: {
          attrs: {
            ...chat,
            'gen_ai.input.messages': '[',
            'gen_ai.output.messages': '[{',
            'gen_ai.system_instructions': '[oops',
            'langsmith.usage_metadata': '{',
            'llm.invocation_parameters': '{',
            metadata: '{',
            'langsmith.metadata.x': '[1,',
            'retrieval.documents.0.document.metadata': '{',
          },
          events: [['gen_ai.assistant.message', { tool_calls: '[{' }]],
        },
        expected: {
          inputs: { messages: [{ role: 'system', content: '[oops' }], input: '[' },
          outputs: { output: '[{' },
          usage_metadata: undefined,
          invocation_params: undefined,
          metadata: { ls_model_type: 'chat', x: '[1,' },
        },
      },
    ],
  },
  {
    id: 'X4',
    rule: '__proto__ keys do not pollute',
    cases: [
      {
        span: {
          attrs: {
            'input.value': '{"__proto__":{"polluted":true},"a":1}',
            'langsmith.metadata.__proto__': '{"polluted":true}',
            'ai.telemetry.metadata.constructor': 'c',
            'langsmith.span.kind': 'llm',
            'langsmith.usage_metadata': '{"input_tokens":1,"output_tokens":1,"input_token_details":{"__proto__":5,"cache_read":1}}',
            'llm.invocation_parameters': '{"__proto__":{"polluted":true}}',
          },
        },
        verify: (m) => {
          expect(Object.getPrototypeOf(m.inputs)).toBe(Object.prototype);
          expect(Object.getOwnPropertyNames(m.inputs).sort()).toEqual(['__proto__', 'a']);
          expect(Object.getOwnPropertyDescriptor(m.inputs, '__proto__')?.value).toEqual({ polluted: true });
          expect(Object.getPrototypeOf(m.metadata)).toBe(Object.prototype);
          expect(Object.getOwnPropertyDescriptor(m.metadata, '__proto__')?.value).toEqual({ polluted: true });
          expect(Object.getOwnPropertyDescriptor(m.metadata, 'constructor')?.value).toBe('c');
          const details = m.usage_metadata?.input_token_details;
          expect(Object.getPrototypeOf(details)).toBe(Object.prototype);
          expect(Object.getOwnPropertyDescriptor(details, '__proto__')?.value).toBe(5);
          expect(details?.cache_read).toBe(1);
          expect(Object.getPrototypeOf(m.invocation_params)).toBe(Object.prototype);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      },
    ],
  },
  {
    id: 'X5',
    rule: 'wrong attribute types never throw',
    cases: [
      {
        span: {
          name: 'typed',
          attrs: {
            'gen_ai.input.messages': 42,
            'gen_ai.output.messages': [1, 2] as AttributeValue,
            'langsmith.span.kind': true,
            'gen_ai.operation.name': 5,
            'langsmith.trace.name': ['a'],
            'langsmith.span.tags': 7,
            'langsmith.usage_metadata': 3,
            'ai.model.provider': 9,
            'gen_ai.prompt.0.role': 1,
            'llm.invocation_parameters': false,
          },
          events: [['gen_ai.choice', { index: 'x', message: 12 }]],
        },
        expected: {
          name: 'typed',
          run_type: 'chain',
          inputs: { input: 42 },
          outputs: { output: [1, 2] },
          tags: undefined,
          usage_metadata: undefined,
          invocation_params: undefined,
          metadata: {},
        },
      },
      {
        // A malformed SpanLike (its attributes getter throws) still maps.
        span: { name: 'broken' },
        verify: () => {
          const real = exported({ name: 'broken' });
          const hostile = new Proxy(real, {
            get(target, property, receiver) {
              if (property === 'attributes') throw new Error('hostile');
              return Reflect.get(target, property, receiver) as unknown;
            },
          });
          expect(mapAttributes(hostile)).toEqual({
            name: 'broken',
            run_type: 'chain',
            inputs: {},
            outputs: undefined,
            error: undefined,
            metadata: {},
            invocation_params: undefined,
            usage_metadata: undefined,
            tags: undefined,
            events: [],
          });
        },
      },
    ],
  },
  {
    id: 'X6',
    rule: 'maxPayloadBytes Infinity disables truncation',
    cases: [
      {
        span: { attrs: { 'input.value': 'a'.repeat(LONG) } },
        options: { maxPayloadBytes: Infinity },
        verify: (m) => expect(m.inputs.input).toBe('a'.repeat(LONG)),
      },
    ],
  },
];

const ROWS: Row[] = [
  ...NAME_ROWS,
  ...RUN_TYPE_ROWS,
  ...INPUT_ROWS,
  ...OUTPUT_ROWS,
  ...USAGE_ROWS,
  ...PARAM_ROWS,
  ...ERROR_ROWS,
  ...METADATA_ROWS,
  ...EVENT_ROWS,
  ...HOSTILE_ROWS,
];

describe('mapAttributes (MAPPING.md rows)', () => {
  it.each(ROWS)('$id $rule', ({ cases }) => {
    for (const { span, options, expected, verify } of cases) {
      const mapped = mapSpec(span, options);
      for (const [field, value] of Object.entries(expected ?? {})) {
        expect(mapped[field as keyof MappedAttributes], field).toEqual(value);
      }
      verify?.(mapped);
    }
  });

  it('has exactly one test per MAPPING.md row', () => {
    const table = readFileSync(new URL('../src/mapping/MAPPING.md', import.meta.url), 'utf8');
    const documented = [...table.matchAll(/^\| ([A-Z]\d+) \|/gm)].map((m) => m[1]);
    expect(ROWS.map((r) => r.id).sort()).toEqual([...documented].sort());
    expect(new Set(documented).size).toBe(documented.length);
  });
});

describe('mapAttributes', () => {
  it('maps a typical GenAI chat span end to end', () => {
    const mapped = mapSpec({
      name: 'chat gpt-4o',
      attrs: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.request.temperature': 0.5,
        'gen_ai.input.messages': json([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]),
        'gen_ai.output.messages': json([{ role: 'assistant', parts: [{ type: 'text', content: 'Hello!' }], finish_reason: 'stop' }]),
        'gen_ai.usage.input_tokens': 5,
        'gen_ai.usage.output_tokens': 2,
        'langsmith.span.tags': 'prod',
      },
    });
    const usage = { input_tokens: 5, output_tokens: 2, total_tokens: 7 };
    expect(mapped).toEqual({
      name: 'chat gpt-4o',
      run_type: 'llm',
      inputs: { messages: [{ role: 'user', content: 'Hi' }] },
      outputs: { choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }] },
      error: undefined,
      metadata: {
        ls_provider: 'openai',
        ls_model_name: 'gpt-4o-2024-08-06',
        ls_model_type: 'chat',
        ls_temperature: 0.5,
        usage_metadata: usage,
      },
      invocation_params: { model: 'gpt-4o', temperature: 0.5 },
      usage_metadata: usage,
      tags: ['prod'],
      events: [],
    });
  });

  it('does not alias the span: attribute arrays are copied', () => {
    const span = exported({ attrs: { 'gen_ai.request.stop_sequences': ['a'], 'langsmith.metadata.arr': ['x'] } });
    const mapped = mapAttributes(span);
    (mapped.invocation_params!.stop as string[]).push('mutated');
    (mapped.metadata.arr as string[]).push('mutated');
    expect(span.attributes['gen_ai.request.stop_sequences']).toEqual(['a']);
    expect(span.attributes['langsmith.metadata.arr']).toEqual(['x']);
  });
});
