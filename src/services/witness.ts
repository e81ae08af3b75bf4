import { LotteryError, validationFailed, type FieldProblem } from '../domain/errors';
import { isRecord, onlyFields, parseReason } from '../domain/input/body';
import { text } from '../domain/input/text';
import { meetingDay } from '../domain/ceremony';
import { cosignerFingerprint } from '../domain/log/lottery';
import {
  bytesBase64,
  canonicalBase64,
  formatVerifierKey,
  parseVerifierKey,
  SIG_COSIGNATURE_V1,
  validKeyName,
} from '../domain/log/note';
import type { WitnessRow } from '../store/store';
import { sha256Bytes } from '../util/sha256';
import { notFound, type Context } from './context';
import type { LogService } from './log';

/**
 * issue 13 (protocol.md §10): the meeting room's witnesses. The ethics officer invites each person with a
 * one-time code; the person's own device registers an Ed25519 key with it; the ethics office registers a
 * remote witness's verifier key directly. The cosignatures themselves are taken in witness-cosign.ts.
 */
export type RoomRole = 'monitor' | 'witness';

const SEVEN_DAYS_MS = 7 * 86_400_000;
const TAIPEI_OFFSET_MS = 8 * 3_600_000;

/**
 * Key names a witness may register: the signed-note rules (validKeyName) and, further, ASCII letters, digits and
 * `. _ / : @ -` only, starting with a letter or digit. Unicode names could look like another's (a Cyrillic
 * `а` for a Latin `a`), and the table compares names without case, so `Alice` and `alice` are one name.
 */
export const WITNESS_KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,127}$/;

export const logRequired = (c: Context): LogService => {
  if (c.d.log) return c.d.log;
  throw new LotteryError('UNAVAILABLE', {
    zh: '紀錄樹的簽章金鑰尚未載入，見證功能暫不可用',
    en: "The log's signing key is not loaded: witnessing is unavailable",
  });
};

const codeHash = (c: Context, code: string): string => c.d.sha256(`witness-code:${code}`);

/** The cosigner verifier key of a registered witness: `keyName+KEYID+BASE64(0x04 ‖ key)`. */
export const cosignerVkey = (w: Pick<WitnessRow, 'keyName' | 'publicKey'>): string =>
  formatVerifierKey(sha256Bytes, w.keyName, SIG_COSIGNATURE_V1, w.publicKey);

export const fingerprintOf = (publicKey: Uint8Array): string => cosignerFingerprint(sha256Bytes, publicKey);

/** The end of the meeting day in Asia/Taipei (UTC+8, no daylight saving), as epoch ms; undefined without one. */
function endOfMeetingDay(date: unknown): number | undefined {
  const day = meetingDay(date);
  if (day === undefined) return undefined;
  const ms = Date.parse(`${day}T00:00:00.000Z`);
  return Number.isNaN(ms) ? undefined : ms + 86_400_000 - TAIPEI_OFFSET_MS;
}

function parseInvitation(body: unknown): { name: string; role: RoomRole } {
  onlyFields(body, ['name', 'role']);
  const b = isRecord(body) ? body : {};
  const problems: FieldProblem[] = [];
  const name = text(problems, 'name', b.name, { max: 50, required: true });
  const role = b.role;
  if (role !== 'monitor' && role !== 'witness')
    problems.push({
      field: 'role',
      code: 'BAD_ROLE',
      message: {
        zh: 'role 須為 monitor（監察員）或 witness（見證人）',
        en: 'role must be monitor or witness',
      },
    });
  if (problems.length > 0 || name === undefined || (role !== 'monitor' && role !== 'witness'))
    throw validationFailed(problems);
  return { name, role };
}

const cancelledRefusal = (): LotteryError =>
  new LotteryError('CANCELLED', {
    zh: '此抽籤已作廢，不能再邀請或登錄見證人',
    en: 'The lottery is cancelled: no witness can be invited or registered',
  });

/**
 * A one-time code for a person of the meeting room: 128 random bits, base64url, shown once. Only its SHA-256
 * is stored; it expires at the end of the meeting day (Taipei) or after seven days, whichever comes first.
 */
export function inviteWitness(
  c: Context,
  actor: string,
  id: string,
  body: unknown,
): { code: string; url: string; name: string; role: RoomRole; expiresAt: string } {
  const { name, role } = parseInvitation(body);
  const code = c.d.randomBytes(16).toString('base64url');
  const now = c.d.clock().getTime();
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    if (l.cancelledAt !== null) throw cancelledRefusal();
    const end = Math.min(endOfMeetingDay(l.meeting.date) ?? Infinity, now + SEVEN_DAYS_MS);
    if (end <= now)
      throw new LotteryError('CONFLICT', {
        zh: '會議日已過，邀請碼將立即失效：請先更正會議日期',
        en: 'The meeting day is over, so the code would expire at once: correct the meeting date first',
      });
    const expiresAt = new Date(end).toISOString();
    c.store.witnesses.insertInvitation({
      codeHash: codeHash(c, code),
      lotteryId: id,
      name,
      role,
      createdAt: c.now(),
      expiresAt,
    });
    c.journal(tx, { type: 'witness.invited', data: { lottery: id, name, role } }, actor);
    const base = (c.d.publicUrl ?? '').replace(/\/+$/, '');
    return { code, url: `${base}/witness/register?code=${code}`, name, role, expiresAt };
  });
}

function badKeyName(keyName: unknown, origin: string): string | undefined {
  if (typeof keyName !== 'string' || !validKeyName(keyName) || !WITNESS_KEY_NAME.test(keyName))
    return 'keyName: ASCII letters, digits and . _ / : @ - only (up to 128), starting with a letter or digit';
  if (keyName.toLowerCase() === origin.toLowerCase()) return "keyName must not be the log's own name";
  return undefined;
}

function keyProblems(keyName: unknown, publicKey: Uint8Array | undefined, origin: string): void {
  const problems: FieldProblem[] = [];
  const bad = badKeyName(keyName, origin);
  if (bad)
    problems.push({
      field: 'keyName',
      code: 'BAD_KEY_NAME',
      message: { zh: `金鑰名稱不正確（${bad}）`, en: bad },
    });
  if (!publicKey)
    problems.push({
      field: 'publicKey',
      code: 'BAD_PUBLIC_KEY',
      message: {
        zh: 'publicKey 須為 32 位元組 Ed25519 公鑰的 base64',
        en: 'publicKey must be base64 of a 32-byte Ed25519 key',
      },
    });
  if (problems.length > 0) throw validationFailed(problems);
}

/** A key name or key already registered: refused, whoever holds it (names compare without case). */
function requireUnique(c: Context, keyName: string, publicKey: Uint8Array): void {
  if (c.store.witnesses.byKeyName(keyName))
    throw new LotteryError('CONFLICT', {
      zh: `金鑰名稱 ${keyName} 已有人登錄（不分大小寫），請換一個名稱`,
      en: `The key name ${keyName} is already registered (names compare without case): choose another`,
    });
  if (c.store.witnesses.byPublicKey(publicKey))
    throw new LotteryError('CONFLICT', {
      zh: '此公鑰已登錄過',
      en: 'This public key is already registered',
    });
}

const codeRefused = (zh: string, en: string): LotteryError => new LotteryError('UNAUTHENTICATED', { zh, en });

export interface RegisteredAnswer {
  lottery?: string;
  name: string;
  role: string;
  keyName: string;
  vkey: string;
  fingerprint: string;
  logKey: string;
  checkpoint: string;
}

/** POST /api/v1/witness/register: the code authenticates; one registration per code, before it expires. */
export function registerWitness(c: Context, body: unknown): RegisteredAnswer {
  const log = logRequired(c);
  onlyFields(body, ['code', 'keyName', 'publicKey']);
  const b = isRecord(body) ? body : {};
  const code = typeof b.code === 'string' && /^[A-Za-z0-9_-]{22}$/.test(b.code) ? b.code : undefined;
  if (!code) throw codeRefused('邀請碼不正確', 'The registration code is not valid');
  const publicKey = typeof b.publicKey === 'string' ? canonicalBase64(b.publicKey) : undefined;
  const key = publicKey?.length === 32 ? publicKey : undefined;
  keyProblems(b.keyName, key, log.origin);
  const keyName = b.keyName as string;
  const pub = key as Uint8Array;
  const answer = c.store.write((tx) => {
    const inv = c.store.witnesses.invitation(codeHash(c, code));
    if (!inv) throw codeRefused('邀請碼不正確', 'The registration code is not valid');
    if (inv.usedAt !== null)
      throw codeRefused(
        '此邀請碼已使用過：每組邀請碼只能登錄一次',
        'This code has already been used: one registration per code',
      );
    if (Date.parse(inv.expiresAt) <= c.d.clock().getTime())
      throw codeRefused(
        '此邀請碼已過期，請向政風人員索取新的邀請碼',
        'This code has expired: ask the ethics officer for a new one',
      );
    const l = c.mustGetLottery(inv.lotteryId);
    if (l.cancelledAt !== null) throw cancelledRefusal();
    requireUnique(c, keyName, pub);
    const at = c.now();
    c.store.witnesses.useInvitation(inv.codeHash, at);
    const w = {
      keyName,
      publicKey: pub,
      name: inv.name,
      role: inv.role,
      lotteryId: l.id,
      codeHash: inv.codeHash,
      registeredAt: at,
    };
    c.store.witnesses.insert(w);
    const data = { lottery: l.id, name: inv.name, role: inv.role, keyName, publicKey: bytesBase64(pub) };
    c.journal(tx, { type: 'witness.registered', data }, 'system');
    return {
      lottery: l.id,
      name: inv.name,
      role: inv.role,
      keyName,
      vkey: cosignerVkey(w),
      fingerprint: fingerprintOf(pub),
    };
  });
  return { ...answer, logKey: log.verifierKey(), checkpoint: log.checkpoint().note };
}

/** An upper-level office's witness, registered by the ethics office with its cosigner verifier key (0x04). */
export function registerRemoteWitness(
  c: Context,
  actor: string,
  body: unknown,
): { name: string; role: 'remote'; keyName: string; vkey: string; fingerprint: string } {
  // The CLI (`witness register --db`) may run without the log key: then only the log's own name goes unchecked.
  const origin = c.d.log?.origin ?? '';
  onlyFields(body, ['name', 'vkey']);
  const b = isRecord(body) ? body : {};
  const problems: FieldProblem[] = [];
  const name = text(problems, 'name', b.name, { max: 100, required: true });
  const vk = typeof b.vkey === 'string' ? parseVerifierKey(sha256Bytes, b.vkey.trim()) : undefined;
  if (!vk || vk.type !== SIG_COSIGNATURE_V1)
    problems.push({
      field: 'vkey',
      code: 'BAD_VKEY',
      message: {
        zh: 'vkey 須為見證人的驗證金鑰（NAME+KEYID+BASE64(0x04‖公鑰)，類型 0x04）',
        en: 'vkey must be a cosigner verifier key NAME+KEYID+BASE64(0x04 ‖ key), type 0x04',
      },
    });
  if (problems.length > 0 || !vk || name === undefined) throw validationFailed(problems);
  keyProblems(vk.name, vk.publicKey, origin);
  return c.store.write((tx) => {
    requireUnique(c, vk.name, vk.publicKey);
    const w = {
      keyName: vk.name,
      publicKey: vk.publicKey,
      name,
      role: 'remote' as const,
      lotteryId: null,
      codeHash: null,
      registeredAt: c.now(),
    };
    c.store.witnesses.insert(w);
    const data = { name, role: 'remote', keyName: vk.name, publicKey: bytesBase64(vk.publicKey) };
    c.journal(tx, { type: 'witness.registered', data }, actor);
    return {
      name,
      role: 'remote' as const,
      keyName: vk.name,
      vkey: cosignerVkey(w),
      fingerprint: fingerprintOf(vk.publicKey),
    };
  });
}

/** A witness key revoked, with a reason: its cosignatures are refused from now on; those stored stay. */
export function revokeWitness(
  c: Context,
  actor: string,
  keyName: string,
  body: unknown,
): { keyName: string; revokedAt: string } {
  const reason = parseReason(
    body,
    '撤銷見證人金鑰須說明理由（reason）',
    'revoking a witness key needs a reason',
  );
  return c.store.write((tx) => {
    const w = c.store.witnesses.byKeyName(keyName);
    if (!w) throw notFound('此見證人金鑰', 'Witness key');
    const at = c.now();
    if (!c.store.witnesses.revoke(w.keyName, at))
      throw new LotteryError('CONFLICT', {
        zh: '此見證人金鑰已撤銷',
        en: 'This witness key is already revoked',
      });
    c.journal(tx, { type: 'witness.revoked', data: { keyName: w.keyName, reason } }, actor);
    return { keyName: w.keyName, revokedAt: at };
  });
}
