/**
 * The LangSmith members of `baggage` (langsmith.md §1): safe decoding of
 * metadata, tags and project, and byte-for-byte the encoding of the real
 * `langsmith` package's `RunTree.toHeaders()`.
 */
import { RunTree } from 'langsmith';
import { describe, expect, it } from 'vitest';
import { parseBaggage } from '../../src/headers/baggage.js';
import { LangSmithBaggage, decodeMetadata, decodeProject, decodeTags, type LangSmithBaggageInit } from '../../src/headers/langsmith-baggage.js';
import { MAX_METADATA_BYTES, MAX_PROJECT_LENGTH, MAX_TAG_LENGTH, MAX_TAGS } from '../../src/constants.js';

const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

/** Every own key at every depth. */
function allKeys(value: unknown, out: string[] = []): string[] {
  if (value !== null && typeof value === 'object') {
    for (const key of Reflect.ownKeys(value)) {
      out.push(String(key));
      allKeys((value as Record<string | symbol, unknown>)[key], out);
    }
  }
  return out;
}

/** A deep merge as naive as the ones that made prototype pollution famous. */
function naiveMerge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value !== null && typeof value === 'object') {
      if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
      naiveMerge(target[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
  return target;
}

describe('decodeMetadata', () => {
  it.each([
    ['a flat object', '{"a":"b","n":1}', { a: 'b', n: 1 }],
    ['a nested object with arrays and null', '{"a":{"b":[1,{"c":null}]},"t":true}', { a: { b: [1, { c: null }] }, t: true }],
    ['unicode values', '{"user":"ü😀中"}', { user: 'ü😀中' }],
    ['Python json.dumps spacing and \\u escapes', '{"user": "\\u00fc", "n": 1}', { user: 'ü', n: 1 }],
    ['a top-level "__proto__" is removed', '{"__proto__":{"polluted":1},"a":1}', { a: 1 }],
    ['a top-level "constructor" is removed', '{"constructor":{"prototype":{"polluted":1}},"a":1}', { a: 1 }],
    ['a top-level "prototype" is removed', '{"prototype":{"polluted":1},"a":1}', { a: 1 }],
    ['a nested "__proto__" is removed', '{"a":{"b":{"__proto__":{"polluted":1},"c":2}}}', { a: { b: { c: 2 } } }],
    ['a "__proto__" inside an array element is removed', '{"a":[{"__proto__":{"polluted":1},"c":3}]}', { a: [{ c: 3 }] }],
    ['a nested "constructor.prototype" is removed', '{"a":{"constructor":{"prototype":{"polluted":1}}}}', { a: {} }],
    ['an object of exactly MAX_METADATA_BYTES bytes', `{"a":"${'x'.repeat(MAX_METADATA_BYTES - 8)}"}`, { a: 'x'.repeat(MAX_METADATA_BYTES - 8) }],
  ])('%s', (_name, json, expected) => {
    const metadata = decodeMetadata(json);
    expect(metadata).toEqual(expected);
    expect(allKeys(metadata).filter((k) => FORBIDDEN.includes(k))).toEqual([]);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
  });

  it.each([
    ['undefined', undefined],
    ['the empty string', ''],
    ['invalid JSON', '{"a":'],
    ['single quotes', "{'a':1}"],
    ['an array', '[1,2]'],
    ['an array of objects', '[{"a":1}]'],
    ['a string', '"s"'],
    ['a number', '1'],
    ['null', 'null'],
    ['true', 'true'],
    ['an empty object', '{}'],
    ['an object whose only key is "__proto__"', '{"__proto__":{"polluted":1}}'],
    ['one byte over MAX_METADATA_BYTES', `{"a":"${'x'.repeat(MAX_METADATA_BYTES - 7)}"}`],
    ['over MAX_METADATA_BYTES in UTF-8 bytes though not in characters', `{"a":"${'é'.repeat(MAX_METADATA_BYTES / 2)}"}`],
  ])('gives undefined for %s', (_name, json) => {
    expect(decodeMetadata(json)).toBeUndefined();
  });

  it.each([
    ['Object.assign', (m: Record<string, unknown>) => Object.assign({}, m)],
    ['object spread', (m: Record<string, unknown>) => ({ ...m })],
    ['a naive deep merge', (m: Record<string, unknown>) => naiveMerge({}, m)],
    ['a naive deep merge into an existing object', (m: Record<string, unknown>) => naiveMerge({ a: {} }, m)],
  ])('its result cannot pollute Object.prototype through %s', (_name, use) => {
    const attacks = [
      '{"__proto__":{"polluted":"yes"},"a":1}',
      '{"a":{"__proto__":{"polluted":"yes"}},"b":1}',
      '{"constructor":{"prototype":{"polluted":"yes"}},"a":1}',
      '{"a":{"constructor":{"prototype":{"polluted":"yes"}}},"b":1}',
    ];
    try {
      for (const json of attacks) {
        const metadata = decodeMetadata(json);
        expect(metadata).toBeDefined();
        const merged = use(metadata!);
        expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });

  it('the naive merge does pollute when given JSON.parse output (the test can fail)', () => {
    try {
      naiveMerge({}, JSON.parse('{"__proto__":{"polluted":"yes"}}') as Record<string, unknown>);
      expect(({} as Record<string, unknown>).polluted).toBe('yes');
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });
});

describe('decodeTags', () => {
  it.each([
    ['one tag', 'a', ['a']],
    ['keeps order', 'b,a,c', ['b', 'a', 'c']],
    ['trims each tag', ' a , b\t,c ', ['a', 'b', 'c']],
    ['drops empty tags', 'a,,b, ,', ['a', 'b']],
    ['drops duplicates, keeping the first', 'a,b,a,b,c', ['a', 'b', 'c']],
    ['dedups after trimming', 'a, a', ['a']],
    ['keeps inner spaces and unicode', 'x y,ü😀', ['x y', 'ü😀']],
    ['drops a tag with a control character', 'a,b\u0000c,d\ne,f\u007f,g', ['a', 'g']],
    [`keeps a ${MAX_TAG_LENGTH}-character tag`, 't'.repeat(MAX_TAG_LENGTH), ['t'.repeat(MAX_TAG_LENGTH)]],
    [`drops a ${MAX_TAG_LENGTH + 1}-character tag`, `a,${'t'.repeat(MAX_TAG_LENGTH + 1)},b`, ['a', 'b']],
  ])('%s', (_name, list, tags) => {
    expect(decodeTags(list)).toEqual(tags);
  });

  it(`keeps the first ${MAX_TAGS} distinct tags`, () => {
    const list = Array.from({ length: MAX_TAGS + 36 }, (_, i) => `t${i}`).join(',');
    const tags = decodeTags(list)!;
    expect(tags).toHaveLength(MAX_TAGS);
    expect(tags.at(-1)).toBe(`t${MAX_TAGS - 1}`);
  });

  it('duplicates do not use up the tag limit', () => {
    const list = [...Array(200).fill('dup'), ...Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`)].join(',');
    expect(decodeTags(list)).toHaveLength(MAX_TAGS);
  });

  it.each([
    ['undefined', undefined],
    ['the empty string', ''],
    ['only commas and spaces', ' , ,, '],
    ['only control characters', '\u0001,\u0002'],
  ])('gives undefined for %s', (_name, list) => {
    expect(decodeTags(list)).toBeUndefined();
  });
});

describe('decodeProject', () => {
  it.each([
    ['a plain name', 'my-project', 'my-project'],
    ['trims surrounding whitespace', '  my-project\t', 'my-project'],
    ['keeps reserved characters and unicode', "p/q r;s,t=u%v!*'()ü😀", "p/q r;s,t=u%v!*'()ü😀"],
    [`keeps ${MAX_PROJECT_LENGTH} characters`, 'p'.repeat(MAX_PROJECT_LENGTH), 'p'.repeat(MAX_PROJECT_LENGTH)],
  ])('%s', (_name, value, project) => {
    expect(decodeProject(value)).toBe(project);
  });

  it.each([
    ['undefined', undefined],
    ['the empty string', ''],
    ['only whitespace', '  \t '],
    ['a newline inside (header injection)', 'a\nb'],
    ['a carriage return inside', 'a\rb'],
    ['a NUL', 'a\u0000b'],
    ['DEL', 'a\u007fb'],
    ['an escape character', '\u001b[31mred'],
    [`${MAX_PROJECT_LENGTH + 1} characters`, 'p'.repeat(MAX_PROJECT_LENGTH + 1)],
  ])('rejects %s', (_name, value) => {
    expect(decodeProject(value)).toBeUndefined();
  });
});

describe('LangSmithBaggage', () => {
  it('fromMembers writes members in the order metadata, tags, project', () => {
    const baggage = LangSmithBaggage.fromMembers('{"a":1}', 'x,y', 'p q');
    expect(baggage.members).toEqual(['langsmith-metadata=%7B%22a%22%3A1%7D', 'langsmith-tags=x%2Cy', 'langsmith-project=p%20q']);
    expect(baggage.isEmpty).toBe(false);
    expect(baggage.metadata).toEqual({ a: 1 });
    expect(baggage.tags).toEqual(['x', 'y']);
    expect(baggage.project).toBe('p q');
  });

  it('relays a member re-encoded as RunTree.toHeaders() would (a Python-encoded project comes out JS-encoded)', () => {
    const baggage = LangSmithBaggage.fromMembers(undefined, undefined, 'p/β (v2)');
    expect(baggage.members).toEqual(['langsmith-project=p%2F%CE%B2%20(v2)']);
    expect(baggage.project).toBe('p/β (v2)');
  });

  it.each([
    ['metadata that is not a JSON object', '[1,2]', undefined, undefined],
    ['metadata that is not JSON (RunTree.fromHeaders would throw SyntaxError)', '{"a":', undefined, undefined],
    ['metadata over 4 KiB', `{"a":"${'x'.repeat(MAX_METADATA_BYTES)}"}`, undefined, undefined],
    ['tags that are all empty', undefined, ',,', undefined],
    ['a project with a line feed', undefined, undefined, 'a\nb'],
    ['a project with NUL', undefined, undefined, 'a\u0000b'],
    ['a project with CR', undefined, undefined, 'a\rb'],
    ['a project over 512 characters', undefined, undefined, 'p'.repeat(MAX_PROJECT_LENGTH + 1)],
  ])('relays nothing it could not decode: %s', (_rule, metadata, tags, project) => {
    const baggage = LangSmithBaggage.fromMembers(metadata, tags, project);
    expect(baggage.members).toEqual([]);
    expect([baggage.metadata, baggage.tags, baggage.project]).toEqual([undefined, undefined, undefined]);
  });

  it('relays the valid members of a mixed set and drops the rest', () => {
    const baggage = LangSmithBaggage.fromMembers('{"a":', 'x, x ,y', 'p\r\nX-Injected: 1');
    expect(baggage.members).toEqual(['langsmith-tags=x%2Cy']);
  });

  it.each([
    ['no values', {}],
    ['empty values', { metadata: {}, tags: [], project: '' }],
  ])('is empty for %s', (_name, init) => {
    const baggage = LangSmithBaggage.from(init);
    expect(baggage.isEmpty).toBe(true);
    expect(baggage.members).toEqual([]);
  });
});

describe('LangSmithBaggage.from matches RunTree.toHeaders().baggage byte for byte', () => {
  const cases: [string, Required<LangSmithBaggageInit>][] = [
    ['plain ASCII', { metadata: { user: 'alice', n: 1 }, tags: ['a', 'b'], project: 'my-project' }],
    ['unicode (2-, 3- and 4-byte UTF-8)', { metadata: { user: 'ü', cjk: '中文', emoji: '😀' }, tags: ['ü-tag', '😀'], project: 'projekt-ü-😀' }],
    [
      "reserved characters: !*'() / ; , = % & ? # + space",
      {
        metadata: { a: "!*'()", b: '/;,=%&?#+ ', 'k e/y': '"quoted"' },
        tags: ['a b', 'c/d', "e!*'()", 'f%20g'],
        project: "p/q r;s=t%u!*'()&?#+",
      },
    ],
    [
      'nested metadata with arrays, null, numbers and booleans',
      { metadata: { a: { b: [1, 2.5, null, true, { c: 'd' }] }, e: false }, tags: ['x'], project: 'p' },
    ],
    ['metadata only (no tags)', { metadata: { a: 1 }, tags: [], project: 'p' }],
    ['tags only (empty metadata)', { metadata: {}, tags: ['only'], project: 'p' }],
    ['project only', { metadata: {}, tags: [], project: 'p' }],
    ['JSON escapes in metadata (quotes, backslash, newline, control)', { metadata: { s: 'a"b\\c\nd\u0001' }, tags: ['t'], project: 'p' }],
  ];

  it.each(cases)('%s', (_name, { metadata, tags, project }) => {
    const runTree = new RunTree({
      name: 'x',
      project_name: project,
      tags: [...tags],
      extra: { metadata },
      tracingEnabled: false,
    });
    const expected = runTree.toHeaders().baggage;
    const ours = LangSmithBaggage.from({ metadata, tags, project });
    expect(ours.members.join(',')).toBe(expected);
    expect(ours.members).toEqual(expected.split(','));

    // And the header decodes back to the same values.
    const parsed = parseBaggage(expected).members;
    const value = (key: string) => parsed.find((m) => m.key === key)?.value;
    const decoded = LangSmithBaggage.fromMembers(value('langsmith-metadata'), value('langsmith-tags'), value('langsmith-project'));
    expect(decoded.metadata).toEqual(Object.keys(metadata).length > 0 ? metadata : undefined);
    expect(decoded.tags).toEqual(tags.length > 0 ? tags : undefined);
    expect(decoded.project).toBe(project);
    expect(decoded.members).toEqual(ours.members);
  });

  it.each(cases)('RunTree.fromHeaders reads ours back: %s', (_name, { metadata, tags, project }) => {
    const baggage = LangSmithBaggage.from({ metadata, tags, project }).members.join(',');
    const runTree = RunTree.fromHeaders(
      { 'langsmith-trace': '20250102T030405678001Z019424f8-632e-7000-8000-008074abbf4d', baggage },
      { tracingEnabled: false },
    );
    expect(runTree?.project_name).toBe(project);
    expect(runTree?.tags ?? []).toEqual(tags);
    expect(runTree?.extra?.metadata ?? {}).toMatchObject(metadata);
  });
});
