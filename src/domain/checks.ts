/**
 * The name of every check the verifier can report, in the order of protocol.md §8.2: the bundle's checks, then
 * those only `verify --db` reports. The list is the runtime form of the `CheckName` union, so that a check the
 * code emits, a label here and a row in protocol.md cannot drift apart (test/domain/check-names.test.ts).
 */
export const BUNDLE_CHECK_NAMES = [
  'format',
  'lottery.rehearsal',
  'roster.order',
  'roster.digest',
  'commitment',
  'seed',
  'entropy.form',
  'randomness',
  'quotas',
  'physical.sheets',
  'physical.balls',
  'winners',
  'journal.chain',
  'journal.lottery',
  'journal.locked',
  'journal.draws',
  'ceremony.opened',
  'ceremony.date',
  'record.journal',
  'record.pdf.hash',
  'record.pdf.signature',
  'checkpoint.head',
  'checkpoint.signature',
  'key.pinned',
  'commitment.observed',
  'entropy.observed',
  'checkpoint.observed',
] as const;

/** `verify --db` (protocol.md §8.4): the chain, each lottery's tables, and a saved checkpoint. */
export const DATABASE_CHECK_NAMES = [
  'journal.chain',
  'journal.sessions',
  'tables.lottery',
  'checkpoint.extends',
  'checkpoint.signature',
  'checkpoint.key',
] as const;

/**
 * The one check the public verification page adds in front of the verifier's (src/web/verify.ts): that the
 * bundle is the lottery this page publishes. It is the page's, not the protocol's, so protocol.md §8.2 does not
 * list it and it has no label (the page prints its name).
 */
export const PAGE_CHECK_NAMES = ['page.match'] as const;

/** Every check the verifier can report (bundle and `verify --db`), each once. */
export const CHECK_NAMES: readonly CheckKind[] = [
  ...new Set<CheckKind>([...BUNDLE_CHECK_NAMES, ...DATABASE_CHECK_NAMES]),
];

/** A verifier check's name as labelled: `tables.lottery` stands for every `tables.lottery:ID`. */
export type CheckKind = (typeof BUNDLE_CHECK_NAMES)[number] | (typeof DATABASE_CHECK_NAMES)[number];

/**
 * A check's name as reported: `verify --db` reports one `tables.lottery:ID` per lottery, and the public page
 * adds its own `page.match`.
 */
export type CheckName =
  Exclude<CheckKind, 'tables.lottery'> | `tables.lottery:${string}` | (typeof PAGE_CHECK_NAMES)[number];

/**
 * A Chinese and an English label for every check, so that the CLI, the browser and the server print each check
 * the same way (protocol.md §8.2). `tables.lottery:ID` (verify --db) is labelled by its prefix.
 */
export const CHECK_LABELS: Readonly<Record<CheckKind, { zh: string; en: string }>> = {
  format: { zh: '稽核包格式', en: 'bundle format' },
  'lottery.rehearsal': { zh: '演練或正式抽籤', en: 'rehearsal or real lottery' },
  'roster.order': { zh: '名冊排序與內容', en: 'roster order and form' },
  'roster.digest': { zh: '名冊雜湊值', en: 'roster digest' },
  commitment: { zh: '承諾值與秘密值相符', en: 'secret matches the commitment' },
  seed: { zh: '種子重算', en: 'seed recomputed' },
  'entropy.form': { zh: '骰子點數格式（10–64 位數字）', en: 'dice digits (10–64)' },
  quotas: { zh: '比率與名額', en: 'rates and quotas' },
  randomness: { zh: '隨機性（實體抽籤，無法驗證）', en: 'randomness (physical draw: not verifiable)' },
  'physical.sheets': { zh: '號次表依編號排序', en: 'pool sheets in id order' },
  'physical.balls': { zh: '球號皆在號次表上且依序記錄', en: 'balls on the sheets, in order' },
  winners: { zh: '中籤者重算', en: 'winners recomputed' },
  'journal.chain': { zh: '日誌雜湊鏈', en: 'journal hash chain' },
  'journal.lottery': { zh: '日誌中的抽籤設定', en: 'lottery settings in the journal' },
  'journal.locked': { zh: '日誌中的鎖定', en: 'lock in the journal' },
  'journal.draws': { zh: '日誌中的抽籤結果', en: 'draws in the journal' },
  'ceremony.opened': { zh: '抽籤程序於抽籤前開啟', en: 'ceremony opened before the draw' },
  'ceremony.date': { zh: '於會議當日抽籤', en: 'drawn on the meeting day' },
  'record.journal': { zh: '紀錄雜湊值已記入日誌', en: 'record hashes journalled' },
  'record.pdf.hash': { zh: '紀錄檔雜湊值', en: 'record file hash' },
  'record.pdf.signature': { zh: '紀錄檔數位簽章', en: 'record file signature' },
  'checkpoint.head': { zh: '檢查點涵蓋日誌末端', en: 'checkpoint covers the head' },
  'checkpoint.signature': { zh: '檢查點簽章', en: 'checkpoint signature' },
  'key.pinned': { zh: '金鑰與公告之指紋相符', en: 'key pinned to the published fingerprint' },
  'commitment.observed': { zh: '承諾值與會前抄錄相符', en: 'commitment as observed' },
  'entropy.observed': { zh: '骰子點數與會議紀錄相符', en: 'dice as written down in the room' },
  'checkpoint.observed': { zh: '日誌延續先前保存的檢查點', en: 'journal extends the saved checkpoint' },
  'checkpoint.extends': { zh: '日誌延續檢查點', en: 'journal extends the checkpoint' },
  'checkpoint.key': { zh: '簽章金鑰的延續', en: 'signing key continuity' },
  'tables.lottery': { zh: '資料表與日誌相符', en: 'tables match the journal' },
  'journal.sessions': {
    zh: '抽籤與開啟程序皆來自已登入的工作階段',
    en: 'draws and openings come from signed-in sessions',
  },
};

const isCheckKind = (name: string): name is CheckKind =>
  Object.prototype.hasOwnProperty.call(CHECK_LABELS, name);

export function checkLabel(name: string): { zh: string; en: string } {
  const prefix = name.split(':')[0] ?? '';
  if (isCheckKind(name)) return CHECK_LABELS[name];
  if (isCheckKind(prefix)) return CHECK_LABELS[prefix];
  return { zh: name, en: name };
}
