import crypto from 'node:crypto';
import type { HashBytes } from '../domain/log/merkle';

/** SHA-256 of raw bytes (node:crypto): the log's hash for the Merkle tree and the signed-note key IDs. */
export const sha256Bytes: HashBytes = (d) => new Uint8Array(crypto.createHash('sha256').update(d).digest());
