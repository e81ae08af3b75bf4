import { jcs } from './canonical';

/**
 * A signed checkpoint of the journal head. It is what lets an auditor see a cut-off or appended tail: a
 * journal that does not extend a checkpoint the auditor holds has been rewritten.
 * signature = base64(RSASSA-PKCS1-v1_5-SHA256(JCS({seq, hash, at}))) with the service's signing key.
 */
export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  alg: 'RS256';
  signature: string;
  publicKey: string;
  certificate?: string;
}

export function checkpointMessage(c: { seq: number; hash: string; at: string }): string {
  return jcs({ seq: c.seq, hash: c.hash, at: c.at });
}

/** RS256 verification, injected: node:crypto on the server and CLI, WebCrypto in the browser. */
export type VerifyRs256 = (publicKeyPem: string, message: string, signatureB64: string) => Promise<boolean>;

/** Normalises a PEM for comparison (line breaks and surrounding space do not matter). */
export function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
}
