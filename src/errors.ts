/**
 * The one error type for configuration mistakes, thrown at start-up (never
 * from extract or inject). Its own module so the trust policies, which
 * validate their options through the API as well as the environment, can
 * throw it without importing the config resolver.
 */
export class BridgeConfigError extends Error {
  override name = 'BridgeConfigError';
}
