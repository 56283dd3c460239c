/**
 * W3C `tracestate` at strict level 2: the level-2 key grammar, whole-header
 * discard, the 32-member limit, and the immutable W3CTraceState.
 */
import { describe, expect, it } from 'vitest';
import { W3CTraceState, isValidTraceStateKey, isValidTraceStateValue, parseTraceState } from '../../src/headers/tracestate.js';
import { MAX_TRACE_STATE_LENGTH } from '../../src/constants.js';

const LCALPHA = 'abcdefghijklmnopqrstuvwxyz';
/** Every key character: lcalpha, DIGIT and `_ - * /`. */
const ALL_KEY_CHARS = LCALPHA + '0123456789_-*/';
/** Every value character: %x20-2B / %x2D-3C / %x3E-7E (starts with a space). */
const ALL_VALUE_CHARS = range(0x20, 0x2b) + range(0x2d, 0x3c) + range(0x3e, 0x7e);

function range(from: number, to: number): string {
  let out = '';
  for (let c = from; c <= to; c++) out += String.fromCharCode(c);
  return out;
}

function members(count: number): string {
  return Array.from({ length: count }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i + 1}`).join(',');
}

describe('parseTraceState', () => {
  describe('keeps', () => {
    it.each([
      // name, header, serialized
      ['one member', 'foo=1', 'foo=1'],
      ['two members, in header order', 'foo=1,bar=2', 'foo=1,bar=2'],
      ['OWS around commas (spaces and tabs)', 'foo=1 \t , \t bar=2, \t baz=3', 'foo=1,bar=2,baz=3'],
      ['OWS: tabs and spaces mixed', 'foo=1\t \t,\t \tbar=2,\t \tbaz=3', 'foo=1,bar=2,baz=3'],
      ['OWS: a leading space', ' foo=1', 'foo=1'],
      ['OWS: a leading tab', '\tfoo=1', 'foo=1'],
      ['OWS: a trailing space', 'foo=1 ', 'foo=1'],
      ['OWS: a trailing tab', 'foo=1\t', 'foo=1'],
      ['OWS: both ends', '\t foo=1 \t', 'foo=1'],
      ['empty list members are skipped', 'foo=1,,bar=2', 'foo=1,bar=2'],
      ['a member of only OWS is skipped', 'foo=1, \t ,bar=2', 'foo=1,bar=2'],
      ['Node joining a second, empty header line', 'foo=1, ', 'foo=1'],
      ['Node joining an empty first header line', ', foo=1', 'foo=1'],
      ['several header lines joined in order', 'foo=1,bar=2, rojo=1,congo=2, baz=3', 'foo=1,bar=2,rojo=1,congo=2,baz=3'],
      ['duplicated keys keep the first (same value)', 'foo=1,foo=1', 'foo=1'],
      ['duplicated keys keep the first (different values)', 'foo=1,foo=2', 'foo=1'],
      ['duplicated keys across joined lines keep the first', 'foo=1, bar=2, foo=3', 'foo=1,bar=2'],
      ['a key that starts with a digit', '1foo=1', '1foo=1'],
      ['a vendor key: tenant@vendor', 'tenant@vendor=1', 'tenant@vendor=1'],
      ['level 2: a key ending in "@"', 'foo@=1,bar=2', 'foo@=1,bar=2'],
      ['level 2: a key with "@@"', 'foo@@bar=1,bar=2', 'foo@@bar=1,bar=2'],
      ['level 2: a key with two "@"', 'foo@bar@baz=1,bar=2', 'foo@bar@baz=1,bar=2'],
      ['every key character', `${ALL_KEY_CHARS}=1`, `${ALL_KEY_CHARS}=1`],
      ['every key character with a vendor', `${ALL_KEY_CHARS}@a-z0-9_-*/=1`, `${ALL_KEY_CHARS}@a-z0-9_-*/=1`],
      ['every value character (the value starts with a space)', `foo=${ALL_VALUE_CHARS}`, `foo=${ALL_VALUE_CHARS}`],
      ['a value with an inner space', 'foo=a b', 'foo=a b'],
      ['a 256-character key', `${'z'.repeat(256)}=1`, `${'z'.repeat(256)}=1`],
      ['a 256-character key: t*241 @ v*14', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`, `${'t'.repeat(241)}@${'v'.repeat(14)}=1`],
      ['a 256-character key: t*242 @ v', `${'t'.repeat(242)}@v=1`, `${'t'.repeat(242)}@v=1`],
      ['a short tenant and a 15-character vendor', `t@${'v'.repeat(15)}=1`, `t@${'v'.repeat(15)}=1`],
      ['a 256-character value', `foo=${'v'.repeat(256)}`, `foo=${'v'.repeat(256)}`],
      ['exactly 32 members', members(32), members(32)],
    ])('%s', (_name, header, serialized) => {
      const state = parseTraceState(header);
      expect(state).toBeInstanceOf(W3CTraceState);
      expect(state!.serialize()).toBe(serialized);
    });

    it('gets values by key, including the first of a duplicated key', () => {
      const state = parseTraceState('foo=1,bar= 2,foo=3')!;
      expect(state.get('foo')).toBe('1');
      expect(state.get('bar')).toBe(' 2');
      expect(state.get('baz')).toBeUndefined();
      expect(state.size).toBe(2);
    });

    it('32 members: the first member is kept and size is 32', () => {
      const state = parseTraceState(members(32))!;
      expect(state.get('bar01')).toBe('1');
      expect(state.size).toBe(32);
    });
  });

  describe('discards the whole header for', () => {
    it.each([
      ['the empty string', ''],
      ['only OWS', ' \t '],
      ['only commas', ',,,'],
      ['a space before "="', 'foo =1'],
      ['a space after "=" with an empty value', 'foo= '],
      ['an uppercase key', 'FOO=1'],
      ['an uppercase vendor', 'foo@BAR=1'],
      ['a "." in the key', 'foo.bar=1'],
      ['a key starting with "@"', '@foo=1,bar=2'],
      ['a key starting with "_"', '_foo=1'],
      ['a key starting with "-"', '-foo=1'],
      ['a key starting with "*"', '*foo=1'],
      ['a key starting with "/"', '/foo=1'],
      ['a non-ASCII key', 'fö=1'],
      ['a 257-character key', `foo=1,${'z'.repeat(257)}=1`],
      ['a 257-character tenant@vendor key', `foo=1,${'t'.repeat(242)}@${'v'.repeat(14)}=1`],
      ['an empty value ("foo=")', 'foo='],
      ['an empty value before a valid member', 'foo=,bar=3'],
      ['an empty value after a valid member', 'bar=3,foo='],
      ['an "=" in the value', 'foo=bar=baz'],
      ['an empty key', '=1'],
      ['a member without "="', 'foo=1,bar'],
      ['a 257-character value', `foo=${'v'.repeat(257)}`],
      ['a non-ASCII value', 'foo=é'],
      ['a control character in the value', 'foo=a\u0001b'],
      ['DEL in the value', 'foo=a\u007fb'],
      ['a tab inside the value', 'foo=a\tb'],
      ['33 members', members(33)],
      ['33 members even when one is a duplicate', `${members(32)},bar01=9`],
      ['a header longer than MAX_TRACE_STATE_LENGTH', `foo=1,bar=${'v'.repeat(MAX_TRACE_STATE_LENGTH)}`],
    ])('%s', (_name, header) => {
      expect(parseTraceState(header)).toBeUndefined();
    });
  });
});

describe('isValidTraceStateKey / isValidTraceStateValue', () => {
  it.each([
    ['simple key', 'foo', true],
    ['key with vendor', 'foo@bar', true],
    ['256 characters', 'a'.repeat(256), true],
    ['257 characters', 'a'.repeat(257), false],
    ['empty', '', false],
    ['uppercase', 'Foo', false],
    ['"@" first', '@foo', false],
  ])('key: %s', (_name, key, valid) => {
    expect(isValidTraceStateKey(key)).toBe(valid);
  });

  it.each([
    ['simple value', 'bar', true],
    ['leading space', ' bar', true],
    ['trailing space (nblk-chr must end the value)', 'bar ', false],
    ['only a space', ' ', false],
    ['a comma', 'a,b', false],
    ['an "="', 'a=b', false],
    ['empty', '', false],
    ['256 characters', 'v'.repeat(256), true],
    ['257 characters', 'v'.repeat(257), false],
  ])('value: %s', (_name, value, valid) => {
    expect(isValidTraceStateValue(value)).toBe(valid);
  });
});

describe('W3CTraceState', () => {
  const base = parseTraceState('a=1,b=2,c=3')!;

  it.each([
    // name, operation, serialized
    ['set of a new key puts it first', (s: W3CTraceState) => s.set('d', '4'), 'd=4,a=1,b=2,c=3'],
    ['set of an existing key updates it and moves it first', (s: W3CTraceState) => s.set('c', '9'), 'c=9,a=1,b=2'],
    ['set of the first key keeps the order', (s: W3CTraceState) => s.set('a', '0'), 'a=0,b=2,c=3'],
    ['set with an invalid key is ignored', (s: W3CTraceState) => s.set('D', '4'), 'a=1,b=2,c=3'],
    ['set with an invalid value is ignored', (s: W3CTraceState) => s.set('d', 'x,y'), 'a=1,b=2,c=3'],
    ['set with an empty value is ignored', (s: W3CTraceState) => s.set('d', ''), 'a=1,b=2,c=3'],
    ['unset removes the key', (s: W3CTraceState) => s.unset('b'), 'a=1,c=3'],
    ['unset of a missing key changes nothing', (s: W3CTraceState) => s.unset('z'), 'a=1,b=2,c=3'],
    ['unset of every key serializes to ""', (s: W3CTraceState) => s.unset('a').unset('b').unset('c'), ''],
  ])('%s', (_name, operation, serialized) => {
    expect(operation(base).serialize()).toBe(serialized);
    expect(base.serialize()).toBe('a=1,b=2,c=3'); // immutable
  });

  it('returns the same instance when nothing changes', () => {
    expect(base.set('D', '4')).toBe(base);
    expect(base.unset('z')).toBe(base);
  });

  it('set on a full (32-member) state drops the last member', () => {
    const full = parseTraceState(members(32))!;
    const next = full.set('new', 'x');
    expect(next.size).toBe(32);
    expect(next.get('new')).toBe('x');
    expect(next.get('bar32')).toBeUndefined();
    expect(next.serialize().startsWith('new=x,bar01=1,')).toBe(true);
  });

  it('updating a key of a full state keeps every other member', () => {
    const full = parseTraceState(members(32))!;
    const next = full.set('bar32', 'x');
    expect(next.size).toBe(32);
    expect(next.get('bar31')).toBe('31');
    expect(next.serialize().startsWith('bar32=x,bar01=1,')).toBe(true);
  });

  it('an empty state serializes to "" and has size 0', () => {
    const empty = new W3CTraceState();
    expect(empty.serialize()).toBe('');
    expect(empty.size).toBe(0);
    expect(empty.set('k', 'v').serialize()).toBe('k=v');
  });

  it('serialize → parse gives back the same members', () => {
    const state = base.set('tenant@vendor', ' x y').unset('b');
    expect(parseTraceState(state.serialize())!.serialize()).toBe(state.serialize());
    expect(parseTraceState(state.serialize())!.get('tenant@vendor')).toBe(' x y');
  });
});
