import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STACK_FILES, checkStack, imagePinProblem, loadStack } from '../scripts/validate-stack.mjs';

type Stack = ReturnType<typeof loadStack>;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(root, 'scripts', 'validate-stack.mjs');
const real = loadStack(root);

/** Problems reported for the real stack after `mutate` has broken a copy of it. */
function problemsAfter(mutate: (stack: Stack) => void): string[] {
  const { fileExists, ...data } = real;
  const copy = { ...structuredClone(data), fileExists };
  mutate(copy);
  return checkStack(copy).problems;
}

describe('the stack as committed', () => {
  it('passes every structural check', () => {
    const { problems, checked } = checkStack(real);
    expect(problems).toEqual([]);
    expect(checked.length).toBeGreaterThan(15);
  });

  it('passes the CLI, which exits 0', () => {
    const run = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/validate-stack: OK/);
    expect(run.stdout).toMatch(/config -q: OK|SKIPPED/);
  });
});

describe('broken variants are reported', () => {
  const pipelines = (s: Stack) => s.collector.service.pipelines;
  const sampled = (s: Stack) => pipelines(s)['traces/jaeger'];
  const langsmith = (s: Stack) => s.collector.exporters['otlp_http/langsmith'];
  const policy = (s: Stack, type: string) => s.collector.processors.tail_sampling.policies.find((p: { type: string }) => p.type === type);

  const cases: { rule: string; mutate: (s: Stack) => void; expected: RegExp }[] = [
    // Undefined components, unknown keys and bad filter expressions: the real collector's
    // `validate` reports them (test/stack-live.test.ts), not this script.
    {
      rule: 'a defined processor is used by no pipeline (tail_sampling silently off)',
      mutate: (s) => (sampled(s).processors = ['memory_limiter', 'batch']),
      expected: /processor "tail_sampling" is defined but used by no pipeline/,
    },
    {
      rule: 'an extension is defined but not enabled',
      mutate: (s) => (s.collector.service.extensions = []),
      expected: /extension "health_check" is defined but not listed in service.extensions/,
    },
    {
      rule: 'memory_limiter is not the first processor',
      mutate: (s) => (sampled(s).processors = ['tail_sampling', 'memory_limiter', 'batch']),
      expected: /pipeline traces\/jaeger must start with memory_limiter/,
    },
    {
      rule: 'batch runs before tail_sampling',
      mutate: (s) => (sampled(s).processors = ['memory_limiter', 'batch', 'tail_sampling']),
      expected: /runs batch before tail_sampling/,
    },
    {
      rule: 'the probabilistic share is not 10%',
      mutate: (s) => (policy(s, 'probabilistic').probabilistic.sampling_percentage = 25),
      expected: /probabilistic policy must sample 10%/,
    },
    {
      rule: 'an extra policy is added',
      mutate: (s) => s.collector.processors.tail_sampling.policies.push({ name: 'all', type: 'always_sample' }),
      expected: /policies must be exactly status_code \+ latency \+ probabilistic/,
    },
    {
      rule: 'the status_code policy keeps more than ERROR',
      mutate: (s) => (policy(s, 'status_code').status_code.status_codes = ['ERROR', 'UNSET']),
      expected: /status_code policy must keep exactly \[ERROR\]/,
    },
    {
      rule: 'the latency threshold is not configurable from the environment',
      mutate: (s) => (policy(s, 'latency').latency.threshold_ms = 2000),
      expected: /threshold_ms must be configurable/,
    },
    {
      rule: 'decision_wait is left implicit',
      mutate: (s) => delete s.collector.processors.tail_sampling.decision_wait,
      expected: /tail_sampling.decision_wait must be set explicitly/,
    },
    {
      rule: 'a receiver binds localhost',
      mutate: (s) => (s.collector.receivers.otlp.protocols.http.endpoint = 'localhost:4318'),
      expected: /receivers.otlp.protocols.http.endpoint is "localhost:4318": bind 0.0.0.0/,
    },
    {
      rule: 'health_check binds localhost in the first tier',
      mutate: (s) => (s.loadBalancing.extensions.health_check.endpoint = '127.0.0.1:13133'),
      expected: /collector-config.loadbalancing.yaml: extensions.health_check.endpoint .*bind 0.0.0.0/,
    },
    {
      rule: 'a deprecated exporter name is used',
      mutate: (s) => {
        s.collector.exporters['otlphttp/langsmith'] = langsmith(s);
        delete s.collector.exporters['otlp_http/langsmith'];
        pipelines(s)['traces/langsmith'].exporters = ['otlphttp/langsmith'];
      },
      expected: /exporter "otlphttp\/langsmith" uses the deprecated type otlphttp: use otlp_http/,
    },
    {
      rule: 'traces_endpoint doubles /v1/traces',
      mutate: (s) => (langsmith(s).traces_endpoint = '${env:LANGSMITH_OTLP_TRACES_ENDPOINT:-https://api.smith.langchain.com/otel/v1/traces/v1/traces}'),
      expected: /doubles \/v1\/traces/,
    },
    {
      rule: 'traces_endpoint is only the base URL',
      mutate: (s) => (langsmith(s).traces_endpoint = 'https://eu.api.smith.langchain.com/otel'),
      expected: /must be the full URL ending in \/v1\/traces/,
    },
    {
      rule: 'the base endpoint already ends in /v1/traces',
      mutate: (s) => {
        delete langsmith(s).traces_endpoint;
        langsmith(s).endpoint = 'https://api.smith.langchain.com/otel/v1/traces';
      },
      expected: /is a base URL, the exporter appends \/v1\/traces/,
    },
    {
      rule: 'the API key is written into the file',
      mutate: (s) => (langsmith(s).headers['x-api-key'] = 'lsv2_pt_0123'),
      expected: /x-api-key must come from \$\{env:…\}/,
    },
    {
      rule: 'the Langsmith-Project header is missing',
      mutate: (s) => delete langsmith(s).headers['Langsmith-Project'],
      expected: /lacks the Langsmith-Project header/,
    },
    {
      rule: 'LangSmith export has no sending queue',
      mutate: (s) => (langsmith(s).sending_queue.enabled = false),
      expected: /sending_queue.enabled must be true/,
    },
    {
      rule: 'the first tier routes by service',
      mutate: (s) => (s.loadBalancing.exporters.load_balancing.routing_key = 'service'),
      expected: /routing_key must be traceID/,
    },
    {
      rule: 'the first tier samples',
      mutate: (s) => {
        s.loadBalancing.processors.tail_sampling = { policies: [] };
        s.loadBalancing.service.pipelines.traces.processors.push('tail_sampling');
      },
      expected: /samples in the first tier/,
    },
    {
      rule: 'an image uses latest',
      mutate: (s) => (s.compose.services.jaeger.image = 'jaegertracing/jaeger:latest'),
      expected: /service jaeger: image "jaegertracing\/jaeger:latest" uses the moving tag "latest"/,
    },
    {
      rule: 'an image has no tag',
      mutate: (s) => (s.compose.services['collector-health'].image = 'curlimages/curl'),
      expected: /image "curlimages\/curl" has no tag/,
    },
    {
      rule: 'the Dockerfile base image is unpinned',
      mutate: (s) => (s.dockerfile = s.dockerfile.replace(/^FROM .*$/m, 'FROM node')),
      expected: /Dockerfile: image "node" has no tag/,
    },
    {
      rule: 'the collector gets an in-image healthcheck (FROM scratch)',
      mutate: (s) => (s.compose.services.collector.healthcheck = { test: ['CMD', 'curl', '-f', 'http://localhost:13133'] }),
      expected: /collector service collector has a healthcheck, but its image is FROM scratch/,
    },
    {
      rule: 'nothing probes the collector',
      mutate: (s) => delete s.compose.services['collector-health'].healthcheck,
      expected: /nothing probes the collector's health/,
    },
    {
      rule: 'the LangSmith key is not passed to the collector',
      mutate: (s) => {
        s.compose.services.collector.environment = s.compose.services.collector.environment.filter((e: string) => e !== 'LANGSMITH_API_KEY');
      },
      expected: /service collector does not pass LANGSMITH_API_KEY/,
    },
    {
      rule: 'the edge service trusts inbound trace headers',
      mutate: (s) => (s.compose.services.gateway.environment.LANGSMITH_OTEL_TRUST = 'true'),
      expected: /edge service gateway must not trust inbound trace headers/,
    },
    {
      rule: 'an internal service does not trust its callers',
      mutate: (s) => delete s.compose.services.native.environment.LANGSMITH_OTEL_TRUST,
      expected: /internal service native must set LANGSMITH_OTEL_TRUST=true/,
    },
    {
      rule: 'a demo service runs the wrong entry point',
      mutate: (s) => (s.compose.services.agent.command = ['node', 'dist/esm/demo/services/gateway.js']),
      expected: /demo service agent must run "node --import \.\/dist\/esm\/register\.js dist\/esm\/demo\/services\/agent\.js"/,
    },
    {
      rule: 'the static resolver names a service that is not a sampling replica',
      mutate: (s) => (s.loadBalancing.exporters.load_balancing.resolver.static.hostnames[1] = 'collector-sampling-3:4317'),
      expected: /static hostname collector-sampling-3:4317 is not a sampling replica/,
    },
    {
      rule: 'the collector image is not the release the Go build uses',
      mutate: (s) => (s.compose.services.collector.image = 'otel/opentelemetry-collector-contrib:0.159.0'),
      expected: /runs otel\/opentelemetry-collector-contrib:0.159.0, but scripts\/build-stack.sh builds 0.161.0/,
    },
    {
      rule: 'a builder manifest component is at another release',
      mutate: (s) => (s.builds!.otelcolManifest = s.builds!.otelcolManifest!.replace('filterprocessor v0.161.0', 'filterprocessor v0.159.0')),
      expected: /filterprocessor v0.159.0 is not at the manifest's release v0.161.0/,
    },
    {
      rule: 'the Jaeger image is not the v2 release of the Go module',
      mutate: (s) => (s.compose.services.jaeger.image = 'jaegertracing/jaeger:2.20.0'),
      expected: /jaeger v1.75.0 = v2.12.0: pin jaegertracing\/jaeger:2.12.0/,
    },
    {
      rule: 'the scale-out profile has a single sampling replica',
      mutate: (s) => delete s.compose.services['collector-sampling-2'],
      expected: /needs at least two sampling-tier collectors/,
    },
    {
      rule: 'an ${env:…} variable is not documented',
      mutate: (s) => {
        s.texts.collector = s.texts.collector.replace('num_traces: 50000', 'num_traces: ${env:TAIL_SAMPLING_NUM_TRACES:-50000}');
      },
      expected: /TAIL_SAMPLING_NUM_TRACES is used but not documented/,
    },
    {
      rule: 'a variable uses shell syntax the collector does not expand',
      mutate: (s) => (s.texts.collector = s.texts.collector.replace('${env:LANGSMITH_API_KEY}', '${LANGSMITH_API_KEY}')),
      expected: /"\$\{LANGSMITH_API_KEY\}" is not \$\{env:NAME\} syntax/,
    },
  ];

  it.each(cases)('$rule', ({ mutate, expected }) => {
    expect(problemsAfter(mutate)).toContainEqual(expect.stringMatching(expected));
  });
});

describe('imagePinProblem', () => {
  it.each([
    ['otel/opentelemetry-collector-contrib:0.161.0', null],
    ['localhost:5000/jaeger:2.12.0', null],
    [`node@sha256:${'a'.repeat(64)}`, null],
    ['localhost:5000/jaeger', /has no tag/],
    ['node:lts-slim', /moving tag "lts-slim"/],
    ['${TAG_IMAGE:-jaegertracing/jaeger:latest}', /moving tag "latest"/],
  ] as const)('%s', (image, expected) => {
    const problem = imagePinProblem(image);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});

describe('the CLI on a broken stack', () => {
  it('exits 1 and names the problem', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stack-'));
    try {
      for (const file of Object.values(STACK_FILES)) copyFileSync(path.join(root, file), path.join(dir, file));
      const composePath = path.join(dir, STACK_FILES.compose);
      writeFileSync(composePath, readFileSync(composePath, 'utf8').replace('jaegertracing/jaeger:2.12.0', 'jaegertracing/jaeger:latest'));
      const run = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/moving tag "latest"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
