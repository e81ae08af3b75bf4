import crypto from 'node:crypto';
import type { BundleLog } from '../domain/bundle';
import type { JournalEntry } from '../domain/journal';
import { journalledCosigners } from '../domain/log/cosigners';
import { lotteryCheckpointSize, lotteryOpenSize } from '../domain/verify/log';
import type { RecordCosigner } from '../record/render';
import type { Context } from './context';

/**
 * The bundle's `log` (issue 13, protocol.md §8.1): the note at the lottery's checkpoint size N_L with every
 * stored cosignature, one inclusion proof per entry of the lottery up to N_L, and the consistency proof from
 * S_open (the tree the ceremony opened under) to N_L. Read in the caller's transaction.
 *
 * Only for a lottery drawn under the log: the journal must name the log key (`log.key`) at or before N_L, as
 * the verifier's `log.key` check requires. A lottery drawn before issue 13 keeps its bundle as it was.
 */
export function bundleLog(c: Context, id: string, journal: readonly JournalEntry[]): BundleLog | undefined {
  const log = c.d.log;
  if (!log) return undefined;
  const size = lotteryCheckpointSize(journal, id);
  const open = lotteryOpenSize(journal, id);
  if (size === undefined || open === undefined || size > log.size()) return undefined;
  if (!journal.some((e) => e.type === 'log.key' && e.seq <= size)) return undefined;
  const { note } = log.checkpoint(size);
  const rootHash = Buffer.from(note.split('\n')[2] ?? '', 'base64').toString('hex');
  const onNote = (keyName: string): boolean => note.includes(`\n\u2014 ${keyName} `);
  const cosignatures = journalledCosigners(journal, id, { size, rootHash })
    .filter((w) => onNote(w.keyName))
    .map(({ name, role, keyName, publicKey, timestamp }) => ({ name, role, keyName, publicKey, timestamp }));
  return {
    key: log.verifierKey(),
    checkpoint: note,
    cosignatures,
    inclusion: journal
      .filter((e) => e.data.lottery === id && e.seq <= size)
      .map((e) => ({ seq: e.seq, proof: log.inclusion(e.seq, size).proof })),
    consistency: { from: open, to: size, proof: log.consistency(open, size).proof },
  };
}

/**
 * The record's cosigners (issue 13): the lottery's journalled cosignatures (`checkpoint.cosigned` naming it), each
 * with its registration's name and role and its key's fingerprint (`SHA256:` + hex of the SHA-256 of the 32
 * raw key bytes). Read in the caller's transaction.
 */
export function recordCosigners(c: Context, id: string): RecordCosigner[] {
  const page = (type: string): JournalEntry[] => c.store.journalPage({ limit: 1000, type });
  const entries = [...page('witness.registered'), ...page('checkpoint.cosigned')].sort(
    (a, b) => a.seq - b.seq,
  );
  return journalledCosigners(entries, id).map((w) => ({
    name: w.name,
    role: w.role,
    fingerprint: `SHA256:${crypto.createHash('sha256').update(Buffer.from(w.publicKey, 'base64')).digest('hex')}`,
    size: w.size,
    rootHash: w.rootHash,
    timestamp: w.timestamp,
  }));
}
