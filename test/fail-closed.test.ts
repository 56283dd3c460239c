/**
 * Issue 8, "inputs and trust: fail closed": every security setting is parsed
 * strictly, and what cannot be parsed is a BridgeConfigError naming the
 * value — through the API and the environment — never a wider policy, a
 * silent no-op or a native abort.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BridgeConfigError, resolveConfig, trustedNetworks, trustHeaderToken } from '../src/index.js';
import { isBridgeEnabled, parseBoolean } from '../src/setup/config.js';

const TOKEN = 'a-long-enough-secret-token';

function configError(run: () => unknown): BridgeConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(BridgeConfigError);
    return err as BridgeConfigError;
  }
  throw new Error('expected a BridgeConfigError, nothing was thrown');
}

describe('CIDR prefixes are strict decimal in range', () => {
  const INVALID: [rule: string, cidr: string][] = [
    ['a trailing space is not a prefix of 0', '10.0.0.0/ '],
    ['a trailing tab is not a prefix of 0', '10.0.0.0/\t'],
    ['an empty prefix', '10.0.0.0/'],
    ['a negative zero (aborted Node in BlockList#addSubnet)', '10.0.0.0/-0'],
    ['a negative prefix', '10.0.0.0/-8'],
    ['hex', '10.0.0.0/0x8'],
    ['an exponent', '10.0.0.0/1e1'],
    ['a plus sign', '10.0.0.0/+8'],
    ['a leading zero', '10.0.0.0/08'],
    ['a fraction', '10.0.0.0/8.0'],
    ['a space before the prefix', '10.0.0.0/ 8'],
    ['over 32 for IPv4', '10.0.0.0/33'],
    ['over 128 for IPv6', 'fd00::/129'],
    ['two slashes', '10.0.0.0/8/8'],
    ['surrounding whitespace through the API', ' 10.0.0.0/8'],
    ['an IPv6 zone', 'fe80::1%eth0/64'],
    ['not an address', 'x/8'],
    ['a short IPv4 address', '10.0.0/8'],
  ];
  it.each(INVALID)('trustedNetworks rejects %s: %j', (_rule, cidr) => {
    const err = configError(() => trustedNetworks([cidr]));
    expect(err.message).toContain(JSON.stringify(cidr));
  });

  it.each(INVALID.filter(([, cidr]) => cidr.trim() === cidr || cidr.endsWith('/ ') || cidr.endsWith('/\t')))(
    'LANGSMITH_OTEL_TRUST rejects %s: %j',
    (_rule, cidr) => {
      const err = configError(() => resolveConfig({ env: { LANGSMITH_OTEL_TRUST: `127.0.0.1/32,${cidr}` } }));
      expect(err.message).toMatch(/LANGSMITH_OTEL_TRUST.*is not a CIDR block/);
    },
  );

  it('through the trust option the same error, without naming environment variables that were not read', () => {
    const err = configError(() => resolveConfig({ env: {}, trust: { networks: ['10.0.0.0/ '] } }));
    expect(err.message).toMatch(/^trustedNetworks: "10.0.0.0\/ " is not a CIDR block/);
  });

  it.each([
    ['a prefix of 0 written as 0', '0.0.0.0/0', '203.0.113.9', true],
    ['a whole IPv4 block', '10.0.0.0/8', '10.255.0.1', true],
    ['the top of the range, IPv4', '10.1.2.3/32', '10.1.2.4', false],
    ['the top of the range, IPv6', '::1/128', '::1', true],
    ['an address alone is one host', '192.0.2.7', '192.0.2.7', true],
  ] as const)('accepts %s (%s)', (_rule, cidr, peer, trusted) => {
    expect(trustedNetworks([cidr]).isTrustedAddress(peer)).toBe(trusted);
  });

  it('-0 through the environment is a config error, not a native abort (BlockList#addSubnet with -0 exits 134)', () => {
    const abort = spawnSync(process.execPath, ['-e', "new (require('node:net').BlockList)().addSubnet('10.0.0.0', -0, 'ipv4')"], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(abort.status === 134 || abort.signal === 'SIGABRT').toBe(true); // the hazard the strict parser stands in front of
    expect(configError(() => resolveConfig({ env: { LANGSMITH_OTEL_TRUST: '10.0.0.0/-0' } })).message).toContain('"10.0.0.0/-0"');
  });
});

describe('tokens that can never match are configuration errors', () => {
  const INVALID: [rule: string, token: unknown, message: RegExp][] = [
    ['shorter than 16 characters', 'short', /at least 16 characters/],
    ['over 1024 characters (a presented token that long is refused)', 'x'.repeat(1025), /1025 characters.*could never match/],
    ['non-ASCII (Node reads header bytes as latin1)', 'sécret-sécret-sécret', /non-ASCII.*could never match/],
    ['an inner space', 'a long secret with spaces', /space or control character/],
    ['a control character', 'a-long-secret\u0000-token', /space or control character/],
    ['not a string', Number.MAX_SAFE_INTEGER, /a number/],
  ];
  it.each(INVALID)('trustHeaderToken rejects a token %s', (_rule, token, message) => {
    const err = configError(() => trustHeaderToken({ token: token as string }));
    expect(err.message).toMatch(message);
    if (typeof token === 'string' && token.length >= 16) expect(err.message).not.toContain(token); // never echo a secret
  });

  it.each(INVALID.filter(([, token]) => typeof token === 'string' && !/[,\s]/.test(token as string)))(
    'LANGSMITH_OTEL_TRUST_TOKEN rejects a token %s',
    (_rule, token, message) => {
      const err = configError(() => resolveConfig({ env: { LANGSMITH_OTEL_TRUST_TOKEN: `${TOKEN},${token as string}` } }));
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/token #2/);
    },
  );

  it('accepts 16 and 1024 visible ASCII characters', () => {
    expect(() => trustHeaderToken({ token: ['x'.repeat(16), '~'.repeat(1024)] })).not.toThrow();
  });

  it.each([['x langsmith trust'], [''], ['x-trust:']])('rejects a trust header name that no request can carry: %j', (header) => {
    expect(configError(() => trustHeaderToken({ token: TOKEN, header })).message).toMatch(/is not an HTTP header name/);
    expect(() => resolveConfig({ env: { LANGSMITH_OTEL_TRUST_TOKEN: TOKEN, LANGSMITH_OTEL_TRUST_HEADER: header || ' ;' } })).toThrow(BridgeConfigError);
  });

  it('a trust header without a token is an error, not a policy that trusts no one', () => {
    expect(configError(() => resolveConfig({ env: { LANGSMITH_OTEL_TRUST_HEADER: 'x-gw' } })).message).toMatch(/set `token`/);
  });
});

describe('LANGSMITH_OTEL_TRUST as a boolean together with a token is an error', () => {
  it.each(['true', 'TRUE', 'yes', '1', 'on'])('%s plus a token would trust everyone: error', (value) => {
    const err = configError(() => resolveConfig({ env: { LANGSMITH_OTEL_TRUST: value, LANGSMITH_OTEL_TRUST_TOKEN: TOKEN } }));
    expect(err.message).toMatch(/trusts every caller, so the token would check nothing/);
  });
  it.each(['false', 'no', '0', 'off'])('%s plus a token contradicts it: error', (value) => {
    expect(() => resolveConfig({ env: { LANGSMITH_OTEL_TRUST: value, LANGSMITH_OTEL_TRUST_TOKEN: TOKEN } })).toThrow(/contradicts the token/);
  });
  it('CIDR blocks plus a token trust either', () => {
    const c = resolveConfig({ env: { LANGSMITH_OTEL_TRUST: '10.0.0.0/8', LANGSMITH_OTEL_TRUST_TOKEN: TOKEN } });
    expect(typeof c.trust).toBe('function');
    expect(c.networkTrust?.isTrustedAddress('10.0.0.1')).toBe(true);
  });
});

describe('one boolean parser for every boolean variable', () => {
  const WORDS: [string, boolean][] = [
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['on', true],
    [' on ', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['no', false],
    ['NO', false],
    ['off', false],
  ];
  const INVALID = ['maybe', 'y', 'n', 'enabled', '2', 'true!', 'truefalse', 'ja'];

  it.each(WORDS)('parseBoolean(%j) is %s', (value, expected) => expect(parseBoolean(value, 'X')).toBe(expected));
  it.each(INVALID)('parseBoolean(%j) is an error naming the variable and value', (value) => {
    expect(configError(() => parseBoolean(value, 'SOME_VAR')).message).toBe(`SOME_VAR=${value}: set true or false (also accepted: 1/0, yes/no, on/off).`);
  });
  it('unset or empty is undefined', () => {
    expect(parseBoolean(undefined, 'X')).toBeUndefined();
    expect(parseBoolean('  ', 'X')).toBeUndefined();
  });

  describe.each(['LANGSMITH_OTEL_ENABLED'])('%s', (name) => {
    it.each(WORDS)('%j → %s', (value, expected) => expect(isBridgeEnabled({ [name]: value })).toBe(expected));
    it.each(INVALID)('%j → error', (value) => expect(() => isBridgeEnabled({ [name]: value })).toThrow(`${name}=${value}`));
  });
  // Issue 12: OTEL_ENABLED is the langsmith SDK's legacy OTel-mode flag, not an OpenTelemetry variable.
  it.each(['true', 'on', 'maybe'])('OTEL_ENABLED=%s neither switches the bridge on nor is read as a setting', (value) => {
    expect(isBridgeEnabled({ OTEL_ENABLED: value })).toBe(false);
  });

  describe.each([
    ['LANGSMITH_OTEL_PRINT', (c: ReturnType<typeof resolveConfig>) => c.printTrees],
    ['LANGSMITH_OTEL_QUIET', (c: ReturnType<typeof resolveConfig>) => c.quiet],
    ['LANGSMITH_OTEL_TRUST', (c: ReturnType<typeof resolveConfig>) => c.trust],
  ] as const)('%s', (name, pick) => {
    it.each(WORDS)('%j → %s', (value, expected) => expect(pick(resolveConfig({ env: { [name]: value } }))).toBe(expected));
  });

  it.each(INVALID)('PRINT and QUIET reject %j; TRUST reads it as a CIDR block and rejects it too', (value) => {
    for (const name of ['LANGSMITH_OTEL_PRINT', 'LANGSMITH_OTEL_QUIET', 'LANGSMITH_OTEL_TRUST']) {
      expect(() => resolveConfig({ env: { [name]: value } }), name).toThrow(BridgeConfigError);
    }
  });
});

describe('the langsmith SDK hears the same boolean as the bridge', () => {
  it.each([
    ['LANGSMITH_OTEL_ENABLED=1', { LANGSMITH_OTEL_ENABLED: '1' }, 'otel'],
    ['LANGSMITH_OTEL_ENABLED=YES', { LANGSMITH_OTEL_ENABLED: 'YES' }, 'otel'],
    ['LANGSMITH_OTEL_ENABLED=true (the SDK reads it itself)', { LANGSMITH_OTEL_ENABLED: 'true' }, undefined],
    ['an explicit LANGSMITH_TRACING_MODE is left alone', { LANGSMITH_OTEL_ENABLED: 'yes', LANGSMITH_TRACING_MODE: 'langsmith' }, 'langsmith'],
  ] as const)('%s', async (_rule, vars, mode) => {
    const { alignSdkTracingMode } = await import('../src/setup/langsmith-sdk.js');
    const env: Record<string, string | undefined> = { ...vars };
    expect(isBridgeEnabled(env)).toBe(true);
    alignSdkTracingMode(env);
    expect(env.LANGSMITH_TRACING_MODE).toBe(mode);
  });
});
