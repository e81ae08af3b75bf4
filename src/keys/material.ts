import path from 'node:path';
import { loadOrCreateTestCertificate, loadPkcs12 } from './certs';
import { keyPathFor, loadOrCreateKey, signerFromPem, type Signer } from './signer';

/**
 * The service's signing material at start-up. With LOTTERY_SIGNING_P12 (and LOTTERY_SIGNING_PASSPHRASE) it is the
 * office's own key and certificate; otherwise the key beside the database with a certificate from a local test
 * CA, which is for trying the service out and must not sign a real record.
 */
export interface SigningSetup {
  signer: Signer;
  /** The key file beside the database (the local key, also the one that endorses a rotation to a PKCS#12 key). */
  localKeyPem: string;
  keyCreated: boolean;
  source: 'local-test-ca' | 'pkcs12';
  caCertFile?: string;
}

export function loadSigning(dbFile: string, env: NodeJS.ProcessEnv, now: Date): SigningSetup {
  const keyFile = keyPathFor(dbFile);
  const { pem, created } = loadOrCreateKey(keyFile);
  const p12 = env.LOTTERY_SIGNING_P12;
  if (p12) {
    const m = loadPkcs12(p12, env.LOTTERY_SIGNING_PASSPHRASE ?? '');
    return {
      signer: signerFromPem(m.privateKeyPem, m),
      localKeyPem: pem,
      keyCreated: created,
      source: 'pkcs12',
    };
  }
  const m = loadOrCreateTestCertificate(path.dirname(keyFile), pem, now);
  const setup: SigningSetup = {
    signer: signerFromPem(pem, m),
    localKeyPem: pem,
    keyCreated: created,
    source: 'local-test-ca',
  };
  if (m.caCertFile) setup.caCertFile = m.caCertFile;
  return setup;
}
