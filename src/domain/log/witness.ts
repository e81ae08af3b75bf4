import { equalBytes, verifyConsistency, type HashBytes } from './merkle';
import {
  canonicalBase64,
  formatNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  SIG_ED25519,
  verifyNoteSignature,
  type Checkpoint,
  type Note,
  type VerifierKey,
  type VerifyEd25519,
} from './note';

/**
 * The remote witness's decisions (issue 13, docs/witness.md): whether a checkpoint is the pinned log's, whether
 * it extends the one the witness cosigned last, and what the witness signs. Pure: the fetching, the clock, the
 * state directory and the signing key are the caller's (src/witness/).
 *
 * Two kinds of failure, and only one is final:
 * - `untrusted`: the answer is not a checkpoint of the pinned log (bad signature, other origin, malformed). It
 *   proves nothing against the log (anyone between the witness and the log can send garbage): the witness does
 *   not cosign, keeps its state, and exits 1.
 * - `inconsistent`: two checkpoints, both signed by the pinned log key, that cannot both be true (the tree
 *   shrank, one size with two roots, or no valid consistency proof between them). That is evidence of a
 *   rewritten history: the witness keeps both notes and refuses that log for good.
 */
export interface Message {
  zh: string;
  en: string;
}

export type Failure = Message & { kind: 'untrusted' | 'inconsistent' };

export interface LogCheckpoint {
  note: Note;
  checkpoint: Checkpoint;
}

const untrusted = (zh: string, en: string): Failure => ({ kind: 'untrusted', zh, en });
const inconsistent = (zh: string, en: string): Failure => ({ kind: 'inconsistent', zh, en });

/** The log's verifier key (type 0x01, signed-note vkey), or undefined when the text is not one. */
export function parseLogKey(h: HashBytes, text: string): VerifierKey | undefined {
  const k = parseVerifierKey(h, text.trim());
  return k && k.type === SIG_ED25519 ? k : undefined;
}

/** A checkpoint note as fetched: signed by the pinned log key, its origin the key's name (as C2SP recommends). */
export function checkLogNote(
  h: HashBytes,
  verify: VerifyEd25519,
  key: VerifierKey,
  text: string,
): LogCheckpoint | Failure {
  const note = parseNote(text);
  if (!note)
    return untrusted('取得的檢查點不是簽章筆記（signed note）格式', 'the checkpoint is not a signed note');
  if (!verifyNoteSignature(note, key, verify))
    return untrusted(
      `檢查點沒有釘選的紀錄金鑰 ${key.name} 的有效簽章：可能是另一個紀錄、金鑰已更換，或傳輸遭竄改`,
      `the checkpoint carries no valid signature by the pinned log key ${key.name}: another log, a replaced key, or tampering on the way`,
    );
  const checkpoint = parseCheckpoint(note.text);
  if (!checkpoint) return untrusted('檢查點內文格式錯誤', 'the checkpoint body is malformed');
  if (checkpoint.origin !== key.name)
    return untrusted(
      `檢查點的來源 ${checkpoint.origin} 不是紀錄金鑰的名稱 ${key.name}`,
      `the checkpoint's origin ${checkpoint.origin} is not the log key's name ${key.name}`,
    );
  return { note, checkpoint };
}

export const isFailure = (r: object): r is Failure => 'kind' in r;

/** The consistency proof the witness needs from `prev` to `cur`, or undefined when none is needed. */
export function proofNeeded(prev: Checkpoint, cur: Checkpoint): { from: number; to: number } | undefined {
  return prev.size > 0 && cur.size > prev.size ? { from: prev.size, to: cur.size } : undefined;
}

/** The answer of GET /api/v1/log/consistency: `{from, to, proof: [base64 of 32 bytes]}` for exactly this range. */
export function parseConsistencyAnswer(body: unknown, from: number, to: number): Uint8Array[] | Failure {
  const b = body as { from?: unknown; to?: unknown; proof?: unknown } | null;
  if (typeof b !== 'object' || b === null || b.from !== from || b.to !== to || !Array.isArray(b.proof))
    return untrusted(
      `一致性證明的回應格式錯誤（應為 from=${from}、to=${to}）`,
      `the consistency answer is malformed (expected from=${from}, to=${to})`,
    );
  const proof: Uint8Array[] = [];
  for (const p of b.proof as unknown[]) {
    const raw = typeof p === 'string' ? canonicalBase64(p) : undefined;
    if (!raw || raw.length !== 32)
      return untrusted(
        '一致性證明含有不是 32 位元組雜湊的項目',
        'the consistency proof holds a non-hash item',
      );
    proof.push(raw);
  }
  if (proof.length > 128) return untrusted('一致性證明過長', 'the consistency proof is too long');
  return proof;
}

/**
 * Does `cur` extend `prev` (the last checkpoint this witness cosigned)? Both are already checked against the
 * pinned key. `proof` is the consistency proof from prev.size to cur.size when one was needed.
 */
export function checkExtends(
  h: HashBytes,
  prev: Checkpoint,
  cur: Checkpoint,
  proof: readonly Uint8Array[] | undefined,
): Failure | undefined {
  if (cur.size < prev.size)
    return inconsistent(
      `紀錄樹變小了：先前副署時有 ${prev.size} 筆，現在只剩 ${cur.size} 筆`,
      `the tree shrank: ${prev.size} entries when last cosigned, ${cur.size} now`,
    );
  if (cur.size === prev.size)
    return equalBytes(cur.root, prev.root)
      ? undefined
      : inconsistent(
          `同樣 ${cur.size} 筆的紀錄樹出現兩個不同的根雜湊：歷史已被改寫`,
          `two different root hashes for the same ${cur.size} entries: the history was rewritten`,
        );
  if (prev.size === 0) return undefined;
  if (!proof || !verifyConsistency(h, prev.size, cur.size, prev.root, cur.root, proof))
    return inconsistent(
      `從 ${prev.size} 筆到 ${cur.size} 筆的一致性證明不成立：新的紀錄樹不是先前副署那一棵的延伸，歷史已被改寫`,
      `the consistency proof from ${prev.size} to ${cur.size} entries fails: the new tree does not extend the one cosigned before; the history was rewritten`,
    );
  return undefined;
}

/**
 * The note this witness keeps and posts: the checkpoint text, the log's own signature line(s), and this
 * witness's new cosignature line. Other cosigners' lines, and an older line of this witness, are left out.
 */
export function cosignedNote(checked: LogCheckpoint, logKey: VerifierKey, line: string): string {
  const logLines = checked.note.signatures
    .filter((s) => s.name === logKey.name && s.id === logKey.id)
    .map((s) => s.line);
  return formatNote(checked.note.text, [...logLines, line]);
}

/** `--every`: 30s, 10m, 1h (at least 10 seconds, at most a day); undefined when not a valid interval. */
export function parseInterval(text: string): number | undefined {
  const m = /^([1-9][0-9]{0,5})(s|m|h)$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
  return ms >= 10_000 && ms <= 86_400_000 ? ms : undefined;
}

/** The README.txt of an evidence directory: what the files are and what they mean, in Chinese and English. */
export function evidenceReadme(f: {
  log: string;
  logKey: string;
  at: string;
  reason: Message;
  prevSize: number;
  curSize: number;
  proof: boolean;
}): string {
  return [
    '遠端見證：紀錄不一致的證據',
    '================================',
    `紀錄：${f.log}`,
    `釘選的紀錄金鑰：${f.logKey}`,
    `發現時間：${f.at}`,
    `原因：${f.reason.zh}`,
    '',
    `previous-checkpoint.txt：本見證先前副署的檢查點（${f.prevSize} 筆），帶有紀錄金鑰的簽章。`,
    `checkpoint.txt：紀錄這次提供的檢查點（${f.curSize} 筆），同樣帶有紀錄金鑰的簽章。`,
    f.proof ? 'consistency.json：紀錄對兩者之間一致性證明的原始回應。' : '（本次不需要一致性證明。）',
    '',
    '兩份檢查點都由同一把紀錄金鑰簽署，卻無法同時為真：持有服務金鑰的人改寫了已經見證過的歷史。',
    '任何人可用 C2SP 相容工具與紀錄金鑰驗證這兩份檢查點。本見證從此拒絕再為這個紀錄副署。',
    '請將整個目錄交給政風單位或上級機關，勿修改其中檔案。',
    '',
    'Remote witness: evidence of an inconsistent log',
    '===============================================',
    `Log: ${f.log}`,
    `Pinned log key: ${f.logKey}`,
    `Found at: ${f.at}`,
    `Reason: ${f.reason.en}`,
    '',
    `previous-checkpoint.txt: the checkpoint this witness cosigned before (${f.prevSize} entries), signed by the log key.`,
    `checkpoint.txt: the checkpoint the log served now (${f.curSize} entries), signed by the same key.`,
    f.proof
      ? "consistency.json: the log's raw answer for the consistency proof between them."
      : '(No consistency proof was needed.)',
    '',
    'Both checkpoints are signed by the same log key, yet they cannot both be true: whoever holds the',
    "service's key rewrote history that had already been witnessed. Anyone can check both notes with the",
    'log key and any C2SP-compatible tool. This witness refuses to cosign for this log from now on.',
    'Hand the whole directory to the ethics office or the supervising agency; do not change its files.',
    '',
  ].join('\n');
}
