import crypto from 'node:crypto';
import {
  bytesBase64,
  canonicalBase64,
  cosignatureBytes,
  cosignatureMessage,
  formatCheckpoint,
  formatNote,
  formatVerifierKey,
  keyId,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  SIG_COSIGNATURE_V1,
  SIG_ED25519,
  signatureLine,
  verifyCosignature,
  verifyNoteSignature,
  type VerifyEd25519,
} from '../../src/domain/log/note';

const H = (d: Uint8Array): Uint8Array => new Uint8Array(crypto.createHash('sha256').update(d).digest());
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const verify: VerifyEd25519 = (pub, msg, sig) =>
  crypto.verify(
    null,
    msg,
    crypto.createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: 'der', type: 'spki' }),
    sig,
  );
function keyPair(): { pub: Uint8Array; sign: (m: Uint8Array) => Uint8Array } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pub = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
  return { pub, sign: (m) => new Uint8Array(crypto.sign(null, m, privateKey)) };
}

// The example of c2sp.org/signed-note §Verifier keys.
const VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const NOTE =
  'This is an example message.\n\n' +
  '— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

describe('signed notes (c2sp.org/signed-note)', () => {
  it('reads the specification example key and verifies its note', () => {
    const key = parseVerifierKey(H, VKEY);
    expect(key?.name).toBe('example.com/foo');
    expect(key?.id).toBe(0x530d903a);
    const note = parseNote(NOTE);
    expect(note?.text).toBe('This is an example message.\n');
    expect(key && note && verifyNoteSignature(note, key, verify)).toBe(true);
    // Written back byte for byte.
    expect(
      note &&
        formatNote(
          note.text,
          note.signatures.map((s) => s.line),
        ),
    ).toBe(NOTE);
  });

  it('when the text was changed by one byte › the signature fails', () => {
    const key = parseVerifierKey(H, VKEY);
    const note = parseNote(NOTE.replace('example message', 'example massage'));
    expect(key && note && verifyNoteSignature(note, key, verify)).toBe(false);
  });

  it('ignores signatures whose name or key ID differ from the pinned key, and then refuses the note', () => {
    const key = parseVerifierKey(H, VKEY);
    const renamed = parseNote(NOTE.replace('— example.com/foo ', '— example.com/bar '));
    expect(renamed?.signatures).toHaveLength(1);
    expect(key && renamed && verifyNoteSignature(renamed, key, verify)).toBe(false);
  });

  it('refuses a vkey whose key ID does not match its name and key', () => {
    expect(parseVerifierKey(H, VKEY.replace('530d903a', '530d903b'))).toBeUndefined();
    expect(parseVerifierKey(H, VKEY.replace('example.com/foo', 'example.com/fo'))).toBeUndefined();
    expect(parseVerifierKey(H, `${VKEY}+x`)).toBeUndefined();
    expect(parseVerifierKey(H, ` ${VKEY}`)).toBeUndefined();
  });

  it.each([
    ['no blank line before the signatures', NOTE.replace('\n\n', '\n')],
    ['no final newline', NOTE.slice(0, -1)],
    ['a control character', NOTE.replace('This', 'Th\tis')],
    ['a carriage return', NOTE.replace('message.\n', 'message.\r\n')],
    ['a line after the blank line that is not a signature', NOTE + 'hello\n'],
    ['a name with a plus', NOTE.replace('example.com/foo', 'example.com+foo')],
    ['non-canonical base64', NOTE.replace('aQM=', 'aQN=')],
    ['no signature at all', 'This is an example message.\n\n'],
  ])('refuses a note with %s', (_what, text) => {
    expect(parseNote(text)).toBeUndefined();
  });

  it('separates the text at the last blank line, so a text may hold blank lines', () => {
    const k = keyPair();
    const name = 'lottery.example.gov.tw/asset-review-lottery';
    const text = 'a\n\nb\n';
    const line = signatureLine(
      name,
      keyId(H, name, SIG_ED25519, k.pub),
      k.sign(new TextEncoder().encode(text)),
    );
    const note = parseNote(formatNote(text, [line]));
    expect(note?.text).toBe(text);
    const key = parseVerifierKey(H, formatVerifierKey(H, name, SIG_ED25519, k.pub));
    expect(key && note && verifyNoteSignature(note, key, verify)).toBe(true);
  });

  it('reads a vkey whose base64 holds a plus sign', () => {
    for (let i = 0; i < 20; i++) {
      const k = keyPair();
      const text = formatVerifierKey(H, 'example.gov.tw/w', SIG_COSIGNATURE_V1, k.pub);
      expect(parseVerifierKey(H, text)?.publicKey).toEqual(k.pub);
    }
  });

  it('base64 is canonical both ways', () => {
    for (let n = 0; n < 10; n++) {
      const b = crypto.randomBytes(n);
      expect(Buffer.from(bytesBase64(b), 'base64').equals(b)).toBe(true);
      expect(canonicalBase64(b.toString('base64'))).toEqual(new Uint8Array(b));
    }
  });
});

describe('checkpoints (c2sp.org/tlog-checkpoint)', () => {
  const root = H(new Uint8Array(0));
  it('round-trips origin, size and root', () => {
    const text = formatCheckpoint({ origin: 'example.com/log', size: 20852163, root });
    expect(text).toBe('example.com/log\n20852163\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n');
    expect(parseCheckpoint(text)).toEqual({
      origin: 'example.com/log',
      size: 20852163,
      root,
      extensions: [],
    });
  });
  it.each([
    ['a leading zero', 'o\n012\nR\n'],
    ['a sign', 'o\n+12\nR\n'],
    ['a size beyond the safe integers', 'o\n90071992547409930\nR\n'],
    ['a short root', 'o\n1\nAAAA\n'],
    ['an empty origin', '\n1\nR\n'],
    ['an empty extension line', 'o\n1\nR\n\n'],
  ])('refuses a body with %s', (_what, text) => {
    expect(parseCheckpoint(text.replace('R', bytesBase64(root)))).toBeUndefined();
  });
});

describe('cosignatures (c2sp.org/tlog-cosignature, cosignature/v1)', () => {
  const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
  it('signs the header, the time line and the checkpoint body', () => {
    expect(new TextDecoder().decode(cosignatureMessage(body, 1679315147))).toBe(
      `cosignature/v1\ntime 1679315147\n${body}`,
    );
  });

  it('a witness cosignature verifies, and its timestamp is read back', () => {
    const w = keyPair();
    const name = 'witness.example.gov.tw/monitor';
    const id = keyId(H, name, SIG_COSIGNATURE_V1, w.pub);
    const sig = w.sign(cosignatureMessage(body, 1764547200));
    const note = parseNote(formatNote(body, [signatureLine(name, id, cosignatureBytes(1764547200, sig))]));
    const key = parseVerifierKey(H, formatVerifierKey(H, name, SIG_COSIGNATURE_V1, w.pub));
    expect(key && note && verifyCosignature(note, key, verify)).toBe(1764547200);
    // The same signature under another time, or over another tree, is not a cosignature.
    const moved = parseNote(formatNote(body, [signatureLine(name, id, cosignatureBytes(1764547201, sig))]));
    expect(key && moved && verifyCosignature(moved, key, verify)).toBeUndefined();
    const other = parseNote(
      formatNote(body.replace('20852163', '20852164'), [
        signatureLine(name, id, cosignatureBytes(1764547200, sig)),
      ]),
    );
    expect(key && other && verifyCosignature(other, key, verify)).toBeUndefined();
    // A cosigner key is not a log key: the type byte is part of the key ID.
    expect(key && note && verifyNoteSignature(note, key, verify)).toBe(false);
  });
});
