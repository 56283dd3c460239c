// Checks across files: compose images equal to the Go builds, and everything at once
// (each collector service passes what its config reads, the tiers reach each other).
import { BUILD_FILES, COLLECTOR_IMAGE, JAEGER_IMAGE, SCALE_OUT_PROFILE, STACK_FILES } from './names.mjs';
import { asArray, collectorEnvRefs, hostPort, isObject, parseYaml, typeOf, withCollectorDefaults } from './yaml.mjs';
import { checkCollectorConfig, checkLoadBalancingConfig } from './collector.mjs';
import { aliasesOf, checkCompose, checkDockerfile, collectorServices, envOf, profilesOf, volumesOf } from './compose.mjs';

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
/** Jaeger tags each release twice: v1.N (the Go module) and v2.(N-63) (the v2 binary and image). */
const JAEGER_V2_MINOR_OFFSET = 63;

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
        problems.push(
          `${STACK_FILES.compose}: service ${name} runs ${image}, but scripts/build-stack.sh builds ${version} (${BUILD_FILES.otelcolManifest}): pin ${COLLECTOR_IMAGE}:${version}`,
        );
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
          problems.push(
            `${STACK_FILES.compose}: service ${name} runs ${image}, but the Go build is jaeger v1.${v1[1]}.${v1[2]} = v${v2}: pin ${JAEGER_IMAGE}:${v2}`,
          );
        }
      }
    }
  }
  checked.push(`compose images = the Go builds (${BUILD_FILES.otelcolManifest} dist.version, ${BUILD_FILES.jaegerGoMod}), one collector release`);
  return problems;
}

/**
 * Everything at once. `texts` (raw file contents) enables the documentation checks;
 * `fileExists(relativePath)` enables the check that mounted files exist.
 */
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
      if (!(name in env) && !BINARY_PATH_ONLY_ENV.has(name))
        problems.push(`${STACK_FILES.compose}: service ${c.name} does not pass ${name}, which ${c.config} reads`);
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
      if (behind.length < 2)
        problems.push(
          `${STACK_FILES.loadBalancing}: dns hostname "${host}" names ${behind.length} sampling replica(s) in ${STACK_FILES.compose}; give every replica that network alias`,
        );
      if (String(dns.port ?? '4317') !== grpcPort)
        problems.push(`${STACK_FILES.loadBalancing}: dns port ${dns.port} is not the sampling tier's OTLP/gRPC port ${grpcPort}`);
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
        if (/^\.\.?\//.test(String(source)) && !fileExists(source))
          problems.push(`${STACK_FILES.compose}: service ${name} mounts ${source}, which does not exist`);
      }
    }
    checked.push('compose: mounted files exist');
  }
  return { problems, checked };
}
