/**
 * The verifier's inputs from files: the bundle, a saved checkpoint, a trusted key, the record PDF. Each is as
 * hostile as the bundle, so each is read with a size bound and refused rather than guessed at.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parseVerifierKey } from '../domain/log/note';
import { sha256Bytes } from '../util/sha256';
import { assertCheckpointKeys, BundleUnreadable, parseCheckpoint, readBundleJson } from '../domain/bundle';
import type { Checkpoint } from '../domain/checkpoint';
import { parseStrictJson } from '../domain/json';

export function readTrustedKey(file: string): string {
  // A key or certificate is a few kilobytes; /dev/zero or a huge file must not be read whole.
  const pem = readRegularFile(file, 1024 * 1024, 'key').toString('utf8');
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(pem);
  } catch {
    throw new Error(`${file} is not a PEM public key`);
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(`${file} is not an RSA key (the protocol signs with RS256)`);
  // A certificate file works too (the office publishes its certificate): compare its public key.
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * A signed-note verifier key (issue 13), `NAME+KEYID+BASE64(type ‖ key)`: given as the text itself, or as a file
 * holding it on one line. `type` is 0x01 for the log's key (--log-key), 0x04 for a witness's (--witness-key).
 */
export function readVerifierKey(textOrFile: string, type: number, what: string, fileOnly = false): string {
  const asKey = (t: string): string | undefined => {
    const k = parseVerifierKey(sha256Bytes, t.trim());
    return k && k.type === type ? t.trim() : undefined;
  };
  const direct = fileOnly ? undefined : asKey(textOrFile);
  if (direct !== undefined) return direct;
  const text = readRegularFile(textOrFile, 64 * 1024, what).toString('utf8');
  const key = asKey(text);
  if (key === undefined)
    throw new Error(
      `${textOrFile} does not hold a ${what} verifier key NAME+KEYID+BASE64 (type 0x0${type}) on one line`,
    );
  return key;
}

/** The current signing key's public half, beside a database (verify --db), when the key file is there. */
export function currentPublicKey(keyFile: string): string | undefined {
  return fs.existsSync(keyFile)
    ? crypto
        .createPublicKey(fs.readFileSync(keyFile, 'utf8'))
        .export({ type: 'spki', format: 'pem' })
        .toString()
    : undefined;
}

/**
 * The file's bytes, refusing it once more than maxBytes arrive: stat's size is only a first answer (a pipe or
 * /dev/zero says 0, a file can grow between stat and read), so the read itself is bounded too.
 */
/** A regular file of at most maxBytes, read with a bound (a device or a growing file cannot exhaust memory). */
export function readRegularFile(file: string, maxBytes: number, what: string): Buffer {
  const st = fs.statSync(file);
  if (!st.isFile()) throw new BundleUnreadable(`${what} ${file} is not a regular file (不是一般檔案)`);
  if (st.size > maxBytes)
    throw new BundleUnreadable(`${what} is ${st.size} bytes, larger than ${maxBytes} (檔案超過大小上限)`);
  return readAtMost(file, st.size, maxBytes);
}

function readAtMost(file: string, statSize: number, maxBytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    // One more byte than allowed, so "exactly maxBytes" and "more" can be told apart.
    let buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(statSize + 1, 64 * 1024)));
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const n = fs.readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes)
        throw new BundleUnreadable(
          `bundle larger than --max-bytes ${maxBytes} (稽核包超過 ${maxBytes} 位元組的上限)`,
        );
    }
    return buf.subarray(0, total);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The bundle file → JSON value, or BundleUnreadable. A function of its own so the bytes and the decoded text
 * (together about three times the file) are garbage once it returns, not held through the whole verification.
 */
export function readBundleFile(file: string, maxBytes: number, asBundle = true): unknown {
  // Size first, from the file system: a hostile multi-gigabyte "bundle" must not be read into memory at all.
  const size = fs.statSync(file).size;
  if (size > maxBytes)
    throw new BundleUnreadable(
      `bundle is ${size} bytes, larger than --max-bytes ${maxBytes} (稽核包超過 ${maxBytes} 位元組的上限)`,
    );
  const bytes = readAtMost(file, size, maxBytes);
  let text: string;
  try {
    // ignoreBOM keeps a BOM in the text, so the strict reader refuses it instead of the decoder hiding it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new BundleUnreadable('bundle is not valid UTF-8 (稽核包不是有效的 UTF-8)');
  }
  return asBundle ? readBundleJson(text, bytes.length, maxBytes) : parseStrictJson(text, { maxBytes });
}

/** A saved checkpoint is as hostile as a bundle: the same strict reading and key rules (protocol.md §8.1). */
export function readSavedCheckpoint(file: string): Checkpoint {
  const raw = readBundleFile(file, 1024 * 1024, false);
  assertCheckpointKeys(raw);
  const cp = parseCheckpoint(raw);
  if (!cp) throw new BundleUnreadable('the saved checkpoint is malformed (檢查點格式錯誤)');
  return cp;
}
