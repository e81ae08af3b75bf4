import type { BundleLog } from '../bundle';
import type { JournalEntry } from '../journal';
import { ceremonyOpenSize as lotteryOpenSize, lotteryCheckpointSize } from '../log/lottery';
import { memoryTree, type HashBytes, type TreeNodes } from '../log/merkle';
import {
  canonicalBase64,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  SIG_ED25519,
  type Checkpoint as NoteCheckpoint,
  type Note,
  type VerifierKey,
} from '../log/note';

/**
 * What the log checks (verify/log.ts) read from a bundle: the lottery's checkpoint size N_L and the size S_open
 * the ceremony opened under, both from the journal; the tree of the journal's hashes; the note and the key. Pure.
 */

/**
 * N_L and S_open have one definition, src/domain/log/lottery.ts (protocol.md §10), which the server, the bundle
 * and the witness's device use too: the verifier must not disagree with them on which tree was cosigned.
 */
export { lotteryCheckpointSize, lotteryOpenSize };

export const hexBytes = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
};

export const bytesHex = (b: Uint8Array): string =>
  [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

/** A proof's base64 hashes, or undefined when any is not canonical base64 of 32 bytes. */
export function proofHashes(proof: readonly string[]): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  for (const p of proof) {
    const b = canonicalBase64(p);
    if (!b || b.length !== 32) return undefined;
    out.push(b);
  }
  return out;
}

export interface LogView {
  h: HashBytes;
  log: BundleLog;
  lotteryId: string;
  entries: readonly JournalEntry[];
  /** The bundle's log key, when it is an Ed25519 (0x01) verifier key. */
  key?: VerifierKey;
  note?: Note;
  checkpoint?: NoteCheckpoint;
  /** N_L and S_open, from the journal. */
  size?: number;
  open?: number;
  /** The tree of the journal's first N_L hashes; a reason instead when the journal lacks them. */
  tree: (TreeNodes & { size: number }) | string;
}

/** The tree over the hashes of entries 1..n, which must all be in the bundle's journal, in order. */
function journalTree(h: HashBytes, entries: readonly JournalEntry[], n: number): LogView['tree'] {
  if (entries.length < n) return `the bundle's journal lacks entries up to seq ${n}`;
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const e = entries[i] as JournalEntry;
    if (e.seq !== i + 1 || !/^[0-9a-f]{64}$/.test(e.hash))
      return `the bundle's journal lacks a well-formed entry seq ${i + 1}`;
    leaves.push(hexBytes(e.hash));
  }
  return memoryTree(h, leaves);
}

export function logView(
  h: HashBytes,
  log: BundleLog,
  lotteryId: string,
  entries: readonly JournalEntry[],
): LogView {
  const key = parseVerifierKey(h, log.key);
  const note = parseNote(log.checkpoint);
  const checkpoint = note ? parseCheckpoint(note.text) : undefined;
  const size = lotteryCheckpointSize(entries, lotteryId);
  const open = lotteryOpenSize(entries, lotteryId);
  return {
    h,
    log,
    lotteryId,
    entries,
    ...(key && key.type === SIG_ED25519 ? { key } : {}),
    ...(note ? { note } : {}),
    ...(checkpoint ? { checkpoint } : {}),
    ...(size === undefined ? {} : { size }),
    ...(open === undefined ? {} : { open }),
    tree: size === undefined ? 'the lottery has no stage entry' : journalTree(h, entries, size),
  };
}
