import { requireStatus } from '../domain/lifecycle';
import crypto from 'node:crypto';
import { ZERO_HASH } from '../domain/canonical';
import type { Checkpoint } from '../domain/checkpoint';
import { LotteryError } from '../domain/errors';
import { PROTOCOL_V1, sortRoster, type RosterEntry } from '../domain/protocol';
import { DEFAULT_PUBLIC_FIELDS, type PublicField } from '../domain/publish';
import { renderNotice } from '../record/notice';
import { meetingAmendedAt } from './life-view';
import { renderRecord, type RecordCeremony, type RecordCosigner, type RecordData } from '../record/render';
import { recordCosigners } from './audit-log';
import { signPdf } from '../record/sign';
import type { LotteryRow, ResultRow } from '../store/store';
import { checkpointInTx } from './audit';
import { alreadyIssued, type Context } from './context';
import {
  isRehearsal,
  recordChecklist as checklistOf,
  requireChecklist,
  warningsOf,
  type RecordChecklist,
} from './record-checklist';
import { ceremonyView, lockHistory, poolAndQuotas, stageViews } from './views';
import type { PhysicalRecord } from '../record/physical';
import { physicalRecord } from './physical-view';

/**
 * The signed PDFs: the pre-meeting notice (抽籤公告) and the record (抽籤紀錄), each rendered and signed from a
 * snapshot outside any transaction (rendering is asynchronous), then stored and journalled in one.
 */

/** What the record is rendered from, read in one transaction with the checkpoint it prints. */
interface RecordSnapshot {
  l: LotteryRow;
  roster: RosterEntry[];
  results: ResultRow[];
  checkpoint: Checkpoint;
  keyFingerprint: string;
  ceremonies: RecordCeremony[];
  checklist: RecordChecklist;
  /** When the meeting particulars were amended after the last lock (`meeting.updated`), in journal order. */
  meetingAmendedAt: string[];
  physical?: PhysicalRecord;
  /** issue 13: the log's key and who cosigned the lottery's checkpoint, when the service runs the log. */
  logKey?: string;
  cosigners: RecordCosigner[];
}

/** The checklist of issuing the record (the confirmation page): refusals before it (status, issued) first. */
export function recordChecklist(c: Context, id: string): RecordChecklist {
  return c.store.read(() => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'issueRecord', l.cancelledAt !== null);
    if (c.store.record(id, 'full')) throw alreadyIssued();
    return checklistOf(c, l);
  });
}

function recordSnapshot(c: Context, id: string): RecordSnapshot {
  return c.store.read(() => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'issueRecord', l.cancelledAt !== null);
    if (c.store.record(id, 'full')) throw alreadyIssued();
    const checklist = checklistOf(c, l);
    requireChecklist(checklist);
    return {
      meetingAmendedAt: meetingAmendedAt(c, id),
      l,
      checklist,
      roster: c.store.roster(id),
      results: c.store.results(id),
      checkpoint: checkpointInTx(c),
      keyFingerprint: c.keyFingerprint(),
      ...(l.method === 'physical' ? { physical: physicalRecord(c, l) } : {}),
      ...(c.d.log ? { logKey: c.d.log.verifierKey() } : {}),
      cosigners: recordCosigners(c, id),
      ceremonies: ceremonyView(c, id).history.map((h) => ({
        kind: h.kind,
        at: new Date(h.at),
        by: h.by,
        ...(h.reason === undefined ? {} : { reason: h.reason }),
      })),
    };
  });
}

export interface IssuedRecord {
  sha256: string;
  publicSha256: string;
  issuedAt: string;
  /** The checklist's unmet items that did not refuse the record, with how to fix each. */
  warnings: ReturnType<typeof warningsOf>;
}

/**
 * Issues the record once, after the last stage: the full copy and the public copy, rendered, signed, stored
 * and journalled (`record.issued`, twice) in one transaction. Rendering is asynchronous, so it happens first,
 * from a snapshot; the transaction then checks that the journal head is still the one the record names (its
 * checkpoint is "the journal as it stood just before the record was issued") and retries otherwise.
 *
 * The checklist (record-checklist.ts) is read with the snapshot: an unmet hard item refuses the record
 * (409 RECORD_CHECKLIST), every other unmet item comes back in `warnings`.
 */
export async function issueRecord(c: Context, actor: string, id: string): Promise<IssuedRecord> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const snap = recordSnapshot(c, id);
    const certificatePem = c.d.signer.certificatePem;
    if (!certificatePem) throw new Error('the signing key has no certificate');
    const issuedAt = c.d.clock();
    const data = (publicCopy: boolean): RecordData =>
      recordData(
        snap,
        issuedAt,
        publicCopy,
        c.d.publicUrl ?? 'http://localhost:3000',
        c.d.publicFields ?? DEFAULT_PUBLIC_FIELDS,
      );
    const cms = { privateKeyPem: c.d.signer.privateKeyPem, certificatePem, chainPem: c.d.signer.chainPem };
    const full = await signPdf(await renderRecord(data(false)), cms, issuedAt, id);
    const pub = await signPdf(await renderRecord(data(true)), cms, issuedAt, id);
    const sha = crypto.createHash('sha256').update(full).digest('hex');
    const publicSha = crypto.createHash('sha256').update(pub).digest('hex');
    const done = c.store.write((tx) => {
      if (c.store.record(id, 'full')) throw alreadyIssued();
      const head = c.store.journalHead() ?? { seq: 0, hash: ZERO_HASH };
      if (head.seq !== snap.checkpoint.seq || head.hash !== snap.checkpoint.hash) return false;
      const at = issuedAt.toISOString();
      c.store.insertRecord(id, 'full', full, sha, at);
      c.d.fault?.('record');
      c.store.insertRecord(id, 'public', pub, publicSha, at);
      c.journal(tx, { type: 'record.issued', data: { lottery: id, sha256: sha } }, actor);
      c.journal(tx, { type: 'record.issued', data: { lottery: id, sha256: publicSha, public: true } }, actor);
      return true;
    });
    if (done)
      return {
        sha256: sha,
        publicSha256: publicSha,
        issuedAt: issuedAt.toISOString(),
        warnings: warningsOf(snap.checklist),
      };
  }
  throw new LotteryError('CONFLICT', {
    zh: '日誌持續變動中，請稍後再產製紀錄',
    en: 'The journal kept changing; issue the record again',
  });
}

/**
 * The pre-meeting notice (抽籤公告), after the lock: pools, quotas, digest, commitment and key fingerprint, signed
 * like the record, stored and journalled (`notice.issued`) in one transaction, so observers can write the
 * commitment down before the meeting and compare it with the record afterwards.
 */
export async function issueNotice(
  c: Context,
  actor: string,
  id: string,
): Promise<{ sha256: string; issuedAt: string; pdf: Buffer }> {
  const snap = c.store.read(() => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'issueNotice', l.cancelledAt !== null);
    const roster = c.store.roster(id);
    const lock = lockHistory(c, id).at(-1);
    // A physical draw's notice carries stage 1's pool sheet, issued in the lock's transaction.
    const sheet =
      l.method === 'physical' ? c.store.physical.sheets(id).find((s) => s.stage === 1) : undefined;
    return { l, roster, lockedAt: lock?.at ?? l.createdAt, sheet };
  });
  const { l, roster } = snap;
  const certificatePem = c.d.signer.certificatePem;
  if (!certificatePem) throw new Error('the signing key has no certificate');
  const issuedAt = c.d.clock();
  const quotas = poolAndQuotas(l, roster);
  const unsigned = await renderNotice({
    lotteryId: id,
    agency: l.agency,
    title: l.title,
    year: l.year,
    meeting: l.meeting,
    count: roster.length,
    excludedCount: roster.filter((e) => e.excluded).length,
    stages: stageViews(l, quotas),
    rosterDigest: l.rosterDigest ?? '',
    commitment: l.commitment ?? '',
    keyFingerprint: c.keyFingerprint(),
    lockedAt: new Date(snap.lockedAt),
    issuedAt,
    publicUrl: `${c.d.publicUrl ?? 'http://localhost:3000'}/verify/${encodeURIComponent(id)}`,
    ...(isRehearsal(l) ? { rehearsal: true } : {}),
    ...(c.d.testCertificate ? { testCertificate: true } : {}),
    ...(snap.sheet ? { physical: { sheet: snap.sheet.sha256 } } : {}),
    ...(c.d.log ? { logKey: c.d.log.verifierKey() } : {}),
  });
  const pdf = await signPdf(
    unsigned,
    { privateKeyPem: c.d.signer.privateKeyPem, certificatePem, chainPem: c.d.signer.chainPem },
    issuedAt,
    id,
    'notice',
  );
  const sha = crypto.createHash('sha256').update(pdf).digest('hex');
  return c.store.write((tx) => {
    // The notice names a commitment: if the lottery was unlocked or re-locked while it rendered, it is stale.
    const now = c.mustGetLottery(id);
    if (now.commitment !== l.commitment || now.status === 'draft')
      throw new LotteryError('CONFLICT', {
        zh: '公告產製期間抽籤已解除或重新鎖定，請重新產製公告',
        en: 'The lottery was unlocked or re-locked while the notice was made; issue it again',
      });
    const e = c.journal(tx, { type: 'notice.issued', data: { lottery: id, sha256: sha } }, actor);
    c.store.insertNotice({
      lotteryId: id,
      seq: e.seq,
      commitment: l.commitment ?? '',
      pdf,
      sha256: sha,
      issuedAt: issuedAt.toISOString(),
    });
    return { sha256: sha, issuedAt: issuedAt.toISOString(), pdf };
  });
}

export function noticePdf(c: Context, id: string): Buffer {
  return c.store.read(() => {
    c.mustGetLottery(id);
    const n = c.store.notice(id);
    if (!n)
      throw new LotteryError('NOT_ISSUED', {
        zh: '尚未產製抽籤公告',
        en: 'The notice has not been issued yet',
      });
    return n.pdf;
  });
}

export function recordPdf(c: Context, id: string, kind: 'full' | 'public'): Buffer {
  return c.store.read(() => {
    c.mustGetLottery(id);
    const r = c.store.record(id, kind);
    if (!r)
      throw new LotteryError('NOT_ISSUED', {
        zh: '抽籤紀錄尚未產製',
        en: 'The record has not been issued yet',
      });
    return r.pdf;
  });
}

function recordData(
  snap: RecordSnapshot,
  issuedAt: Date,
  publicCopy: boolean,
  publicUrl: string,
  publicFields: readonly PublicField[],
): RecordData {
  const { l, roster, results, checkpoint } = snap;
  const byId = new Map(roster.map((e) => [e.id, e]));
  return {
    lotteryId: l.id,
    agency: l.agency,
    title: l.title,
    year: l.year,
    meeting: l.meeting,
    stages: results.map((r, i) => ({
      stage: r.stage,
      label: l.stages[i]?.label ?? '',
      percent: l.stages[i]?.percent ?? '',
      poolSize: r.poolSize,
      quota: r.quota,
      winners: r.winners.map((w) => byId.get(w) ?? { id: w, name: '' }),
    })),
    roster: sortRoster(roster),
    rosterDigest: l.rosterDigest ?? '',
    commitment: l.commitment ?? '',
    entropy: l.entropy ?? '',
    secret: l.secret ?? '',
    seed: l.seed ?? '',
    protocol: l.protocol ?? PROTOCOL_V1,
    keyFingerprint: snap.keyFingerprint,
    ceremonies: snap.ceremonies,
    checkpoint: {
      seq: checkpoint.seq,
      hash: checkpoint.hash,
      at: checkpoint.at,
      alg: checkpoint.alg,
      signature: checkpoint.signature,
    },
    issuedAt,
    ...(results[0] ? { drawnAt: new Date(results[0].drawnAt) } : {}),
    verifyUrl: `${publicUrl}/verify/${encodeURIComponent(l.id)}`,
    publicCopy,
    publicFields,
    ...(snap.checklist.rehearsal ? { rehearsal: true } : {}),
    ...(snap.checklist.testCertificate ? { testCertificate: true } : {}),
    ...(snap.meetingAmendedAt.length > 0 ? { meetingAmendedAt: snap.meetingAmendedAt } : {}),
    ...(snap.physical ? { physical: snap.physical } : {}),
    ...(snap.logKey ? { logKey: snap.logKey } : {}),
    ...(snap.cosigners.length > 0 ? { cosigners: snap.cosigners } : {}),
  };
}
