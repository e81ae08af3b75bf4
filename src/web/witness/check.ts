import { base64Bytes } from '../../domain/ceremony';
import { equalBytes, leafHash, verifyConsistency, verifyInclusion } from '../../domain/log/merkle';
import { parseCheckpoint, parseNote, parseVerifierKey, type Checkpoint } from '../../domain/log/note';
import type { Json } from '../../domain/canonical';
import type { LotteryLogView } from '../../domain/log/lottery';
import { entryPreimage } from '../../domain/journal';
import { bytesHex, h, hexBytes, verifyNote } from './crypto';

/**
 * What the device checks before it cosigns, on its own, with the log key it pinned at registration (never the
 * key in the server's answer): the log's signature on the lottery's checkpoint; that this checkpoint and the
 * one the device saw before are the same tree, one a prefix of the other (an RFC 9162 consistency proof); and
 * that each of the lottery's draw entries is in the tree (an inclusion proof of its entry hash); and that the lock
 * and draw entries' data hash to those entry hashes (JCS, protocol.md §7). The commitment, the dice and the winners
 * shown are read from that proven data, never from the server's summary (`drawn`), so what the person cosigns is
 * what the log holds.
 */
/** What `GET /api/v1/lotteries/:id/log` answers: the one shape the server builds (domain/log/lottery.ts). */
export type LogAnswer = LotteryLogView;

export interface ConsistencyAnswer {
  ok: boolean;
  status: number;
  data: { from?: number; to?: number; proof?: string[] } & Record<string, unknown>;
}

export interface Checked {
  ok: true;
  size: number;
  root: string;
  /** The checkpoint's signed text, which the cosignature covers. */
  text: string;
  drawEntries: number;
  inclusions: number;
  /** How the device's earlier checkpoint was related to this one. */
  from: number;
  /** Read from the lock and draw entries whose hashes the device recomputed and proved included. */
  drawn: Drawn;
}

export interface Drawn {
  commitment: string;
  entropy: string;
  winners: Array<{ stage: number; ids: string[] }>;
}

export interface Failed {
  ok: false;
  /** true: the log itself is inconsistent (refuse for ever); false: a malformed or incomplete answer. */
  inconsistent: boolean;
  reason: { zh: string; en: string };
  proof: unknown;
}

const DRAW_TYPES = new Set(['stage.drawn', 'stage.recorded']);

const fail = (inconsistent: boolean, zh: string, en: string, proof: unknown = null): Failed => ({
  ok: false,
  inconsistent,
  reason: { zh, en },
  proof,
});

const b64s = (list: unknown): Uint8Array[] | undefined => {
  if (!Array.isArray(list)) return undefined;
  const out = list.map((p) => (typeof p === 'string' ? base64Bytes(p) : undefined));
  return out.every((p) => p?.length === 32) ? (out as Uint8Array[]) : undefined;
};

function parsed(note: string): { text: string; cp: Checkpoint } | undefined {
  const n = parseNote(note);
  const cp = n && parseCheckpoint(n.text);
  return n && cp ? { text: n.text, cp } : undefined;
}

/** The server's checkpoint is signed by the pinned log key, and is the checkpoint the answer says it is. */
async function signed(
  pinned: string,
  note: string,
  size: number,
): Promise<Failed | { text: string; cp: Checkpoint }> {
  const key = parseVerifierKey(h, pinned);
  const n = parseNote(note);
  const cp = n && parseCheckpoint(n.text);
  if (!key || !n || !cp)
    return fail(false, '伺服器的檢查點格式不正確。', 'The server’s checkpoint is malformed.');
  if (cp.origin !== key.name || !(await verifyNote(n, key)))
    return fail(
      true,
      '伺服器的檢查點沒有這台裝置登記時記下的紀錄金鑰簽章。',
      'The server’s checkpoint does not carry a valid signature of the log key this device pinned at registration.',
    );
  if (cp.size !== size)
    return fail(false, '伺服器回應的樹大小不一致。', 'The answer’s tree size disagrees with its checkpoint.');
  return { text: n.text, cp };
}

/** The stored checkpoint and the server's are one tree growing: same size → same root; otherwise a proof. */
async function consistent(
  stored: Checkpoint,
  storedText: string,
  now: Checkpoint,
  nowText: string,
  ask: (from: number, to: number) => Promise<ConsistencyAnswer>,
): Promise<Failed | undefined> {
  const bad = (proof: unknown, zh: string, en: string): Failed =>
    fail(
      true,
      `這台裝置先前看到的紀錄，與伺服器現在的紀錄不一致：${zh}紀錄可能被改寫，不能副署。`,
      `What this device saw of the log before is not consistent with the server’s log now: ${en} The history may have been rewritten; it cannot cosign.`,
      proof,
    );
  if (stored.origin !== now.origin) return bad(null, '紀錄名稱不同。', 'the log’s name differs.');
  if (stored.size === 0) return undefined;
  if (stored.size === now.size)
    return equalBytes(stored.root, now.root) && storedText === nowText
      ? undefined
      : bad(
          null,
          `同樣 ${now.size} 筆的紀錄，根雜湊不同。`,
          `the same size, ${now.size}, has another root hash.`,
        );
  const [small, large] = stored.size < now.size ? [stored, now] : [now, stored];
  const r = await ask(small.size, large.size);
  if (r.status === 0)
    return fail(false, '網路中斷，無法取得一致性證明。', 'Network down: no consistency proof.');
  const proof = r.ok ? b64s(r.data.proof) : undefined;
  const evidence = { from: small.size, to: large.size, status: r.status, answer: r.data };
  if (!proof || !verifyConsistency(h, small.size, large.size, small.root, large.root, proof))
    return bad(
      evidence,
      `從 ${small.size} 筆到 ${large.size} 筆的一致性證明驗證失敗。`,
      `the consistency proof from size ${small.size} to ${large.size} fails.`,
    );
  return undefined;
}

/** Every inclusion proof verifies, every draw entry has one, and the checkpoint ends at the last draw entry. */
function included(a: LogAnswer, root: Uint8Array): Failed | { drawEntries: number; inclusions: number } {
  const proofs = new Map(a.inclusion.map((p) => [p.seq, p.proof]));
  const draws = a.entries.filter((e) => DRAW_TYPES.has(e.type));
  if (draws.length === 0)
    return fail(
      false,
      '伺服器沒有提供本次抽籤的抽籤紀錄項目。',
      'The answer lists none of the lottery’s draw entries.',
    );
  let count = 0;
  for (const e of a.entries) {
    const leaf = hexBytes(e.hash);
    const proof = b64s(proofs.get(e.seq));
    const needed = DRAW_TYPES.has(e.type);
    if (!proof && !needed) continue;
    if (
      !leaf ||
      leaf.length !== 32 ||
      !proof ||
      !verifyInclusion(h, e.seq - 1, a.size, leafHash(h, leaf), proof, root)
    )
      return fail(
        true,
        `日誌第 ${e.seq} 筆（${e.type}）不在伺服器簽署的紀錄樹中，不能副署。`,
        `Journal entry ${e.seq} (${e.type}) is not in the tree the server signed: it cannot cosign.`,
        { seq: e.seq, hash: e.hash, proof: proofs.get(e.seq) ?? null },
      );
    count++;
  }
  if (Math.max(...draws.map((e) => e.seq)) !== a.size)
    return fail(
      false,
      '檢查點未止於本次抽籤最後一筆抽籤紀錄。',
      'The checkpoint does not end at the lottery’s last draw entry.',
    );
  return { drawEntries: draws.length, inclusions: count };
}

const utf8 = new TextEncoder();
const BOUND_TYPES = new Set(['lottery.locked', ...DRAW_TYPES]);

/** The lock and draw entries, whole, hash to the entry hashes the inclusion proofs covered; what they say. */
function bound(a: LogAnswer): Failed | Drawn {
  const drawn: Drawn = { commitment: '', entropy: '', winners: [] };
  for (const e of a.entries.filter((x) => BOUND_TYPES.has(x.type)).sort((x, y) => x.seq - y.seq)) {
    const { at, actor, data, prev } = e;
    const recomputed =
      at !== undefined && actor !== undefined && data !== undefined && prev !== undefined
        ? bytesHex(h(utf8.encode(entryPreimage({ seq: e.seq, at, type: e.type, actor, data, prev }))))
        : undefined;
    if (recomputed !== e.hash)
      return fail(
        true,
        `日誌第 ${e.seq} 筆（${e.type}）的內容與其雜湊值不符，不能副署。`,
        `Journal entry ${e.seq} (${e.type}): its data does not hash to its entry hash; it cannot cosign.`,
        { seq: e.seq, hash: e.hash, recomputed: recomputed ?? null },
      );
    const d = data as { [key: string]: Json };
    if (e.type === 'lottery.locked' && typeof d.commitment === 'string') drawn.commitment = d.commitment;
    if (DRAW_TYPES.has(e.type) && typeof d.stage === 'number' && Array.isArray(d.winners)) {
      if (d.stage === 1 && typeof d.entropy === 'string') drawn.entropy = d.entropy;
      drawn.winners = drawn.winners.filter((w) => w.stage !== d.stage);
      drawn.winners.push({ stage: d.stage, ids: d.winners.map(String) });
    }
  }
  drawn.winners.sort((x, y) => x.stage - y.stage);
  return drawn;
}

export async function checkLog(
  pinnedLogKey: string,
  storedNote: string,
  a: LogAnswer,
  ask: (from: number, to: number) => Promise<ConsistencyAnswer>,
): Promise<Checked | Failed> {
  const s = await signed(pinnedLogKey, a.checkpoint, a.size);
  if ('ok' in s) return s;
  const stored = parsed(storedNote);
  if (!stored)
    return fail(false, '這台裝置保存的檢查點無法讀取。', 'This device’s stored checkpoint cannot be read.');
  const c = await consistent(stored.cp, stored.text, s.cp, s.text, ask);
  if (c) return c;
  const inc = included(a, s.cp.root);
  if ('ok' in inc) return inc;
  const drawn = bound(a);
  if ('ok' in drawn) return drawn;
  return {
    ok: true,
    size: s.cp.size,
    root: bytesHex(s.cp.root),
    text: s.text,
    from: stored.cp.size,
    ...inc,
    drawn,
  };
}
