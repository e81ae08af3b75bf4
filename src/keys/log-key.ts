import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { formatVerifierKey, keyId, signatureLine, SIG_ED25519, type VerifyEd25519 } from '../domain/log/note';
import { sha256Bytes } from '../util/sha256';

/**
 * The log's own key (issue 13): Ed25519, as C2SP signed notes use (signature type 0x01). Apart from the RS256
 * key, which signs PDFs and v1 checkpoints and may be replaced by the office's PKCS#12 certificate: the log key
 * names the log for as long as it lives, and every witness pins it. Created on first start beside the database,
 * mode 0600, exclusively; never in a backup of the database (back it up apart, like the RSA key).
 */
export const LOG_KEY_FILE = 'lottery-log-key.pem';

export const logKeyPathFor = (dbFile: string): string =>
  path.join(path.dirname(path.resolve(dbFile)), LOG_KEY_FILE);

export interface LogSigner {
  /** The key name: the log's origin, as C2SP recommends. */
  readonly name: string;
  readonly id: number;
  readonly publicKey: Uint8Array;
  /** `NAME+KEYID+BASE64(0x01 ‖ public key)`. */
  readonly verifierKey: string;
  /** The signature line (`— NAME BASE64(keyID ‖ sig)`) over the note text. */
  signLine(text: string): string;
}

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** Raw 32-byte Ed25519 public key → KeyObject (SPKI DER with the fixed RFC 8410 prefix). */
export const ed25519PublicKey = (raw: Uint8Array): crypto.KeyObject =>
  crypto.createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });

export const verifyEd25519Node: VerifyEd25519 = (pub, msg, sig) => {
  if (pub.length !== 32 || sig.length !== 64) return false;
  try {
    return crypto.verify(null, msg, ed25519PublicKey(pub), sig);
  } catch {
    return false;
  }
};

export function logSignerFromPem(pem: string, name: string): LogSigner {
  const key = crypto.createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the log key must be an Ed25519 key');
  const publicKey = new Uint8Array(
    crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519.length),
  );
  const id = keyId(sha256Bytes, name, SIG_ED25519, publicKey);
  return {
    name,
    id,
    publicKey,
    verifierKey: formatVerifierKey(sha256Bytes, name, SIG_ED25519, publicKey),
    signLine: (text) =>
      signatureLine(name, id, new Uint8Array(crypto.sign(null, Buffer.from(text, 'utf8'), key))),
  };
}

/** Loads the log key at `file`, creating it (mode 0600, exclusively) if absent. */
export function loadOrCreateLogKey(file: string): { pem: string; created: boolean } {
  if (fs.existsSync(file)) return { pem: fs.readFileSync(file, 'utf8'), created: false };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const pem = crypto
    .generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  try {
    fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another process made it first: use theirs, so that one log has one key.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      return { pem: fs.readFileSync(file, 'utf8'), created: false };
    throw e;
  }
  return { pem, created: true };
}
