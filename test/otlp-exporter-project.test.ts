/**
 * The process project travels once per request as the exporter's
 * `Langsmith-Project` header when the bridge sends straight to LangSmith
 * (issue 10), and the processor is told which project that header applies.
 */
import { describe, expect, it } from 'vitest';
import { withProjectHeader } from '../src/setup/otlp-exporter.js';

const base = { url: 'https://api.smith.langchain.com/otel/v1/traces', headers: { 'x-api-key': 'k' }, protocol: 'http/protobuf' as const };

describe('withProjectHeader', () => {
  it.each([
    { rule: 'to LangSmith: the project becomes the header', otlp: { ...base, toLangSmith: true }, project: 'p', header: 'p', applies: 'p' },
    {
      rule: 'to LangSmith: a header the user set wins and is what applies',
      otlp: { ...base, headers: { 'x-api-key': 'k', 'langsmith-project': 'theirs' }, toLangSmith: true },
      project: 'p',
      header: undefined,
      applies: 'theirs',
    },
    {
      rule: 'to LangSmith without a project: no header, ingest’s default applies',
      otlp: { ...base, toLangSmith: true },
      project: undefined,
      header: undefined,
      applies: undefined,
    },
    {
      rule: 'to a collector: no header (the collector may add its own)',
      otlp: { ...base, url: 'http://collector:4318/v1/traces', toLangSmith: false },
      project: 'p',
      header: undefined,
      applies: undefined,
    },
  ])('$rule', ({ otlp, project, header, applies }) => {
    const result = withProjectHeader(otlp, project);
    expect(result.otlp.headers['Langsmith-Project']).toBe(header);
    expect(result.project).toBe(applies);
    expect(otlp.headers).not.toHaveProperty('Langsmith-Project'); // the resolved config is not modified
  });
});
