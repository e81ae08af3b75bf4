import type { Bundle } from '../bundle';
import type { JournalEntry } from '../journal';
import { checkPdfSignature } from '../pdf';
import type { LotteryReplay } from '../replay';
import type { Check, VerifyDeps, VerifyOptions } from './report';

/**
 * The record: its hashes are journalled (record.journal, when the bundle names them), and a given PDF is one of
 * them (record.pdf.hash), signed with the bundle's certificate (record.pdf.signature).
 */
export async function recordChecks(
  b: Bundle,
  l: LotteryReplay | undefined,
  entries: JournalEntry[],
  deps: VerifyDeps,
  opts: VerifyOptions,
): Promise<Check[]> {
  const issued = l?.records ?? [];
  const full = issued.find((r) => !r.public);
  const pub = issued.find((r) => r.public);
  const checks: Check[] = [];
  if (b.record) {
    const ok =
      full?.sha256 === b.record.sha256 &&
      (b.record.publicSha256 === undefined || pub?.sha256 === b.record.publicSha256);
    checks.push({
      name: 'record.journal',
      ok,
      detail: ok
        ? `record.issued entries at seq ${full?.seq}${pub ? ` and ${pub.seq}` : ''} name the record's hashes`
        : 'the record hashes in the bundle are not the ones journalled',
    });
  }
  if (!opts.pdf) return checks;
  const sha256Bytes = deps.sha256Bytes;
  if (!sha256Bytes) throw new Error('sha256Bytes is needed to check a PDF');
  const h = await sha256Bytes(opts.pdf);
  const which = h === full?.sha256 ? 'the full record' : h === pub?.sha256 ? 'the public copy' : undefined;
  checks.push({
    name: 'record.pdf.hash',
    ok: which !== undefined,
    detail: which
      ? `SHA-256 ${h} is ${which}, journalled`
      : `SHA-256 ${h} is not a record journalled for this lottery`,
  });
  // The record is signed with the certificate in force when it was issued: the checkpoint's, or one a
  // key.rotated entry journalled.
  const certs = [
    ...(b.checkpoint.certificate ? [b.checkpoint.certificate] : []),
    ...entries
      .filter((e) => e.type === 'key.rotated' && typeof e.data.certificate === 'string')
      .map((e) => e.data.certificate as string),
  ];
  const sig = await checkPdfSignature(opts.pdf, sha256Bytes, certs);
  checks.push({ name: 'record.pdf.signature', ok: sig.ok, detail: sig.detail });
  return checks;
}
