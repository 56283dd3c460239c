/**
 * Issue 12: the peer ranges say what works. Every package the setup loads is
 * an optional peer; the versions CI installs satisfy them; `@opentelemetry/api`
 * is a caret range as contrib packages state it (no cap below 2.0: the
 * bridge depends on the API alone); instrumentation-undici, a 0.x package
 * whose minors break, has an upper bound; `langsmith` starts where
 * `langsmith/experimental/otel/setup` is exported (0.3.35).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROPAGATOR_PACKAGES } from '../src/setup/config.js';
import { OTLP_EXPORTER_PACKAGES } from '../src/setup/otlp-exporter.js';

const require = createRequire(import.meta.url);
const semver = require('semver') as { satisfies(version: string, range: string): boolean };
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
};

const LOADED = [
  ...Object.values(OTLP_EXPORTER_PACKAGES),
  ...new Set(Object.values(PROPAGATOR_PACKAGES)),
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-undici',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/sdk-trace-base',
  'langsmith',
];

describe('peer dependencies', () => {
  it.each(LOADED)('%s: an optional peer, and the installed (dev) version is in its range', (name) => {
    expect(pkg.peerDependencies[name], 'peer range').toBeDefined();
    expect(pkg.peerDependenciesMeta[name]?.optional).toBe(true);
    const installed = (require(`${name}/package.json`) as { version: string }).version;
    expect(semver.satisfies(installed, pkg.peerDependencies[name]!), `${name}@${installed} in ${pkg.peerDependencies[name]}`).toBe(true);
  });

  it.each([
    ['@opentelemetry/api', '1.9.0', true],
    ['@opentelemetry/api', '1.10.0', true],
    ['@opentelemetry/api', '1.11.0', true],
    ['@opentelemetry/api', '2.0.0', false],
    ['@opentelemetry/instrumentation-undici', '0.34.0', true],
    ['@opentelemetry/instrumentation-undici', '0.35.0', false],
    ['@opentelemetry/instrumentation-undici', '1.0.0', false],
    ['langsmith', '0.3.34', false],
    ['langsmith', '0.3.35', true],
    ['langsmith', '0.12.0', true],
  ] as const)('%s@%s accepted: %s', (name, version, accepted) => {
    expect(semver.satisfies(version, pkg.peerDependencies[name]!)).toBe(accepted);
  });
});
