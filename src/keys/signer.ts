import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sha256Bytes } from '../util/sha256';
import { verifyEd25519Node } from './log-key';

/**
 * The service's signing key: RSA 3072, PKCS#1 v1.5 with SHA-256 (RS256). RSA because the PDF signer of the
 * signed record handles RSA only, and one key signs both. Created on first start beside the database with
 * mode 0600, and never committed (.gitignore) nor copied by backups: whoever holds it can sign checkpoints.
 */
export interface Signer {
  readonly publicKeyPem: string;
  /** PKCS#8 PEM: the PDF signer needs the key itself. */
  readonly privateKeyPem: string;
  /** X.509 certificate for the key (PEM), and the chain above it, issuer first. */
  readonly certificatePem: string | undefined;
  readonly chainPem: string[];
  sign(message: string): string;
}

export const KEY_FILE = 'lottery-signing-key.pem';

export function keyPathFor(dbFile: string): string {
  return path.join(path.dirname(path.resolve(dbFile)), KEY_FILE);
}

export function signerFromPem(
  privatePem: string,
  cert?: { certificatePem: string; chainPem: string[] },
): Signer {
  const key = crypto.createPrivateKey(privatePem);
  const publicKeyPem = crypto.createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return {
    publicKeyPem,
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: cert?.certificatePem,
    chainPem: cert?.chainPem ?? [],
    sign: (message) => crypto.sign('sha256', Buffer.from(message, 'utf8'), key).toString('base64'),
  };
}

export function generatePrivatePem(): string {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 3072 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Loads the key at `file`, creating it (mode 0600, exclusively) if absent. Returns whether it was created. */
export function loadOrCreateKey(file: string): { pem: string; created: boolean } {
  if (fs.existsSync(file)) return { pem: fs.readFileSync(file, 'utf8'), created: false };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const pem = generatePrivatePem();
  try {
    fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another process created it first: use theirs, so every process signs with one key.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      return { pem: fs.readFileSync(file, 'utf8'), created: false };
    throw e;
  }
  return { pem, created: true };
}

/** RS256 verification on node:crypto, for the verifier's injected port. */
export async function verifyRs256Node(
  publicKeyPem: string,
  message: string,
  signatureB64: string,
): Promise<boolean> {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64)) return false;
  try {
    const key = crypto.createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'rsa') return false;
    return crypto.verify('sha256', Buffer.from(message, 'utf8'), key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

export const sha256Node = (text: string): string =>
  crypto.createHash('sha256').update(text, 'utf8').digest('hex');

export const sha256BytesNode = (bytes: Uint8Array): string =>
  crypto.createHash('sha256').update(bytes).digest('hex');

export const nodeVerifyDeps = {
  sha256: sha256Node,
  verifyRs256: verifyRs256Node,
  sha256Bytes: sha256BytesNode,
  // issue 13: the witnessed log's tree hash and Ed25519 (verify/log.ts).
  hashBytes: sha256Bytes,
  verifyEd25519: verifyEd25519Node,
};
