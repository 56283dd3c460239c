// Builds dist/esm (ESM, the package's "type") and dist/cjs (CommonJS) with type
// declarations for both, so `import` and `require` consumers get the same API.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
for (const project of ['tsconfig.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
}
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs' }) + '\n');
// The CLI keeps its run bit across rebuilds (`npx langsmith-otel-bridge tree`
// after a second build must not answer `Permission denied`).
chmodSync('dist/esm/cli/index.js', 0o755);
