/**
 * `node -r langsmith-otel-bridge/register` (or `require` of it): the
 * CommonJS side of the register entry. Setting the bridge up is
 * asynchronous (the SDK packages are loaded with `import()`), and a `-r`
 * preload cannot hold the app back until it is done: the app would start
 * untraced, its `http` unpatched. So, when LANGSMITH_OTEL_ENABLED=true, this
 * stops the process with a message saying what to use instead — `--import`,
 * which also works for CommonJS apps.
 */
import { runRegisterEntry } from './setup/entry.js';

// Synchronous: nothing in it awaits, so the process stops before the app loads.
void runRegisterEntry(() => {
  process.stderr.write(
    'langsmith-otel-bridge: `node -r langsmith-otel-bridge/register` is not supported (the setup must finish before ' +
      'the app starts, which a CommonJS preload cannot wait for): use `node --import langsmith-otel-bridge/register app.js` ' +
      '(Node >= 20.6; CommonJS apps too).\n',
  );
  process.exit(1);
});
