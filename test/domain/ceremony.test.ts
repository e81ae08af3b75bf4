import { keyFingerprintSync, meetingDay, taipeiDate, taipeiDateOfIso } from '../../src/domain/ceremony';
import { canonicalEntropy, groupDigits } from '../../src/domain/input/entropy';
import { seedPreimage, PROTOCOL_V2 } from '../../src/domain/protocol';
import crypto from 'node:crypto';
import vectors from '../fixtures/draw-v2.json';
import { sha256 } from '../helpers/crypto';

describe('the Taipei date (Asia/Taipei, UTC+08:00)', () => {
  it.each([
    ['2026-01-22T15:59:59.999Z', '2026-01-22'],
    ['2026-01-22T16:00:00.000Z', '2026-01-23'],
    ['2024-02-28T16:00:00.000Z', '2024-02-29'],
    ['2025-12-31T16:00:00.000Z', '2026-01-01'],
    ['1999-12-31T23:59:59.000Z', '2000-01-01'],
  ])('of %s is %s, by the journal text and by the instant', (at, day) => {
    expect(taipeiDateOfIso(at)).toBe(day);
    expect(taipeiDate(Date.parse(at))).toBe(day);
  });

  it.each([
    '2026-02-30T01:00:00.000Z',
    '2026-13-01T01:00:00.000Z',
    '2026-01-22T24:00:00.000Z',
    '2026-01-22T10:60:00.000Z',
    '2026-01-22 10:00',
  ])('of the malformed %s is undefined, never another day', (at) =>
    expect(taipeiDateOfIso(at)).toBeUndefined(),
  );

  it("the meeting's day is the first ten characters of meeting.date", () => {
    expect(meetingDay('2026-01-22T14:30')).toBe('2026-01-22');
    expect(meetingDay('2026-01-22')).toBe('2026-01-22');
    expect(meetingDay(undefined)).toBeUndefined();
    expect(meetingDay(20260122)).toBeUndefined();
  });
});

describe('the v2 vectors (test/fixtures/draw-v2.json)', () => {
  it.each(vectors.entropy.map((c) => [JSON.stringify(c.input), c.input, c.digits] as const))(
    'canonicalises %s',
    (_, input, digits) => expect(canonicalEntropy(input) ?? null).toBe(digits),
  );

  it('the ceremony: typed dice → digits → the v2 seed preimage and seed', () => {
    const c = vectors.ceremony;
    expect(canonicalEntropy(c.typed)).toBe(c.entropy);
    expect(groupDigits(c.entropy)).toBe(c.grouped);
    const pre = seedPreimage(
      { lottery: c.lottery, rosterDigest: c.expect.rosterDigest, secret: c.secret, entropy: c.entropy },
      PROTOCOL_V2,
    );
    expect(pre).toBe(c.expect.seedPreimage);
    expect(sha256(pre)).toBe(c.expect.seed);
  });
});

describe('the key fingerprint', () => {
  it('is SHA256: and the hex SHA-256 of the DER SubjectPublicKeyInfo, as openssl computes it', () => {
    const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const want = `SHA256:${crypto.createHash('sha256').update(der).digest('hex')}`;
    expect(keyFingerprintSync(pem, (b) => crypto.createHash('sha256').update(b).digest('hex'))).toBe(want);
  });
});
