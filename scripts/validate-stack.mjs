#!/usr/bin/env node
// Structural validation of the local stack: both collector configs, docker-compose.yml
// and the Dockerfile — what the real collector cannot know. The collector itself
// (`otelcol-langsmith validate --config=…`, built by scripts/build-stack.sh) is the
// authority on config validity and runs in .ci/run and test/stack-live.test.ts;
// here: every ${env:…} documented (and passed by compose), the compose images equal
// to the Go builds, and the project's own rules the collector accepts silently
// (policies, processor order, bindings, a component defined but unused).
//
//   node scripts/validate-stack.mjs [repo-root]
//
// The check functions take parsed objects and return a list of problems (strings),
// so test/stack.test.ts can feed them broken variants. Only `yaml` is needed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const STACK_FILES = {
  collector: 'collector-config.yaml',
  loadBalancing: 'collector-config.loadbalancing.yaml',
  compose: 'docker-compose.yml',
  dockerfile: 'Dockerfile',
};

const COLLECTOR_IMAGE = 'otel/opentelemetry-collector-contrib';
const JAEGER_IMAGE = 'jaegertracing/jaeger';
const SCALE_OUT_PROFILE = 'scale-out';
const DEMO_SERVICES = ['gateway', 'agent', 'native'];
/** Services that only talk to other services of the stack and may trust inbound trace headers. */
const TRUSTED_DEMO_SERVICES = new Set(['agent', 'native']);
/** Renamed in collector v0.144 (otel.md §5; `loadbalancing` by 0.161.0, which warns); the old names are deprecated aliases. */
const DEPRECATED_EXPORTERS = { otlp: 'otlp_grpc', otlphttp: 'otlp_http', loadbalancing: 'load_balancing' };
const OTLP_EXPORTERS = new Set(['otlp_http', 'otlp_grpc']);
const TRACES_PATH = '/v1/traces';
/**
 * Listener addresses that `npm run stack` (scripts/stack.mjs) sets to free
 * loopback ports; in containers their defaults apply, so compose passes none.
 */
const BINARY_PATH_ONLY_ENV = new Set([
  'COLLECTOR_OTLP_GRPC_ENDPOINT',
  'COLLECTOR_OTLP_HTTP_ENDPOINT',
  'COLLECTOR_HEALTH_ENDPOINT',
  'COLLECTOR_METRICS_HOST',
  'COLLECTOR_METRICS_PORT',
]);
/** What the Go builds are pinned by (scripts/build-stack.sh). */
export const BUILD_FILES = {
  otelcolManifest: 'stack/otelcol-builder.yaml',
  jaegerGoMod: 'stack/jaeger/go.mod',
};
/** Jaeger tags each release twice: v1.N (the Go module) and v2.(N-63) (the v2 binary and image). */
const JAEGER_V2_MINOR_OFFSET = 63;

// ---------------------------------------------------------------- helpers

const COLLECTOR_ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const COMPOSE_ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?]([^}]*))?\}/g;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const asArray = (v) => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const typeOf = (componentId) => String(componentId).split('/')[0];

/** A collector value with every `${env:NAME:-default}` replaced by its default ('' without one). */
export function withCollectorDefaults(value) {
  return String(value).replace(COLLECTOR_ENV_REF, (_, _name, def) => def ?? '');
}

function withComposeDefaults(value) {
  return String(value).replace(COMPOSE_ENV_REF, (_, _name, def) => def ?? '');
}

/** Lines that are not comments, with trailing comments cut (good enough for these files). */
function codeOf(text) {
  return text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
}

function commentsOf(text) {
  return text
    .split('\n')
    .map((line) => line.match(/(?:^|\s)#(.*)$/)?.[1] ?? '')
    .join('\n');
}

/** Names used as `${env:NAME}` in a collector config, with whether each has a default. */
export function collectorEnvRefs(text) {
  const refs = new Map();
  for (const m of codeOf(text).matchAll(COLLECTOR_ENV_REF)) {
    refs.set(m[1], (refs.get(m[1]) ?? false) || m[2] !== undefined);
  }
  return refs;
}

/** `host:port`, `http://host:port/path` → { host, port }. */
function hostPort(endpoint) {
  const s = String(endpoint);
  const m = s.match(/^(?:[a-z][a-z0-9+.-]*:\/\/)?(\[[^\]]*\]|[^:/]*)(?::(\d+))?/i);
  return { host: m?.[1] ?? '', port: m?.[2] ?? '' };
}

/** Every `endpoint` value under a component's config, with its key path. */
function endpointsUnder(node, at, out = []) {
  if (!isObject(node)) return out;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'endpoint' && typeof v === 'string') out.push([`${at}.${k}`, v]);
    else endpointsUnder(v, `${at}.${k}`, out);
  }
  return out;
}

/** `name:tag`, `name:tag@sha256:…` or `name@sha256:…` with a real version, never `latest`. */
export function imagePinProblem(image) {
  const ref = withComposeDefaults(image).trim();
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return null;
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return `image "${image}" has no tag (that means latest): pin a version`;
  const tag = lastSegment.slice(colon + 1);
  if (tag === 'latest' || !/\d/.test(tag)) {
    return `image "${image}" uses the moving tag "${tag}": pin an explicit version`;
  }
  return null;
}

function undocumented(names, text, file) {
  const comments = commentsOf(text);
  return [...names]
    .filter((name) => !new RegExp(`\\b${name}\\b`).test(comments))
    .map((name) => `${file}: environment variable ${name} is used but not documented in a comment`);
}

// ---------------------------------------------------------------- collector configs

function checkPipelineGraph(config, file, problems) {
  const service = isObject(config.service) ? config.service : {};
  const pipelines = isObject(service.pipelines) ? service.pipelines : {};
  if (Object.keys(pipelines).length === 0) problems.push(`${file}: service.pipelines is empty`);

  const defined = {
    receivers: new Set(Object.keys(config.receivers ?? {})),
    processors: new Set(Object.keys(config.processors ?? {})),
    exporters: new Set(Object.keys(config.exporters ?? {})),
    connectors: new Set(Object.keys(config.connectors ?? {})),
    extensions: new Set(Object.keys(config.extensions ?? {})),
  };
  const used = { receivers: new Set(), processors: new Set(), exporters: new Set() };

  // Undefined or mistyped components, unknown keys and empty pipelines are the real
  // collector's to report (`otelcol-langsmith validate`, test/stack-live.test.ts and
  // .ci/run); what is checked here is what it accepts without a word.
  for (const [name, pipeline] of Object.entries(pipelines)) {
    const p = isObject(pipeline) ? pipeline : {};
    for (const kind of ['receivers', 'processors', 'exporters']) for (const id of asArray(p[kind])) used[kind].add(id);
    const processors = asArray(p.processors);
    if (processors[0] !== 'memory_limiter') {
      problems.push(`${file}: pipeline ${name} must start with memory_limiter (got [${processors.join(', ')}])`);
    }
  }

  // The collector ignores defined-but-unused components: a tail_sampling left out of
  // a pipeline would mean no sampling at all, with no error.
  for (const kind of ['receivers', 'processors', 'exporters']) {
    for (const id of defined[kind]) {
      if (!used[kind].has(id)) problems.push(`${file}: ${kind.slice(0, -1)} "${id}" is defined but used by no pipeline`);
    }
  }
  const enabled = new Set(asArray(service.extensions));
  for (const id of defined.extensions) {
    if (!enabled.has(id)) problems.push(`${file}: extension "${id}" is defined but not listed in service.extensions`);
  }
  return pipelines;
}

function checkBindings(config, file, problems) {
  for (const section of ['receivers', 'extensions']) {
    for (const [id, cfg] of Object.entries(config[section] ?? {})) {
      for (const [at, endpoint] of endpointsUnder(cfg, `${section}.${id}`)) {
        const { host } = hostPort(withCollectorDefaults(endpoint));
        if (host !== '0.0.0.0') {
          problems.push(`${file}: ${at} is "${endpoint}": bind 0.0.0.0, the default (localhost) is unreachable from other containers`);
        }
      }
    }
  }
  if (!isObject(config.extensions?.health_check)) {
    problems.push(`${file}: no health_check extension (the image has no shell, so health is probed over HTTP)`);
  }
}

function checkExporterNames(config, file, problems) {
  for (const id of Object.keys(config.exporters ?? {})) {
    const replacement = DEPRECATED_EXPORTERS[typeOf(id)];
    if (replacement) problems.push(`${file}: exporter "${id}" uses the deprecated type ${typeOf(id)}: use ${replacement}`);
  }
}

function checkEnvRefs(text, file, problems) {
  const code = codeOf(text);
  for (const m of code.matchAll(/\$\{(?!env:)([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (code[m.index - 1] === '$') continue; // `$$` is a literal dollar
    problems.push(`${file}: "${m[0]}" is not \${env:NAME} syntax`);
  }
  problems.push(...undocumented(collectorEnvRefs(text).keys(), text, file));
}

function checkTailSampling(config, pipelines, file, problems) {
  const ts = config.processors?.tail_sampling;
  if (!isObject(ts)) {
    problems.push(`${file}: no tail_sampling processor`);
    return;
  }
  for (const key of ['decision_wait', 'num_traces']) {
    if (ts[key] === undefined) problems.push(`${file}: tail_sampling.${key} must be set explicitly`);
  }
  const policies = asArray(ts.policies);
  const types = policies.map((p) => p?.type).sort();
  if (types.join(',') !== 'latency,probabilistic,status_code') {
    problems.push(`${file}: tail_sampling policies must be exactly status_code + latency + probabilistic (got ${types.join(', ') || 'none'})`);
  }
  for (const policy of policies) {
    const cfg = policy?.[policy?.type];
    if (policy?.type === 'status_code') {
      const codes = asArray(cfg?.status_codes);
      if (codes.length !== 1 || codes[0] !== 'ERROR') {
        problems.push(`${file}: status_code policy must keep exactly [ERROR] (got [${codes.join(', ')}])`);
      }
    } else if (policy?.type === 'latency') {
      const raw = String(cfg?.threshold_ms ?? '');
      const ms = Number(withCollectorDefaults(raw));
      if (!Number.isInteger(ms) || ms <= 0) problems.push(`${file}: latency.threshold_ms must default to a positive integer (got "${raw}")`);
      if (!/\$\{env:[A-Za-z_]\w*:-\d+\}/.test(raw)) {
        problems.push(`${file}: latency.threshold_ms must be configurable as \${env:NAME:-<ms>} (got "${raw}")`);
      }
    } else if (policy?.type === 'probabilistic') {
      if (Number(cfg?.sampling_percentage) !== 10) {
        problems.push(`${file}: probabilistic policy must sample 10% (got ${cfg?.sampling_percentage})`);
      }
    }
  }

  let sampled = 0;
  for (const [name, pipeline] of Object.entries(pipelines)) {
    const processors = asArray(pipeline?.processors);
    const samplingAt = processors.indexOf('tail_sampling');
    const batchAt = processors.indexOf('batch');
    if (samplingAt < 0) continue;
    sampled++;
    if (batchAt < 0) problems.push(`${file}: pipeline ${name} has tail_sampling but no batch after it`);
    else if (batchAt < samplingAt) problems.push(`${file}: pipeline ${name} runs batch before tail_sampling; batch belongs after it`);
  }
  if (sampled === 0) problems.push(`${file}: no pipeline uses tail_sampling`);
}

function isLangSmithExporter(id, cfg) {
  const urls = [cfg?.endpoint, cfg?.traces_endpoint].filter(Boolean).map(withCollectorDefaults);
  return /langsmith/i.test(id) || urls.some((u) => /smith\.langchain\.com/.test(u));
}

/** The exporter to LangSmith (langsmith.md §3): URL shape, headers, resilience. */
export function checkLangSmithExporter(id, cfg, file = STACK_FILES.collector) {
  const problems = [];
  const at = `${file}: exporter ${id}`;
  if (typeOf(id) !== 'otlp_http') problems.push(`${at} must be otlp_http (LangSmith has no OTLP/gRPC ingest)`);
  if (cfg?.traces_endpoint !== undefined) {
    const url = withCollectorDefaults(cfg.traces_endpoint);
    if (!url.endsWith(TRACES_PATH)) problems.push(`${at}: traces_endpoint "${url}" must be the full URL ending in ${TRACES_PATH}`);
    if (url.includes(TRACES_PATH + TRACES_PATH)) problems.push(`${at}: traces_endpoint "${url}" doubles ${TRACES_PATH} (404 at ingest)`);
  } else if (cfg?.endpoint !== undefined) {
    const url = withCollectorDefaults(cfg.endpoint);
    if (url.includes(TRACES_PATH)) {
      problems.push(`${at}: endpoint "${url}" is a base URL, the exporter appends ${TRACES_PATH}; this posts to …${TRACES_PATH}${TRACES_PATH} (404). Use traces_endpoint or drop the suffix`);
    }
  } else {
    problems.push(`${at} has neither traces_endpoint nor endpoint`);
  }
  const headers = Object.fromEntries(Object.entries(cfg?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  if (headers['x-api-key'] === undefined) problems.push(`${at} lacks the x-api-key header`);
  else if (!/^\$\{env:[A-Za-z_]\w*\}$/.test(headers['x-api-key'])) {
    problems.push(`${at}: x-api-key must come from \${env:…}, never be written into the file`);
  }
  if (headers['langsmith-project'] === undefined) problems.push(`${at} lacks the Langsmith-Project header`);
  if (cfg?.compression !== 'gzip') problems.push(`${at}: compression must be gzip (got ${cfg?.compression})`);
  if (cfg?.retry_on_failure?.enabled !== true) problems.push(`${at}: retry_on_failure.enabled must be true`);
  if (cfg?.sending_queue?.enabled !== true) problems.push(`${at}: sending_queue.enabled must be true`);
  return problems;
}

/** collector-config.yaml: the sampling collector (alone, or as the second tier). */
export function checkCollectorConfig(config, { file = STACK_FILES.collector, text, checked = [] } = {}) {
  const problems = [];
  if (!isObject(config)) return [`${file}: not a YAML mapping`];
  const pipelines = checkPipelineGraph(config, file, problems);
  checked.push(`${file}: every pipeline component is defined, every definition is used, every extension is enabled`);
  checked.push(`${file}: memory_limiter is the first processor of every pipeline`);
  checkBindings(config, file, problems);
  checked.push(`${file}: receivers and health_check bind 0.0.0.0`);
  checkExporterNames(config, file, problems);
  checked.push(`${file}: exporters use the otlp_http / otlp_grpc names`);
  checkTailSampling(config, pipelines, file, problems);
  checked.push(`${file}: tail_sampling = status_code[ERROR] + latency(env) + probabilistic 10, explicit decision_wait/num_traces, batch after it`);

  const exporters = Object.entries(config.exporters ?? {});
  const langsmith = exporters.filter(([id, cfg]) => isLangSmithExporter(id, cfg));
  if (langsmith.length === 0) problems.push(`${file}: no LangSmith exporter`);
  for (const [id, cfg] of langsmith) problems.push(...checkLangSmithExporter(id, cfg, file));
  checked.push(`${file}: LangSmith exporter: otlp_http, no doubled ${TRACES_PATH}, x-api-key from env, Langsmith-Project, gzip, retry, queue`);
  const jaeger = exporters.filter(([id]) => /jaeger/i.test(id));
  if (jaeger.length === 0) problems.push(`${file}: no Jaeger exporter`);
  for (const [id] of jaeger) {
    if (!OTLP_EXPORTERS.has(typeOf(id))) problems.push(`${file}: Jaeger exporter ${id} must be otlp_grpc or otlp_http`);
  }
  checked.push(`${file}: a Jaeger exporter over OTLP`);

  if (text !== undefined) {
    checkEnvRefs(text, file, problems);
    checked.push(`${file}: every \${env:…} is well-formed and documented`);
  }
  return problems;
}

/** collector-config.loadbalancing.yaml: the first tier, routing by trace id. */
export function checkLoadBalancingConfig(config, { file = STACK_FILES.loadBalancing, text, checked = [] } = {}) {
  const problems = [];
  if (!isObject(config)) return [`${file}: not a YAML mapping`];
  const pipelines = checkPipelineGraph(config, file, problems);
  checked.push(`${file}: pipeline graph complete, memory_limiter first`);
  checkBindings(config, file, problems);
  checkExporterNames(config, file, problems);
  checked.push(`${file}: receivers and health_check bind 0.0.0.0; exporter names current`);

  for (const [name, pipeline] of Object.entries(pipelines)) {
    if (asArray(pipeline?.processors).includes('tail_sampling')) {
      problems.push(`${file}: pipeline ${name} samples in the first tier, which sees only part of each trace`);
    }
    if (!asArray(pipeline?.exporters).some((id) => typeOf(id) === 'load_balancing')) {
      problems.push(`${file}: pipeline ${name} does not export through loadbalancing`);
    }
  }
  const lbs = Object.entries(config.exporters ?? {}).filter(([id]) => typeOf(id) === 'load_balancing');
  if (lbs.length === 0) problems.push(`${file}: no loadbalancing exporter`);
  for (const [id, cfg] of lbs) {
    if (cfg?.routing_key !== 'traceID') problems.push(`${file}: ${id}.routing_key must be traceID (got ${cfg?.routing_key})`);
    if (!isObject(cfg?.protocol?.otlp)) problems.push(`${file}: ${id}.protocol.otlp is missing`);
    else if (cfg.protocol.otlp.endpoint !== undefined) problems.push(`${file}: ${id}.protocol.otlp.endpoint is set, but the resolver owns it`);
    const { dns, static: fixed } = cfg?.resolver ?? {};
    if (!(isObject(dns) && dns.hostname) && !(isObject(fixed) && asArray(fixed.hostnames).length > 0)) {
      problems.push(`${file}: ${id}.resolver needs dns.hostname or static.hostnames`);
    }
  }
  checked.push(`${file}: loadbalancing exporter routes by traceID through a dns/static resolver; no sampling in this tier`);
  if (text !== undefined) {
    checkEnvRefs(text, file, problems);
    checked.push(`${file}: every \${env:…} is well-formed and documented`);
  }
  return problems;
}

// ---------------------------------------------------------------- compose

function envOf(service) {
  const env = service?.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => {
      const i = String(e).indexOf('=');
      return i < 0 ? [String(e), null] : [String(e).slice(0, i), String(e).slice(i + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, v === null ? null : String(v)]));
}

const commandOf = (service) => asArray(service?.command).map(String).join(' ');
const profilesOf = (service) => asArray(service?.profiles);

function volumesOf(service) {
  return asArray(service?.volumes).map((v) => {
    if (isObject(v)) return { source: v.source, target: v.target };
    const [source, target] = String(v).split(':');
    return { source, target };
  });
}

function containerPortsOf(service) {
  return asArray(service?.ports).map((p) => {
    if (isObject(p)) return String(p.target);
    return String(p).split('/')[0].split(':').pop();
  });
}

function aliasesOf(service) {
  const networks = service?.networks;
  if (!isObject(networks)) return [];
  return Object.values(networks).flatMap((n) => asArray(n?.aliases));
}

/** Collector services and the config file (basename) each one runs. */
export function collectorServices(compose) {
  const out = [];
  for (const [name, svc] of Object.entries(compose?.services ?? {})) {
    if (!String(svc?.image ?? '').startsWith(COLLECTOR_IMAGE + ':')) continue;
    const configTarget = commandOf(svc).match(/--config[= ]([^\s]+)/)?.[1];
    const mount = volumesOf(svc).find((v) => v.target === configTarget);
    out.push({ name, service: svc, configTarget, config: mount ? path.basename(String(mount.source)) : undefined });
  }
  return out;
}

/** docker-compose.yml (parsed with YAML merge keys resolved). */
export function checkCompose(compose, { file = STACK_FILES.compose, text, checked = [] } = {}) {
  const problems = [];
  const services = compose?.services;
  if (!isObject(services)) return [`${file}: no services`];

  for (const [name, svc] of Object.entries(services)) {
    if (svc?.image !== undefined) {
      const p = imagePinProblem(svc.image);
      if (p) problems.push(`${file}: service ${name}: ${p}`);
    } else if (svc?.build === undefined) {
      problems.push(`${file}: service ${name} has neither image nor build`);
    }
    const deps = Array.isArray(svc?.depends_on) ? svc.depends_on : Object.keys(svc?.depends_on ?? {});
    for (const dep of deps) {
      if (!services[dep]) problems.push(`${file}: service ${name} depends on unknown service ${dep}`);
    }
  }
  checked.push(`${file}: every image pinned to an explicit version (no latest), depends_on targets exist`);

  const collectors = collectorServices(compose);
  for (const c of collectors) {
    if (!c.configTarget) problems.push(`${file}: collector service ${c.name} has no --config in its command`);
    else if (!c.config) problems.push(`${file}: collector service ${c.name} reads ${c.configTarget}, which no volume mounts`);
    else if (c.config !== STACK_FILES.collector && c.config !== STACK_FILES.loadBalancing) {
      problems.push(`${file}: collector service ${c.name} runs ${c.config}, which this script does not validate`);
    }
    const test = asArray(c.service.healthcheck?.test);
    if (test.length > 0 && test[0] !== 'NONE') {
      problems.push(`${file}: collector service ${c.name} has a healthcheck, but its image is FROM scratch (no shell, no curl): probe it from another container`);
    }
  }
  const main = collectors.find((c) => c.name === 'collector');
  if (!main) problems.push(`${file}: no service "collector" running ${COLLECTOR_IMAGE}`);
  else {
    if (main.config !== STACK_FILES.collector) problems.push(`${file}: service collector must mount ${STACK_FILES.collector} (mounts ${main.config})`);
    if (profilesOf(main.service).length > 0) problems.push(`${file}: service collector must not be behind a profile`);
    const ports = containerPortsOf(main.service);
    for (const port of ['4317', '4318', '13133']) {
      if (!ports.includes(port)) problems.push(`${file}: service collector does not publish port ${port}`);
    }
    const prober = Object.entries(services).find(([n, s]) =>
      n !== 'collector' && profilesOf(s).length === 0 && asArray(s?.healthcheck?.test).join(' ').includes('collector:13133'));
    if (!prober) problems.push(`${file}: nothing probes the collector's health (collector:13133) from another container`);
  }
  checked.push(`${file}: collectors run a mounted config, carry no in-image healthcheck, and are probed from a sidecar; collector publishes 4317/4318/13133`);

  const jaeger = Object.entries(services).find(([, s]) => String(s?.image ?? '').startsWith(JAEGER_IMAGE + ':'));
  if (!jaeger) problems.push(`${file}: no service runs ${JAEGER_IMAGE}`);
  else {
    if (!asArray(jaeger[1].healthcheck?.test).length) problems.push(`${file}: service ${jaeger[0]} has no healthcheck`);
    if (!containerPortsOf(jaeger[1]).includes('16686')) problems.push(`${file}: service ${jaeger[0]} does not publish the UI port 16686`);
  }
  checked.push(`${file}: Jaeger v2 has a healthcheck and publishes 16686`);

  for (const name of DEMO_SERVICES) {
    const svc = services[name];
    if (!svc) {
      problems.push(`${file}: demo service ${name} is missing`);
      continue;
    }
    if (svc.build === undefined) problems.push(`${file}: demo service ${name} must be built from the repo (build: .)`);
    // The bridged services load the register entry first; the LangSmith-native one has no OTel.
    const expected = name === 'native'
      ? `node dist/esm/demo/services/${name}.js`
      : `node --import ./dist/esm/register.js dist/esm/demo/services/${name}.js`;
    if (commandOf(svc) !== expected) problems.push(`${file}: demo service ${name} must run "${expected}" (got "${commandOf(svc)}")`);
    const env = envOf(svc);
    if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) problems.push(`${file}: demo service ${name} lacks OTEL_EXPORTER_OTLP_ENDPOINT`);
    else {
      const { host } = hostPort(withComposeDefaults(env.OTEL_EXPORTER_OTLP_ENDPOINT));
      if (!collectors.some((c) => c.name === host)) {
        problems.push(`${file}: demo service ${name} exports to ${host}, which is not a collector service`);
      }
    }
    if (!env.OTEL_SERVICE_NAME) problems.push(`${file}: demo service ${name} lacks OTEL_SERVICE_NAME`);
    const trusted = env.LANGSMITH_OTEL_TRUST === 'true';
    if (TRUSTED_DEMO_SERVICES.has(name) && !trusted) problems.push(`${file}: internal service ${name} must set LANGSMITH_OTEL_TRUST=true`);
    if (!TRUSTED_DEMO_SERVICES.has(name) && trusted) problems.push(`${file}: edge service ${name} must not trust inbound trace headers`);
  }
  checked.push(`${file}: demo services gateway/agent/native built from the repo, export to a collector, trust only internally`);

  const scaleOut = collectors.filter((c) => profilesOf(c.service).includes(SCALE_OUT_PROFILE));
  if (!scaleOut.some((c) => c.config === STACK_FILES.loadBalancing)) {
    problems.push(`${file}: profile ${SCALE_OUT_PROFILE} has no collector running ${STACK_FILES.loadBalancing}`);
  }
  if (scaleOut.filter((c) => c.config === STACK_FILES.collector).length < 2) {
    problems.push(`${file}: profile ${SCALE_OUT_PROFILE} needs at least two sampling-tier collectors running ${STACK_FILES.collector}`);
  }
  checked.push(`${file}: profile ${SCALE_OUT_PROFILE} = loadbalancing tier + two sampling replicas`);

  if (text !== undefined) {
    const names = new Set([...codeOf(text).matchAll(COMPOSE_ENV_REF)].map((m) => m[1]));
    for (const c of collectors) {
      for (const [k, v] of Object.entries(envOf(c.service))) if (v === null) names.add(k);
    }
    problems.push(...undocumented(names, text, file));
    checked.push(`${file}: every \${VAR} and pass-through variable is documented`);
  }
  return problems;
}

/** FROM lines pinned; the image installs from the lockfile and builds. */
export function checkDockerfile(text, { file = STACK_FILES.dockerfile, checked = [] } = {}) {
  const problems = [];
  const stages = new Set();
  const froms = [...codeOf(text).matchAll(/^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/gim)];
  if (froms.length === 0) problems.push(`${file}: no FROM`);
  for (const [, image, stage] of froms) {
    if (image !== 'scratch' && !stages.has(image)) {
      const p = imagePinProblem(image);
      if (p) problems.push(`${file}: ${p}`);
    }
    if (stage) stages.add(stage);
  }
  if (!/\bnpm ci\b/.test(text)) problems.push(`${file}: must install with npm ci (the lockfile), not npm install`);
  if (!/\bnpm run build\b/.test(text)) problems.push(`${file}: must run npm run build`);
  checked.push(`${file}: base images pinned, npm ci, npm run build`);
  return problems;
}

// ---------------------------------------------------------------- across files

/**
 * Everything at once. `texts` (raw file contents) enables the documentation checks;
 * `fileExists(relativePath)` enables the check that mounted files exist.
 */
/**
 * The images docker-compose.yml runs are the same releases as the binaries
 * scripts/build-stack.sh builds: the collector image tag equals the builder
 * manifest's dist.version and every component there is at that one release;
 * the Jaeger image is v2.(N-63) for Jaeger's Go module v1.N.
 */
export function checkBuildPins({ compose, builds = {} }, checked = []) {
  const problems = [];
  const images = Object.entries(compose?.services ?? {}).map(([name, svc]) => [name, String(svc?.image ?? '')]);
  const tagOf = (image) => image.slice(image.lastIndexOf(':') + 1);
  if (builds.otelcolManifest === undefined) problems.push(`${BUILD_FILES.otelcolManifest} is missing`);
  else {
    const manifest = parseYaml(builds.otelcolManifest);
    const version = String(manifest?.dist?.version ?? '');
    if (!/^\d+\.\d+\.\d+$/.test(version)) problems.push(`${BUILD_FILES.otelcolManifest}: dist.version "${version}" is not a release`);
    const minor = version.split('.')[1];
    for (const kind of ['receivers', 'processors', 'exporters', 'extensions', 'connectors', 'providers']) {
      for (const { gomod } of asArray(manifest?.[kind])) {
        const [mod, modVersion] = String(gomod).split(/\s+/);
        // One release: v0.<minor>.x for every v0 module (core and contrib); core v1 modules ship with it.
        if (modVersion?.startsWith('v0.') && modVersion.split('.')[1] !== minor) {
          problems.push(`${BUILD_FILES.otelcolManifest}: ${mod} ${modVersion} is not at the manifest's release v${version}`);
        }
      }
    }
    for (const [name, image] of images) {
      if (image.startsWith(COLLECTOR_IMAGE + ':') && tagOf(image) !== version) {
        problems.push(`${STACK_FILES.compose}: service ${name} runs ${image}, but scripts/build-stack.sh builds ${version} (${BUILD_FILES.otelcolManifest}): pin ${COLLECTOR_IMAGE}:${version}`);
      }
    }
  }
  if (builds.jaegerGoMod === undefined) problems.push(`${BUILD_FILES.jaegerGoMod} is missing`);
  else {
    const v1 = /^\s*github\.com\/jaegertracing\/jaeger\s+v1\.(\d+)\.(\d+)\b/m.exec(builds.jaegerGoMod);
    if (!v1) problems.push(`${BUILD_FILES.jaegerGoMod} does not require github.com/jaegertracing/jaeger v1.N.P`);
    else {
      const v2 = `2.${Number(v1[1]) - JAEGER_V2_MINOR_OFFSET}.${v1[2]}`;
      for (const [name, image] of images) {
        if (image.startsWith(JAEGER_IMAGE + ':') && tagOf(image) !== v2) {
          problems.push(`${STACK_FILES.compose}: service ${name} runs ${image}, but the Go build is jaeger v1.${v1[1]}.${v1[2]} = v${v2}: pin ${JAEGER_IMAGE}:${v2}`);
        }
      }
    }
  }
  checked.push(`compose images = the Go builds (${BUILD_FILES.otelcolManifest} dist.version, ${BUILD_FILES.jaegerGoMod}), one collector release`);
  return problems;
}

export function checkStack({ collector, loadBalancing, compose, dockerfile, texts = {}, fileExists, builds } = {}) {
  const checked = [];
  const problems = [
    ...checkCollectorConfig(collector, { text: texts.collector, checked }),
    ...checkLoadBalancingConfig(loadBalancing, { text: texts.loadBalancing, checked }),
    ...checkCompose(compose, { text: texts.compose, checked }),
  ];
  if (dockerfile !== undefined) problems.push(...checkDockerfile(dockerfile, { checked }));
  if (builds !== undefined) problems.push(...checkBuildPins({ compose, builds }, checked));

  const services = compose?.services ?? {};
  const collectors = collectorServices(compose);
  const rawByConfig = { [STACK_FILES.collector]: texts.collector, [STACK_FILES.loadBalancing]: texts.loadBalancing };

  // Each collector service must be able to set every variable its config reads.
  for (const c of collectors) {
    const raw = rawByConfig[c.config];
    if (raw === undefined) continue;
    const env = envOf(c.service);
    for (const name of collectorEnvRefs(raw).keys()) {
      if (!(name in env) && !BINARY_PATH_ONLY_ENV.has(name)) problems.push(`${STACK_FILES.compose}: service ${c.name} does not pass ${name}, which ${c.config} reads`);
    }
  }
  checked.push('compose: every variable a collector config reads is passed to the services running it');

  // The first tier must reach exactly the sampling replicas, on their gRPC port.
  const grpcPort = hostPort(withCollectorDefaults(collector?.receivers?.otlp?.protocols?.grpc?.endpoint ?? '')).port;
  const replicas = collectors.filter((c) => c.config === STACK_FILES.collector && profilesOf(c.service).includes(SCALE_OUT_PROFILE));
  const replicaNames = new Set(replicas.map((c) => c.name));
  for (const [id, cfg] of Object.entries(loadBalancing?.exporters ?? {})) {
    if (typeOf(id) !== 'load_balancing') continue;
    const { dns, static: fixed } = cfg?.resolver ?? {};
    if (isObject(dns)) {
      const host = withCollectorDefaults(dns.hostname ?? '');
      const behind = replicas.filter((c) => aliasesOf(c.service).includes(host) || c.name === host);
      if (behind.length < 2) problems.push(`${STACK_FILES.loadBalancing}: dns hostname "${host}" names ${behind.length} sampling replica(s) in ${STACK_FILES.compose}; give every replica that network alias`);
      if (String(dns.port ?? '4317') !== grpcPort) problems.push(`${STACK_FILES.loadBalancing}: dns port ${dns.port} is not the sampling tier's OTLP/gRPC port ${grpcPort}`);
    }
    for (const entry of asArray(fixed?.hostnames)) {
      const { host, port } = hostPort(withCollectorDefaults(entry));
      if (!replicaNames.has(host)) problems.push(`${STACK_FILES.loadBalancing}: static hostname ${entry} is not a sampling replica`);
      if (port && port !== grpcPort) problems.push(`${STACK_FILES.loadBalancing}: static hostname ${entry} is not on the OTLP/gRPC port ${grpcPort}`);
    }
  }
  checked.push('loadbalancing resolver reaches every sampling replica on its OTLP/gRPC port');

  // The Jaeger exporter must name the compose service that runs Jaeger.
  const jaegerService = Object.entries(services).find(([, s]) => String(s?.image ?? '').startsWith(JAEGER_IMAGE + ':'))?.[0];
  for (const [id, cfg] of Object.entries(collector?.exporters ?? {})) {
    if (!/jaeger/i.test(id) || !jaegerService) continue;
    const { host } = hostPort(withCollectorDefaults(cfg?.endpoint ?? ''));
    if (host !== jaegerService) problems.push(`${STACK_FILES.collector}: ${id} sends to "${host}", but Jaeger runs as service ${jaegerService}`);
  }
  checked.push('collector exporters point at the compose services they name');

  if (fileExists) {
    for (const [name, svc] of Object.entries(services)) {
      for (const { source } of volumesOf(svc)) {
        if (/^\.\.?\//.test(String(source)) && !fileExists(source)) problems.push(`${STACK_FILES.compose}: service ${name} mounts ${source}, which does not exist`);
      }
    }
    checked.push('compose: mounted files exist');
  }
  return { problems, checked };
}

// ---------------------------------------------------------------- CLI

export function parseYaml(text) {
  // Merge keys (`<<: *anchor`) as docker-compose resolves them.
  return parse(text, { merge: true });
}

export function loadStack(root) {
  const read = (f) => readFileSync(path.join(root, f), 'utf8');
  const texts = {
    collector: read(STACK_FILES.collector),
    loadBalancing: read(STACK_FILES.loadBalancing),
    compose: read(STACK_FILES.compose),
  };
  const readIfThere = (f) => (existsSync(path.join(root, f)) ? read(f) : undefined);
  return {
    builds: { otelcolManifest: readIfThere(BUILD_FILES.otelcolManifest), jaegerGoMod: readIfThere(BUILD_FILES.jaegerGoMod) },
    collector: parseYaml(texts.collector),
    loadBalancing: parseYaml(texts.loadBalancing),
    compose: parseYaml(texts.compose),
    dockerfile: read(STACK_FILES.dockerfile),
    texts,
    fileExists: (f) => existsSync(path.join(root, f)),
  };
}

/** `docker-compose config -q` (Compose v1, Debian's package) or `docker compose config -q`. */
export function composeConfigCheck(root) {
  const candidates = [['docker-compose'], ['docker', 'compose']];
  for (const [bin, ...pre] of candidates) {
    const probe = spawnSync(bin, [...pre, 'version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) continue;
    const args = [...pre, '-f', STACK_FILES.compose, '--profile', SCALE_OUT_PROFILE, 'config', '-q'];
    const run = spawnSync(bin, args, { cwd: root, encoding: 'utf8' });
    return { ran: `${bin} ${args.join(' ')}`, ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
  }
  return { ran: null, ok: true, output: '' };
}

function main() {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  let stack;
  try {
    stack = loadStack(root);
  } catch (err) {
    console.error(`validate-stack: cannot read or parse the stack files: ${err.message}`);
    process.exit(1);
  }
  const { problems, checked } = checkStack(stack);
  for (const line of checked) console.log(`checked  ${line}`);

  const compose = composeConfigCheck(root);
  if (compose.ran === null) {
    console.log('SKIPPED  !!! docker-compose config -q: neither docker-compose nor docker compose is installed (apt-get install docker-compose) !!!');
  } else if (compose.ok) {
    console.log(`checked  ${compose.ran}: OK`);
  } else {
    problems.push(`${compose.ran} failed:\n${compose.output}`);
  }

  if (problems.length > 0) {
    console.error(`\nvalidate-stack: ${problems.length} problem(s):`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log(`\nvalidate-stack: OK (${checked.length + (compose.ran ? 1 : 0)} checks)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
