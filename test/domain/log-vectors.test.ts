import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  memoryTree,
  rootAt,
  verifyConsistency,
  verifyInclusion,
} from '../../src/domain/log/merkle';
import {
  bytesBase64,
  cosignatureBytes,
  cosignatureMessage,
  formatCheckpoint,
  formatVerifierKey,
  keyId,
  parseNote,
  parseVerifierKey,
  SIG_COSIGNATURE_V1,
  SIG_ED25519,
  signatureLine,
  verifyCosignature,
  verifyNoteSignature,
} from '../../src/domain/log/note';
import { verifyEd25519Node } from '../../src/keys/log-key';
import { sha256Bytes } from '../../src/util/sha256';

/**
 * protocol.md §10's test vectors, recomputed from the code: the tree heads of 0–8 entries over 8 synthetic entry
 * hashes (SHA-256 of "1" … "8"), two consistency proofs, one inclusion proof, a checkpoint note signed with a fixed
 * Ed25519 seed, and a cosignature. The JSON (test/fixtures/log-vectors.json) and the block in protocol.md must
 * both equal what the code computes, so neither the document nor the code can drift.
 * `UPDATE_VECTORS=1 npx jest test/domain/log-vectors.test.ts` rewrites the JSON after an intended change.
 */
const root = path.join(__dirname, '..', '..');
const FIXTURE = path.join(root, 'test', 'fixtures', 'log-vectors.json');

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const sha = (s: string): Uint8Array => sha256Bytes(new TextEncoder().encode(s));

/** An Ed25519 key from its 32-byte seed (RFC 8410 PKCS#8 with the fixed prefix). */
function ed25519(seedHex: string): { publicKey: Uint8Array; sign(msg: Uint8Array): Uint8Array } {
  const der = Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'),
    Buffer.from(seedHex, 'hex'),
  ]);
  const key = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const spki = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' });
  return {
    publicKey: new Uint8Array(spki.subarray(spki.length - 32)),
    sign: (msg) => new Uint8Array(crypto.sign(null, msg, key)),
  };
}

const LOG_SEED = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const WITNESS_SEED = '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f';
const ORIGIN = 'lottery.example.gov.tw/asset-review-lottery';
const WITNESS = 'witness.example.gov.tw/monitor';
const TIMESTAMP = 1764547200; // 2025-12-01T00:00:00Z

function computeVectors(): Record<string, unknown> {
  const leaves = Array.from({ length: 8 }, (_, i) => sha(String(i + 1)));
  const tree = memoryTree(sha256Bytes, leaves);
  const heads = Array.from({ length: 9 }, (_, n) => ({ size: n, root: hex(rootAt(sha256Bytes, tree, n)) }));
  const consistency = [
    [3, 7],
    [4, 8],
  ].map(([from, to]) => ({
    from,
    to,
    proof: consistencyProof(sha256Bytes, tree, from as number, to as number).map(bytesBase64),
  }));
  const inclusion = {
    seq: 3,
    size: 7,
    leafIndex: 2,
    entryHash: hex(leaves[2] as Uint8Array),
    leafHash: hex(leafHash(sha256Bytes, leaves[2] as Uint8Array)),
    proof: inclusionProof(sha256Bytes, tree, 2, 7).map(bytesBase64),
  };
  const log = ed25519(LOG_SEED);
  const text = formatCheckpoint({ origin: ORIGIN, size: 8, root: rootAt(sha256Bytes, tree, 8) });
  const logId = keyId(sha256Bytes, ORIGIN, SIG_ED25519, log.publicKey);
  const logLine = signatureLine(ORIGIN, logId, log.sign(new TextEncoder().encode(text)));
  const w = ed25519(WITNESS_SEED);
  const wId = keyId(sha256Bytes, WITNESS, SIG_COSIGNATURE_V1, w.publicKey);
  const wSig = w.sign(cosignatureMessage(text, TIMESTAMP));
  const wLine = signatureLine(WITNESS, wId, cosignatureBytes(TIMESTAMP, wSig));
  return {
    leaves: leaves.map(hex),
    heads,
    consistency,
    inclusion,
    note: {
      seed: LOG_SEED,
      name: ORIGIN,
      keyId: logId.toString(16).padStart(8, '0'),
      vkey: formatVerifierKey(sha256Bytes, ORIGIN, SIG_ED25519, log.publicKey),
      checkpoint: text,
      signatureLine: logLine,
    },
    cosignature: {
      seed: WITNESS_SEED,
      name: WITNESS,
      keyId: wId.toString(16).padStart(8, '0'),
      vkey: formatVerifierKey(sha256Bytes, WITNESS, SIG_COSIGNATURE_V1, w.publicKey),
      timestamp: TIMESTAMP,
      signatureLine: wLine,
      note: `${text}\n${logLine}\n${wLine}\n`,
    },
  };
}

/** The JSON block of protocol.md §10 that follows `<!-- log-vectors -->`. */
function documentedVectors(): unknown {
  const doc = fs.readFileSync(path.join(root, 'docs', 'protocol.md'), 'utf8');
  const m = /<!-- log-vectors -->\s*```json\n([\s\S]*?)\n```/.exec(doc);
  if (!m?.[1]) throw new Error('protocol.md has no <!-- log-vectors --> json block');
  return JSON.parse(m[1]);
}

describe('the log test vectors (protocol.md §10)', () => {
  const computed = computeVectors();
  if (process.env.UPDATE_VECTORS === '1') fs.writeFileSync(FIXTURE, `${JSON.stringify(computed, null, 2)}\n`);
  const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as ReturnType<typeof computeVectors>;

  it('the fixture and the document are what the code computes', () => {
    expect(fixture).toEqual(computed);
    expect(documentedVectors()).toEqual(computed);
  });

  it('the empty tree is SHA-256 of the empty string (RFC 9162), not 32 zero bytes (Go tlog)', () => {
    const heads = fixture.heads as Array<{ size: number; root: string }>;
    expect(heads[0]?.root).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('the proofs verify against the heads, and the note and cosignature verify with the vkeys', () => {
    const heads = fixture.heads as Array<{ root: string }>;
    const r = (n: number): Uint8Array => new Uint8Array(Buffer.from(heads[n]?.root ?? '', 'hex'));
    const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
    for (const c of fixture.consistency as Array<{ from: number; to: number; proof: string[] }>)
      expect(verifyConsistency(sha256Bytes, c.from, c.to, r(c.from), r(c.to), c.proof.map(b64))).toBe(true);
    const i = fixture.inclusion as { leafHash: string; proof: string[] };
    const lh = new Uint8Array(Buffer.from(i.leafHash, 'hex'));
    expect(verifyInclusion(sha256Bytes, 2, 7, lh, i.proof.map(b64), r(7))).toBe(true);
    const cs = fixture.cosignature as { note: string; vkey: string; timestamp: number };
    const note = parseNote(cs.note);
    const logKey = parseVerifierKey(sha256Bytes, (fixture.note as { vkey: string }).vkey);
    const wKey = parseVerifierKey(sha256Bytes, cs.vkey);
    if (!note || !logKey || !wKey) throw new Error('unparsable vectors');
    expect(verifyNoteSignature(note, logKey, verifyEd25519Node)).toBe(true);
    expect(verifyCosignature(note, wKey, verifyEd25519Node)).toBe(cs.timestamp);
  });
});
