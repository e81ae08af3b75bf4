/**
 * The strict JSON reader's one pass (see json.ts for why each refusal): an index and an explicit stack, no
 * recursion, strings sliced out of the text, no regular expression over the whole text.
 */

/** The text cannot be read as a bundle (the CLI's exit 2). The message is English with Chinese beside it. */
export class BundleUnreadable extends Error {}

/** A key as it appears in a message: quoted, ASCII only (control and bidi characters escaped), and short. */
export function showKey(key: string): string {
  const LIMIT = 64;
  let out = '"';
  const n = Math.min(key.length, LIMIT);
  for (let j = 0; j < n; j++) {
    const c = key.charCodeAt(j);
    if (c === 0x22 || c === 0x5c) out += '\\' + key[j];
    else if (c >= 0x20 && c < 0x7f) out += key[j];
    else out += '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + (key.length > LIMIT ? '..."' : '"');
}

/** RFC 8259 §7's two-character escapes: \" \\ \/ \b \f \n \r \t. */
const SIMPLE_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x22, '"'],
  [0x5c, '\\'],
  [0x2f, '/'],
  [0x62, '\b'],
  [0x66, '\f'],
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
]);
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** One JSON number with a fraction or exponent, anchored where it starts (sticky: never a scan of the text). */
const FRACTION = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** What open() returns when it opened a frame, and handUp() when a container wants its next value. */
const OPENED: unique symbol = Symbol('opened');
const MORE: unique symbol = Symbol('more');

/** One open array or object: the container, and (for an object) the key whose value is being read. */
type Frame =
  { arr: unknown[]; obj?: undefined; key?: undefined } | { arr?: undefined; obj: object; key: string };

export class StrictParser {
  private i = 0;
  private readonly stack: Frame[] = [];
  /**
   * Recently read keys, by a hash of length and end characters. A bundle repeats the same few dozen keys
   * hundreds of thousands of times; reusing one string (already internalised by V8 as a property name) instead
   * of slicing a fresh copy each time is most of the gap to JSON.parse, and less garbage.
   */
  private readonly keys: Array<string | undefined> = new Array<string | undefined>(256).fill(undefined);

  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
    /** Read fractions and exponents (finite ones) as JSON.parse would: the HTTP edge, not the bundle. */
    private readonly fractions = false,
  ) {}

  /** $.journal[3].data: the place of the value being read inside the first `frames` open containers. */
  private path(frames = this.stack.length): string {
    let out = '$';
    for (let j = 0; j < frames; j++) {
      const f = this.stack[j];
      if (f === undefined) break;
      if (f.arr) out += `[${f.arr.length}]`;
      else out += IDENT.test(f.key) ? `.${f.key}` : `[${showKey(f.key)}]`;
    }
    return out;
  }

  private fail(en: string, zh: string, where = this.path()): never {
    throw new BundleUnreadable(`${en} at ${where} (${zh}); offset ${this.i}`);
  }

  private syntax(expected: string): never {
    const c = this.s.charCodeAt(this.i);
    const found = Number.isNaN(c)
      ? 'the end of the text'
      : c >= 0x21 && c < 0x7f
        ? `'${this.s[this.i] ?? ''}'`
        : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
    this.fail(`not well-formed JSON: expected ${expected}, found ${found}`, 'JSON 格式錯誤');
  }

  /** RFC 8259 whitespace is exactly space, tab, LF and CR; a no-break space or U+2028 is a syntax error. */
  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  /** The whole text as one value: values are read in turn, and each is handed to the container it is in. */
  parse(): unknown {
    this.ws();
    for (;;) {
      // Read one value at this.i (whitespace already skipped). Containers open a frame and go round again.
      const c = this.s.charCodeAt(this.i);
      const value = c === 0x7b /* { */ || c === 0x5b /* [ */ ? this.open(c) : this.scalar(c);
      if (value === OPENED) continue;
      const top = this.handUp(value);
      if (top !== MORE) return top;
    }
  }

  /** A '{' or '[' at this.i: an empty container is a value; otherwise a frame opens (and OPENED is returned). */
  private open(c: number): unknown {
    const s = this.s;
    if (this.stack.length >= this.maxDepth)
      this.fail(`nested deeper than ${this.maxDepth}`, `巢狀超過 ${this.maxDepth} 層`);
    this.i++;
    this.ws();
    if (c === 0x5b) {
      const arr: unknown[] = [];
      if (s.charCodeAt(this.i) !== 0x5d) {
        this.stack.push({ arr });
        return OPENED;
      }
      this.i++;
      return arr;
    }
    const obj = {};
    if (s.charCodeAt(this.i) !== 0x7d) {
      if (s.charCodeAt(this.i) !== 0x22) this.syntax("a key or '}'");
      this.stack.push({ obj, key: this.key() });
      this.colon();
      return OPENED;
    }
    this.i++;
    return obj;
  }

  /** A string, number, true, false or null at this.i (c is its first character). */
  private scalar(c: number): unknown {
    const s = this.s;
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (c === 0x74 && s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (c === 0x66 && s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (c === 0x6e && s.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    this.syntax('a value');
  }

  /**
   * Hands the value to its container; a container that closes becomes the value for the one around it. Returns
   * the whole text's value once no container is open, or MORE when the next value is to be read.
   */
  private handUp(value: unknown): unknown {
    const s = this.s;
    const stack = this.stack;
    for (;;) {
      const f = stack[stack.length - 1];
      if (f === undefined) {
        this.ws();
        if (this.i !== s.length) this.syntax('the end of the text');
        return value;
      }
      if (f.arr) f.arr.push(value);
      else if (f.key === '__proto__')
        // Assignment would call Object.prototype's __proto__ setter and swap the object's prototype;
        // defined, it is an ordinary own key, as JSON.parse makes it.
        Object.defineProperty(f.obj, f.key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      else (f.obj as Record<string, unknown>)[f.key] = value;
      this.ws();
      const d = s.charCodeAt(this.i);
      if (d === 0x2c /* , */) {
        this.i++;
        this.ws();
        if (f.obj) this.nextKey(f); // in an array, a trailing comma then fails as "expected a value, found ']'"
        return MORE;
      }
      if (f.arr ? d !== 0x5d /* ] */ : d !== 0x7d /* } */) this.syntax(f.arr ? "',' or ']'" : "',' or '}'");
      this.i++;
      stack.pop();
      value = f.arr ?? f.obj;
    }
  }

  /** The key after a ',' in an object, which becomes the frame's key. */
  private nextKey(f: { obj: object; key: string }): void {
    if (this.s.charCodeAt(this.i) !== 0x22) this.syntax('a key'); // also refuses a trailing comma
    const key = this.key();
    // Two verifiers would each keep a different one of the two values: refuse, anywhere.
    if (Object.prototype.hasOwnProperty.call(f.obj, key))
      this.fail(`duplicate key ${showKey(key)}`, '重複的鍵', this.path(this.stack.length - 1));
    f.key = key;
    this.colon();
  }

  private colon(): void {
    this.ws();
    if (this.s.charCodeAt(this.i) !== 0x3a) this.syntax("':'");
    this.i++;
    this.ws();
  }

  /** A key at this.i (the opening quote): from the cache when the same characters were read before. */
  private key(): string {
    const s = this.s;
    const from = this.i + 1;
    const end = s.indexOf('"', from);
    const n = end - from;
    if (n > 0 && n <= 32) {
      const h = (n * 31 + s.charCodeAt(from) * 7 + s.charCodeAt(end - 1)) & 255;
      const k = this.keys[h];
      // A hit needs no escape check: the cached key was read in full, and equal text is equal text, and
      // the closing quote found by indexOf cannot be an escaped one unless a backslash is inside, which
      // the cached key (unescaped, sliced) would then contain too.
      if (k !== undefined && k.length === n && s.startsWith(k, from)) {
        this.i = end + 1;
        return k;
      }
      const key = this.string();
      if (key.length === n) this.keys[h] = key; // no escapes (any escape is shorter than its text): the key is its text
      return key;
    }
    return this.string();
  }

  /** A string at this.i (the opening quote). Unescaped runs are slices of the text, joined once at the end. */
  private string(): string {
    const s = this.s;
    const len = s.length;
    let i = this.i + 1;
    let start = i;
    let parts: string[] | undefined;
    for (;;) {
      const c = s.charCodeAt(i);
      // The common character first, in one test (past the end, c is NaN and fails it).
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c && (c < 0xd800 || c > 0xdfff)) {
        i++;
        continue;
      }
      if (i >= len) {
        this.i = i;
        this.fail('not well-formed JSON: unterminated string', 'JSON 格式錯誤：字串未結束');
      }
      if (c === 0x22) break;
      if (c === 0x5c) {
        (parts ??= []).push(s.slice(start, i));
        i = this.escape(i, parts);
        start = i;
        continue;
      }
      if (c < 0x20) {
        this.i = i;
        this.fail(
          'not well-formed JSON: unescaped control character in a string',
          'JSON 格式錯誤：字串中有未跳脫的控制字元',
        );
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        // Only a high surrogate followed by a low one is a character; anything else has no UTF-8 form.
        const d = s.charCodeAt(i + 1);
        if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) {
          this.i = i;
          this.fail('lone surrogate in a string', '字串中有孤立的代理字元');
        }
        i += 2;
        continue;
      }
    }
    this.i = i + 1;
    if (parts === undefined) return s.slice(start, i);
    parts.push(s.slice(start, i));
    return parts.join('');
  }

  /** One escape at i (the backslash): pushes what it stands for, returns the index after it. */
  private escape(i: number, parts: string[]): number {
    const s = this.s;
    const e = s.charCodeAt(i + 1);
    const simple = SIMPLE_ESCAPES.get(e);
    if (simple !== undefined) {
      parts.push(simple);
      return i + 2;
    }
    switch (e) {
      case 0x75: {
        const u = this.hex4(i + 2);
        if (u >= 0xdc00 && u <= 0xdfff) {
          this.i = i;
          this.fail('lone surrogate escape in a string', '字串中有孤立的代理字元跳脫');
        }
        if (u >= 0xd800 && u <= 0xdbff) {
          const low = s.charCodeAt(i + 6) === 0x5c && s.charCodeAt(i + 7) === 0x75 ? this.hex4(i + 8) : -1;
          if (!(low >= 0xdc00 && low <= 0xdfff)) {
            this.i = i;
            this.fail('lone surrogate escape in a string', '字串中有孤立的代理字元跳脫');
          }
          parts.push(String.fromCharCode(u, low));
          return i + 12;
        }
        parts.push(String.fromCharCode(u));
        return i + 6;
      }
      default:
        this.i = i;
        this.fail('not well-formed JSON: invalid escape in a string', 'JSON 格式錯誤：字串中有無效的跳脫');
    }
  }

  private hex4(at: number): number {
    let v = 0;
    for (let j = at; j < at + 4; j++) {
      const c = this.s.charCodeAt(j);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else {
        this.i = j;
        this.fail(
          'not well-formed JSON: \\u needs four hex digits',
          'JSON 格式錯誤：\\u 後須有四位十六進位數字',
        );
      }
      v = v * 16 + d;
    }
    return v;
  }

  /**
   * An integer at this.i. lottery-draw/v1 numbers are plain safe integers: a fraction or exponent (20.0, 2e1)
   * reads differently in other languages' parsers, above 2^53-1 JSON.parse rounds, and -0 has no JCS form
   * distinct from 0 — so all three are refused rather than normalised.
   */
  private number(): number {
    const s = this.s;
    const from = this.i;
    let i = from;
    const negative = s.charCodeAt(i) === 0x2d;
    if (negative) i++;
    const first = s.charCodeAt(i);
    if (!(first >= 0x30 && first <= 0x39)) {
      this.i = i;
      this.syntax('a digit');
    }
    let v = 0;
    const digitsFrom = i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        i++;
      } else break;
    }
    const digits = i - digitsFrom;
    this.i = from;
    if (first === 0x30 && digits > 1)
      this.fail('not well-formed JSON: number with a leading zero', 'JSON 格式錯誤：數字有前導零');
    const next = s.charCodeAt(i);
    if ((next === 0x2e || next === 0x65 || next === 0x45) && this.fractions) return this.fraction(from);
    if (next === 0x2e || next === 0x65 || next === 0x45)
      this.fail(
        'number with a fraction or an exponent (lottery-draw/v1 numbers are plain integers)',
        '數字有小數或指數：本協定的數字皆為整數',
      );
    // Up to 15 digits the running value is exact; past that, let Number() round and see if it stayed safe.
    if (digits > 15) v = digits > 16 ? Infinity : Number(s.slice(digitsFrom, i));
    if (v > Number.MAX_SAFE_INTEGER)
      this.fail('number larger than 2^53-1 (not a safe integer)', '數字超出安全整數範圍');
    if (negative && v === 0) this.fail('number -0', '數字為 -0');
    this.i = i;
    return negative ? -v : v;
  }

  /** A number with a fraction or an exponent at `from` (fractions mode): RFC 8259 §6's grammar, and finite. */
  private fraction(from: number): number {
    FRACTION.lastIndex = from;
    const text = FRACTION.exec(this.s)?.[0] ?? '';
    const v = Number(text);
    if (!Number.isFinite(v)) this.fail('number too large to represent', '數字過大，無法表示');
    this.i = from + text.length;
    return v;
  }
}
