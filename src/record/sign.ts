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
  return new SignPdf().sign(withPlaceholder, new RecordSigner(signer));
}
