/**
 * The demo's three services, in start order (each needs the URL of the one
 * before), with what makes each one what it is: whether the bridge is
 * registered, its trust policy, its upstream. One list for `npm run demo`
 * (run.ts) and for the load benchmark and test (bench/demo-stack.mjs), so the
 * two cannot drift apart; docker-compose.yml states the same for containers.
 */
export type DemoServiceName = 'native' | 'agent' | 'gateway';

export interface DemoService {
  name: DemoServiceName;
  /** Started with `--import langsmith-otel-bridge/register` and LANGSMITH_OTEL_ENABLED. */
  bridged: boolean;
  /** The service's own environment, given the URLs of the services started before it. */
  env(urls: Partial<Record<DemoServiceName, string>>): Record<string, string>;
}

/** What every bridged service gets on top of the shared environment. */
export const BRIDGED_ENV: Readonly<Record<string, string>> = { LANGSMITH_OTEL_ENABLED: 'true', LANGSMITH_OTEL_PRINT: 'false' };

export const DEMO_SERVICES: readonly DemoService[] = [
  // LangSmith-native: RunTree.fromHeaders, no OTel.
  { name: 'native', bridged: false, env: () => ({ OTEL_SERVICE_NAME: 'native' }) },
  // Internal service: trusts callers on loopback only.
  {
    name: 'agent',
    bridged: true,
    env: (urls) => ({ OTEL_SERVICE_NAME: 'agent', NATIVE_URL: urls.native ?? '', LANGSMITH_OTEL_TRUST: '127.0.0.0/8,::1/128' }),
  },
  // The public edge: nobody's trace headers are trusted.
  {
    name: 'gateway',
    bridged: true,
    env: (urls) => ({ OTEL_SERVICE_NAME: 'gateway', AGENT_URL: urls.agent ?? '', LANGSMITH_OTEL_TRUST: 'false' }),
  },
];

/**
 * Starts the services in order with `start(name, nodeArgs, env)`, each with
 * `baseEnv`, the bridge settings where bridged, and its own environment.
 * Resolves with the started services by name; on a failure the error is
 * thrown and `started` holds the ones already running (for the caller to stop).
 */
export async function startDemoServices<S extends { url: string }>(
  start: (name: DemoServiceName, nodeArgs: string[], env: Record<string, string | undefined>) => Promise<S>,
  registerEntry: string,
  baseEnv: Record<string, string | undefined>,
  started: Partial<Record<DemoServiceName, S>> = {},
): Promise<Record<DemoServiceName, S>> {
  const urls: Partial<Record<DemoServiceName, string>> = {};
  for (const service of DEMO_SERVICES) {
    const nodeArgs = service.bridged ? ['--import', registerEntry] : [];
    const env = { ...baseEnv, ...(service.bridged ? BRIDGED_ENV : {}), ...service.env(urls) };
    const s = await start(service.name, nodeArgs, env);
    started[service.name] = s;
    urls[service.name] = s.url;
  }
  return started as Record<DemoServiceName, S>;
}
