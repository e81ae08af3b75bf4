import { jcs } from '../../src/domain/canonical';
import { readBundleJson } from '../../src/domain/bundle';
import {
  BundleUnreadable,
  DEFAULT_MAX_BUNDLE_BYTES,
  parseStrictJson,
  type StrictJsonOptions,
} from '../../src/domain/json';

/** The message parseStrictJson refuses text with (failing the test if it reads it). */
function refusal(text: string, opts?: StrictJsonOptions): string {
  try {
    parseStrictJson(text, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(BundleUnreadable);
    return (e as Error).message;
  }
  throw new Error(`read ${JSON.stringify(text).slice(0, 80)} without complaint`);
}

/** A small seeded generator (mulberry32), so a failing corpus case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [
  'a',
  'Z',
  '0',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  'é',
  '中',
  '\u202e',
  '\u2028',
  '\ufeff',
  '😀',
  '𠀀',
];

function randomString(r: () => number): string {
  const n = Math.floor(r() * 12);
  let s = '';
  for (let j = 0; j < n; j++) s += ALPHABET[Math.floor(r() * ALPHABET.length)] ?? '';
  return s;
}

function randomValue(r: () => number, depth: number): unknown {
  const kind = Math.floor(r() * (depth >= 6 ? 4 : 6));
  if (kind === 0) return null;
  if (kind === 1) return r() < 0.5;
  if (kind === 2) {
    const big = r() < 0.2 ? Number.MAX_SAFE_INTEGER : 1000;
    const v = Math.floor(r() * big) * (r() < 0.5 ? -1 : 1);
    return v === 0 ? 0 : v; // -0 is refused: not part of the valid corpus
  }
  if (kind === 3) return randomString(r);
  if (kind === 4) return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 5);
  for (let j = 0; j < n; j++) {
    const k =
      r() < 0.1 ? (['__proto__', 'constructor', 'prototype', 'toJSON'][j % 4] ?? 'x') : randomString(r);
    Object.defineProperty(o, k, {
      value: randomValue(r, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return o;
}

/** Deep sameness: equal scalars, the same prototype, the same own keys in the same order. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length || ka.some((k, j) => k !== kb[j])) return false;
  return ka.every((k) => same(Reflect.get(a, k), Reflect.get(b, k)));
}

describe('parseStrictJson reads valid JSON exactly as JSON.parse does', () => {
  it('on a generated corpus of 3,000 random values, in three layouts: deep-equal and JCS-equal', () => {
    const r = rng(20250101);
    for (let n = 0; n < 3000; n++) {
      const v = randomValue(r, 0);
      const text = JSON.stringify(v, null, [undefined, 2, '\t'][n % 3]);
      const ours = parseStrictJson(text);
      const theirs: unknown = JSON.parse(text);
      // toStrictEqual compares .constructor, which an own "constructor" key makes differ between any two
      // parses: walk both instead (prototypes, own keys in order, values).
      expect(same(ours, theirs)).toBe(true);
      expect(ours).toEqual(theirs);
      expect(jcs(ours)).toBe(jcs(theirs));
    }
  });

  it('reads every escape, surrogate pairs escaped or not, and the four whitespace characters', () => {
    const text =
      ' \t\r\n{ "s" : "\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u4E2D\\ud83d\\ude00😀" ,"n":[ -12 , 0 , true,false,null ] }\n';
    expect(parseStrictJson(text)).toStrictEqual(JSON.parse(text));
  });

  it('accepts the largest safe integers and any value at the top level', () => {
    expect(parseStrictJson('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseStrictJson('-9007199254740991')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(parseStrictJson('"x"')).toBe('x');
    expect(parseStrictJson('[]')).toEqual([]);
  });

  it('reads a 20 MB string, a string of 1,000,000 escapes and a 1,000,000-element array', () => {
    const long = 'x中'.repeat(10_000_000);
    expect(parseStrictJson(`["${long}"]`, { maxBytes: 100_000_000 })).toEqual([long]);
    const escaped = '\\n'.repeat(1_000_000);
    expect(parseStrictJson(`"${escaped}"`)).toBe('\n'.repeat(1_000_000));
    const arr = Array.from({ length: 1_000_000 }, (_, i) => i);
    expect(parseStrictJson(JSON.stringify(arr))).toEqual(arr);
  });
});

describe('parseStrictJson refuses, naming the problem', () => {
  it('a byte-order mark at the start', () => {
    expect(refusal('\ufeff{}')).toMatch(/starts with a byte-order mark \(BOM\)/);
  });

  it.each([
    ['a trailing comma in an array', '[1,2,]'],
    ['a trailing comma in an object', '{"a":1,}'],
    ['a comment', '{"a":1 /* c */}'],
    ['a line comment', '// c\n{}'],
    ['NaN', '[NaN]'],
    ['Infinity', '[-Infinity]'],
    ['a leading zero', '[01]'],
    ['a leading plus', '[+1]'],
    ['a no-break space as whitespace', '{\u00a0}'],
    ['U+2028 as whitespace', '[1,\u20282]'],
    ['a vertical tab as whitespace', '[\u000b1]'],
    ['single quotes', "{'a':1}"],
    ['an unquoted key', '{a:1}'],
    ['a missing colon', '{"a" 1}'],
    ['a missing comma', '[1 2]'],
    ['text after the value', '{} {}'],
    ['empty text', ''],
    ['an unterminated string', '"abc'],
    ['a raw control character in a string', '"a\u0001b"'],
    ['a raw newline in a string', '"a\nb"'],
    ['an unknown escape', '"\\x41"'],
    ['a short \\u escape', '"\\u12"'],
    ['a bare minus', '[-]'],
    ['an unclosed array', '[1'],
    ['True in capitals', 'True'],
  ])('not well-formed JSON: %s', (_name, text) => {
    expect(refusal(text)).toMatch(/not well-formed JSON/);
  });

  it('a duplicate key, with its path, in English and Chinese', () => {
    const text = '{"journal":[{},{},{},{"data":{"seed":"a","n":1,"seed":"b"}}]}';
    expect(refusal(text)).toMatch(/^duplicate key "seed" at \$\.journal\[3\]\.data \(重複的鍵\)/);
  });

  it('a duplicate key written two ways (a and \\u0061), and a duplicate __proto__', () => {
    expect(refusal('{"a":1,"\\u0061":2}')).toMatch(/duplicate key "a" at \$ /);
    expect(refusal('{"x":{"__proto__":1,"__proto__":2}}')).toMatch(/duplicate key "__proto__" at \$\.x /);
  });

  it('a duplicate key under a control or bidi character key, printed ASCII-safe', () => {
    const m = refusal('{"a\\u202e\\u001b[31m":{"k\\u2028":1,"k\\u2028":2}}');
    const english = m.slice(0, m.indexOf(' ('));
    expect(english).toBe('duplicate key "k\\u2028" at $["a\\u202e\\u001b[31m"]');
    expect(english).toMatch(/^[\x20-\x7e]*$/);
  });

  it('a very long key is cut short in the message', () => {
    const k = 'k'.repeat(10_000);
    expect(refusal(`{"${k}":1,"${k}":2}`).length).toBeLessThan(200);
  });

  it.each(['7.0', '20.0', '1e3', '1E3', '2.4e1', '1e-2', '1.5', '1e400', '-0.0'])(
    'a number with a fraction or an exponent: %s',
    (n) => {
      expect(refusal(`{"n":${n}}`)).toMatch(/^number with a fraction or an exponent .* at \$\.n /);
    },
  );

  it.each(['9007199254740992', '-9007199254740992', '9007199254740993', '123456789012345678901234567890'])(
    'a number that is not a safe integer: %s',
    (n) => {
      expect(refusal(`[${n}]`)).toMatch(/not a safe integer/);
    },
  );

  it('-0', () => {
    expect(refusal('[-0]')).toMatch(/number -0 at \$\[0\]/);
  });

  it.each([
    ['an escaped lone high surrogate', '"\\ud800"'],
    ['an escaped lone low surrogate', '"\\udc00"'],
    ['an escaped high surrogate then a letter', '"\\ud800\\u0041"'],
    ['two escaped high surrogates', '"\\ud800\\ud800"'],
    ['an escaped high surrogate then a raw character', '"\\ud83dx"'],
  ])('%s', (_name, text) => {
    expect(refusal(text)).toMatch(/lone surrogate/);
  });

  it('a lone surrogate written raw in the text (high or low)', () => {
    expect(refusal('"a\ud800b"')).toMatch(/lone surrogate/);
    expect(refusal('"a\udc00"')).toMatch(/lone surrogate/);
    expect(refusal('{"\ud800":1}')).toMatch(/lone surrogate/);
  });

  /** Arrays or objects nested n deep: `[[…]]` or `{"a":{"a":…{}}}`. */
  const arrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);
  const objects = (n: number): string => '{"a":'.repeat(n - 1) + '{}' + '}'.repeat(n - 1);
  /** How deep a value read back is (a top-level container is depth 1). */
  const depthOf = (v: unknown): number => {
    let d = 0;
    for (let x = v; typeof x === 'object' && x !== null; d++)
      x = Array.isArray(x) ? (x as unknown[])[0] : (x as Record<string, unknown>).a;
    return d;
  };

  it('nesting deeper than 32 by default, and deeper than the maxDepth given', () => {
    // Refusal starts exactly at 33, for arrays and objects alike, and names the place of the 33rd.
    expect(depthOf(parseStrictJson(arrays(32)))).toBe(32);
    expect(depthOf(parseStrictJson(objects(32)))).toBe(32);
    expect(refusal(arrays(33))).toMatch(/^nested deeper than 32 at \$(\[0\]){32} /);
    expect(refusal(objects(33))).toMatch(/^nested deeper than 32 at \$(\.a){32} /);
    expect(parseStrictJson('['.repeat(32) + ']'.repeat(32))).toBeDefined();
    expect(refusal('['.repeat(33) + ']'.repeat(33))).toMatch(/nested deeper than 32/);
    expect(refusal('{"a":{"b":[]}}', { maxDepth: 2 })).toMatch(/nested deeper than 2 at \$\.a\.b/);
    expect(parseStrictJson('{"a":{"b":1}}', { maxDepth: 2 })).toEqual({ a: { b: 1 } });
    // Any limit given is the limit, not 32: one more than it is refused, the limit itself is read.
    expect(refusal(arrays(8), { maxDepth: 7 })).toMatch(/^nested deeper than 7 /);
    expect(depthOf(parseStrictJson(arrays(40), { maxDepth: 40 }))).toBe(40);
  });

  it('50,000-deep nesting without a stack overflow, and reads it when allowed (no recursion)', () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    expect(refusal(deep)).toMatch(/nested deeper than 32/);
    expect(Array.isArray(parseStrictJson(deep, { maxDepth: 50_000 }))).toBe(true);
    // Read only when maxDepth allows it: one level short of 50,000 is still refused.
    expect(refusal(deep, { maxDepth: 49_999 })).toMatch(/^nested deeper than 49999 /);
    expect(depthOf(parseStrictJson(deep, { maxDepth: 50_000 }))).toBe(50_000);
  });

  it('text larger than maxBytes, counted in UTF-8 bytes', () => {
    expect(parseStrictJson('"中"', { maxBytes: 5 })).toBe('中'); // 1 + 3 + 1 bytes
    expect(refusal('"中"', { maxBytes: 4 })).toMatch(/larger than 4 bytes/);
    expect(parseStrictJson('"😀"', { maxBytes: 6 })).toBe('😀'); // a pair is 4 bytes, not 6
    expect(refusal('[1,2]', { maxBytes: 4 })).toMatch(/larger than 4 bytes/);
    expect(DEFAULT_MAX_BUNDLE_BYTES).toBe(64 * 1024 * 1024);
  });

  it('limits that are not positive integers (a programming error, not hostile input)', () => {
    expect(() => parseStrictJson('1', { maxDepth: 0 })).toThrow(RangeError);
    expect(() => parseStrictJson('1', { maxBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('keys that name Object.prototype machinery', () => {
  it('__proto__ becomes an own key and changes no prototype; Object.prototype is untouched', () => {
    const v = parseStrictJson('{"__proto__":{"polluted":true},"a":{"__proto__":[1]}}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(v, '__proto__')).toBe(true);
    expect(Object.keys(v)).toEqual(['__proto__', 'a']);
    expect(Object.entries(v)[0]).toEqual(['__proto__', { polluted: true }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.getPrototypeOf(v.a)).toBe(Object.prototype);
    expect(v).toStrictEqual(JSON.parse('{"__proto__":{"polluted":true},"a":{"__proto__":[1]}}'));
  });

  it('constructor, prototype and toJSON are plain own data', () => {
    const v = parseStrictJson('{"constructor":{"prototype":{"x":1}},"toJSON":1}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['constructor', 'toJSON']);
    expect(({} as { x?: unknown }).x).toBeUndefined();
    expect(Object.prototype.constructor).toBe(Object);
    expect(jcs(v)).toBe('{"constructor":{"prototype":{"x":1}},"toJSON":1}');
  });

  it('jcs hashes them as it hashes JSON.parse output, and a null-prototype object the same', () => {
    const text = '{"z":1,"__proto__":{"b":2,"a":[3]},"constructor":"c"}';
    const ours = parseStrictJson(text);
    expect(jcs(ours)).toBe(jcs(JSON.parse(text)));
    expect(jcs(ours)).toBe('{"__proto__":{"a":[3],"b":2},"constructor":"c","z":1}');
    const bare = Object.create(null) as Record<string, unknown>;
    Object.defineProperty(bare, '__proto__', { value: { b: 2, a: [3] }, enumerable: true });
    bare.z = 1;
    bare['constructor'] = 'c';
    expect(jcs(bare)).toBe(jcs(ours));
  });
});

describe('readBundleJson', () => {
  it('refuses a top level that is not an object, and a byte length over the limit', () => {
    expect(() => readBundleJson('[]', 2)).toThrow(/not a JSON object/);
    expect(() => readBundleJson('{}', 2, 1)).toThrow(/larger than 1 bytes/);
    expect(() => readBundleJson('{}', DEFAULT_MAX_BUNDLE_BYTES + 1)).toThrow(BundleUnreadable);
    expect(readBundleJson('{"format":1}', 12)).toEqual({ format: 1 });
  });

  it('refuses an unknown key anywhere outside journal data, a __proto__ key at top level too', () => {
    expect(() => readBundleJson('{"a":1}', 7)).toThrow(/unknown key "a" in the bundle/);
    const proto = '{"__proto__":{"polluted":true},"format":"x"}';
    expect(() => readBundleJson(proto, proto.length)).toThrow(/unknown key "__proto__" in the bundle/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const nested = '{"lottery":{"id":"x","extra":1}}';
    expect(() => readBundleJson(nested, nested.length)).toThrow(/unknown key "extra" in lottery/);
    const cp = '{"checkpoint":{"seq":1,"note":"x"}}';
    expect(() => readBundleJson(cp, cp.length)).toThrow(/unknown key "note" in checkpoint/);
    // journal data is free-form: a key there is not refused.
    const data = '{"journal":[{"data":{"anything":1}}]}';
    expect(readBundleJson(data, data.length)).toEqual({ journal: [{ data: { anything: 1 } }] });
  });

  it('passes on the strict reader’s refusals (duplicate key in free-form journal data)', () => {
    const text = '{"journal":[{"data":{"seed":"1","seed":"2"}}]}';
    expect(() => readBundleJson(text, text.length)).toThrow(/duplicate key "seed" at \$\.journal\[0\]\.data/);
  });
});
