// The collector configs: collector-config.yaml (the sampling tier, alone or second)
// and collector-config.loadbalancing.yaml (the first tier, routing by trace id).
import { STACK_FILES } from './names.mjs';
import { asArray, codeOf, collectorEnvRefs, endpointsUnder, hostPort, isObject, typeOf, undocumented, withCollectorDefaults } from './yaml.mjs';

/** Renamed in collector v0.144 (otel.md §5; `loadbalancing` by 0.161.0, which warns); the old names are deprecated aliases. */
const DEPRECATED_EXPORTERS = { otlp: 'otlp_grpc', otlphttp: 'otlp_http', loadbalancing: 'load_balancing' };
const OTLP_EXPORTERS = new Set(['otlp_http', 'otlp_grpc']);
const TRACES_PATH = '/v1/traces';

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
      problems.push(
        `${at}: endpoint "${url}" is a base URL, the exporter appends ${TRACES_PATH}; this posts to …${TRACES_PATH}${TRACES_PATH} (404). Use traces_endpoint or drop the suffix`,
      );
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
