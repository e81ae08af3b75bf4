import type { BundleLog } from '../bundle';
import type { JournalEntry } from '../journal';
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

const ofLottery = (e: JournalEntry, id: string): boolean => e.data.lottery === id;
const isStageEnd = (e: JournalEntry): boolean => e.type === 'stage.drawn' || e.type === 'stage.recorded';

/** The number of stages of the lottery's definition as it last stood (lottery.created, then lottery.updated). */
function stageCount(entries: readonly JournalEntry[], id: string): number | undefined {
  let n: number | undefined;
  for (const e of entries)
    if (ofLottery(e, id) && (e.type === 'lottery.created' || e.type === 'lottery.updated')) {
      const stages = e.data.stages;
      if (Array.isArray(stages)) n = stages.length;
    }
  return n;
}

function finalStageEntry(entries: readonly JournalEntry[], id: string): JournalEntry | undefined {
  const n = stageCount(entries, id);
  if (n === undefined || n < 1) return undefined;
  return entries.find((e) => ofLottery(e, id) && isStageEnd(e) && e.data.stage === n);
}

/**
 * N_L: the seq of the entry that closed the lottery's last stage (`stage.drawn`, or `stage.recorded` for a
 * physical draw). The same definition as WSRV's src/domain/log/lottery.ts lotteryCheckpointSize (issue 13
 * contract), written here until that is merged: the lead keeps one of the two.
 */
export function lotteryCheckpointSize(entries: readonly JournalEntry[], id: string): number | undefined {
  return finalStageEntry(entries, id)?.seq;
}

/**
 * S_open: the seq of the last `ceremony.opened` before stage 1 was drawn (physical: before N_L); without any
 * (lottery-draw/v1), the last `lottery.locked` before it. As src/domain/log/lottery.ts's ceremonyOpenSize.
 */
export function lotteryOpenSize(entries: readonly JournalEntry[], id: string): number | undefined {
  const last = finalStageEntry(entries, id);
  if (!last) return undefined;
  const first =
    last.type === 'stage.recorded'
      ? last
      : entries.find((e) => ofLottery(e, id) && e.type === 'stage.drawn' && e.data.stage === 1);
  const bound = first?.seq ?? last.seq;
  let opened: number | undefined;
  let locked: number | undefined;
  for (const e of entries) {
    if (e.seq >= bound) break;
    if (!ofLottery(e, id)) continue;
    if (e.type === 'ceremony.opened') opened = e.seq;
    if (e.type === 'lottery.locked') locked = e.seq;
  }
  return opened ?? locked;
}

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
