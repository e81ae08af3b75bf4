/**
 * A strict JSON reader for hostile input (the audit bundle).
 *
 * Why not JSON.parse: an audit bundle is read by verifiers in several languages, and they must never disagree
 * on what one file says. JSON.parse quietly keeps the last of two duplicate keys (another parser keeps the
 * first), reads 20.0 as 20 and 1e400 as Infinity, rounds 9007199254740993, accepts "\ud800" (which no UTF-8
 * encoder can write back), and nests as deep as the stack allows. Each of those is a way to hand two auditors
 * two different bundles in one file, so each is refused here, naming where it is.
 *
 * One pass over the string with an index and an explicit stack (no recursion, so maxDepth may be anything);
 * strings without escapes are sliced out of the text rather than built a character at a time; no regular
 * expression ever runs over the whole text. Pure: no I/O, no clock, no randomness.
 */

import { BundleUnreadable, StrictParser } from './json-reader';

export { BundleUnreadable, showKey } from './json-reader';

export interface StrictJsonOptions {
  /** Deepest nesting of arrays and objects; a top-level object is depth 1. Default 32. */
  maxDepth?: number;
  /** Largest text accepted, in UTF-8 bytes. Default 64 MiB. */
  maxBytes?: number;
  /**
   * Read numbers with a fraction or an exponent (finite ones) instead of refusing them. For the HTTP edge, where
   * `year: 113.5` is a field problem to name, not an unreadable body; bundles keep plain integers only.
   */
  fractions?: boolean;
}

export const DEFAULT_MAX_BUNDLE_BYTES = 64 * 1024 * 1024; // 64 MiB
export const DEFAULT_MAX_DEPTH = 32;

/** True when the UTF-8 form of text is longer than limit bytes, without encoding it (no second 64 MiB copy). */
function utf8Exceeds(text: string, limit: number): boolean {
  if (text.length > limit) return true; // every UTF-16 unit is at least one byte
  if (text.length * 3 <= limit) return false; // and at most three
  let bytes = 0;
  for (let j = 0; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair is one 4-byte character; a lone surrogate is refused later, count it as 3.
      const d = text.charCodeAt(j + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        j++;
      } else bytes += 3;
    } else bytes += 3;
    if (bytes > limit) return true;
  }
  return false;
}

function checkLimit(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer`);
}

/**
 * JSON text → value, or BundleUnreadable naming the first problem and where it is. Objects are ordinary
 * objects (as JSON.parse makes them) whose keys are all own properties, "__proto__" included; read them with
 * Object.prototype.hasOwnProperty.call, Object.keys or Object.entries, never by a bare lookup of a hostile key.
 */
export function parseStrictJson(text: string, opts: StrictJsonOptions = {}): unknown {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  checkLimit('maxDepth', maxDepth);
  checkLimit('maxBytes', maxBytes);
  if (utf8Exceeds(text, maxBytes))
    throw new BundleUnreadable(`the text is larger than ${maxBytes} bytes (超過 ${maxBytes} 位元組的上限)`);
  // A BOM is not JSON (RFC 8259 §8.1), and some parsers skip it while others refuse: refuse it everywhere.
  if (text.charCodeAt(0) === 0xfeff)
    throw new BundleUnreadable('the text starts with a byte-order mark (BOM) (開頭有位元組順序記號 BOM)');
  return new StrictParser(text, maxDepth, opts.fractions === true).parse();
}
