/**
 * `node --import langsmith-otel-bridge/register app.js`
 *
 * Sets the bridge up before the app loads (so `http` is instrumented) when
 * LANGSMITH_OTEL_ENABLED=true, configured from the environment (README,
 * "Configuration"). A wrong setting stops the process with a message that
 * says what to set. ESM only: it must finish before the app starts.
 */
import { isBridgeEnabled, isSdkDisabled, notEnabledLine, parseBoolean } from './setup/config.js';
import { BridgeConfigError, registerLangSmithBridge } from './setup/register.js';

try {
  const quiet = () => parseBoolean(process.env.LANGSMITH_OTEL_QUIET, 'LANGSMITH_OTEL_QUIET') === true;
  // OTel spec: OTEL_SDK_DISABLED=true sets nothing up (the API stays no-op), whatever else is set.
  const disabled = isSdkDisabled(process.env);
  if (disabled) {
    if (!quiet()) process.stderr.write('langsmith-otel-bridge: OTEL_SDK_DISABLED=true: nothing set up (no tracer provider, propagator or instrumentation)\n');
  } else if (isBridgeEnabled(process.env)) {
    const bridge = await registerLangSmithBridge();
    flushOnSignals(() => bridge.shutdown(), bridge.config.shutdownTimeoutMillis);
  } else if (!quiet()) {
    process.stderr.write(notEnabledLine(process.env) + '\n');
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
