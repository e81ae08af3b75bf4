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
  const ranges = signedRanges(pdf);
  if ('detail' in ranges) return { ok: false, detail: ranges.detail };
  const { coversWholeFile } = ranges;
  const digestHex = await sha256Bytes(ranges.signed);
  const cms = readSignedData(ranges.hex);
  if ('detail' in cms) return { ok: false, detail: cms.detail, coversWholeFile };
  if (messageDigest(cms.attrsNode) !== digestHex)
    return { ok: false, detail: 'the PDF bytes do not match the signed message digest', coversWholeFile };
  const cert = signerCertificate(cms);
  const certificatePem = cert ? forge.pki.certificateToPem(cert) : undefined;
  if (certificatePem === undefined)
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

/**
 * The one /ByteRange [a b c d]: the signed bytes (a..b and c..c+d, with a = 0), and the hex string of the
 * signature that must be exactly the hole between them.
 */
function signedRanges(
  pdf: Uint8Array,
): { signed: Uint8Array; hex: string; coversWholeFile: boolean } | { detail: string } {
  const text = latin1(pdf);
  const br = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  if (br.length !== 1)
    return { detail: br.length === 0 ? 'no signature in the PDF' : 'more than one signature' };
  const [a, b, c, d] = (br[0] as RegExpMatchArray).slice(1, 5).map(Number) as [
    number,
    number,
    number,
    number,
  ];
  if (a !== 0 || b < 0 || c < b || c + d > pdf.length)
    return { detail: 'the signature ByteRange is malformed' };
  const hole = text.slice(b, c);
  const m = /^<([0-9A-Fa-f]+)>$/.exec(hole);
  if (!m?.[1]) return { detail: 'the signed ranges do not leave exactly the signature out' };
  const signed = new Uint8Array(b + d);
  signed.set(pdf.subarray(0, b), 0);
  signed.set(pdf.subarray(c, c + d), b);
  return { signed, hex: m[1].replace(/(00)+$/, ''), coversWholeFile: c + d === pdf.length };
}

interface SignedData {
  p7: forge.pkcs7.PkcsSignedData;
  /** The SignerInfo's signed attributes ([0]) and its signature value (its last item). */
  attrsNode: forge.asn1.Asn1;
  sigNode: forge.asn1.Asn1;
}

/** The CMS SignedData in the signature's hex, and its (first) SignerInfo's signed attributes and signature. */
function readSignedData(hex: string): SignedData | { detail: string } {
  let p7: forge.pkcs7.PkcsSignedData;
  let asn: forge.asn1.Asn1;
  try {
    asn = forge.asn1.fromDer(forge.util.hexToBytes(hex.length % 2 ? `${hex}0` : hex), false);
    p7 = forge.pkcs7.messageFromAsn1(asn) as forge.pkcs7.PkcsSignedData;
  } catch {
    return { detail: 'the signature is not a readable CMS SignedData' };
  }
  // Walk to SignerInfo: ContentInfo → [0] → SignedData → signerInfos (last SET).
  const signedData = ((asn.value as forge.asn1.Asn1[])[1]?.value as forge.asn1.Asn1[] | undefined)?.[0];
  const sdItems = (signedData?.value as forge.asn1.Asn1[] | undefined) ?? [];
  const signerInfos = sdItems[sdItems.length - 1];
  const si = (signerInfos?.value as forge.asn1.Asn1[] | undefined)?.[0]?.value as
    forge.asn1.Asn1[] | undefined;
  if (!si) return { detail: 'no SignerInfo' };
  const attrsNode = si.find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
  const sigNode = si[si.length - 1];
  if (!attrsNode || !sigNode) return { detail: 'no signed attributes' };
  return { p7, attrsNode, sigNode };
}

/** The messageDigest attribute, as hex (the last one, if a forger wrote two). */
function messageDigest(attrsNode: forge.asn1.Asn1): string | undefined {
  let digest: string | undefined;
  for (const attr of attrsNode.value as forge.asn1.Asn1[]) {
    const [oidNode, setNode] = attr.value as forge.asn1.Asn1[];
    if (oidNode && forge.asn1.derToOid(oidNode.value as string) === forge.pki.oids.messageDigest)
      digest = forge.util.bytesToHex(((setNode?.value as forge.asn1.Asn1[])[0]?.value as string) ?? '');
  }
  return digest;
}

/** The certificate whose key verifies the signature over the signed attributes (the chain travels with it). */
function signerCertificate({ p7, attrsNode, sigNode }: SignedData): forge.pki.Certificate | undefined {
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
  return p7.certificates.find((cc) => {
    try {
      return (cc.publicKey as forge.pki.rsa.PublicKey).verify(digest, sigNode.value as string);
    } catch {
      return false;
    }
  });
}
