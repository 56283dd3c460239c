/**
 * `node --import langsmith-otel-bridge/register app.js`
 *
 * Sets the bridge up before the app loads (so `http` is instrumented) when
 * LANGSMITH_OTEL_ENABLED=true, configured from the environment (README,
 * "Configuration"). A wrong setting stops the process with a message that
 * says what to set. ESM only: it must finish before the app starts.
 */
import { isBridgeEnabled, parseBoolean } from './setup/config.js';
import { BridgeConfigError, registerLangSmithBridge } from './setup/register.js';

try {
  if (isBridgeEnabled(process.env)) {
    const bridge = await registerLangSmithBridge();
    flushOnSignals(() => bridge.shutdown());
  } else if (parseBoolean(process.env.LANGSMITH_OTEL_QUIET, 'LANGSMITH_OTEL_QUIET') !== true) {
    process.stderr.write('langsmith-otel-bridge: not enabled (set LANGSMITH_OTEL_ENABLED=true to trace this process)\n');
  }
} catch (err) {
  if (err instanceof BridgeConfigError) {
    process.stderr.write(`langsmith-otel-bridge: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

/**
 * SIGTERM / SIGINT end a process without `beforeExit`: deliver what is queued
 * first (at most 5 s). When the app has its own handler for the signal, it
 * decides when to exit (call `getRegisteredBridge()?.shutdown()` there);
 * otherwise the signal is raised again after the flush, so the process ends
 * as it would have.
 */
function flushOnSignals(shutdown: () => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const timeout = new Promise((resolve) => setTimeout(resolve, 5000).unref());
      void Promise.race([shutdown().catch(() => undefined), timeout]).then(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    });
  }
}
