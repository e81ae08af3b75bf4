import crypto from 'node:crypto';
import type { Sha256 } from '../domain/canonical';
import { keyFingerprintSync } from '../domain/ceremony';
import { LotteryError } from '../domain/errors';
import type { JournalEvent } from '../domain/events';
import type { JournalEntry } from '../domain/journal';
import { LOTTERY_ID } from '../domain/grammar';
import type { PublicField } from '../domain/publish';
import type { LogSigner } from '../keys/log-key';
import type { Signer } from '../keys/signer';
import type { CeremonyRow, LotteryRow, Store, WriteTx } from '../store/store';

/**
 * What every use case shares: the deps, the clock, ids, the lottery lookup, the one journal writer, the
 * refusals, and which status allows which action.
 *
 * Use cases. Each state change is one BEGIN IMMEDIATE transaction that re-reads the state it depends on,
 * asks the domain to decide, writes the tables and appends the journal entry. A refusal throws before
 * anything is written, so refused requests leave no trace in the journal (they go to the service log).
 */
export interface Deps {
  store: Store;
  clock: () => Date;
  randomBytes: (n: number) => Buffer;
  sha256: Sha256;
  signer: Signer;
  /** Base URL of the public verification pages, for the record's QR code. */
  publicUrl?: string;
  /** What the public record shows of each winner. */
  publicFields?: readonly PublicField[];
  /**
   * The server runs in production (NODE_ENV=production): a real lottery's record is refused when signed under
   * the test CA or pointing at a local public URL (services/record-checklist.ts).
   */
  production?: boolean;
  /** Whom the notification letters name to contact (LOTTERY_CONTACT); unset: templates/letter.json's `contact`. */
  letterContact?: string;
  /** The signer's certificate is the local test CA's, not the office's PKCS#12 (keys/certs.ts isTestCertificate). */
  testCertificate?: boolean;
  /**
   * Crash testing only (LOTTERY_FAULT_INJECTION=1): called at named points inside write transactions, where the
   * crash test kills the process, to prove a transaction is all or nothing.
   */
  fault?: (point: FaultPoint) => void;
  /** issue 13: the witnessed log's Ed25519 key (services/log.ts); without it the log endpoints answer 503. */
  logSigner?: LogSigner;
}

export type FaultPoint = 'roster.load' | 'lock' | 'draw' | 'record';

export class Context {
  constructor(readonly d: Deps) {}

  get store(): Store {
    return this.d.store;
  }

  now(): string {
    return this.d.clock().toISOString();
  }

  /**
   * The one journal writer of the use cases: the event at the head, stamped with the actor and the time now.
   * Only a write transaction's object can append (store.write), so an entry is never written outside one.
   */
  journal(tx: WriteTx, event: JournalEvent, actor: string): JournalEntry {
    return tx.appendJournal(event, { actor, at: this.now() }, this.d.sha256);
  }

  mustGetLottery(id: string): LotteryRow {
    const l = LOTTERY_ID.test(id) ? this.d.store.lottery(id) : undefined;
    if (!l) throw notFound('此抽籤', 'Lottery');
    return l;
  }

  newId(prefix: string, bytes = 6): string {
    const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
    const raw = this.d.randomBytes(bytes * 2);
    let s = '';
    for (const b of raw) s += alphabet[b % 32];
    return `${prefix}${s.slice(0, bytes + 4)}`;
  }

  displayName(userId: string): string {
    const u = this.d.store.userById(userId);
    return u ? (u.display ?? u.name) : userId;
  }

  /** `SHA256:` + hex of the checkpoint key's DER SPKI: what the notice, projector and record print. */
  keyFingerprint(): string {
    return keyFingerprintSync(this.d.signer.publicKeyPem, (b) =>
      crypto.createHash('sha256').update(b).digest('hex'),
    );
  }
}

/** The user id of an actor `user:ID`; a CLI or system actor has none (fallback, or 403). */
export function userOf(actor: string, fallback?: string): string {
  if (actor.startsWith('user:')) return actor.slice(5);
  if (fallback !== undefined) return fallback;
  throw new LotteryError('FORBIDDEN', {
    zh: '抽籤程序只能由登入的使用者開啟',
    en: 'Only a signed-in user can open a ceremony',
  });
}

// ---- which status allows which action ----
//
// The services' own status checks, one per action, each with the refusal the API has always answered.
// domain/lifecycle.ts states the same rules for the services and the replay alike; these are where the
// services are to call it.

// ---- the refusals the use cases share ----

export const notFound = (zh: string, en: string): LotteryError =>
  new LotteryError('NOT_FOUND', { zh: `找不到${zh}`, en: `${en} not found` });

export function ceremonyOpen(open: CeremonyRow, by: string): LotteryError {
  return new LotteryError(
    'CEREMONY_OPEN',
    {
      zh: `抽籤程序已由 ${by} 於 ${open.openedAt} 開啟：只有開啟者可以重新開啟；如須改由他人進行，請先休會`,
      en: `The ceremony was opened by ${by} at ${open.openedAt}: only they can reopen it; adjourn it first to hand it over`,
    },
    { extra: { openedBy: by, openedAt: open.openedAt } },
  );
}

export function ceremonyNotOpen(): LotteryError {
  return new LotteryError('CEREMONY_NOT_OPEN', {
    zh: '抽籤程序尚未開啟（或已休會）：請在會議當天於投影電腦上開啟抽籤程序',
    en: 'No ceremony is open (never opened, or adjourned): open it on the projector on the meeting day',
  });
}

export function alreadyIssued(): LotteryError {
  return new LotteryError('ALREADY_ISSUED', {
    zh: '抽籤紀錄已產製，不能重複產製',
    en: 'The record has already been issued',
  });
}
