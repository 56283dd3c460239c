/**
 * W3C `baggage`: member grammar, properties, OWS, percent decoding of both
 * SDKs' encodings, per-member drop, and the 64-member / 8192-byte limits.
 */
import { describe, expect, it } from 'vitest';
import { formatBaggageMember, joinBaggage, parseBaggage, percentDecode, utf8Length } from '../../src/headers/baggage.js';
import { MAX_BAGGAGE_BYTES, MAX_BAGGAGE_MEMBERS } from '../../src/constants.js';

/** A member `k<i>=vvv…` exactly `length` characters long. */
function member(i: number, length: number): string {
  const head = `k${i}=`;
  return head + 'v'.repeat(length - head.length);
}

function keys(header: string): string[] {
  return parseBaggage(header).members.map((m) => m.key);
}

describe('parseBaggage', () => {
  describe('parses', () => {
    it.each([
      // name, header, [key, value, rawValue, properties][]
      ['one member', 'key1=value1', [['key1', 'value1', 'value1', undefined]]],
      [
        'two members',
        'key1=value1,key2=value2',
        [
          ['key1', 'value1', 'value1', undefined],
          ['key2', 'value2', 'value2', undefined],
        ],
      ],
      ['an empty value', 'key1=', [['key1', '', '', undefined]]],
      ['an "=" inside the value', 'key1=a=b', [['key1', 'a=b', 'a=b', undefined]]],
      ['one property', 'key1=value1;property1', [['key1', 'value1', 'value1', 'property1']]],
      ['several properties, kept as received', 'key1=value1;property1;property2=p2', [['key1', 'value1', 'value1', 'property1;property2=p2']]],
      ['OWS around ";"', 'key1=value1 ; p1 ', [['key1', 'value1', 'value1', 'p1']]],
      ['an empty property list is absent', 'key1=value1;', [['key1', 'value1', 'value1', undefined]]],
      ['OWS around "="', 'key1 = value1', [['key1', 'value1', 'value1', undefined]]],
      [
        'OWS around ","',
        ' key1=v1 ,\tkey2=v2\t, key3=v3 ',
        [
          ['key1', 'v1', 'v1', undefined],
          ['key2', 'v2', 'v2', undefined],
          ['key3', 'v3', 'v3', undefined],
        ],
      ],
      [
        'empty members are skipped',
        'key1=v1,,  ,key2=v2',
        [
          ['key1', 'v1', 'v1', undefined],
          ['key2', 'v2', 'v2', undefined],
        ],
      ],
      ['token punctuation in the key', "k!#$&'*+-.^_`|~=v", [["k!#$&'*+-.^_`|~", 'v', 'v', undefined]]],
      ['a percent-encoded key', 'my%20key=v', [['my key', 'v', 'v', undefined]]],
      [
        'a duplicated key is kept twice, in order',
        'k=1,k=2',
        [
          ['k', '1', '1', undefined],
          ['k', '2', '2', undefined],
        ],
      ],
      ['"+" is not a space', 'k=a+b', [['k', 'a+b', 'a+b', undefined]]],
    ])('%s', (_name, header, expected) => {
      const parsed = parseBaggage(header);
      expect(parsed.members).toEqual(
        (expected as [string, string, string, string | undefined][]).map(([key, value, rawValue, properties]) => ({
          key,
          value,
          rawValue,
          properties,
        })),
      );
      expect(parsed.dropped).toBe(0);
    });
  });

  describe('percent-decodes', () => {
    it.each([
      // name, raw value, decoded
      ['JS encodeURIComponent of reserved and unicode text', "a%20b%2Fc!*'()%C3%BC%F0%9F%98%80%2B~", "a b/c!*'()ü😀+~"],
      ['Python quote of the same text ("/" raw; !*\'() escaped)', 'a%20b/c%21%2A%27%28%29%C3%BC%F0%9F%98%80%2B~', "a b/c!*'()ü😀+~"],
      ['JS-encoded JSON', '%7B%22user%22%3A%22%C3%BC%2Fx%22%2C%22n%22%3A1%7D', '{"user":"ü/x","n":1}'],
      ['Python-encoded JSON (json.dumps spacing, \\u escapes)', '%7B%22user%22%3A%20%22%5Cu00fc/x%22%2C%20%22n%22%3A%201%7D', '{"user": "\\u00fc/x", "n": 1}'],
      ['lowercase hex digits', '%c3%bc', 'ü'],
      ['a raw "+"', 'a+b', 'a+b'],
      ['an encoded "+"', 'a%2Bb', 'a+b'],
      ['an encoded "%"', '100%25', '100%'],
      ['no "%" at all', 'plain', 'plain'],
    ])('%s', (_name, raw, decoded) => {
      const parsed = parseBaggage(`k=${raw}`);
      expect(parsed.members).toHaveLength(1);
      expect(parsed.members[0]!.value).toBe(decoded);
      expect(parsed.members[0]!.rawValue).toBe(raw);
      expect(percentDecode(raw)).toBe(decoded);
    });
  });

  describe('drops only the malformed member', () => {
    it.each([
      ['a lone "%"', 'k=%'],
      ['"%" and one hex digit', 'k=%4'],
      ['"%" and non-hex digits', 'k=%G1'],
      ['"%ZZ"', 'k=%ZZ'],
      ['a truncated UTF-8 sequence', 'k=%C3'],
      ['an invalid UTF-8 byte', 'k=%FF'],
      ['an encoded lone surrogate (CESU-8)', 'k=%ED%A0%80'],
      ['a broken "%" in the key', 'k%=v'],
      ['an empty key', '=v'],
      ['only properties', ';p=1'],
      ['no "="', 'key'],
      ['a space inside the key', 'my key=v'],
      ['a separator in the key', '(k)=v'],
      ['a "/" in the key', 'a/b=v'],
      ['a space inside the value', 'k=a b'],
      ['a DQUOTE in the value', 'k=a"b'],
      ['a backslash in the value', 'k=a\\b'],
      ['a non-ASCII value', 'k=é'],
      ['a control character in the value', 'k=a\u0001b'],
      ['a non-ASCII key', 'ké=v'],
    ])('%s', (_name, bad) => {
      const parsed = parseBaggage(`a=1,${bad},b=2`);
      expect(parsed.members.map((m) => [m.key, m.value])).toEqual([
        ['a', '1'],
        ['b', '2'],
      ]);
      expect(parsed.dropped).toBe(1);
    });
  });

  it.each([
    ['the empty string', ''],
    ['only OWS', ' \t '],
    ['only commas', ',,,'],
  ])('returns no members for %s', (_name, header) => {
    expect(parseBaggage(header)).toEqual({ members: [], dropped: 0 });
  });

  describe('limits', () => {
    it(`keeps exactly ${MAX_BAGGAGE_MEMBERS} members`, () => {
      const header = Array.from({ length: MAX_BAGGAGE_MEMBERS }, (_, i) => `k${i}=v`).join(',');
      expect(parseBaggage(header)).toMatchObject({ dropped: 0 });
      expect(parseBaggage(header).members).toHaveLength(MAX_BAGGAGE_MEMBERS);
    });

    it(`drops members past the ${MAX_BAGGAGE_MEMBERS}th, keeping the first ones`, () => {
      const header = Array.from({ length: MAX_BAGGAGE_MEMBERS + 6 }, (_, i) => `k${i}=v`).join(',');
      const parsed = parseBaggage(header);
      expect(parsed.members).toHaveLength(MAX_BAGGAGE_MEMBERS);
      expect(parsed.members.at(-1)!.key).toBe(`k${MAX_BAGGAGE_MEMBERS - 1}`);
      expect(parsed.dropped).toBe(6);
    });

    it('malformed members do not use up the member limit', () => {
      const header = ['bad', ...Array.from({ length: MAX_BAGGAGE_MEMBERS }, (_, i) => `k${i}=v`)].join(',');
      const parsed = parseBaggage(header);
      expect(parsed.members).toHaveLength(MAX_BAGGAGE_MEMBERS);
      expect(parsed.dropped).toBe(1);
    });

    it(`keeps a header of exactly ${MAX_BAGGAGE_BYTES} bytes whole`, () => {
      // 7 members of 1023 bytes, one of 1024, 7 commas: 8192 bytes.
      const header = [...Array.from({ length: 7 }, (_, i) => member(i, 1023)), member(7, 1024)].join(',');
      expect(header).toHaveLength(MAX_BAGGAGE_BYTES);
      const parsed = parseBaggage(header);
      expect(parsed.members).toHaveLength(8);
      expect(parsed.dropped).toBe(0);
    });

    it(`drops the whole member that crosses ${MAX_BAGGAGE_BYTES} bytes, never a part of it`, () => {
      const header = [...Array.from({ length: 7 }, (_, i) => member(i, 1023)), member(7, 1025)].join(',');
      expect(header).toHaveLength(MAX_BAGGAGE_BYTES + 1);
      const parsed = parseBaggage(header);
      expect(parsed.members.map((m) => m.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
      expect(parsed.members.every((m) => m.value.length === 1020)).toBe(true);
      expect(parsed.dropped).toBe(1);
    });

    it('drops a single member longer than the limit', () => {
      const parsed = parseBaggage(member(0, MAX_BAGGAGE_BYTES + 1));
      expect(parsed.members).toEqual([]);
      expect(parsed.dropped).toBe(1);
    });

    it('keeps the whole members before a limit-crossing one in a long header', () => {
      const header = `a=1,b=2,${member(2, 20_000)},c=3`;
      expect(keys(header)).toEqual(['a', 'b']);
    });
  });
});

describe('formatBaggageMember', () => {
  it.each([
    // name, key, value, properties, member
    ['a plain member', 'k', 'v', undefined, 'k=v'],
    ['encodes the value as encodeURIComponent', 'k', "a b/c!*'()ü,;=%", undefined, "k=a%20b%2Fc!*'()%C3%BC%2C%3B%3D%25"],
    ['encodes the key', 'my key', 'v', undefined, 'my%20key=v'],
    ['appends properties verbatim', 'k', 'v', 'p1;p2=x', 'k=v;p1;p2=x'],
    ['an empty property string adds nothing', 'k', 'v', '', 'k=v'],
    ['an empty value', 'k', '', undefined, 'k='],
  ])('%s', (_name, key, value, properties, expected) => {
    const formatted = formatBaggageMember(key, value, properties);
    expect(formatted).toBe(expected);
    const parsed = parseBaggage(formatted).members;
    expect(parsed.map((m) => [m.key, m.value])).toEqual([[key, value]]);
  });

  it.each([
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', 'a\udc00b'],
    ['a reversed pair', '\udc00\ud800'],
  ])('never throws, even for %s (replaced by U+FFFD)', (_name, value) => {
    const formatted = formatBaggageMember('k', value);
    expect(parseBaggage(formatted).members[0]!.value).toBe(value.replace(/[\ud800-\udfff]/g, '\ufffd'));
  });
});

describe('joinBaggage', () => {
  it.each([
    // name, members, header, dropped
    ['nothing', [], '', 0],
    ['one member', ['a=1'], 'a=1', 0],
    ['joins with a bare ","', ['a=1', 'b=2', 'c=3'], 'a=1,b=2,c=3', 0],
  ])('%s', (_name, members, header, dropped) => {
    expect(joinBaggage(members)).toEqual({ header, dropped });
  });

  it(`keeps the first ${MAX_BAGGAGE_MEMBERS} members`, () => {
    const members = Array.from({ length: MAX_BAGGAGE_MEMBERS + 3 }, (_, i) => `k${i}=v`);
    const { header, dropped } = joinBaggage(members);
    expect(header).toBe(members.slice(0, MAX_BAGGAGE_MEMBERS).join(','));
    expect(dropped).toBe(3);
  });

  it(`fills exactly ${MAX_BAGGAGE_BYTES} bytes`, () => {
    const { header, dropped } = joinBaggage([member(0, 4096), member(1, 4095)]);
    expect(header).toHaveLength(MAX_BAGGAGE_BYTES);
    expect(dropped).toBe(0);
  });

  it('leaves out a whole member that would cross the byte limit, and keeps later ones that fit', () => {
    const big = member(1, 4096);
    const { header, dropped } = joinBaggage([member(0, 4096), big, 'c=3']);
    expect(header).toBe(`${member(0, 4096)},c=3`);
    expect(dropped).toBe(1);
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    // 'é' is one UTF-16 unit but two UTF-8 bytes: 2 × 4097 + 1 > 8192.
    const { header, dropped } = joinBaggage([`a=${'é'.repeat(2000)}`, `b=${'é'.repeat(2100)}`]);
    expect(header).toBe(`a=${'é'.repeat(2000)}`);
    expect(dropped).toBe(1);
  });

  it('its output parses back to the same members', () => {
    const members = [formatBaggageMember('k1', 'ü v'), formatBaggageMember('k2', 'x', 'p=1')];
    const parsed = parseBaggage(joinBaggage(members).header).members;
    expect(parsed.map((m) => [m.key, m.value, m.properties])).toEqual([
      ['k1', 'ü v', undefined],
      ['k2', 'x', 'p=1'],
    ]);
  });
});

describe('utf8Length', () => {
  it.each([
    ['the empty string', '', 0],
    ['ASCII', 'abc', 3],
    ['a 2-byte character', 'é', 2],
    ['a 3-byte character', '€', 3],
    ['an astral character (surrogate pair)', '😀', 4],
    ['astral characters between ASCII', 'a😀b𝄞c', 11],
    ['a lone high surrogate (encoded as U+FFFD)', '\ud800', 3],
    ['a lone low surrogate', '\udc00', 3],
    ['a lone high surrogate before ASCII', '\ud800a', 4],
    ['a lone high surrogate before a 2-byte character', '\ud800é', 5],
    ['two high surrogates', '\ud800\ud800', 6],
    ['a high surrogate before a pair', '\ud800\ud83d\ude00', 7],
  ])('%s', (_name, value, bytes) => {
    expect(utf8Length(value)).toBe(bytes);
    expect(utf8Length(value)).toBe(Buffer.byteLength(value, 'utf8'));
  });
});
