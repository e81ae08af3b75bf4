/**
 * The log's read side on a real store: the signed checkpoint, proofs that check against it with the domain's
 * verifier, refusals of sizes outside the tree, and the log key file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LotteryError } from '../../src/domain/errors';
import type { JournalEvent } from '../../src/domain/events';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/domain/log/merkle';
import {
  canonicalBase64,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  verifyNoteSignature,
} from '../../src/domain/log/note';
import { logOrigin } from '../../src/domain/log/origin';
import { loadOrCreateLogKey, logSignerFromPem, verifyEd25519Node } from '../../src/keys/log-key';
import { sha256Node } from '../../src/keys/signer';
import { LogService } from '../../src/services/log';
import { Store } from '../../src/store/store';
import { sha256Bytes } from '../../src/util/sha256';
import { tempDir } from '../helpers/app';

const stamp = { actor: 'cli', at: '2026-01-22T02:00:00.000Z' };
const added = (user: string): JournalEvent => ({ type: 'user.added', data: { user, role: 'admin' } });
const b64 = (s: string): Uint8Array => canonicalBase64(s) ?? new Uint8Array(0);

let dir: string;
let store: Store;
let log: LogService;
const pem = crypto
  .generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const signer = logSignerFromPem(pem, 'lottery.example.gov.tw/asset-review-lottery');
beforeEach(() => {
  dir = tempDir();
  store = Store.open(path.join(dir, 'log.sqlite'));
  for (let i = 1; i <= 9; i++) store.write((tx) => tx.appendJournal(added(`u${i}`), stamp, sha256Node));
  log = new LogService({ store, signer });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof LotteryError) return e.code;
    throw e;
  }
  return 'none';
}

describe('the log service', () => {
  it('signs a checkpoint that any C2SP verifier holding the log key accepts', () => {
    const { size, note } = log.checkpoint();
    expect(size).toBe(9);
    const parsed = parseNote(note);
    const key = parseVerifierKey(sha256Bytes, log.verifierKey());
    expect(parsed && key && verifyNoteSignature(parsed, key, verifyEd25519Node)).toBe(true);
    const cp = parsed && parseCheckpoint(parsed.text);
    expect(cp?.origin).toBe('lottery.example.gov.tw/asset-review-lottery');
    expect(cp?.size).toBe(9);
    // Deterministic until the head moves; then a new tree head.
    expect(log.checkpoint().note).toBe(note);
    store.write((tx) => tx.appendJournal(added('u10'), stamp, sha256Node));
    expect(parseCheckpoint(parseNote(log.checkpoint().note)?.text ?? '')?.size).toBe(10);
  });

  it('answers inclusion proofs that check against the checkpoint root', () => {
    const root = parseCheckpoint(parseNote(log.checkpoint().note)?.text ?? '')?.root ?? new Uint8Array(0);
    for (let seq = 1; seq <= 9; seq++) {
      const a = log.inclusion(seq, 9);
      expect(a.leafIndex).toBe(seq - 1);
      expect(a.entryHash).toMatch(/^[0-9a-f]{64}$/);
      const leaf = leafHash(sha256Bytes, Buffer.from(a.entryHash, 'hex'));
      expect(verifyInclusion(sha256Bytes, a.leafIndex, 9, leaf, a.proof.map(b64), root)).toBe(true);
    }
  });

  it('answers consistency proofs between any two sizes', () => {
    for (let from = 1; from <= 9; from++) {
      const first = b64(log.checkpointText(from).split('\n')[2] ?? '');
      const second = b64(log.checkpointText(9).split('\n')[2] ?? '');
      const a = log.consistency(from, 9);
      expect(verifyConsistency(sha256Bytes, from, 9, first, second, a.proof.map(b64))).toBe(true);
    }
  });

  it('refuses a size beyond the tree (409), from = 0, from > to, and seq outside the tree (422)', () => {
    expect(refusal(() => log.consistency(1, 10))).toBe('CONFLICT');
    expect(refusal(() => log.inclusion(1, 10))).toBe('CONFLICT');
    expect(refusal(() => log.consistency(0, 5))).toBe('VALIDATION_FAILED');
    expect(refusal(() => log.consistency(6, 5))).toBe('VALIDATION_FAILED');
    expect(refusal(() => log.inclusion(0, 5))).toBe('VALIDATION_FAILED');
    expect(refusal(() => log.inclusion(6, 5))).toBe('VALIDATION_FAILED');
    expect(refusal(() => log.inclusion(2 ** 60, 2 ** 61))).toBe('VALIDATION_FAILED');
  });
});

describe('the log key file', () => {
  it('is created once, mode 0600, and reused', () => {
    const file = path.join(dir, 'keys', 'lottery-log-key.pem');
    const a = loadOrCreateLogKey(file);
    expect(a.created).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const b = loadOrCreateLogKey(file);
    expect([b.created, b.pem]).toEqual([false, a.pem]);
  });

  it('refuses a key that is not Ed25519', () => {
    const rsa = crypto
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(() => logSignerFromPem(rsa.toString(), 'x')).toThrow(/Ed25519/);
  });
});

describe('the log origin', () => {
  it.each([
    ['https://lottery.example.gov.tw', 'lottery.example.gov.tw/asset-review-lottery'],
    ['https://lottery.example.gov.tw:443/', 'lottery.example.gov.tw/asset-review-lottery'],
    ['https://Lottery.Example.gov.tw:8443/x', 'lottery.example.gov.tw:8443/asset-review-lottery'],
    ['http://localhost:3000', 'localhost:3000/asset-review-lottery'],
    ['http://10.0.0.5', '10.0.0.5/asset-review-lottery'],
  ])('%s gives %s', (url, origin) => {
    expect(logOrigin(url)).toBe(origin);
  });
  it('takes LOTTERY_LOG_ORIGIN as given, and refuses one with a space or a plus', () => {
    expect(logOrigin('http://localhost:3000', 'ethics.moj.gov.tw/lottery')).toBe('ethics.moj.gov.tw/lottery');
    expect(() => logOrigin('http://x', 'a b')).toThrow();
    expect(() => logOrigin('http://x', 'a+b')).toThrow();
  });
});
