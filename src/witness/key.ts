import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  cosignatureBytes,
  cosignatureMessage,
  formatVerifierKey,
  keyId,
  signatureLine,
  SIG_COSIGNATURE_V1,
  validKeyName,
} from '../domain/log/note';
import { sha256Bytes } from '../util/sha256';

/**
 * The remote witness's own Ed25519 key (cosignature/v1, type 0x04). The file is a PKCS#8 PEM with the key's
 * name as explanatory text before it (RFC 7468 §5.2 allows text outside the boundaries; OpenSSL and Node skip
 * it), so that `witness --key FILE` needs no separate --name: the name is part of the key ID.
 */
export interface WitnessKey {
  name: string;
  id: number;
  publicKey: Uint8Array;
  /** `NAME+KEYID+BASE64(0x04 ‖ public key)`: what the ethics office registers. */
  vkey: string;
  /** The cosignature line (`— NAME BASE64(keyID ‖ u64 time ‖ sig)`) over a checkpoint body at `timestamp`. */
  cosign(checkpointText: string, timestamp: number): string;
}

const NAME_LINE = /^Key-Name: (.+)$/m;
const SPKI_PREFIX = 12;

export class KeyFileError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh}／${en}`);
  }
}

function witnessKey(name: string, key: crypto.KeyObject): WitnessKey {
  const publicKey = new Uint8Array(
    crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX),
  );
  const id = keyId(sha256Bytes, name, SIG_COSIGNATURE_V1, publicKey);
  return {
    name,
    id,
    publicKey,
    vkey: formatVerifierKey(sha256Bytes, name, SIG_COSIGNATURE_V1, publicKey),
    cosign(text, timestamp) {
      const sig = crypto.sign(null, cosignatureMessage(text, timestamp), key);
      return signatureLine(name, id, cosignatureBytes(timestamp, new Uint8Array(sig)));
    },
  };
}

/** Makes a key named `name` at `file` (mode 0600, never over an existing file). */
export function createWitnessKey(name: string, file: string): WitnessKey {
  if (!validKeyName(name))
    throw new KeyFileError(
      '金鑰名稱不可為空，且不可含空白、「+」或控制字元',
      'the key name must be non-empty, without spaces, "+" or control characters',
    );
  const key = crypto.generateKeyPairSync('ed25519').privateKey;
  const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const text = `asset-review-lottery remote witness key (cosignature/v1)\nKey-Name: ${name}\n${pem}`;
  try {
    fs.writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new KeyFileError(`${file} 已存在，不會覆寫`, `${file} exists; it is not overwritten`);
    throw e;
  }
  return witnessKey(name, key);
}

/** Reads a key made by createWitnessKey; refuses one that others may read, as the service does its own. */
export function loadWitnessKey(file: string): WitnessKey {
  let text: string;
  try {
    if ((fs.statSync(file).mode & 0o077) !== 0)
      throw new KeyFileError(
        `金鑰檔 ${file} 可被其他使用者讀取，拒絕使用（chmod 600）`,
        `the key file ${file} is readable by others; refusing to use it (chmod 600)`,
      );
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
    throw new KeyFileError(`無法讀取金鑰檔 ${file}`, `cannot read the key file ${file}`);
  }
  const name = NAME_LINE.exec(text)?.[1];
  let key: crypto.KeyObject | undefined;
  try {
    key = crypto.createPrivateKey(text);
  } catch {
    key = undefined;
  }
  if (!name || !validKeyName(name) || key?.asymmetricKeyType !== 'ed25519')
    throw new KeyFileError(
      `${file} 不是 witness keygen 產生的 Ed25519 金鑰`,
      `${file} is not an Ed25519 key made by witness keygen`,
    );
  return witnessKey(name, key);
}
