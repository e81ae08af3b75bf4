import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { signDetached, type CmsSigner } from './cms';

/**
 * Embeds a CMS signature over the whole PDF (every byte but the signature's own placeholder). The /Reason,
 * /Name and /Location strings stay ASCII: placeholder-plain writes them as PDF literal strings without a
 * Unicode encoding, and other text would be mangled.
 */
class RecordSigner extends Signer {
  constructor(private readonly s: CmsSigner) {
    super();
  }

  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    return signDetached(pdfBuffer, this.s);
  }
}

export const SIGNATURE_LENGTH = 16_384;

export type { CmsSigner };

/** Which document is signed; it names the signature's /Reason (ASCII). */
export type SignedDocument = 'record' | 'notice';

/**
 * Signs the record (抽籤紀錄, the default) or the pre-meeting notice (抽籤公告): the same key, certificate and
 * signature shape; only /Reason differs ("Lottery record ID" or "Lottery notice ID").
 */
export async function signPdf(
  pdf: Buffer,
  signer: CmsSigner,
  signingTime: Date,
  lotteryId: string,
  document: SignedDocument = 'record',
): Promise<Buffer> {
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: pdf,
    reason: `Lottery ${document} ${lotteryId} (asset-review-lottery)`,
    contactInfo: '',
    name: 'asset-review-lottery',
    location: 'Taiwan',
    signingTime,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    signatureLength: SIGNATURE_LENGTH,
    appName: 'asset-review-lottery',
  });
  return new SignPdf().sign(fixStartXref(withPlaceholder), new RecordSigner(signer));
}

/**
 * placeholder-plain's incremental update ends with a `startxref` that points at the blank line before its `xref`
 * keyword, one byte early; readers cope, but `qpdf --check` warns ("extraneous whitespace seen before xref").
 * Pointed at the keyword itself before signing, the file checks clean. Anything else is left as it is.
 */
export function fixStartXref(pdf: Buffer): Buffer {
  const tail = pdf.subarray(Math.max(0, pdf.length - 64)).toString('latin1');
  const m = /startxref\r?\n(\d+)\s*%%EOF\s*$/.exec(tail);
  if (!m?.[1]) return pdf;
  const offset = Number(m[1]);
  let at = offset;
  while (at < pdf.length && [0x0a, 0x0d, 0x20].includes(pdf[at] ?? 0)) at++;
  if (at === offset || pdf.subarray(at, at + 4).toString('latin1') !== 'xref') return pdf;
  const start = pdf.length - tail.length + m.index;
  const fixed = tail.slice(m.index).replace(m[1], String(at));
  return Buffer.concat([pdf.subarray(0, start), Buffer.from(fixed, 'latin1')]);
}
