/**
 * `node -r langsmith-otel-bridge/register` (or `require` of it): the
 * CommonJS side of the register entry. Setting the bridge up is
 * asynchronous (the SDK packages are loaded with `import()`), and a `-r`
 * preload cannot hold the app back until it is done: the app would start
 * untraced, its `http` unpatched. So, when LANGSMITH_OTEL_ENABLED=true, this
 * stops the process with a message saying what to use instead — `--import`,
 * which also works for CommonJS apps.
 */
import { BridgeConfigError, isBridgeEnabled, parseBoolean } from './setup/config.js';

try {
  if (isBridgeEnabled(process.env)) {
    process.stderr.write(
      'langsmith-otel-bridge: `node -r langsmith-otel-bridge/register` is not supported (the setup must finish before ' +
        'the app starts, which a CommonJS preload cannot wait for): use `node --import langsmith-otel-bridge/register app.js` ' +
        '(Node >= 20.6; CommonJS apps too).\n',
    );
    process.exit(1);
  } else if (parseBoolean(process.env.LANGSMITH_OTEL_QUIET, 'LANGSMITH_OTEL_QUIET') !== true) {
    process.stderr.write('langsmith-otel-bridge: not enabled (set LANGSMITH_OTEL_ENABLED=true to trace this process)\n');
  }
} catch (err) {
  // The same one line and exit status as the ESM entry for a setting it cannot read.
  if (err instanceof BridgeConfigError) {
    process.stderr.write(`langsmith-otel-bridge: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
