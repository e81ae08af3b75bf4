import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON and the hash conventions of lottery-draw/v1.
 *
 * Why a guard before canonicalize: everything we hash must be reproducible by an auditor in another language.
 * Floats are not (their shortest round-trip form differs between libraries), so only safe integers are
 * allowed; undefined, functions and symbols would silently vanish from the output, so they are refused; and
 * canonicalize recurses, so a hostile 50,000-deep value would throw RangeError from deep inside it.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Synchronous SHA-256: the server's hasher (node:crypto). Returns lowercase hex of the UTF-8 bytes. */
export type Sha256 = (text: string) => string;
/** Possibly asynchronous SHA-256, so the verifier can run on WebCrypto in a browser. */
export type Sha256Async = (text: string) => string | Promise<string>;

export const MAX_DEPTH = 64;
export const ZERO_HASH = '0'.repeat(64);

export class CanonicalError extends Error {}

function check(value: unknown, depth: number, path: string): void {
  if (depth > MAX_DEPTH) throw new CanonicalError(`value nested deeper than ${MAX_DEPTH} at ${path}`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CanonicalError(`non-integer number at ${path}`);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) check(value[i], depth + 1, `${path}[${i}]`);
    return;
  }
  if (typeof value === 'object') {
    // A plain object from any realm (JSON.parse, structuredClone, another vm context): its prototype is null or
    // is an Object.prototype, whose own prototype is null. Class instances and Maps are refused.
    const proto = Object.getPrototypeOf(value) as object | null;
    if (
      proto !== null &&
      (Object.getPrototypeOf(proto) !== null || Object.prototype.toString.call(value) !== '[object Object]')
    )
      throw new CanonicalError(`not a plain object at ${path}`);
    for (const [k, v] of Object.entries(value)) check(v, depth + 1, `${path}.${k}`);
    return;
  }
  throw new CanonicalError(`${typeof value} is not JSON at ${path}`);
}

/** JCS(x): the RFC 8785 canonical form, as a string (hash its UTF-8 bytes). */
export function jcs(value: unknown): string {
  check(value, 0, '$');
  const out = canonicalize(value);
  if (typeof out !== 'string') throw new CanonicalError('value has no JSON form');
  return out;
}

/** H(JCS(x)). */
export function hashJcs(value: unknown, sha256: Sha256): string {
  return sha256(jcs(value));
}

/** True when `a` sorts before `b` in byte order of their UTF-8 encodings (the protocol's id order). */
export function compareBytes(a: string, b: string): number {
  // For strings without lone surrogates, UTF-8 byte order equals code point order. Ids are ASCII anyway
  // (^[A-Za-z0-9_-]{1,32}$), where it is also UTF-16 order; this stays correct if that ever widens.
  const ca = Array.from(a);
  const cb = Array.from(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i]?.codePointAt(0) ?? 0;
    const y = cb[i]?.codePointAt(0) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return ca.length === cb.length ? 0 : ca.length < cb.length ? -1 : 1;
}
