import crypto from 'node:crypto';
import forge from 'node-forge';

/**
 * A detached CMS SignedData for a PDF signature (subFilter ETSI.CAdES.detached), aiming at PAdES B-B:
 * signed attributes are content-type, message-digest and ESS signing-certificate-v2 (RFC 5035), which binds the
 * signer's certificate into what is signed so it cannot be swapped for another certificate with the same key.
 * There is no signing-time attribute: PAdES takes the time from the signature dictionary's /M.
 *
 * Built directly with node-forge's ASN.1 layer because forge's pkcs7 signer only knows three attribute types.
 */
const { asn1 } = forge;
const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
};

const seq = (items: forge.asn1.Asn1[]): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oid = (o: string): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
const int = (n: number): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const octets = (bytes: Buffer): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
const nul = (): forge.asn1.Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '');
const der = (a: forge.asn1.Asn1): Buffer => Buffer.from(asn1.toDer(a).getBytes(), 'binary');
const algo = (o: string, withNull: boolean): forge.asn1.Asn1 => seq(withNull ? [oid(o), nul()] : [oid(o)]);

/** DER requires SET OF elements sorted by their encodings. */
function derSet(items: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  const sorted = items.map((i) => ({ i, d: der(i) })).sort((a, b) => Buffer.compare(a.d, b.d));
  return set(sorted.map((x) => x.i));
}

function attribute(type: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([oid(type), set([value])]);
}

function issuerAndSerial(cert: forge.pki.Certificate): forge.asn1.Asn1 {
  const tbs = (forge.pki.certificateToAsn1(cert).value as forge.asn1.Asn1[])[0] as forge.asn1.Asn1;
  const fields = tbs.value as forge.asn1.Asn1[];
  // TBSCertificate: [0] version, serialNumber, signature, issuer, …
  const serialNumber = fields[1] as forge.asn1.Asn1;
  const issuer = fields[3] as forge.asn1.Asn1;
  return seq([issuer, serialNumber]);
}

export interface CmsSigner {
  privateKeyPem: string;
  certificatePem: string;
  chainPem: string[];
}

/** CMS SignedData (DER) over `content`, detached. */
export function signDetached(content: Buffer, s: CmsSigner): Buffer {
  const cert = forge.pki.certificateFromPem(s.certificatePem);
  const certDer = der(forge.pki.certificateToAsn1(cert));
  const chain = s.chainPem.map((p) => forge.pki.certificateToAsn1(forge.pki.certificateFromPem(p)));
  const digest = crypto.createHash('sha256').update(content).digest();
  const certHash = crypto.createHash('sha256').update(certDer).digest();
  // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256 (omitted), certHash, issuerSerial }
  // IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }; GeneralNames holds directoryName [4].
  const ias = issuerAndSerial(cert).value as forge.asn1.Asn1[];
  const issuerName = ias[0] as forge.asn1.Asn1;
  const serialNumber = ias[1] as forge.asn1.Asn1;
  const issuerSerial = seq([
    seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 4, true, [issuerName])]),
    serialNumber,
  ]);
  const signingCertificateV2 = seq([seq([seq([octets(certHash), issuerSerial])])]);

  const attrs = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(digest)),
    attribute(OID.signingCertificateV2, signingCertificateV2),
  ];
  const signedAttrs = derSet(attrs);
  // The signature covers the DER of the attributes as a SET (tag 0x31), not as the [0] they are stored under.
  const signature = crypto.sign('sha256', der(signedAttrs), crypto.createPrivateKey(s.privateKeyPem));
  const signedAttrsImplicit = asn1.create(
    asn1.Class.CONTEXT_SPECIFIC,
    0,
    true,
    signedAttrs.value as forge.asn1.Asn1[],
  );

  const signerInfo = seq([
    int(1),
    issuerAndSerial(cert),
    algo(OID.sha256, false),
    signedAttrsImplicit,
    algo(OID.rsaEncryption, true),
    octets(signature),
  ]);
  const signedData = seq([
    int(1),
    set([algo(OID.sha256, false)]),
    seq([oid(OID.data)]),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [forge.pki.certificateToAsn1(cert), ...chain]),
    set([signerInfo]),
  ]);
  return der(seq([oid(OID.signedData), asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [signedData])]));
}
