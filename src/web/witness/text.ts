/**
 * How a cosigner's key fingerprint is read aloud and noted on paper: the server, the projector and the record
 * hold it as `SHA256:<hex of the SHA-256 of the raw Ed25519 public key>` (domain/log/lottery.ts,
 * cosignerFingerprint); people read its first 16 hex characters in groups of four, as with the ceremony's key.
 */
export const fingerprintLead = (fp: string): string =>
  fp
    .replace(/^SHA256:/i, '')
    .slice(0, 16)
    .replace(/(.{4})(?=.)/g, '$1 ');
