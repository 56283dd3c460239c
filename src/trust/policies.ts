/**
 * Ready-made trust policies for LangSmithPropagator's `trust` option.
 *
 * LangSmith's own guidance: "Only accept distributed-tracing headers from
 * trusted services." An untrusted caller's headers can choose the trace, the
 * parent, the sampled flag, the project, metadata and tags of your runs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { TextMapGetter } from '@opentelemetry/api';
import { BAGGAGE_HEADER, LANGSMITH_TRACE_HEADER, TRACE_PARENT_HEADER, TRACE_STATE_HEADER } from '../constants.js';
import { BridgeConfigError } from '../errors.js';

/**
 * Decides whether an inbound carrier's context may be continued. Declared here,
 * with the policies, so trust/ does not import the propagator that uses it
 * (issue 13: the arrows run header → context → propagator).
 */
export type TrustPolicy = (carrier: unknown, getter: TextMapGetter) => boolean;

export const DEFAULT_TRUST_HEADER = 'x-langsmith-trust';
const MIN_TOKEN_LENGTH = 16;
/** A presented token longer than this is refused unhashed; a configured one could never match. */
const MAX_TOKEN_LENGTH = 1024;

export interface HeaderTokenOptions {
  /** Secret(s) your gateway sets on requests it forwards; several allow rotation. */
  token: string | readonly string[];
  /** Header carrying the token. Default `x-langsmith-trust`. */
  header?: string;
}

/**
 * Trusts a carrier whose `header` holds one of the tokens (compared in
 * constant time). The gateway must strip this header from outside requests
 * (`stripTracingHeaders` does) and set it on the requests it forwards.
 */
export function trustHeaderToken(options: HeaderTokenOptions): TrustPolicy {
  const header = checkHeaderName(options.header ?? DEFAULT_TRUST_HEADER);
  const tokens: unknown[] = Array.isArray(options.token) ? [...(options.token as unknown[])] : options.token === undefined ? [] : [options.token];
  if (tokens.length === 0) {
    throw new BridgeConfigError(
      `trustHeaderToken: set \`token\` to a secret of at least ${MIN_TOKEN_LENGTH} characters ` + '(e.g. LANGSMITH_OTEL_TRUST_TOKEN=$(openssl rand -hex 16)).',
    );
  }
  tokens.forEach(checkToken);
  const digests = (tokens as string[]).map(sha256);
  return (carrier: unknown, getter: TextMapGetter): boolean => {
    const value = getter.get(carrier, header);
    const presented = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > MAX_TOKEN_LENGTH) return false;
    const digest = sha256(presented);
    let match = false;
    for (const d of digests) match = timingSafeEqual(d, digest) || match;
    return match;
  };
}

/**
 * A token that can never match is a configuration error, not a policy that
 * silently trusts no one: presented tokens over MAX_TOKEN_LENGTH are refused,
 * and Node reads header bytes as latin1 (a non-ASCII secret arrives as other
 * characters) and trims surrounding whitespace. So: 16–1024 visible ASCII
 * characters. The message never repeats the secret.
 */
function checkToken(token: unknown, index: number): void {
  const which = `token #${index + 1}`;
  if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH) {
    throw new BridgeConfigError(
      `trustHeaderToken: ${which} is ${typeof token === 'string' ? `${token.length} characters` : `a ${typeof token}`}; ` +
        `set a secret of at least ${MIN_TOKEN_LENGTH} characters (e.g. LANGSMITH_OTEL_TRUST_TOKEN=$(openssl rand -hex 16)).`,
    );
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new BridgeConfigError(
      `trustHeaderToken: ${which} is ${token.length} characters; a presented token longer than ${MAX_TOKEN_LENGTH} is ` +
        'refused, so it could never match. Use a shorter secret, e.g. $(openssl rand -hex 32).',
    );
  }
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) {
      throw new BridgeConfigError(
        `trustHeaderToken: ${which} has ${c > 0x7e ? 'a non-ASCII character' : 'a space or control character'} at ` +
          `position ${i + 1}; a header can only carry visible ASCII (Node reads header bytes as latin1), so it could ` +
          'never match. Use e.g. $(openssl rand -hex 32).',
      );
    }
  }
}

/** RFC 9110 token characters: a header name anything else is not a header anyone can send. */
function checkHeaderName(name: unknown): string {
  if (typeof name !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}$/.test(name)) {
    throw new BridgeConfigError(`trustHeaderToken: header ${JSON.stringify(name)} is not an HTTP header name (e.g. x-langsmith-trust).`);
  }
  return name.toLowerCase();
}

export interface NetworkTrust {
  /** The policy for LangSmithPropagator's `trust` option. */
  readonly trust: TrustPolicy;
  /**
   * An `ignoreIncomingRequestHook` for `@opentelemetry/instrumentation-http`:
   * it runs before extract and sees the socket, which the propagator cannot.
   * Never ignores a request by itself.
   */
  readonly ignoreIncomingRequestHook: (request: IncomingMessage) => boolean;
  /** Your instrumentation-http config with the hook composed with your own. */
  instrumentationConfig<T extends { ignoreIncomingRequestHook?: (request: IncomingMessage) => boolean }>(config?: T): T;
  /** True when a socket address lies in one of the networks. */
  isTrustedAddress(address: string | undefined): boolean;
}

/**
 * Trusts requests whose TCP peer lies in one of the CIDR blocks, e.g.
 * `['10.0.0.0/8', '127.0.0.1/32', '::1/128']`. IPv4-mapped IPv6 peers
 * (`::ffff:10.1.2.3`) match IPv4 blocks. Behind a load balancer the peer is
 * the balancer: use a header token instead.
 */
export function trustedNetworks(cidrs: readonly string[]): NetworkTrust {
  if (!Array.isArray(cidrs) || cidrs.length === 0) {
    throw new BridgeConfigError("trustedNetworks: pass at least one CIDR block, e.g. ['10.0.0.0/8'].");
  }
  const list = new BlockList();
  for (const cidr of cidrs) addCidr(list, cidr);

  // Per-network-policy keys: two policies never read each other's marks.
  const TRUSTED = Symbol('langsmith-otel-bridge.trusted-carrier');
  const PEER = Symbol('langsmith-otel-bridge.trusted-peer');
  const isTrustedAddress = (address: string | undefined): boolean => {
    if (!address) return false;
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
  // A socket's peer never changes: checked once per connection, not per request
  // (BlockList#check builds a native SocketAddress each call). The marks are
  // symbol properties, not WeakSet entries, which the GC would walk each cycle.
  const trustedPeer = (socket: (object & { remoteAddress?: string }) | undefined | null): boolean => {
    if (!socket || typeof socket !== 'object') return false;
    const known = (socket as Record<symbol, boolean | undefined>)[PEER];
    if (known !== undefined) return known;
    const trusted = isTrustedAddress(socket.remoteAddress);
    // remoteAddress is undefined until connected and after close: only a real answer is kept.
    if (socket.remoteAddress) {
      try {
        (socket as Record<symbol, boolean>)[PEER] = trusted;
      } catch {
        // not cacheable: checked again next time
      }
    }
    return trusted;
  };
  const mark = (request: IncomingMessage): void => {
    const headers = request?.headers as Record<symbol, boolean> | undefined;
    if (!headers || typeof headers !== 'object' || !trustedPeer(request.socket)) return;
    try {
      headers[TRUSTED] = true;
    } catch {
      // a frozen headers object stays untrusted
    }
  };
  const ignoreIncomingRequestHook = (request: IncomingMessage): boolean => {
    mark(request);
    return false;
  };
  return {
    // instrumentation-http extracts from `request.headers`, the object marked above.
    trust: (carrier: unknown) => typeof carrier === 'object' && carrier !== null && (carrier as Record<symbol, unknown>)[TRUSTED] === true,
    ignoreIncomingRequestHook,
    instrumentationConfig(config) {
      const user = config?.ignoreIncomingRequestHook;
      return {
        ...(config ?? {}),
        ignoreIncomingRequestHook: (request: IncomingMessage) => {
          mark(request);
          return user ? user(request) : false;
        },
      } as NonNullable<typeof config>;
    },
    isTrustedAddress,
  };
}

/** Trusted when any of the policies trusts the carrier; a policy that throws counts as "no". */
export function anyTrust(...policies: TrustPolicy[]): TrustPolicy {
  return (carrier, getter) =>
    policies.some((policy) => {
      try {
        return policy(carrier, getter) === true;
      } catch {
        return false;
      }
    });
}

/** The headers a gateway removes from outside requests before forwarding them. */
export const TRACING_HEADERS = [TRACE_PARENT_HEADER, TRACE_STATE_HEADER, LANGSMITH_TRACE_HEADER, BAGGAGE_HEADER];

/**
 * For a gateway facing the internet: removes the propagation headers and the
 * trust header from an inbound request's headers (Node's `IncomingHttpHeaders`
 * object or a Fetch `Headers`), so nothing an outside caller sent reaches
 * internal services as trusted context. Returns the names it removed.
 */
export function stripTracingHeaders(
  headers: Record<string, unknown> | { delete(name: string): void; has(name: string): boolean },
  options: { trustHeader?: string } = {},
): string[] {
  const names = [...TRACING_HEADERS, (options.trustHeader ?? DEFAULT_TRUST_HEADER).toLowerCase()];
  const removed: string[] = [];
  if (typeof (headers as { delete?: unknown }).delete === 'function' && typeof (headers as { has?: unknown }).has === 'function') {
    const h = headers as { delete(name: string): void; has(name: string): boolean };
    for (const name of names) {
      if (!h.has(name)) continue;
      h.delete(name);
      removed.push(name);
    }
    return removed;
  }
  const record = headers as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (names.includes(key.toLowerCase())) {
      delete record[key];
      removed.push(key.toLowerCase());
    }
  }
  return removed;
}

/** A prefix length: decimal digits only, no sign, no leading zero (`0x8`, `1e1`, `+8`, `08`, `-0` are not). */
const PREFIX_PATTERN = /^(?:0|[1-9][0-9]{0,2})$/;

/**
 * Strict CIDR parsing: a bad security setting must fail, never widen. Before
 * this, `Number()` read `'10.0.0.0/ '` as prefix 0 (every IPv4 peer trusted)
 * and `-0` reached BlockList#addSubnet, which aborts Node (issue 8).
 */
function addCidr(list: BlockList, cidr: string): void {
  const fail = (why: string): never => {
    throw new BridgeConfigError(`trustedNetworks: ${JSON.stringify(cidr)} is not a CIDR block (${why}; expected e.g. 10.0.0.0/8, 127.0.0.1/32 or fd00::/8).`);
  };
  if (typeof cidr !== 'string') fail(`a ${typeof cidr}`);
  const slash = cidr.indexOf('/');
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  // isIP accepts an IPv6 zone (`fe80::1%eth0`); a peer address never carries one here.
  const family = address.includes('%') ? 0 : isIP(address);
  if (family === 0) fail(`${JSON.stringify(address)} is not an IPv4 or IPv6 address`);
  const max = family === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : cidr.slice(slash + 1);
  if (!PREFIX_PATTERN.test(prefixText)) fail(`the prefix length ${JSON.stringify(prefixText)} is not a decimal number`);
  const prefix = Number(prefixText);
  if (prefix > max) fail(`the prefix length ${prefix} is over ${max}`);
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
