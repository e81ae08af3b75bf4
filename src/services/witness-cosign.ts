import { LotteryError } from '../domain/errors';
import { isRecord, onlyFields } from '../domain/input/body';
import {
  ceremonyOpenSize,
  lotteryCheckpointSize,
  lotteryEntries,
  type LotteryLogView,
} from '../domain/log/lottery';
import {
  keyId,
  MAX_NOTE_BYTES,
  parseCheckpoint,
  parseNote,
  SIG_COSIGNATURE_V1,
  signaturesBy,
  verifyCosignature,
  type Note,
  type VerifierKey,
} from '../domain/log/note';
import { verifyEd25519Node } from '../keys/log-key';
import type { JournalEntry } from '../domain/journal';
import type { LotteryRow, WitnessRow } from '../store/store';
import { sha256Bytes } from '../util/sha256';
import type { Context } from './context';
import { fingerprintOf, logRequired } from './witness';

/**
 * issue 13 (protocol.md §10): what a witness's device checks (the lottery's log view), the cosignatures it
 * posts, and who has cosigned. A cosignature is authenticated by itself: a valid Ed25519 cosignature/v1 by a
 * registered, unrevoked witness key, over exactly the server's checkpoint of that size.
 */

/** A cosignature may be stamped at most this far ahead of the server's clock (devices' clocks drift). */
export const MAX_FUTURE_SECONDS = 600;

const ENTRY_LIMIT = 1_000_000;

const BOUND_TYPES = new Set(['lottery.locked', 'stage.drawn', 'stage.recorded']);

function entriesOf(c: Context, id: string): JournalEntry[] {
  return c.store.journalPage({ lottery: id, limit: ENTRY_LIMIT });
}

/** N_L of a lottery, from its journal entries (domain/log/lottery.ts); undefined while a stage is to draw. */
export function checkpointSizeOf(c: Context, id: string): number | undefined {
  return lotteryCheckpointSize(entriesOf(c, id), id);
}

const notDrawn = (): LotteryError =>
  new LotteryError('NOT_DRAWN', {
    zh: '此抽籤尚未抽完最後一階段，還沒有可供見證的紀錄樹',
    en: 'The last stage is not drawn yet: there is no checkpoint to witness',
  });

/** GET /api/v1/lotteries/:id/log: the lottery's checkpoint (N_L) and the proofs a device checks. */
export function lotteryLog(c: Context, id: string): LotteryLogView {
  const log = logRequired(c);
  return c.store.read(() => {
    const l = c.mustGetLottery(id);
    const entries = entriesOf(c, id);
    const size = lotteryCheckpointSize(entries, id);
    if (size === undefined) throw notDrawn();
    const open = ceremonyOpenSize(entries, id);
    const mine = lotteryEntries(entries, id, size);
    return {
      logKey: log.verifierKey(),
      size,
      checkpoint: log.noteAt(size),
      // The lock and the draw entries whole (their data is what the public view shows: ids, dice, commitment,
      // secret after the draw), so that a device recomputes each one's hash and shows what it proved, not what
      // the server says; every other entry by its hash only.
      entries: mine.map((e) =>
        BOUND_TYPES.has(e.type)
          ? { seq: e.seq, hash: e.hash, type: e.type, at: e.at, actor: e.actor, data: e.data, prev: e.prev }
          : { seq: e.seq, hash: e.hash, type: e.type },
      ),
      inclusion: mine.map((e) => ({ seq: e.seq, proof: log.inclusion(e.seq, size).proof })),
      consistency: open === undefined ? null : log.consistency(open, size),
      drawn: drawnOf(c, l),
    };
  });
}

function drawnOf(c: Context, l: LotteryRow): LotteryLogView['drawn'] {
  return {
    commitment: l.commitment ?? '',
    entropy: l.entropy ?? '',
    winners: c.store.results(l.id).map((r) => ({ stage: r.stage, ids: r.winners })),
  };
}

const malformed = (zh: string, en: string): LotteryError => new LotteryError('VALIDATION_FAILED', { zh, en });

function readNote(body: unknown): Note {
  onlyFields(body, ['note']);
  const raw = isRecord(body) ? body.note : undefined;
  if (typeof raw !== 'string' || raw.length > MAX_NOTE_BYTES)
    throw malformed('note 須為簽章紀錄（signed note）文字', 'note must be a signed note, as text');
  const note = parseNote(raw);
  if (!note) throw malformed('note 不是有效的簽章紀錄格式', 'note is not a well-formed signed note');
  return note;
}

const vkeyOf = (w: WitnessRow): VerifierKey => ({
  name: w.keyName,
  id: keyId(sha256Bytes, w.keyName, SIG_COSIGNATURE_V1, w.publicKey),
  type: SIG_COSIGNATURE_V1,
  publicKey: w.publicKey,
});

interface Valid {
  w: WitnessRow;
  line: string;
  timestamp: number;
}

/** The note's lines by registered, unrevoked keys that verify; and whether one verified but was future-dated. */
function validCosignatures(c: Context, note: Note): { valid: Valid[]; future: boolean } {
  const nowS = Math.floor(c.d.clock().getTime() / 1000);
  const valid: Valid[] = [];
  let future = false;
  for (const w of c.store.witnesses.active()) {
    const key = vkeyOf(w);
    const timestamp = verifyCosignature(note, key, verifyEd25519Node);
    if (timestamp === undefined) continue;
    if (timestamp > nowS + MAX_FUTURE_SECONDS) future = true;
    else valid.push({ w, line: (signaturesBy(note, key)[0] as { line: string }).line, timestamp });
  }
  return { valid, future };
}

/** Refuses a note whose body is not the server's checkpoint at its size: the witness saw another tree. */
function requireOurTree(c: Context, note: Note): { size: number; root: Uint8Array } {
  const log = logRequired(c);
  const cp = parseCheckpoint(note.text);
  if (!cp) throw malformed('note 的內容不是檢查點格式', "the note's text is not a checkpoint");
  if (cp.origin !== log.origin)
    throw malformed(
      `這不是本紀錄（${log.origin}）的檢查點`,
      `This is not a checkpoint of this log (${log.origin})`,
    );
  const head = log.size();
  if (cp.size < 1 || cp.size > head)
    throw new LotteryError('CONFLICT', {
      zh: `檢查點的大小 ${cp.size} 超出本紀錄樹（共 ${head} 筆）`,
      en: `The checkpoint's size ${cp.size} is beyond this log's tree (${head} entries)`,
    });
  const ours = log.checkpointText(cp.size);
  if (note.text !== ours)
    throw new LotteryError(
      'CONFLICT',
      {
        zh: `本伺服器在大小 ${cp.size} 的紀錄樹與您簽署的不同：您裝置上的紀錄與伺服器不一致，請保留兩份檢查點作為證據`,
        en: `The server's tree at size ${cp.size} differs from the one you signed: keep both checkpoints as evidence`,
      },
      { extra: { checkpoint: log.noteAt(cp.size) } },
    );
  return { size: cp.size, root: cp.root };
}

export interface CosignedAnswer {
  stored: Array<{ keyName: string; size: number; timestamp: number }>;
  /** The same cosignature was stored before: nothing new was written. */
  already: Array<{ keyName: string; size: number; timestamp: number }>;
}

const noRegistered = (future: boolean): LotteryError =>
  future
    ? new LotteryError('VALIDATION_FAILED', {
        zh: `見證簽章的時間晚於伺服器時間超過 ${MAX_FUTURE_SECONDS / 60} 分鐘：請校正裝置時間後重新簽署`,
        en: `The cosignature's time is more than ${MAX_FUTURE_SECONDS / 60} minutes ahead of the server: fix the device's clock and cosign again`,
      })
    : new LotteryError('FORBIDDEN', {
        zh: '沒有任何一行是已登錄、未撤銷的見證人金鑰的有效見證簽章',
        en: 'No line is a valid cosignature by a registered, unrevoked witness key',
      });

/** POST /api/v1/log/cosignatures: every new valid cosignature stored and journalled, in one transaction. */
export function submitCosignature(c: Context, body: unknown): CosignedAnswer {
  const note = readNote(body);
  const { size, root } = requireOurTree(c, note);
  return c.store.write((tx) => {
    const { valid, future } = validCosignatures(c, note);
    if (valid.length === 0) throw noRegistered(future);
    const out: CosignedAnswer = { stored: [], already: [] };
    const fresh: Valid[] = [];
    for (const v of valid) {
      const prior = c.store.cosignatures.get(v.w.keyName, size);
      if (!prior) fresh.push(v);
      else if (prior.line === v.line)
        out.already.push({ keyName: v.w.keyName, size, timestamp: prior.timestamp });
      else
        throw new LotteryError('CONFLICT', {
          zh: `金鑰 ${v.w.keyName} 已見證過大小 ${size} 的檢查點（保留第一份）`,
          en: `Key ${v.w.keyName} has already cosigned the checkpoint of size ${size} (the first one is kept)`,
        });
    }
    const rootHash = Buffer.from(root).toString('hex');
    for (const v of fresh) {
      c.store.cosignatures.insert({
        keyName: v.w.keyName,
        size,
        root,
        timestamp: v.timestamp,
        line: v.line,
        receivedAt: c.now(),
      });
      const lottery =
        v.w.lotteryId !== null && checkpointSizeOf(c, v.w.lotteryId) === size ? v.w.lotteryId : undefined;
      const signature = v.line.slice(v.line.lastIndexOf(' ') + 1);
      const data = {
        ...(lottery ? { lottery } : {}),
        size,
        rootHash,
        keyName: v.w.keyName,
        timestamp: v.timestamp,
        signature,
      };
      c.journal(tx, { type: 'checkpoint.cosigned', data }, 'system');
      out.stored.push({ keyName: v.w.keyName, size, timestamp: v.timestamp });
    }
    return out;
  });
}

export interface Cosigner {
  name: string;
  role: string;
  keyName: string;
  fingerprint: string;
  size: number;
  timestamp: number;
}

/** Who has cosigned the lottery's checkpoint (size N_L): its room witnesses and any remote witness, by key name. */
export function cosignersOf(c: Context, id: string, size = checkpointSizeOf(c, id)): Cosigner[] {
  if (size === undefined) return [];
  const out: Cosigner[] = [];
  for (const s of c.store.cosignatures.atSize(size)) {
    const w = c.store.witnesses.byKeyName(s.keyName);
    if (!w || (w.lotteryId !== null && w.lotteryId !== id)) continue;
    out.push({
      name: w.name,
      role: w.role,
      keyName: w.keyName,
      fingerprint: fingerprintOf(w.publicKey),
      size,
      timestamp: s.timestamp,
    });
  }
  return out;
}

/**
 * For the bundle's `log.cosignatures` (owner VERIFY): the witnesses whose cosignature of N_L is stored, with
 * their raw keys (standard base64) for display; the verifier trusts only the keys it is given.
 */
export function bundleCosigners(
  c: Context,
  id: string,
  size: number,
): Array<{ name: string; role: string; keyName: string; publicKey: string; timestamp: number }> {
  return cosignersOf(c, id, size).map((s) => {
    const w = c.store.witnesses.byKeyName(s.keyName) as WitnessRow;
    const publicKey = Buffer.from(w.publicKey).toString('base64');
    return { name: s.name, role: s.role, keyName: s.keyName, publicKey, timestamp: s.timestamp };
  });
}

export interface WitnessListItem {
  name: string;
  role: string;
  invitedAt: string | null;
  expiresAt: string | null;
  keyName: string | null;
  fingerprint: string | null;
  registeredAt: string | null;
  revokedAt: string | null;
  cosigned: { size: number; timestamp: number } | null;
}

/** GET /api/v1/lotteries/:id/witnesses: each invitation, its registration, and its cosignature of N_L. */
export function listWitnesses(c: Context, id: string): WitnessListItem[] {
  return c.store.read(() => {
    c.mustGetLottery(id);
    const size = checkpointSizeOf(c, id);
    const byCode = new Map(c.store.witnesses.ofLottery(id).map((w) => [w.codeHash, w]));
    const cosigned = (w: WitnessRow | undefined): WitnessListItem['cosigned'] => {
      const s = w && size !== undefined ? c.store.cosignatures.get(w.keyName, size) : undefined;
      return s ? { size: s.size, timestamp: s.timestamp } : null;
    };
    return c.store.witnesses.invitationsOf(id).map((inv) => {
      const w = byCode.get(inv.codeHash);
      return {
        name: inv.name,
        role: inv.role,
        invitedAt: inv.createdAt,
        expiresAt: inv.expiresAt,
        keyName: w?.keyName ?? null,
        fingerprint: w ? fingerprintOf(w.publicKey) : null,
        registeredAt: w?.registeredAt ?? null,
        revokedAt: w?.revokedAt ?? null,
        cosigned: cosigned(w),
      };
    });
  });
}
