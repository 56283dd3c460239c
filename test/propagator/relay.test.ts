/**
 * Issue 8, "from trusted callers": what a trusted caller sends is relayed
 * only as far as it parsed, re-encoded; caller metadata cannot set the keys
 * LangSmith or the bridge give meaning to.
 */
import { defaultTextMapGetter, defaultTextMapSetter, diag, DiagLogLevel, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { RunTree } from 'langsmith';
import { describe, expect, it } from 'vitest';
import { LangSmithLineageProcessor, LangSmithPropagator, runToAttributes, spanToRun } from '../../src/index.js';
import { isReservedMetadataKey } from '../../src/headers/langsmith-baggage.js';

const PARENT = '20250102T030405678001Z019424f8-632e-7000-8000-008074abbf4d';
const enc = (value: unknown) => encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value));

/** Extract `headers` (trusted), start a server span under it, return what inject sends on and the span's run. */
function hop(headers: Record<string, string>) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'callee' }),
    spanProcessors: [new LangSmithLineageProcessor(), new SimpleSpanProcessor(exporter)],
  });
  const propagator = new LangSmithPropagator({ trust: true });
  const ctx = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const span = provider.getTracer('t').startSpan('server', {}, ctx);
  const out: Record<string, string> = {};
  propagator.inject(trace.setSpan(ctx, span), out, defaultTextMapSetter);
  span.end();
  const run = spanToRun(exporter.getFinishedSpans()[0]! as never);
  return { out, run, attributes: runToAttributes(run) };
}

describe('relay only what parsed, re-encoded', () => {
  const CASES: [rule: string, member: string][] = [
    ['malformed langsmith-metadata (not JSON) is not relayed', `langsmith-metadata=${enc('{"a":')}`],
    ['langsmith-metadata that is not an object is not relayed', `langsmith-metadata=${enc('[1]')}`],
    ['langsmith-metadata over 4 KiB is not relayed', `langsmith-metadata=${enc({ a: 'x'.repeat(4100) })}`],
    ['a project with NUL is not relayed', `langsmith-project=${enc('p\u0000q')}`],
    ['a project with CR/LF is not relayed', `langsmith-project=${enc('p\r\nx-injected: 1')}`],
    ['a project over 512 characters is not relayed', `langsmith-project=${'p'.repeat(513)}`],
    ['tags that are all blank are not relayed', `langsmith-tags=${enc(' , ,')}`],
  ];
  it.each(CASES)('%s', (_rule, member) => {
    const { out, run } = hop({ 'langsmith-trace': PARENT, baggage: `${member},other=1` });
    expect(out.baggage).toBe('other=1');
    expect(run.session_name).toBe('default');
    // A LangSmith-native callee parses what we send without throwing.
    expect(() => RunTree.fromHeaders(out)).not.toThrow();
  });

  it('says in diag (debug) what it did not relay, and why', () => {
    const lines: string[] = [];
    const sink = (...args: unknown[]) => void lines.push(args.join(' '));
    diag.setLogger({ debug: sink, info: sink, warn: sink, error: sink, verbose: sink }, { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true });
    try {
      hop({ 'langsmith-trace': PARENT, baggage: `langsmith-metadata=${enc({ usage_metadata: {}, a: 1 })},langsmith-project=${enc('p\u0000q')}` });
    } finally {
      diag.disable();
    }
    expect(lines.filter((l) => l.includes('from the caller'))).toEqual([
      expect.stringMatching(/langsmith-metadata .*reserved key\(s\) dropped: usage_metadata/),
      expect.stringMatching(/langsmith-project .*has a control character/),
    ]);
  });

  it('valid members are re-encoded as RunTree.toHeaders() encodes them (Python-style quoting comes out JS-style)', () => {
    const { out } = hop({
      'langsmith-trace': PARENT,
      baggage: 'langsmith-metadata=%7B%22user%22%3A%20%22%5Cu00fc/x%22%7D, langsmith-tags=a%2C%20b,langsmith-project=p/q%20%28v2%29',
    });
    const expected = new RunTree({ name: 'x', metadata: { user: 'ü/x' }, tags: ['a', 'b'], project_name: 'p/q (v2)' }).toHeaders().baggage;
    expect(out.baggage).toBe(expected);
  });
});

describe('caller metadata cannot set reserved fields', () => {
  const RESERVED: [rule: string, key: string, value: unknown][] = [
    ['usage_metadata (fake token counts on every span)', 'usage_metadata', { input_tokens: 1e9, output_tokens: 1e9, total_tokens: 2e9 }],
    ['ls_model_name (prices the run)', 'ls_model_name', 'gpt-4'],
    ['ls_provider (prices the run)', 'ls_provider', 'openai'],
    ['ls_run_name (renames the run)', 'ls_run_name', 'renamed'],
    ['otel_upstream_trace_id (the bridge says where the run is in the OTel backend)', 'otel_upstream_trace_id', 'f'.repeat(32)],
    ['otel_trace_id', 'otel_trace_id', 'f'.repeat(32)],
  ];
  it.each(RESERVED)('%s is dropped from caller metadata, here and downstream', (_rule, key, value) => {
    const { out, run, attributes } = hop({ 'langsmith-trace': PARENT, baggage: `langsmith-metadata=${enc({ [key]: value, kept: 'yes' })}` });
    expect(run.extra.metadata.kept).toBe('yes');
    expect(run.extra.metadata[key]).not.toEqual(value);
    expect(attributes['langsmith.usage_metadata']).toBeUndefined();
    expect(attributes[`langsmith.metadata.${key}`]).not.toEqual(typeof value === 'string' ? value : JSON.stringify(value));
    expect(RunTree.fromHeaders(out)!.extra.metadata).toEqual({ kept: 'yes' });
  });

  it('service.name is the local resource, never the caller', () => {
    const { run, attributes, out } = hop({
      'langsmith-trace': PARENT,
      baggage: `langsmith-metadata=${enc({ 'service.name': 'attacker', 'service.version': '6.6.6' })}`,
    });
    expect(run.extra.metadata['service.name']).toBe('callee');
    expect(run.extra.metadata['service.version']).toBeUndefined();
    expect(attributes['langsmith.metadata.service.name']).toBe('callee');
    expect(out.baggage).toBeUndefined();
  });

  it.each([
    ['usage_metadata', true],
    ['ls_anything', true],
    ['otel_span_id', true],
    ['service.name', true],
    ['usage', false],
    ['thread_id', false],
    ['session_id', false],
    ['lsx', false],
    ['user.id', false],
  ] as const)('isReservedMetadataKey(%j) is %s', (key, reserved) => expect(isReservedMetadataKey(key)).toBe(reserved));
});
