import { base64Bytes } from '../ceremony';
import type { HashBytes } from './merkle';

/**
 * C2SP signed notes (c2sp.org/signed-note), the checkpoint body (c2sp.org/tlog-checkpoint) and Ed25519
 * cosignatures (c2sp.org/tlog-cosignature, cosignature/v1), byte for byte, so that any C2SP tool (Go's
 * golang.org/x/mod/sumdb/note, the transparency-dev witness) reads and checks what this service writes.
 *
 * Pure: SHA-256 and Ed25519 verification are passed in. Parsing is strict and fails closed: a note that is not
 * exactly one of these forms is refused, never repaired, since what is hashed and signed is the exact bytes.
 */
export type VerifyEd25519 = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
/**
 * The browser's Ed25519 (WebCrypto `crypto.subtle.verify`) answers with a Promise: the verifiers below take either
 * kind, and answer in the same kind (a boolean for a synchronous verify, a Promise for an asynchronous one).
 */
export type VerifyEd25519Async = (
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
) => boolean | Promise<boolean>;

const isPromise = <T>(v: T | Promise<T>): v is Promise<T> =>
  typeof (v as { then?: unknown } | null)?.then === 'function';

/** Signature type bytes (signed-note §Signature types). */
export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE_V1 = 0x04;

/** Verifiers must accept at least 16 signatures; more than this is refused as a bomb. */
export const MAX_SIGNATURES = 64;
export const MAX_NOTE_BYTES = 64 * 1024;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const utf8 = new TextEncoder();

export function bytesBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = ((b[i] as number) << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64.charAt((n >> 18) & 63) + B64.charAt((n >> 12) & 63);
    s += i + 1 < b.length ? B64.charAt((n >> 6) & 63) : '=';
    s += i + 2 < b.length ? B64.charAt(n & 63) : '=';
  }
  return s;
}

/** Base64 that re-encodes to itself: the unused bits of the last character must be zero. */
export function canonicalBase64(text: string): Uint8Array | undefined {
  const b = base64Bytes(text);
  return b && bytesBase64(b) === text ? b : undefined;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Key names: non-empty, no Unicode space, no `+`, no control character (signed-note §Format). */
const hasControl = (s: string, allowNewline: boolean): boolean =>
  [...s].some((c) => {
    const n = c.codePointAt(0) ?? 0;
    return n < 0x20 && !(allowNewline && n === 0x0a);
  });

export function validKeyName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 256 &&
    !/[\s+\u007f\u0085\u00a0]/u.test(name) &&
    !hasControl(name, false)
  );
}

/** key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], as a uint32. */
export function keyId(h: HashBytes, name: string, type: number, publicKey: Uint8Array): number {
  const d = h(concat(utf8.encode(name), Uint8Array.of(0x0a, type), publicKey));
  return (
    (((d[0] as number) << 24) | ((d[1] as number) << 16) | ((d[2] as number) << 8) | (d[3] as number)) >>> 0
  );
}

export interface VerifierKey {
  name: string;
  id: number;
  type: number;
  publicKey: Uint8Array;
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** `NAME+KEYID+BASE64(type ‖ public key)` (signed-note §Verifier keys). */
export function formatVerifierKey(h: HashBytes, name: string, type: number, publicKey: Uint8Array): string {
  return `${name}+${hex8(keyId(h, name, type, publicKey))}+${bytesBase64(concat(Uint8Array.of(type), publicKey))}`;
}

/** Parses a vkey, and checks that its key ID is the one its name, type and key give (fail closed). */
export function parseVerifierKey(h: HashBytes, text: string): VerifierKey | undefined {
  // Split at the first two plus signs only: the base64 part may hold '+' itself, the name may not.
  const m = /^([^+]+)\+([^+]+)\+(.+)$/su.exec(text);
  if (!m) return undefined;
  const [, name, idHex, b64] = m as unknown as [string, string, string, string];
  if (!validKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex)) return undefined;
  const raw = canonicalBase64(b64);
  if (!raw || raw.length !== 33) return undefined;
  const type = raw[0] as number;
  if (type !== SIG_ED25519 && type !== SIG_COSIGNATURE_V1) return undefined;
  const publicKey = raw.slice(1);
  const id = parseInt(idHex, 16) >>> 0;
  if (id !== keyId(h, name, type, publicKey)) return undefined;
  return { name, id, type, publicKey };
}

export interface NoteSignature {
  name: string;
  id: number;
  /** The signature bytes after the 4-byte key ID. */
  signature: Uint8Array;
  /** The whole line, without its newline, to write the note back byte for byte. */
  line: string;
}

export interface Note {
  /** The signed text: ends with a newline, excludes the blank separator line. */
  text: string;
  signatures: NoteSignature[];
}

/**
 * Splits a signed note into its text and signature lines. The text is separated from the signatures by the
 * LAST blank line; every line after it must be a signature line; the note must be UTF-8 without control
 * characters other than newline.
 */
export function parseNote(note: string): Note | undefined {
  if (utf8.encode(note).length > MAX_NOTE_BYTES || hasControl(note, true)) return undefined;
  if (!note.endsWith('\n')) return undefined;
  const sep = note.lastIndexOf('\n\n');
  if (sep < 0) return undefined;
  const text = note.slice(0, sep + 1);
  const lines = note.slice(sep + 2, -1).split('\n');
  if (lines.length === 0 || lines.length > MAX_SIGNATURES) return undefined;
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!m) return undefined;
    const [, name, b64] = m as unknown as [string, string, string];
    const raw = canonicalBase64(b64);
    if (!validKeyName(name) || !raw || raw.length < 5) return undefined;
    const id =
      (((raw[0] as number) << 24) |
        ((raw[1] as number) << 16) |
        ((raw[2] as number) << 8) |
        (raw[3] as number)) >>>
      0;
    signatures.push({ name, id, signature: raw.slice(4), line });
  }
  return { text, signatures };
}

export const signatureLine = (name: string, id: number, signature: Uint8Array): string =>
  `\u2014 ${name} ${bytesBase64(concat(Uint8Array.of(id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255), signature))}`;

export const formatNote = (text: string, lines: readonly string[]): string =>
  `${text}\n${lines.map((l) => `${l}\n`).join('')}`;

/** The signature lines of `key` (matched by name AND id: others are ignored, as the spec requires). */
export const signaturesBy = (note: Note, key: VerifierKey): NoteSignature[] =>
  note.signatures.filter((s) => s.name === key.name && s.id === key.id);

/** True when the note carries a valid Ed25519 (type 0x01) signature by `key` over its text, and none invalid. */
export function verifyNoteSignature(note: Note, key: VerifierKey, verify: VerifyEd25519): boolean;
export function verifyNoteSignature(
  note: Note,
  key: VerifierKey,
  verify: VerifyEd25519Async,
): boolean | Promise<boolean>;
export function verifyNoteSignature(
  note: Note,
  key: VerifierKey,
  verify: VerifyEd25519Async,
): boolean | Promise<boolean> {
  if (key.type !== SIG_ED25519) return false;
  const mine = signaturesBy(note, key);
  const msg = utf8.encode(note.text);
  if (mine.length === 0 || mine.some((s) => s.signature.length !== 64)) return false;
  const answers = mine.map((s) => verify(key.publicKey, msg, s.signature));
  if (answers.some(isPromise)) return Promise.all(answers).then((all) => all.every((a) => a === true));
  return answers.every((a) => a === true);
}

/** A checkpoint's body (c2sp.org/tlog-checkpoint): origin, size, base64 root, then any extension lines. */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  extensions: string[];
}

export function formatCheckpoint(c: { origin: string; size: number; root: Uint8Array }): string {
  return `${c.origin}\n${c.size}\n${bytesBase64(c.root)}\n`;
}

export function parseCheckpoint(text: string): Checkpoint | undefined {
  if (!text.endsWith('\n')) return undefined;
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return undefined;
  const [origin, sizeText, rootText] = lines as [string, string, string];
  // Decimal, no sign, no leading zero; within the safe integers, since a size is used as an index.
  if (origin === '' || !/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) return undefined;
  const size = Number(sizeText);
  const root = canonicalBase64(rootText);
  if (!Number.isSafeInteger(size) || !root || root.length !== 32) return undefined;
  const extensions = lines.slice(3);
  if (extensions.some((l) => l === '')) return undefined;
  return { origin, size, root, extensions };
}

/** The message an Ed25519 cosigner signs: `cosignature/v1`, `time T`, then the checkpoint body. */
export function cosignatureMessage(checkpointText: string, timestamp: number): Uint8Array {
  return utf8.encode(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`);
}

/** The signature bytes of a cosignature line: the u64 big-endian timestamp, then the 64-byte Ed25519 signature. */
export function cosignatureBytes(timestamp: number, signature: Uint8Array): Uint8Array {
  const t = new Uint8Array(8);
  let v = timestamp;
  for (let i = 7; i >= 0; i--) {
    t[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return concat(t, signature);
}

/** A cosignature by `key` (type 0x04) on the note: its timestamp when valid, undefined otherwise. */
export function verifyCosignature(note: Note, key: VerifierKey, verify: VerifyEd25519): number | undefined;
export function verifyCosignature(
  note: Note,
  key: VerifierKey,
  verify: VerifyEd25519Async,
): number | undefined | Promise<number | undefined>;
export function verifyCosignature(
  note: Note,
  key: VerifierKey,
  verify: VerifyEd25519Async,
): number | undefined | Promise<number | undefined> {
  if (key.type !== SIG_COSIGNATURE_V1) return undefined;
  const mine = signaturesBy(note, key);
  if (mine.length !== 1) return undefined;
  const raw = (mine[0] as NoteSignature).signature;
  if (raw.length !== 72) return undefined;
  let timestamp = 0;
  for (let i = 0; i < 8; i++) timestamp = timestamp * 256 + (raw[i] as number);
  if (!Number.isSafeInteger(timestamp)) return undefined;
  const ok = verify(key.publicKey, cosignatureMessage(note.text, timestamp), raw.slice(8));
  if (isPromise(ok)) return ok.then((v) => (v === true ? timestamp : undefined));
  return ok === true ? timestamp : undefined;
}
