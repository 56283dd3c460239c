/**
 * Configuration: options > environment > defaults, resolved once and
 * validated up front. A wrong setting fails fast with a message that names
 * the variable (or option) to fix and an example of a good value.
 */
import { BridgeConfigError } from '../errors.js';
import { anyTrust, trustedNetworks, trustHeaderToken, type NetworkTrust, type TrustPolicy } from '../trust/policies.js';

export { BridgeConfigError };

export interface BridgeOptions {
  /**
   * Service name on every span's resource. Env: OTEL_SERVICE_NAME, else
   * `service.name` in OTEL_RESOURCE_ATTRIBUTES. Default: `unknown_service:node`.
   */
  serviceName?: string;
  /**
   * More resource attributes (they also show as run metadata). Env:
   * OTEL_RESOURCE_ATTRIBUTES = `key=value,key2=value2`, values percent-decoded.
   * The option's keys win over the environment's.
   */
  resourceAttributes?: Record<string, string>;
  /**
   * Header formats carried besides the bridge's own (`traceparent`,
   * `tracestate`, `baggage`, `langsmith-trace`, always on). Env:
   * OTEL_PROPAGATORS (`tracecontext`, `baggage`, `b3`, `b3multi`, `jaeger`,
   * `xray`, `none`). Each needs its OpenTelemetry package (optional peers).
   */
  propagators?: ExtraPropagatorName[];
  /**
   * LangSmith project for traces that start here. Env: LANGSMITH_PROJECT >
   * LANGCHAIN_PROJECT > LANGCHAIN_SESSION (the `langsmith` SDK's order). Default `default`.
   */
  project?: string;
  /**
   * Whose inbound context to continue. Env: LANGSMITH_OTEL_TRUST = `false`
   * (default) | `true` | comma-separated CIDR blocks; LANGSMITH_OTEL_TRUST_TOKEN
   * = gateway token(s), comma-separated.
   */
  trust?: boolean | TrustPolicy | { networks?: string[]; tokens?: string[]; header?: string };
  /** Env: LANGSMITH_OTEL_TRACEPARENT_ONLY = `root` (default) | `attach`. */
  traceparentOnly?: 'root' | 'attach';
  /**
   * OTLP export (to a collector, or straight to LangSmith's `/otel`). Env:
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (full URL) > OTEL_EXPORTER_OTLP_ENDPOINT
   * (base URL, `/v1/traces` is appended; with `grpc`, used as is),
   * OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL >
   * OTEL_EXPORTER_OTLP_PROTOCOL (default `http/protobuf`).
   * `false` disables it even when the environment sets it.
   */
  otlp?: false | { url?: string; headers?: Record<string, string>; protocol?: OtlpProtocol };
  /**
   * Direct LangSmith ingest through the `langsmith` Client. Env (each
   * LANGSMITH_X, else LANGCHAIN_X, as the `langsmith` SDK reads them):
   * LANGSMITH_API_KEY, LANGSMITH_ENDPOINT, LANGSMITH_WORKSPACE_ID. Used when
   * an API key is set and no OTLP endpoint is (a collector forwards to
   * LangSmith itself; both would record every run twice).
   */
  langsmith?: false | { apiKey?: string; apiUrl?: string; workspaceId?: string };
  /**
   * Local JSON-lines file of runs. Env: LANGSMITH_OTEL_FILE. Default, when
   * neither OTLP nor an API key is configured: `.langsmith-otel/runs.jsonl`.
   */
  file?: false | string;
  /** Print each trace as a tree. Env: LANGSMITH_OTEL_PRINT (a boolean). Default: with the local file default. */
  printTrees?: boolean;
  /** Env: OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG. Default parentbased_always_on (sample at the collector). */
  sampler?: SamplerName;
  samplerRatio?: number;
  /** Instrument `http`/`https` (server and client) and `fetch` (undici). Default true. */
  instrumentHttp?: boolean;
  instrumentFetch?: boolean;
  /**
   * Turn on the `langsmith` SDK's OTel mode with the bridge's provider
   * (`enableLangSmithOtelMode`): `traceable()` runs become spans of it.
   * Default: on when LANGSMITH_OTEL_ENABLED / LANGSMITH_TRACING_MODE=otel is set.
   */
  langsmithOtelMode?: boolean;
  /**
   * Export queue settings for every destination. Env (OpenTelemetry's own):
   * OTEL_BSP_MAX_QUEUE_SIZE (2048), OTEL_BSP_MAX_EXPORT_BATCH_SIZE (512),
   * OTEL_BSP_SCHEDULE_DELAY (1000 ms), OTEL_BSP_EXPORT_TIMEOUT (30000 ms).
   */
  queue?: { maxQueueSize?: number; maxExportBatchSize?: number; scheduledDelayMillis?: number; exportTimeoutMillis?: number };
  /**
   * The one deadline for delivering what is queued when the process ends:
   * the exit-time flush, `shutdown()` from app code and the register entry's
   * SIGTERM/SIGINT handler. What is not delivered by then is counted and
   * reported in one line on stderr. Env: LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS.
   * Default 5000 ms.
   */
  shutdownTimeoutMillis?: number;
  /** Suppress the one start-up line on stderr. Env: LANGSMITH_OTEL_QUIET (a boolean). */
  quiet?: boolean;
  /** For tests: the environment to read instead of process.env. */
  env?: Record<string, string | undefined>;
}

export type SamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** OTEL_PROPAGATORS names the bridge composes with its own headers, and the package of each. */
export type ExtraPropagatorName = 'b3' | 'b3multi' | 'jaeger' | 'xray';
export const PROPAGATOR_PACKAGES: Readonly<Record<ExtraPropagatorName, string>> = {
  b3: '@opentelemetry/propagator-b3',
  b3multi: '@opentelemetry/propagator-b3',
  jaeger: '@opentelemetry/propagator-jaeger',
  xray: '@opentelemetry/propagator-aws-xray',
};
/** The bridge's own formats: always on, whether OTEL_PROPAGATORS lists them or not. */
const OWN_PROPAGATORS: readonly string[] = ['tracecontext', 'baggage'];

/** OTEL_EXPORTER_OTLP_PROTOCOL values (the OTel spec's names); see otlp-exporter.ts. */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
export const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

export interface ResolvedConfig {
  serviceName: string;
  /** The resource: OTEL_RESOURCE_ATTRIBUTES and the option, `service.name` = serviceName. */
  resourceAttributes: Record<string, string>;
  /** Formats composed with the bridge's propagator (empty: the bridge alone). */
  propagators: ExtraPropagatorName[];
  project: string;
  trust: boolean | TrustPolicy;
  /** Present when trust includes CIDR blocks: the HTTP instrumentation hook. */
  networkTrust: NetworkTrust | undefined;
  traceparentOnly: 'root' | 'attach';
  otlp: { url: string; headers: Record<string, string>; protocol: OtlpProtocol; toLangSmith: boolean } | undefined;
  langsmith: { apiKey: string; apiUrl: string | undefined; workspaceId: string | undefined } | undefined;
  file: string | undefined;
  printTrees: boolean;
  sampler: SamplerName;
  samplerRatio: number;
  instrumentHttp: boolean;
  instrumentFetch: boolean;
  /** See BridgeOptions.langsmithOtelMode. */
  langsmithOtelMode: boolean;
  /** No start-up line (option `quiet`, env LANGSMITH_OTEL_QUIET). */
  quiet: boolean;
  queue: { maxQueueSize?: number; maxExportBatchSize?: number; scheduledDelayMillis?: number; exportTimeoutMillis?: number };
  shutdownTimeoutMillis: number;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

export const DEFAULT_FILE = '.langsmith-otel/runs.jsonl';

/**
 * LANGSMITH_OTEL_ENABLED (or LangSmith's LANGSMITH_TRACING_MODE=otel, also
 * spelled LANGCHAIN_TRACING_MODE as the `langsmith` SDK reads it) switches the
 * register entry on. A value that is not a boolean, or a tracing mode other
 * than `otel`/`langsmith`, is a BridgeConfigError. OTEL_ENABLED (the SDK's
 * legacy OTel-mode flag, not an OpenTelemetry variable) does not switch it on.
 */
export function isBridgeEnabled(env: Record<string, string | undefined>): boolean {
  const enabled = parseBoolean(nonEmpty(env.LANGSMITH_OTEL_ENABLED), 'LANGSMITH_OTEL_ENABLED') === true;
  return tracingMode(env) === 'otel' || enabled;
}

/** The register entry's line when the bridge is off; it says why OTEL_ENABLED did not switch it on. */
export function notEnabledLine(env: Record<string, string | undefined>): string {
  const legacy =
    isBooleanWord(env.OTEL_ENABLED) === true ? "; OTEL_ENABLED is the langsmith SDK's legacy OTel-mode flag and does not switch the bridge on" : '';
  return `langsmith-otel-bridge: not enabled (set LANGSMITH_OTEL_ENABLED=true to trace this process${legacy})`;
}

/** LANGSMITH_TRACING_MODE || LANGCHAIN_TRACING_MODE, as the `langsmith` SDK resolves it (`otel` | `langsmith`). */
function tracingMode(env: Record<string, string | undefined>): 'otel' | 'langsmith' | undefined {
  const name = nonEmpty(env.LANGSMITH_TRACING_MODE) !== undefined ? 'LANGSMITH_TRACING_MODE' : 'LANGCHAIN_TRACING_MODE';
  const value = nonEmpty(env[name])?.trim().toLowerCase();
  if (value === undefined || value === 'otel' || value === 'langsmith') return value;
  throw new BridgeConfigError(`${name}=${env[name]}: set otel or langsmith (the langsmith SDK accepts no other value).`);
}

/**
 * OTEL_SDK_DISABLED, as the OpenTelemetry environment specification reads
 * it: `true` (any case) disables the SDK, `false`, empty or unset does not.
 * Any other value (the spec warns and reads false) is a BridgeConfigError:
 * `1` or `yes` would otherwise leave the process traced by surprise.
 */
export function isSdkDisabled(env: Record<string, string | undefined>): boolean {
  const value = env.OTEL_SDK_DISABLED?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new BridgeConfigError(`OTEL_SDK_DISABLED=${env.OTEL_SDK_DISABLED}: set true or false (the OpenTelemetry specification reads no other value).`);
}

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', '0', 'no', 'off']);

/**
 * The one parser for the bridge's boolean variables (LANGSMITH_OTEL_ENABLED,
 * LANGSMITH_OTEL_TRUST, LANGSMITH_OTEL_PRINT,
 * LANGSMITH_OTEL_QUIET): `true/false/1/0/yes/no/on/off`, case-insensitive,
 * surrounding whitespace ignored; unset or empty is `undefined`; anything
 * else is a BridgeConfigError naming the variable.
 */
export function parseBoolean(value: string | undefined, name: string): boolean | undefined {
  const word = isBooleanWord(value);
  if (word !== undefined || value === undefined || value.trim() === '') return word;
  throw new BridgeConfigError(`${name}=${value}: set true or false (also accepted: 1/0, yes/no, on/off).`);
}

/** `true`/`false` for a boolean word, `undefined` for anything else (no error). */
function isBooleanWord(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (v === undefined) return undefined;
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

export function resolveConfig(options: BridgeOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const otlp = resolveOtlp(options.otlp, read);
  // From the environment alone, OTLP wins over direct ingest (a collector forwards to LangSmith;
  // both would record every run twice). An explicit `langsmith` option is honoured either way.
  const langsmith = otlp && options.langsmith === undefined ? undefined : resolveLangSmith(options.langsmith, read);
  const fileOption = options.file ?? read('LANGSMITH_OTEL_FILE');
  const useDefaultFile = fileOption === undefined && !otlp && !langsmith;
  const file = fileOption === false ? undefined : (fileOption ?? (useDefaultFile ? DEFAULT_FILE : undefined));
  const { trust, networkTrust } = resolveTrust(options.trust, read);

  const sampler = (options.sampler ?? read('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on') as SamplerName;
  if (!SAMPLERS.includes(sampler)) {
    throw new BridgeConfigError(
      `OTEL_TRACES_SAMPLER=${sampler} is not supported; set one of ${SAMPLERS.join(', ')} ` +
        '(sampling belongs at the collector: parentbased_always_on is the default).',
    );
  }
  const ratioText = options.samplerRatio ?? read('OTEL_TRACES_SAMPLER_ARG');
  const samplerRatio = ratioText === undefined ? 1 : Number(ratioText);
  if (!Number.isFinite(samplerRatio) || samplerRatio < 0 || samplerRatio > 1) {
    throw new BridgeConfigError(`OTEL_TRACES_SAMPLER_ARG=${String(ratioText)} must be a number between 0 and 1, e.g. 0.25.`);
  }

  const traceparentOnly = options.traceparentOnly ?? (read('LANGSMITH_OTEL_TRACEPARENT_ONLY') as 'root' | 'attach' | undefined) ?? 'root';
  if (traceparentOnly !== 'root' && traceparentOnly !== 'attach') {
    throw new BridgeConfigError(`LANGSMITH_OTEL_TRACEPARENT_ONLY=${String(traceparentOnly)}: set \`root\` (default) or \`attach\`.`);
  }
  // #8: attach runs have no dotted order; a run store would skip every one of them without a word.
  if (traceparentOnly === 'attach' && (file !== undefined || langsmith !== undefined)) {
    const store =
      file !== undefined
        ? `the run file (${fileOption === undefined ? `default ${DEFAULT_FILE}` : `LANGSMITH_OTEL_FILE=${file}`})`
        : 'direct ingest (LANGSMITH_API_KEY)';
    throw new BridgeConfigError(
      `LANGSMITH_OTEL_TRACEPARENT_ONLY=attach cannot be used with ${store}: runs under a traceparent-only caller carry no ` +
        "dotted order, so only LangSmith's OTLP ingest can place them. Export through OTLP only " +
        '(OTEL_EXPORTER_OTLP_ENDPOINT, no LANGSMITH_OTEL_FILE), or set LANGSMITH_OTEL_TRACEPARENT_ONLY=root.',
    );
  }
  const shutdownTimeoutMillis =
    options.shutdownTimeoutMillis ??
    positiveInt(read('LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS'), 'LANGSMITH_OTEL_SHUTDOWN_TIMEOUT_MS') ??
    DEFAULT_SHUTDOWN_TIMEOUT_MS;

  const resourceAttributes = { ...parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES), ...options.resourceAttributes };
  // OTel spec: OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES.
  const serviceName = options.serviceName ?? read('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? 'unknown_service:node';
  resourceAttributes['service.name'] = serviceName;

  return {
    serviceName,
    resourceAttributes,
    propagators: resolvePropagators(options.propagators, env.OTEL_PROPAGATORS),
    // The langsmith SDK's order (utils/project.js): LANGSMITH_PROJECT || LANGCHAIN_PROJECT, then LANGCHAIN_SESSION.
    project: options.project ?? read('LANGSMITH_PROJECT') ?? read('LANGCHAIN_PROJECT') ?? read('LANGCHAIN_SESSION') ?? 'default',
    trust,
    networkTrust,
    traceparentOnly,
    otlp,
    langsmith,
    file,
    printTrees: options.printTrees ?? parseBoolean(read('LANGSMITH_OTEL_PRINT'), 'LANGSMITH_OTEL_PRINT') ?? useDefaultFile,
    quiet: options.quiet ?? parseBoolean(read('LANGSMITH_OTEL_QUIET'), 'LANGSMITH_OTEL_QUIET') ?? false,
    sampler,
    samplerRatio,
    instrumentHttp: options.instrumentHttp ?? true,
    instrumentFetch: options.instrumentFetch ?? true,
    queue: {
      maxQueueSize: options.queue?.maxQueueSize ?? positiveInt(read('OTEL_BSP_MAX_QUEUE_SIZE'), 'OTEL_BSP_MAX_QUEUE_SIZE'),
      maxExportBatchSize: options.queue?.maxExportBatchSize ?? positiveInt(read('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'), 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
      scheduledDelayMillis: options.queue?.scheduledDelayMillis ?? positiveInt(read('OTEL_BSP_SCHEDULE_DELAY'), 'OTEL_BSP_SCHEDULE_DELAY'),
      exportTimeoutMillis: options.queue?.exportTimeoutMillis ?? positiveInt(read('OTEL_BSP_EXPORT_TIMEOUT'), 'OTEL_BSP_EXPORT_TIMEOUT'),
    },
    langsmithOtelMode: options.langsmithOtelMode ?? isBridgeEnabled(env),
    shutdownTimeoutMillis,
  };
}

/** Where traces go, in one line for the start-up message. */
export function describeDestinations(config: ResolvedConfig): string {
  const parts: string[] = [];
  if (config.otlp) parts.push(`OTLP ${config.otlp.url}${config.otlp.toLangSmith ? ' (LangSmith)' : ''}`);
  if (config.langsmith) parts.push(`LangSmith ${config.langsmith.apiUrl ?? 'https://api.smith.langchain.com'} (project ${config.project})`);
  if (config.file) parts.push(`file ${config.file}`);
  if (config.printTrees) parts.push('terminal trees');
  const trust = config.trust === true ? 'all callers' : config.trust === false ? 'no caller (new roots)' : 'callers matching the trust policy';
  const formats = config.propagators.length > 0 ? `; also propagating ${config.propagators.join(', ')}` : '';
  return `langsmith-otel-bridge: ${config.serviceName} → ${parts.join(' + ') || 'nowhere'}; inbound context trusted from ${trust}${formats}`;
}

type Read = (name: string) => string | undefined;

function resolveOtlp(option: BridgeOptions['otlp'], read: Read): ResolvedConfig['otlp'] {
  if (option === false) return undefined;
  const protocol = resolveOtlpProtocol(option?.protocol, read);
  const headers = {
    ...parseHeaders(read('OTEL_EXPORTER_OTLP_HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS'),
    ...parseHeaders(read('OTEL_EXPORTER_OTLP_TRACES_HEADERS'), 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    ...option?.headers,
  };
  let url = option?.url ?? read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (url === undefined) {
    const base = read('OTEL_EXPORTER_OTLP_ENDPOINT');
    if (base === undefined) return undefined;
    if (/\/v1\/traces\/?$/.test(base)) {
      throw new BridgeConfigError(
        `OTEL_EXPORTER_OTLP_ENDPOINT=${base} ends in /v1/traces, but it is a base URL: the exporter appends ` +
          '/v1/traces again (→ 404). Drop the suffix, or set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT to the full URL.',
      );
    }
    // OTLP/gRPC has no path: the spec uses the base endpoint as is.
    url = protocol === 'grpc' ? base : base.replace(/\/+$/, '') + '/v1/traces';
  }
  if (!/^https?:\/\/[^/]/.test(url)) {
    throw new BridgeConfigError(`OTLP traces endpoint ${url} is not an http(s) URL, e.g. http://localhost:4318/v1/traces.`);
  }
  // Straight to LangSmith's OTLP endpoint (no collector to drop excluded spans): send only runs.
  const toLangSmith = /\/otel\/v1\/traces\/?$/.test(url);
  if (toLangSmith && !Object.keys(headers).some((h) => h.toLowerCase() === 'x-api-key')) {
    throw new BridgeConfigError(`${url} is LangSmith's OTLP endpoint, which needs an API key: set OTEL_EXPORTER_OTLP_HEADERS=x-api-key=<your key>.`);
  }
  if (toLangSmith && protocol === 'grpc') {
    throw new BridgeConfigError(`${url} is LangSmith's OTLP endpoint, which has no gRPC: set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf.`);
  }
  return { url, headers, protocol, toLangSmith };
}

/** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL > OTEL_EXPORTER_OTLP_PROTOCOL > `http/protobuf`; anything else is an error. */
function resolveOtlpProtocol(option: OtlpProtocol | undefined, read: Read): OtlpProtocol {
  if (option !== undefined && OTLP_PROTOCOLS.includes(option)) return option;
  const name =
    option !== undefined
      ? 'otlp.protocol'
      : read('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') !== undefined
        ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
        : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const value = option ?? read(name);
  if (value === undefined) return 'http/protobuf';
  if ((OTLP_PROTOCOLS as readonly string[]).includes(value)) return value as OtlpProtocol;
  throw new BridgeConfigError(`${name}=${value} is not an OTLP protocol: set one of ${OTLP_PROTOCOLS.join(', ')} (default http/protobuf).`);
}

function resolveLangSmith(option: BridgeOptions['langsmith'], read: Read): ResolvedConfig['langsmith'] {
  if (option === false) return undefined;
  const apiKey = option?.apiKey ?? read('LANGSMITH_API_KEY') ?? read('LANGCHAIN_API_KEY');
  if (!apiKey) {
    if (option) throw new BridgeConfigError('langsmith: set `apiKey` or LANGSMITH_API_KEY for direct LangSmith ingest.');
    return undefined;
  }
  const apiUrl = option?.apiUrl ?? read('LANGSMITH_ENDPOINT') ?? read('LANGCHAIN_ENDPOINT');
  if (apiUrl !== undefined && !/^https?:\/\/[^/]/.test(apiUrl)) {
    const name = option?.apiUrl !== undefined ? 'langsmith.apiUrl' : read('LANGSMITH_ENDPOINT') !== undefined ? 'LANGSMITH_ENDPOINT' : 'LANGCHAIN_ENDPOINT';
    throw new BridgeConfigError(`${name}=${apiUrl} is not an http(s) URL, e.g. https://eu.api.smith.langchain.com.`);
  }
  return { apiKey, apiUrl, workspaceId: option?.workspaceId ?? read('LANGSMITH_WORKSPACE_ID') ?? read('LANGCHAIN_WORKSPACE_ID') };
}

function resolveTrust(option: BridgeOptions['trust'], read: Read): { trust: boolean | TrustPolicy; networkTrust: NetworkTrust | undefined } {
  if (typeof option === 'boolean' || typeof option === 'function') return { trust: option, networkTrust: undefined };
  let networks = option?.networks;
  let tokens = option?.tokens;
  let header = typeof option === 'object' ? option.header : undefined;
  if (option === undefined) {
    const value = read('LANGSMITH_OTEL_TRUST');
    const tokenText = read('LANGSMITH_OTEL_TRUST_TOKEN');
    // LANGSMITH_OTEL_TRUST is a boolean (the common parser) or CIDR blocks.
    const flag = isBooleanWord(value);
    if (flag !== undefined && tokenText !== undefined) {
      // Either reading would be a guess: `true` would make the token pointless
      // (everyone trusted), `false` contradicts it. Fail rather than widen.
      throw new BridgeConfigError(
        `LANGSMITH_OTEL_TRUST=${value} with LANGSMITH_OTEL_TRUST_TOKEN set: ` +
          (flag ? 'true trusts every caller, so the token would check nothing. ' : 'false trusts no caller, which contradicts the token. ') +
          'Unset LANGSMITH_OTEL_TRUST to trust token holders only, or set it to CIDR blocks to trust those networks too.',
      );
    }
    if (flag !== undefined) return { trust: flag, networkTrust: undefined };
    if (value !== undefined)
      networks = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    if (tokenText !== undefined)
      tokens = tokenText
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    header = read('LANGSMITH_OTEL_TRUST_HEADER');
  }
  const policies: TrustPolicy[] = [];
  let networkTrust: NetworkTrust | undefined;
  try {
    if (networks?.length) {
      networkTrust = trustedNetworks(networks);
      policies.push(networkTrust.trust);
    }
    if (tokens?.length || header !== undefined) {
      policies.push(trustHeaderToken({ token: tokens ?? [], ...(header !== undefined ? { header } : {}) }));
    }
  } catch (err) {
    if (option !== undefined) throw err; // already names the value; the environment was not read
    throw new BridgeConfigError(
      `LANGSMITH_OTEL_TRUST / LANGSMITH_OTEL_TRUST_TOKEN / LANGSMITH_OTEL_TRUST_HEADER: ${(err as Error).message} ` +
        'Examples: LANGSMITH_OTEL_TRUST=10.0.0.0/8,127.0.0.1/32 or LANGSMITH_OTEL_TRUST=true.',
    );
  }
  if (policies.length === 0) return { trust: false, networkTrust: undefined };
  return { trust: policies.length === 1 ? policies[0]! : anyTrust(...policies), networkTrust };
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new BridgeConfigError(`${name}=${value}: set a positive whole number, e.g. ${name}=4096.`);
  return n;
}

/** `k1=v1,k2=v2` (W3C baggage-like, values percent-decoded), as the OTel spec defines for *_HEADERS. */
function parseHeaders(value: string | undefined, name: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!value) return headers;
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new BridgeConfigError(`${name}: "${pair.trim()}" is not key=value; e.g. ${name}=x-api-key=abc,Langsmith-Project=demo.`);
    let decoded: string;
    try {
      decoded = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw new BridgeConfigError(`${name}: the value of ${pair.slice(0, eq).trim()} has a broken %-escape.`);
    }
    headers[pair.slice(0, eq).trim()] = decoded;
  }
  return headers;
}

/**
 * OTEL_RESOURCE_ATTRIBUTES, as the OTel spec defines it: `key=value` pairs,
 * comma-separated, values percent-decoded, surrounding spaces trimmed. Where
 * the spec discards the whole value on an error (and OTel JS logs it at
 * debug level), the bridge stops with a BridgeConfigError naming the pair.
 */
export function parseResourceAttributes(value: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (value === undefined || value.trim() === '') return attributes;
  for (const pair of value.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (key === '') {
      throw new BridgeConfigError(
        `OTEL_RESOURCE_ATTRIBUTES: "${pair.trim()}" is not key=value; e.g. OTEL_RESOURCE_ATTRIBUTES=deployment.environment=prod,team=search.`,
      );
    }
    try {
      attributes[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw new BridgeConfigError(`OTEL_RESOURCE_ATTRIBUTES: the value of ${key} has a broken %-escape (write a comma as %2C, a percent sign as %25).`);
    }
  }
  return attributes;
}

/**
 * OTEL_PROPAGATORS. `tracecontext` and `baggage` are the bridge's own
 * (always on: it is the only writer of traceparent, tracestate, baggage and
 * langsmith-trace); `b3`, `b3multi`, `jaeger`, `xray` are composed with it;
 * `none` (alone) means the bridge's headers only. OTel JS warns about an
 * unknown name and drops it; here it is a BridgeConfigError naming it, as
 * every other setting.
 */
function resolvePropagators(option: ExtraPropagatorName[] | undefined, value: string | undefined): ExtraPropagatorName[] {
  const fromOption = option !== undefined;
  const names = fromOption
    ? option.map(String)
    : (value ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
  const label = fromOption ? 'propagators' : 'OTEL_PROPAGATORS';
  const known = [...OWN_PROPAGATORS, ...Object.keys(PROPAGATOR_PACKAGES), 'none'];
  const extras: ExtraPropagatorName[] = [];
  for (const name of names) {
    if (!known.includes(name)) {
      throw new BridgeConfigError(
        `${label}: "${name}" is not a propagator the bridge composes; use ${known.join(', ')} ` +
          "(tracecontext and baggage are the bridge's own and always on).",
      );
    }
    if (name === 'none' && names.length > 1) {
      throw new BridgeConfigError(`${label}=${names.join(',')}: none cannot be combined with other propagators.`);
    }
    if (name in PROPAGATOR_PACKAGES && !extras.includes(name as ExtraPropagatorName)) extras.push(name as ExtraPropagatorName);
  }
  return extras;
}
