import forge from 'node-forge';
import { pemBody } from './checkpoint';

/**
 * Checks the embedded signature of a record PDF without trusting any PDF library: find /ByteRange and
 * /Contents, hash the signed ranges, and check the CMS SignedData (message digest, signature over the signed
 * attributes, and the signer's certificate). Pure: the byte hash is injected (node:crypto or WebCrypto); the
 * RSA check runs in node-forge, which is plain JavaScript.
 */
export interface PdfSignatureReport {
  ok: boolean;
  detail: string;
  certificatePem?: string;
  /** The whole file is covered except the signature's own hex string. */
  coversWholeFile?: boolean;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return s;
}

export async function checkPdfSignature(
  pdf: Uint8Array,
  sha256Bytes: (b: Uint8Array) => string | Promise<string>,
  trustedCertificates: readonly string[],
): Promise<PdfSignatureReport> {
  const text = latin1(pdf);
  const br = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  if (br.length !== 1)
    return { ok: false, detail: br.length === 0 ? 'no signature in the PDF' : 'more than one signature' };
  const [a, b, c, d] = (br[0] as RegExpMatchArray).slice(1, 5).map(Number) as [
    number,
    number,
    number,
    number,
  ];
  if (a !== 0 || b < 0 || c < b || c + d > pdf.length)
    return { ok: false, detail: 'the signature ByteRange is malformed' };
  const coversWholeFile = c + d === pdf.length;
  const hole = text.slice(b, c);
  const m = /^<([0-9A-Fa-f]+)>$/.exec(hole);
  if (!m?.[1]) return { ok: false, detail: 'the signed ranges do not leave exactly the signature out' };
  const hex = m[1].replace(/(00)+$/, '');
  const signed = new Uint8Array(b + d);
  signed.set(pdf.subarray(0, b), 0);
  signed.set(pdf.subarray(c, c + d), b);
  const digestHex = await sha256Bytes(signed);

  let p7: forge.pkcs7.PkcsSignedData;
  let asn: forge.asn1.Asn1;
  try {
    asn = forge.asn1.fromDer(forge.util.hexToBytes(hex.length % 2 ? `${hex}0` : hex), false);
    p7 = forge.pkcs7.messageFromAsn1(asn) as forge.pkcs7.PkcsSignedData;
  } catch {
    return { ok: false, detail: 'the signature is not a readable CMS SignedData', coversWholeFile };
  }
  // Walk to SignerInfo: ContentInfo → [0] → SignedData → signerInfos (last SET).
  const signedData = ((asn.value as forge.asn1.Asn1[])[1]?.value as forge.asn1.Asn1[] | undefined)?.[0];
  const sdItems = (signedData?.value as forge.asn1.Asn1[] | undefined) ?? [];
  const signerInfos = sdItems[sdItems.length - 1];
  const si = (signerInfos?.value as forge.asn1.Asn1[] | undefined)?.[0]?.value as
    forge.asn1.Asn1[] | undefined;
  if (!si) return { ok: false, detail: 'no SignerInfo', coversWholeFile };
  const attrsNode = si.find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
  const sigNode = si[si.length - 1];
  if (!attrsNode || !sigNode) return { ok: false, detail: 'no signed attributes', coversWholeFile };
  let messageDigest: string | undefined;
  for (const attr of attrsNode.value as forge.asn1.Asn1[]) {
    const [oidNode, setNode] = attr.value as forge.asn1.Asn1[];
    if (oidNode && forge.asn1.derToOid(oidNode.value as string) === forge.pki.oids.messageDigest)
      messageDigest = forge.util.bytesToHex(
        ((setNode?.value as forge.asn1.Asn1[])[0]?.value as string) ?? '',
      );
  }
  if (messageDigest !== digestHex)
    return { ok: false, detail: 'the PDF bytes do not match the signed message digest', coversWholeFile };
  // The signed attributes are signed as a SET (tag 0x31), not as the [0] they are stored under.
  const asSet = forge.asn1.create(
    forge.asn1.Class.UNIVERSAL,
    forge.asn1.Type.SET,
    true,
    attrsNode.value as forge.asn1.Asn1[],
  );
  const md = forge.md.sha256.create();
  md.update(forge.asn1.toDer(asSet).getBytes());
  const digest = md.digest().bytes();
  // The signer's certificate is the one whose key verifies the signature (the chain travels with it).
  const cert = p7.certificates.find((cc) => {
    try {
      return (cc.publicKey as forge.pki.rsa.PublicKey).verify(digest, sigNode.value as string);
    } catch {
      return false;
    }
  });
  const valid = cert !== undefined;
  const certificatePem = cert ? forge.pki.certificateToPem(cert) : undefined;
  if (!valid || certificatePem === undefined)
    return {
      ok: false,
      detail: 'the CMS signature does not verify with any certificate it carries',
      coversWholeFile,
    };
  if (!trustedCertificates.some((t) => pemBody(t) === pemBody(certificatePem)))
    return {
      ok: false,
      detail: 'the PDF is signed, but by a certificate other than the bundle’s',
      certificatePem,
      coversWholeFile,
    };
  if (!coversWholeFile)
    return {
      ok: false,
      detail: 'the signature does not cover the end of the file (bytes were appended)',
      certificatePem,
      coversWholeFile,
    };
  return {
    ok: true,
    detail: 'the signature covers the whole file and verifies with the bundle’s certificate',
    certificatePem,
    coversWholeFile,
  };
}
