/**
 * `node -r langsmith-otel-bridge/register` (or `require` of it): the
 * CommonJS side of the register entry. Setting the bridge up is
 * asynchronous (the SDK packages are loaded with `import()`), and a `-r`
 * preload cannot hold the app back until it is done: the app would start
 * untraced, its `http` unpatched. So, when LANGSMITH_OTEL_ENABLED=true, this
 * stops the process with a message saying what to use instead — `--import`,
 * which also works for CommonJS apps.
 */
import { BridgeConfigError, isBridgeEnabled, isSdkDisabled, notEnabledLine, parseBoolean } from './setup/config.js';

try {
  const quiet = () => parseBoolean(process.env.LANGSMITH_OTEL_QUIET, 'LANGSMITH_OTEL_QUIET') === true;
  // OTel spec: OTEL_SDK_DISABLED=true sets nothing up (the API stays no-op), whatever else is set.
  const disabled = isSdkDisabled(process.env);
  if (disabled) {
    if (!quiet()) process.stderr.write('langsmith-otel-bridge: OTEL_SDK_DISABLED=true: nothing set up (no tracer provider, propagator or instrumentation)\n');
  } else if (isBridgeEnabled(process.env)) {
    process.stderr.write(
      'langsmith-otel-bridge: `node -r langsmith-otel-bridge/register` is not supported (the setup must finish before ' +
        'the app starts, which a CommonJS preload cannot wait for): use `node --import langsmith-otel-bridge/register app.js` ' +
        '(Node >= 20.6; CommonJS apps too).\n',
    );
    process.exit(1);
  } else if (!quiet()) {
    process.stderr.write(notEnabledLine(process.env) + '\n');
  }
} catch (err) {
  // The same one line and exit status as the ESM entry for a setting it cannot read.
  if (err instanceof BridgeConfigError) {
    process.stderr.write(`langsmith-otel-bridge: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
