/**
 * The environment the `langsmith` SDK reads when its Client is built: call
 * it from `vi.hoisted` (before the test file's imports run), e.g.
 * `await vi.hoisted(async () => (await import('./support/langsmith-env.js')).langsmithEnv('rest'))`.
 * Imports nothing, so that it can run first.
 */
export function langsmithEnv(mode: 'rest' | 'otel', unset: string[] = []): void {
  if (mode === 'otel') process.env.LANGSMITH_OTEL_ENABLED = 'true';
  process.env.LANGSMITH_TRACING = 'true';
  process.env.LANGSMITH_API_KEY = 'test';
  if (mode === 'rest') {
    delete process.env.LANGSMITH_OTEL_ENABLED;
    delete process.env.OTEL_ENABLED;
  }
  delete process.env.LANGSMITH_TRACING_MODE;
  for (const key of unset) delete process.env[key];
}
