import { canonicalBase64, parseCheckpoint, parseNote, parseVerifierKey, verifyNoteSignature } from './note';
import type { VerifyEd25519 } from './note';
import { leafHash, verifyInclusion, type HashBytes } from './merkle';
import type { Json } from '../canonical';

/**
 * A lottery in the witnessed log (issue 13, protocol.md §10): which tree size its witnesses cosign, which tree
 * its ceremony opened under, and which entries are its own. Pure: the entries are passed in, in seq order, and
 * the hash and signature checks are injected. The server (services/witness.ts, the bundle), the verifier and
 * the witness's device all ask these, so that they agree on N_L and S_open.
 */
export interface LogEntry {
  seq: number;
  type: string;
  data: { [key: string]: unknown };
  hash?: string;
}

const ofLottery = (e: LogEntry, id: string): boolean => e.data.lottery === id;

/** The number of stages the lottery's definition has as it last stood (lottery.created, then lottery.updated). */
function stageCount(entries: readonly LogEntry[], id: string): number | undefined {
  let n: number | undefined;
  for (const e of entries) {
    if (!ofLottery(e, id) || (e.type !== 'lottery.created' && e.type !== 'lottery.updated')) continue;
    const stages = e.data.stages;
    if (Array.isArray(stages)) n = stages.length;
  }
  return n;
}

const isStageEnd = (e: LogEntry): boolean => e.type === 'stage.drawn' || e.type === 'stage.recorded';

/** The entry that closed the lottery's last stage (`stage.drawn`, or `stage.recorded` for a physical draw). */
function finalStageEntry(entries: readonly LogEntry[], id: string): LogEntry | undefined {
  const n = stageCount(entries, id);
  if (n === undefined || n < 1) return undefined;
  return entries.find((e) => ofLottery(e, id) && isStageEnd(e) && e.data.stage === n);
}

/**
 * N_L: the seq of the entry that closed the lottery's last stage; undefined while a stage is still to draw.
 * The witnesses cosign the tree of this size, and the bundle's checkpoint is the note at this size.
 */
export function lotteryCheckpointSize(entries: readonly LogEntry[], id: string): number | undefined {
  return finalStageEntry(entries, id)?.seq;
}

/**
 * S_open: the tree the ceremony opened under. Drawn by the service (lottery-draw/v2), the seq of the last
 * `ceremony.opened` before stage 1 was drawn; physical, the last `ceremony.opened` before N_L (balls of later
 * stages may be entered after a reopening). Without any opening (lottery-draw/v1), the last `lottery.locked`
 * before the first draw. Undefined while N_L is.
 */
export function ceremonyOpenSize(entries: readonly LogEntry[], id: string): number | undefined {
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

/** The lottery's own entries (those whose `data.lottery` is its id) up to `size`, in seq order. */
export function lotteryEntries<E extends LogEntry>(entries: readonly E[], id: string, size: number): E[] {
  return entries.filter((e) => e.seq <= size && ofLottery(e, id));
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** A cosigner's key fingerprint as printed: `SHA256:` + hex of SHA-256 of the 32 raw Ed25519 key bytes. */
export function cosignerFingerprint(h: HashBytes, publicKey: Uint8Array): string {
  return `SHA256:${hex(h(publicKey))}`;
}

/** What GET /api/v1/lotteries/:id/log answers (services/witness.ts): what a witness's device checks. */
export interface LotteryLogView {
  logKey: string;
  size: number;
  checkpoint: string;
  /** The lock and draw entries carry at, actor, data and prev too: the device recomputes their hashes. */
  entries: Array<{
    seq: number;
    hash: string;
    type: string;
    at?: string;
    actor?: string;
    data?: { [key: string]: Json };
    prev?: string;
  }>;
  inclusion: Array<{ seq: number; proof: string[] }>;
  consistency: { from: number; to: number; proof: string[] } | null;
  drawn: { commitment: string; entropy: string; winners: Array<{ stage: number; ids: string[] }> };
}

const b64list = (proof: readonly string[]): Uint8Array[] | undefined => {
  const out: Uint8Array[] = [];
  for (const p of proof) {
    const b = canonicalBase64(p);
    if (!b || b.length !== 32) return undefined;
    out.push(b);
  }
  return out;
};

/**
 * A device's own check of a lottery's log view against the log key it pinned: the note is signed by that key,
 * its size is the view's N_L, and every entry of the lottery (its stage entries first of all) is included in
 * that tree. Returns the problems found, in English for the device to translate; empty when all hold.
 * Consistency with an earlier checkpoint is the device's to check against the note it kept.
 */
export function checkLotteryLog(
  h: HashBytes,
  verify: VerifyEd25519,
  view: LotteryLogView,
  pinnedLogKey: string,
): string[] {
  const key = parseVerifierKey(h, pinnedLogKey);
  const note = parseNote(view.checkpoint);
  const cp = note ? parseCheckpoint(note.text) : undefined;
  if (!key || !note || !cp) return ['the log key or the checkpoint cannot be read'];
  const problems: string[] = [];
  if (cp.origin !== key.name) problems.push("the checkpoint's origin is not the log key's name");
  if (!verifyNoteSignature(note, key, verify)) problems.push("the log's signature does not verify");
  if (cp.size !== view.size) problems.push(`the checkpoint is of size ${cp.size}, not ${view.size}`);
  const proofs = new Map(view.inclusion.map((p) => [p.seq, p.proof]));
  for (const e of view.entries) {
    const proof = b64list(proofs.get(e.seq) ?? []);
    const leaf = /^[0-9a-f]{64}$/.test(e.hash) ? hexBytes(e.hash) : undefined;
    const ok =
      proofs.has(e.seq) &&
      proof !== undefined &&
      leaf !== undefined &&
      verifyInclusion(h, e.seq - 1, cp.size, leafHash(h, leaf), proof, cp.root);
    if (!ok) problems.push(`entry ${e.seq} (${e.type}) is not included in the tree`);
  }
  if (!view.entries.some((e) => isStageEnd({ ...e, data: {} }) && e.seq === view.size))
    problems.push('the last stage entry is not the checkpoint’s last entry');
  return problems;
}

function hexBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
