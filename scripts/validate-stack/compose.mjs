// docker-compose.yml and the Dockerfile: pinned images, the collector and demo
// services as the stack needs them, the scale-out profile.
import path from 'node:path';
import { COLLECTOR_IMAGE, JAEGER_IMAGE, SCALE_OUT_PROFILE, STACK_FILES } from './names.mjs';
import { COMPOSE_ENV_REF, asArray, codeOf, hostPort, imagePinProblem, isObject, undocumented, withComposeDefaults } from './yaml.mjs';

const DEMO_SERVICES = ['gateway', 'agent', 'native'];
/** Services that only talk to other services of the stack and may trust inbound trace headers. */
const TRUSTED_DEMO_SERVICES = new Set(['agent', 'native']);

export function envOf(service) {
  const env = service?.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((e) => {
        const i = String(e).indexOf('=');
        return i < 0 ? [String(e), null] : [String(e).slice(0, i), String(e).slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, v === null ? null : String(v)]));
}

const commandOf = (service) => asArray(service?.command).map(String).join(' ');
export const profilesOf = (service) => asArray(service?.profiles);

export function volumesOf(service) {
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

export function aliasesOf(service) {
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
      problems.push(
        `${file}: collector service ${c.name} has a healthcheck, but its image is FROM scratch (no shell, no curl): probe it from another container`,
      );
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
    const prober = Object.entries(services).find(
      ([n, s]) => n !== 'collector' && profilesOf(s).length === 0 && asArray(s?.healthcheck?.test).join(' ').includes('collector:13133'),
    );
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
    const expected = name === 'native' ? `node dist/esm/demo/services/${name}.js` : `node --import ./dist/esm/register.js dist/esm/demo/services/${name}.js`;
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
