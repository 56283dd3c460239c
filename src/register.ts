/**
 * `node --import langsmith-otel-bridge/register app.js`
 *
 * Sets the bridge up before the app loads (so `http` is instrumented) when
 * LANGSMITH_OTEL_ENABLED=true, configured from the environment (README,
 * "Configuration"). A wrong setting stops the process with a message that
 * says what to set. ESM only: it must finish before the app starts.
 */
import { isBridgeEnabled } from './setup/config.js';
import { BridgeConfigError, registerLangSmithBridge } from './setup/register.js';

if (isBridgeEnabled(process.env)) {
  try {
    await registerLangSmithBridge();
  } catch (err) {
    if (err instanceof BridgeConfigError) {
      process.stderr.write(`langsmith-otel-bridge: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
} else if (process.env.LANGSMITH_OTEL_QUIET !== 'true') {
  process.stderr.write('langsmith-otel-bridge: not enabled (set LANGSMITH_OTEL_ENABLED=true to trace this process)\n');
}
