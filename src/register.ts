/**
 * `node --import langsmith-otel-bridge/register app.js`
 *
 * Sets the bridge up before the app loads (so `http` is instrumented) when
 * LANGSMITH_OTEL_ENABLED=true, configured from the environment (README,
 * "Configuration"). A wrong setting stops the process with a message that
 * says what to set. ESM only: it must finish before the app starts.
 */
import { runRegisterEntry } from './setup/entry.js';
import { registerLangSmithBridge } from './setup/register.js';

await runRegisterEntry(async () => {
  const bridge = await registerLangSmithBridge();
  flushOnSignals(() => bridge.shutdown(), bridge.config.shutdownTimeoutMillis);
});

/**
 * SIGTERM / SIGINT end a process without `beforeExit`: deliver what is queued
 * first, within LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS (default 5 s; what is not
 * delivered is one line on stderr). When the app has its own handler for the
 * signal, it decides when to exit (call `getRegisteredBridge()?.shutdown()`
 * there: the same shutdown, the same deadline); otherwise the signal is
 * raised again after the flush, so the process ends as it would have.
 */
function flushOnSignals(shutdown: () => Promise<void>, deadlineMs: number): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      let timer: NodeJS.Timeout | undefined;
      // shutdown() keeps the deadline itself and never rejects; the race is a second guard.
      const timeout = new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs + 250)));
      void Promise.race([shutdown().catch(() => undefined), timeout]).then(() => {
        clearTimeout(timer);
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    });
  }
}
