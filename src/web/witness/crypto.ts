import { sha256 } from '@noble/hashes/sha2';
import {
  bytesBase64,
  formatVerifierKey,
  keyId,
  signaturesBy,
  SIG_COSIGNATURE_V1,
  verifyNoteSignature,
  type Note,
  type VerifierKey,
} from '../../domain/log/note';
import type { HashBytes } from '../../domain/log/merkle';

/**
 * The witness device's cryptography: SHA-256 from @noble/hashes (synchronous, as the domain's Merkle and note
 * functions need it) and Ed25519 from WebCrypto, which exists only in a secure context (HTTPS or localhost). The
 * private key is made non-extractable: it never leaves this browser, not even to this page's own script.
 */
export const h: HashBytes = (data) => sha256(data);

export const hexBytes = (hex: string): Uint8Array | undefined =>
  /^([0-9a-f]{2})+$/.test(hex) ? Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16)) : undefined;
export const bytesHex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Why this browser cannot hold a witness key, or undefined when it can. */
export async function cryptoMissing(): Promise<'insecure' | 'no-ed25519' | undefined> {
  if (!window.isSecureContext || !globalThis.crypto?.subtle) return 'insecure';
  try {
    await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    return undefined;
  } catch {
    return 'no-ed25519';
  }
}

export const newKeyPair = (): Promise<CryptoKeyPair> =>
  crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;

export async function rawPublicKey(keys: CryptoKeyPair): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
}

/** A key name the signed-note rules accept (no space, no plus): witness.<host>/<lottery>/<8 random hex>. */
export function newKeyName(lottery: string | null): string {
  const r = bytesHex(crypto.getRandomValues(new Uint8Array(4)));
  const safe = (lottery ?? '').replace(/[^A-Za-z0-9._-]/g, '');
  return `witness.${location.host}/${safe ? `${safe}/` : ''}${r}`;
}

/** The cosigner's verifier key (type 0x04), and the key ID its signature lines carry. */
export const cosignerVkey = (name: string, pub: Uint8Array): string =>
  formatVerifierKey(h, name, SIG_COSIGNATURE_V1, pub);
export const keyIdOf = (name: string, pub: Uint8Array): number => keyId(h, name, SIG_COSIGNATURE_V1, pub);
/** The fingerprint as the server, the projector and the record hold it (text.ts says how it is read). */
export const fingerprint = (pub: Uint8Array): string => `SHA256:${bytesHex(h(pub))}`;
/** 8 hex characters read in two groups: "1a2b 3c4d". */
export const groupHex = (hex: string): string => hex.replace(/(.{4})(?=.)/g, '$1 ');

async function ed25519Verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(pub), { name: 'Ed25519' }, false, [
      'verify',
    ]);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, new Uint8Array(sig), new Uint8Array(msg));
  } catch {
    return false;
  }
}

/**
 * The domain's verifyNoteSignature, with WebCrypto's asynchronous Ed25519: each of the key's signatures is
 * verified first, then the domain rule (every one of them valid, at least one) decides on those answers.
 */
export async function verifyNote(note: Note, key: VerifierKey): Promise<boolean> {
  const msg = new TextEncoder().encode(note.text);
  const answers = new Map<string, boolean>();
  for (const s of signaturesBy(note, key))
    answers.set(bytesBase64(s.signature), await ed25519Verify(key.publicKey, msg, s.signature));
  return verifyNoteSignature(note, key, (_p, _m, sig) => answers.get(bytesBase64(sig)) === true);
}

export async function sign(keys: CryptoKeyPair, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.sign({ name: 'Ed25519' }, keys.privateKey, new Uint8Array(message)),
  );
}
