import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/**
 * X.509 for the signing key. The PDF record's signature (CMS) must name a certificate; a PDF reader trusts it
 * only through a CA it trusts. Production loads the office's own PKCS#12 (LOTTERY_SIGNING_P12); without one the
 * service makes a local test CA and a certificate under it, marked in its subject as not for production, so the
 * record can be checked end to end (trust the CA file in the reader or in pdfsig's NSS database).
 *
 * Subject names are ASCII only: node-forge garbles non-ASCII names in certificates.
 */
export interface CertifiedKey {
  /** PKCS#8 PEM of the RSA private key. */
  privateKeyPem: string;
  /** The signing certificate (PEM). */
  certificatePem: string;
  /** The rest of the chain, issuer first (PEM). */
  chainPem: string[];
  /** Where it came from, for the start-up message. */
  source: 'local-test-ca' | 'pkcs12';
  caCertFile?: string;
}

export const CA_CERT_FILE = 'lottery-test-ca-cert.pem';
export const CERT_FILE = 'lottery-signing-cert.pem';

function serial(): string {
  // Positive, 16 bytes: the high bit cleared so DER does not read it as negative.
  const b = crypto.randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString('hex');
}

const TEST_MARK = 'TEST ONLY - NOT FOR PRODUCTION';

function name(cn: string): forge.pki.CertificateField[] {
  return [
    { name: 'commonName', value: cn },
    { name: 'organizationName', value: 'asset-review-lottery' },
    { name: 'organizationalUnitName', value: TEST_MARK },
    { name: 'countryName', value: 'TW' },
  ];
}

function toForgePrivate(pem: string): forge.pki.rsa.PrivateKey {
  // forge reads PKCS#1; node writes PKCS#8, so convert through node.
  const pkcs1 = crypto.createPrivateKey(pem).export({ type: 'pkcs1', format: 'pem' }).toString();
  return forge.pki.privateKeyFromPem(pkcs1);
}

function toForgePublic(privatePem: string): forge.pki.rsa.PublicKey {
  const spki = crypto.createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
  return forge.pki.publicKeyFromPem(spki);
}

/** Makes a local test CA and a certificate for `signingKeyPem` under it. */
export function makeTestCertificates(
  signingKeyPem: string,
  now: Date,
): { caCertPem: string; certPem: string } {
  // node:crypto makes the CA key (forge's pure-JS key generation takes seconds); the CA key is then discarded:
  // this CA exists to vouch for one certificate, and nothing else should ever be signed under it.
  const caPem = crypto
    .generateKeyPairSync('rsa', { modulusLength: 3072 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const caKeys = { privateKey: toForgePrivate(caPem), publicKey: toForgePublic(caPem) };
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = new Date(now.getTime() - 60_000);
  ca.validity.notAfter = new Date(now.getTime() + 20 * 365 * 24 * 3600 * 1000);
  ca.setSubject(name('asset-review-lottery local test CA'));
  ca.setIssuer(name('asset-review-lottery local test CA'));
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const cert = forge.pki.createCertificate();
  cert.publicKey = toForgePublic(signingKeyPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  cert.setSubject(name('asset-review-lottery record signer (test)'));
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'extKeyUsage', emailProtection: true, codeSigning: false },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());
  return { caCertPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(cert) };
}

/**
 * Whether a certificate comes from the local test CA: its subject or its issuer carries the test mark
 * (「TEST ONLY - NOT FOR PRODUCTION」 as the organizational unit), as every certificate makeTestCertificates
 * makes does. A certificate that cannot be read counts as a test one: it is certainly not the office's.
 */
export function isTestCertificate(certPem: string): boolean {
  let cert: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromPem(certPem);
  } catch {
    return true;
  }
  const marked = (n: forge.pki.Certificate['subject']): boolean =>
    n.attributes.some((a) => a.name === 'organizationalUnitName' && a.value === TEST_MARK);
  return marked(cert.subject) || marked(cert.issuer);
}

/** Loads or creates the test certificate for the key beside the database. */
export function loadOrCreateTestCertificate(dir: string, signingKeyPem: string, now: Date): CertifiedKey {
  const certFile = path.join(dir, CERT_FILE);
  const caFile = path.join(dir, CA_CERT_FILE);
  if (fs.existsSync(certFile) && fs.existsSync(caFile)) {
    const certPem = fs.readFileSync(certFile, 'utf8');
    const cert = forge.pki.certificateFromPem(certPem);
    const pub = toForgePublic(signingKeyPem);
    const certPub = cert.publicKey as forge.pki.rsa.PublicKey;
    if (certPub.n.compareTo(pub.n) === 0)
      return {
        privateKeyPem: signingKeyPem,
        certificatePem: certPem,
        chainPem: [fs.readFileSync(caFile, 'utf8')],
        source: 'local-test-ca',
        caCertFile: caFile,
      };
  }
  const { caCertPem, certPem } = makeTestCertificates(signingKeyPem, now);
  fs.writeFileSync(caFile, caCertPem, { mode: 0o600 });
  fs.writeFileSync(certFile, certPem, { mode: 0o600 });
  return {
    privateKeyPem: signingKeyPem,
    certificatePem: certPem,
    chainPem: [caCertPem],
    source: 'local-test-ca',
    caCertFile: caFile,
  };
}

/** The office's own key and certificate from a PKCS#12 file. */
export function loadPkcs12(file: string, passphrase: string): CertifiedKey {
  const der = fs.readFileSync(file).toString('binary');
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), false, passphrase);
  } catch {
    throw new Error(`cannot open ${file}: not a PKCS#12 file, or LOTTERY_SIGNING_PASSPHRASE is wrong`);
  }
  const bags = (type: string): forge.pkcs12.Bag[] => p12.getBags({ bagType: type })[type] ?? [];
  const keyBag =
    bags(forge.pki.oids.pkcs8ShroudedKeyBag as string)[0] ?? bags(forge.pki.oids.keyBag as string)[0];
  const key = keyBag?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new Error('the PKCS#12 file holds no private key');
  const certs: forge.pki.Certificate[] = bags(forge.pki.oids.certBag as string).flatMap((b) =>
    b.cert ? [b.cert] : [],
  );
  const mine = certs.find((c) => (c.publicKey as forge.pki.rsa.PublicKey).n.compareTo(key.n) === 0);
  if (!mine) throw new Error('the PKCS#12 file has no certificate for its private key');
  const privateKeyPem = crypto
    .createPrivateKey(forge.pki.privateKeyToPem(key))
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return {
    privateKeyPem,
    certificatePem: forge.pki.certificateToPem(mine),
    chainPem: certs.filter((c) => c !== mine).map((c) => forge.pki.certificateToPem(c)),
    source: 'pkcs12',
  };
}

export { toForgePrivate };
