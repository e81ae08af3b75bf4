/** The remote witness's pure decisions (src/domain/log/witness.ts), on trees held in memory. */
import crypto from 'node:crypto';
import { consistencyProof, memoryTree, rootAt } from '../../src/domain/log/merkle';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from '../../src/domain/log/note';
import {
  checkExtends,
  checkLogNote,
  cosignedNote,
  isFailure,
  parseConsistencyAnswer,
  parseLogKey,
} from '../../src/domain/log/witness';
import { logSignerFromPem, verifyEd25519Node } from '../../src/keys/log-key';
import { sha256Bytes } from '../../src/util/sha256';

const h = sha256Bytes;
const leaves = (n: number, tag = 'a'): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => h(new TextEncoder().encode(`${tag}${i}`)));
const origin = 'log.example/asset-review-lottery';
const cp = (ls: Uint8Array[], size: number): Checkpoint =>
  parseCheckpoint(formatCheckpoint({ origin, size, root: rootAt(h, memoryTree(h, ls), size) })) as Checkpoint;
const pem = (): string =>
  crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('checkExtends', () => {
  const ls = leaves(9);
  const t = memoryTree(h, ls);
  it('a larger tree with a valid consistency proof extends the cosigned one', () => {
    expect(checkExtends(h, cp(ls, 3), cp(ls, 9), consistencyProof(h, t, 3, 9))).toBeUndefined();
    expect(checkExtends(h, cp(ls, 9), cp(ls, 9), undefined)).toBeUndefined();
  });
  it('a rewritten leaf, a shrunk tree, a missing or wrong proof: inconsistent', () => {
    const other = [...ls.slice(0, 1), h(Uint8Array.of(1)), ...ls.slice(2)];
    const forged = memoryTree(h, other);
    expect(checkExtends(h, cp(ls, 3), cp(other, 9), consistencyProof(h, forged, 3, 9))?.kind).toBe(
      'inconsistent',
    );
    expect(checkExtends(h, cp(ls, 5), cp(ls, 4), undefined)?.kind).toBe('inconsistent');
    expect(checkExtends(h, cp(ls, 5), cp(other, 5), undefined)?.kind).toBe('inconsistent');
    expect(checkExtends(h, cp(ls, 3), cp(ls, 9), undefined)?.kind).toBe('inconsistent');
    expect(checkExtends(h, cp(ls, 3), cp(ls, 9), consistencyProof(h, t, 4, 9))?.kind).toBe('inconsistent');
  });
});

describe('checkLogNote', () => {
  const signer = logSignerFromPem(pem(), origin);
  const key = parseLogKey(h, signer.verifierKey);
  const text = formatCheckpoint({ origin, size: 3, root: rootAt(h, memoryTree(h, leaves(3)), 3) });
  const note = `${text}\n${signer.signLine(text)}\n`;
  it("accepts the pinned log key's note and refuses another key, another origin, a changed body", () => {
    if (!key) throw new Error('no key');
    expect(isFailure(checkLogNote(h, verifyEd25519Node, key, note))).toBe(false);
    const other = parseLogKey(h, logSignerFromPem(pem(), origin).verifierKey);
    expect((other && (checkLogNote(h, verifyEd25519Node, other, note) as { kind?: string }))?.kind).toBe(
      'untrusted',
    );
    const renamed = logSignerFromPem(pem(), 'other.example/log');
    const k2 = parseLogKey(h, renamed.verifierKey);
    const n2 = `${text}\n${renamed.signLine(text)}\n`;
    expect((k2 && (checkLogNote(h, verifyEd25519Node, k2, n2) as { kind?: string }))?.kind).toBe('untrusted');
    const changed = note.replace('\n3\n', '\n4\n');
    expect((checkLogNote(h, verifyEd25519Node, key, changed) as { kind?: string }).kind).toBe('untrusted');
  });
  it("the cosigned note keeps the log's line and the new one, and drops other cosigners' lines", () => {
    if (!key) throw new Error('no key');
    const stranger = '\u2014 someone.example/w AAAAAQAA';
    const checked = checkLogNote(h, verifyEd25519Node, key, `${note}${stranger}\n`);
    if (isFailure(checked)) throw new Error(checked.en);
    const out = cosignedNote(checked, key, '\u2014 me.example/w AAAAAg==');
    expect(out).toBe(`${text}\n${signer.signLine(text)}\n\u2014 me.example/w AAAAAg==\n`);
  });
});

describe('parseConsistencyAnswer', () => {
  it('takes exactly {from, to, proof: [32-byte base64]} for the range asked', () => {
    const p = Buffer.alloc(32, 7).toString('base64');
    expect(parseConsistencyAnswer({ from: 2, to: 5, proof: [p] }, 2, 5)).toHaveLength(1);
    for (const bad of [
      { from: 2, to: 6, proof: [p] },
      { from: 2, to: 5, proof: ['AAAA'] },
      { from: 2, to: 5, proof: 'x' },
      null,
    ])
      expect((parseConsistencyAnswer(bad, 2, 5) as { kind?: string }).kind).toBe('untrusted');
  });
});
