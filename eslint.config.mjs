// Lint for the library, its tests, benchmarks and scripts (issue 13).
// typescript-eslint's `recommended` (syntactic: it runs without type information, so
// the whole tree lints in seconds) plus the rules below. The per-folder import
// rules (the dependency map) are in ./eslint.layers.mjs, which the README's
// architecture map is checked against (test/package.test.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layerRules } from './eslint.layers.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.venv/**', 'coverage/**', 'stack/**', 'test/python/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        // Node's globals, named rather than pulled from a `globals` package.
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        clearImmediate: 'readonly',
        queueMicrotask: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        globalThis: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    rules: {
      // STYLE.md: named exports only.
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
      // The unused-locals check is tsc's (noUnusedLocals/Parameters); here only the `_`-prefix escape hatch.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-console': 'off',
      // `a ? b() : c()` and `ok && done()` as statements are house style; a bare value is still an error.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // The header grammars (RFC 9110 field values, W3C baggage) and the terminal sanitizer
      // exist to match control characters: a regex naming \x00-\x1f is the point, not a slip.
      'no-control-regex': 'off',
    },
  },
  {
    // vitest and the build configs are loaded by tools that want a default export.
    files: ['vitest.config.ts', 'eslint.config.mjs', 'test/global-setup.ts'],
    rules: { 'no-restricted-exports': 'off' },
  },
  ...layerRules,
);
