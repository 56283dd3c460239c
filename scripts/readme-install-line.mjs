#!/usr/bin/env node
// Prints the package specs of the README's install line for one SDK line
// ("2.x" or "3.x"), without the package itself, one per line — so CI installs
// exactly what the README tells users to (test/install.test.ts for 2.x,
// scripts/sdk3-leg.sh for 3.x). Exits 1 when the README has no such line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function readmeInstallLine(readme, line) {
  const heading = `**OpenTelemetry JS SDK ${line}**`;
  const at = readme.indexOf(heading);
  if (at < 0) return undefined;
  const block = /```sh\n(npm install langsmith-otel-bridge [^\n]+)\n```/.exec(readme.slice(at));
  if (!block) return undefined;
  return block[1].split(/\s+/).slice(3);
}

/**
 * The `@opentelemetry/sdk-node` spec the README's NodeSDK recipe names for one
 * SDK line: `npm install @opentelemetry/sdk-node@<range>` followed by
 * "(SDK <line>" on the same line.
 */
export function readmeNodeSdkSpec(readme, line) {
  const escaped = line.replace('.', '\\.');
  const match = new RegExp(`npm install (@opentelemetry/sdk-node@[^\\s\`]+)\`? \\(SDK ${escaped}`).exec(readme);
  return match?.[1];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const specs = readmeInstallLine(readme, process.argv[2] ?? '');
  if (!specs) {
    console.error(`README.md has no install line for SDK ${process.argv[2]} (expected "**OpenTelemetry JS SDK ${process.argv[2]}**" then a sh block)`);
    process.exit(1);
  }
  console.log(specs.join('\n'));
}
