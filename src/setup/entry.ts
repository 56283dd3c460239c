/**
 * What the two register entries (`--import` ESM, `-r` CommonJS) share: they
 * read OTEL_SDK_DISABLED, the enable rule and LANGSMITH_OTEL_QUIET alike, and
 * a setting they cannot read is one line on stderr and exit status 1 (README,
 * "Set it up"), never a stack trace.
 */
import { BridgeConfigError, isBridgeEnabled, isSdkDisabled, notEnabledLine, parseBoolean } from './config.js';

/**
 * Runs `whenEnabled` when the environment switches the bridge on; otherwise
 * says, unless quiet, why nothing was set up. Synchronous up to
 * `whenEnabled`'s first `await` (the CommonJS entry relies on it).
 */
export async function runRegisterEntry(whenEnabled: () => void | Promise<void>): Promise<void> {
  try {
    const quiet = () => parseBoolean(process.env.LANGSMITH_OTEL_QUIET, 'LANGSMITH_OTEL_QUIET') === true;
    // OTel spec: OTEL_SDK_DISABLED=true sets nothing up (the API stays no-op), whatever else is set.
    if (isSdkDisabled(process.env)) {
      if (!quiet()) process.stderr.write('langsmith-otel-bridge: OTEL_SDK_DISABLED=true: nothing set up (no tracer provider, propagator or instrumentation)\n');
    } else if (isBridgeEnabled(process.env)) {
      await whenEnabled();
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
}
