import { sha256 as nobleSha256 } from '@noble/hashes/sha2';

/**
 * What the browser verifier hashes and verifies with: WebCrypto (SHA-256, RS256, Ed25519), and noble's
 * synchronous SHA-256 for the Merkle tree. Apart from the page (verify.ts) so that a test runs the same functions
 * under Node's WebCrypto.
 */
const hex = (b: ArrayBuffer): string =>
  Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

/** Raw Ed25519 public key (32 bytes) into WebCrypto; a key or signature it cannot take is "does not verify". */
export async function verifyEd25519(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(pub), 'Ed25519', false, ['verify']);
    return await crypto.subtle.verify('Ed25519', key, new Uint8Array(sig), new Uint8Array(msg));
  } catch {
    return false;
  }
}

export const browserVerifyDeps = {
  // issue 13, the witnessed log: the tree's hash must be synchronous (noble), Ed25519 is WebCrypto's.
  hashBytes: (b: Uint8Array): Uint8Array => nobleSha256(b),
  verifyEd25519,
  sha256: async (s: string): Promise<string> =>
    hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))),
  sha256Bytes: async (b: Uint8Array): Promise<string> =>
    hex(await crypto.subtle.digest('SHA-256', new Uint8Array(b))),
  verifyRs256: async (pem: string, message: string, sigB64: string): Promise<boolean> => {
    try {
      const der = Uint8Array.from(atob(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')), (c) =>
        c.charCodeAt(0),
      );
      const key = await crypto.subtle.importKey(
        'spki',
        der,
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        false,
        ['verify'],
      );
      const sig = Uint8Array.from(atob(sigB64), (c) => c.charCodeAt(0));
      return await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, sig, new TextEncoder().encode(message));
    } catch {
      return false;
    }
  },
};
