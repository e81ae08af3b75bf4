import crypto from 'node:crypto';
import { journalledCosigners } from '../../src/domain/log/cosigners';
import { renderNotice } from '../../src/record/notice';
import { renderRecord } from '../../src/record/render';
import { testSigner } from '../helpers/app';
import { pdftotext } from '../helpers/poppler';
import { exampleRecordData } from '../helpers/record';
import { witness } from '../helpers/witness-log';

/**
 * issue 13: the notice prints the log's verifier key, so that observers can pin it before the meeting; the record,
 * issued after the cosigning, lists each cosigner with their role, key fingerprint and the checkpoint they signed.
 */
const logKey =
  'lottery.example.gov.tw/asset-review-lottery+4f2a9c11+AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/AbCdEfGh';
const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, '');
const root = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('the log key and the cosigners on paper', () => {
  it('the record prints the log key and each cosigner: name, role, fingerprint, size and the root’s first 16 hex', async () => {
    const fp = (s: string): string => `SHA256:${crypto.createHash('sha256').update(s).digest('hex')}`;
    const pdf = await renderRecord(
      exampleRecordData({
        logKey,
        cosigners: [
          {
            name: '林怡芬',
            role: 'monitor',
            fingerprint: fp('a'),
            size: 42,
            rootHash: root,
            timestamp: 1768800000,
          },
          {
            name: '陳小華',
            role: 'witness',
            fingerprint: fp('b'),
            size: 42,
            rootHash: root,
            timestamp: 1768800060,
          },
        ],
      }),
    );
    const text = pdftotext(pdf);
    expect(text).toContain(logKey);
    expect(text).toContain('林怡芬（監察員）：紀錄樹大小 42，樹根前 16 碼 a1b2c3d4e5f60718');
    expect(oneLine(text)).toContain('陳小華（見證人）：紀錄樹大小 42');
    expect(text).toContain(fp('a'));
    expect(text).toContain(fp('b'));
  });

  it('a record without the log prints neither', async () => {
    const text = pdftotext(await renderRecord(exampleRecordData()));
    expect(text).not.toContain('見證紀錄金鑰');
    expect(text).not.toContain('共同簽署');
  });

  it('the notice prints the log key for observers to pin with --log-key', async () => {
    const signer = testSigner();
    const fingerprint = `SHA256:${crypto
      .createHash('sha256')
      .update(crypto.createPublicKey(signer.publicKeyPem).export({ type: 'spki', format: 'der' }))
      .digest('hex')}`;
    const pdf = await renderNotice({
      lotteryId: 'moda-115',
      agency: '數位發展部',
      title: '115年度公職人員財產申報資料實質審查抽籤',
      year: 115,
      meeting: { date: '2026-01-22T14:30', monitor: '林怡芬' },
      count: 22,
      excludedCount: 1,
      stages: [{ stage: 1, label: '實質審查', percent: '10', poolSize: 21, quota: 3 }],
      rosterDigest: '61bd1e1ba9c47dfd00a47e001085f8171fd7aac58e22708f1bda67f1f7f667e7',
      commitment: '7152cd3344feb35e64cc0b0a7d20625639da4c26d61f58b5d8461330f1338d5c',
      keyFingerprint: fingerprint,
      lockedAt: new Date('2026-01-15T03:20:11Z'),
      issuedAt: new Date('2026-01-15T03:25:00Z'),
      publicUrl: 'https://lottery.example.gov.tw/verify/moda-115',
      logKey,
    });
    const text = pdftotext(pdf);
    expect(text).toContain('見證紀錄金鑰');
    expect(oneLine(text)).toContain(logKey);
  });

  it('the journal says who cosigned: registered keys only, the latest cosignature of each, in key-name order', () => {
    const a = witness('b.monitor');
    const pub = (w: typeof a): string => w.vkey.split('+')[2] ?? '';
    const entries = [
      {
        seq: 1,
        type: 'witness.registered',
        data: { lottery: 'L', name: '林怡芬', role: 'monitor', keyName: 'b.monitor', publicKey: pub(a) },
      },
      {
        seq: 2,
        type: 'witness.registered',
        data: { name: '上級機關', role: 'remote', keyName: 'a.remote', publicKey: 'AAAA' },
      },
      {
        seq: 3,
        type: 'checkpoint.cosigned',
        data: { lottery: 'L', size: 9, rootHash: root, keyName: 'b.monitor', timestamp: 5, signature: 'x' },
      },
      {
        seq: 4,
        type: 'checkpoint.cosigned',
        data: { size: 9, rootHash: root, keyName: 'a.remote', timestamp: 6, signature: 'x' },
      },
      {
        seq: 5,
        type: 'checkpoint.cosigned',
        data: { lottery: 'L', size: 9, rootHash: root, keyName: 'nobody', timestamp: 7, signature: 'x' },
      },
    ];
    expect(journalledCosigners(entries, 'L').map((c) => c.name)).toEqual(['林怡芬']);
    expect(
      journalledCosigners(entries, 'L', { size: 9, rootHash: root }).map((c) => [c.keyName, c.role]),
    ).toEqual([
      ['a.remote', 'remote'],
      ['b.monitor', 'monitor'],
    ]);
    expect(journalledCosigners(entries, 'L', { size: 8, rootHash: root })).toEqual([]);
  });
});
