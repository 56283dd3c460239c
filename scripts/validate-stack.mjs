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
//
// The checks live in scripts/validate-stack/ (names, yaml, collector, compose,
// across-files); this file is their public face and the command line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_FILES, SCALE_OUT_PROFILE, STACK_FILES } from './validate-stack/names.mjs';
import { checkStack } from './validate-stack/across-files.mjs';
import { parseYaml } from './validate-stack/yaml.mjs';

export { BUILD_FILES, STACK_FILES } from './validate-stack/names.mjs';
export { collectorEnvRefs, imagePinProblem, parseYaml, withCollectorDefaults } from './validate-stack/yaml.mjs';
export { checkCollectorConfig, checkLangSmithExporter, checkLoadBalancingConfig } from './validate-stack/collector.mjs';
export { checkCompose, checkDockerfile, collectorServices } from './validate-stack/compose.mjs';
export { checkBuildPins, checkStack } from './validate-stack/across-files.mjs';

// ---------------------------------------------------------------- CLI

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
