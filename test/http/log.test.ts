import request from 'supertest';
import { leafHash, memoryTree, rootAt, verifyConsistency, verifyInclusion } from '../../src/domain/log/merkle';
import { parseCheckpoint, parseNote, parseVerifierKey, verifyNoteSignature } from '../../src/domain/log/note';
import { verifyEd25519Node } from '../../src/keys/log-key';
import { sha256Bytes } from '../../src/util/sha256';
import { auth, drawnLottery, makeApp, testLogSigner, type TestApp } from '../helpers/app';

/**
 * The witnessed log's public endpoints (issue 13, protocol.md §10): each answer checks out with the domain's own
 * verifier against the journal's hashes, refusals are 422/409, and no answer carries any entry's data.
 */
const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

let t: TestApp;
let hashes: string[];

async function journalHashes(): Promise<string[]> {
  const page = await request(t.app)
    .get('/api/v1/journal?limit=1000')
    .set(...auth(t.tokens.auditor))
    .expect(200);
  return (page.body as { entries: Array<{ hash: string }> }).entries.map((e) => e.hash);
}

beforeAll(async () => {
  t = makeApp();
  await drawnLottery(t);
  hashes = await journalHashes();
});
afterAll(() => t.close());

async function checkpointAt(size?: number): Promise<{ size: number; root: Uint8Array; note: string }> {
  const r = await request(t.app)
    .get(`/api/v1/log/checkpoint${size === undefined ? '' : `?size=${size}`}`)
    .expect(200);
  const note = parseNote(r.text);
  const key = parseVerifierKey(sha256Bytes, testLogSigner().verifierKey);
  if (!note || !key) throw new Error('unparsable note or key');
  expect(verifyNoteSignature(note, key, verifyEd25519Node)).toBe(true);
  const c = parseCheckpoint(note.text);
  if (!c) throw new Error('unparsable checkpoint');
  return { size: c.size, root: c.root, note: r.text };
}

describe('the log key', () => {
  it('is the vkey, text/plain, and the journal names it (log.key) before any other entry', async () => {
    const r = await request(t.app).get('/api/v1/log/key').expect(200);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.text).toBe(testLogSigner().verifierKey);
    const first = await request(t.app)
      .get('/api/v1/journal?limit=1')
      .set(...auth(t.tokens.auditor));
    expect(first.body.entries[0]).toMatchObject({ seq: 1, type: 'log.key', actor: 'system', data: { key: r.text } });
  });

  it('is journalled once: a second app on the same database writes no new log.key', () => {
    expect(t.services.journalLogKey()).toBeUndefined();
  });
});

describe('the checkpoint', () => {
  it('is signed by the log key, over the tree of every journal hash', async () => {
    const c = await checkpointAt();
    expect(c.size).toBe(hashes.length);
    const tree = memoryTree(sha256Bytes, hashes.map(hex));
    expect(Buffer.from(c.root)).toEqual(Buffer.from(rootAt(sha256Bytes, tree, hashes.length)));
    expect(c.note.split('\n')[0]).toBe('localhost/asset-review-lottery');
  });

  it('at ?size=N is the tree of the first N entries', async () => {
    const c = await checkpointAt(3);
    const tree = memoryTree(sha256Bytes, hashes.slice(0, 3).map(hex));
    expect(c.size).toBe(3);
    expect(Buffer.from(c.root)).toEqual(Buffer.from(rootAt(sha256Bytes, tree, 3)));
  });

  it('is text/plain with an ETag, and 304 until the head moves', async () => {
    const r = await request(t.app).get('/api/v1/log/checkpoint').expect(200);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    const etag = String(r.headers.etag);
    expect(etag).toMatch(new RegExp(`^"${hashes.length}\\.[0-9a-f]{64}"$`));
    await request(t.app).get('/api/v1/log/checkpoint').set('If-None-Match', etag).expect(304);
    t.services.addUser('cli', { name: 'later', role: 'auditor' }); // the head moves
    const moved = await request(t.app).get('/api/v1/log/checkpoint').set('If-None-Match', etag).expect(200);
    expect(moved.headers.etag).not.toBe(etag);
    hashes = await journalHashes();
  });
});

describe('the proofs', () => {
  it('consistency from=N&to=M verifies between the two checkpoints', async () => {
    const a = await checkpointAt(4);
    const b = await checkpointAt();
    const r = await request(t.app).get(`/api/v1/log/consistency?from=4&to=${b.size}`).expect(200);
    expect(Object.keys(r.body).sort()).toEqual(['from', 'proof', 'to']);
    expect(r.body).toMatchObject({ from: 4, to: b.size });
    expect(verifyConsistency(sha256Bytes, 4, b.size, a.root, b.root, r.body.proof.map(b64))).toBe(true);
  });

  it('inclusion seq=S&size=N verifies with the entry hash as the leaf, and carries only hashes', async () => {
    const b = await checkpointAt();
    for (const seq of [1, 5, b.size]) {
      const r = await request(t.app).get(`/api/v1/log/inclusion?seq=${seq}&size=${b.size}`).expect(200);
      expect(Object.keys(r.body).sort()).toEqual(['entryHash', 'leafIndex', 'proof', 'seq', 'size']);
      expect(r.body).toMatchObject({ seq, size: b.size, leafIndex: seq - 1, entryHash: hashes[seq - 1] });
      for (const p of r.body.proof as string[]) expect(p).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      const ok = verifyInclusion(
        sha256Bytes,
        seq - 1,
        b.size,
        leafHash(sha256Bytes, hex(r.body.entryHash)),
        r.body.proof.map(b64),
        b.root,
      );
      expect(ok).toBe(true);
    }
  });

  it.each([
    ['consistency?from=0&to=3', 422],
    ['consistency?from=4&to=3', 422],
    ['consistency?to=3', 422],
    ['consistency?from=1&to=3&x=1', 422],
    ['consistency?from=1&from=2&to=3', 422],
    ['consistency?from=-1&to=3', 422],
    ['consistency?from=1.5&to=3', 422],
    ['consistency?from=1&to=99999', 409],
    ['inclusion?seq=0&size=3', 422],
    ['inclusion?seq=4&size=3', 422],
    ['inclusion?seq=1', 422],
    ['inclusion?seq=abc&size=3', 422],
    ['inclusion?seq=1&size=99999', 409],
    ['checkpoint?size=99999', 409],
    ['checkpoint?size=x', 422],
  ])('GET /api/v1/log/%s is refused with %i, as problem+json', async (path, status) => {
    const r = await request(t.app).get(`/api/v1/log/${path}`).expect(status);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('the log endpoints are public and rate-limited', () => {
  it('need no login, and a stale bearer token does not turn them into 401', async () => {
    await request(t.app)
      .get('/api/v1/log/key')
      .set(...auth('stale-token-xxxxxxxxxxxx'))
      .expect(200);
  });

  it('answer 429 after 600 requests a minute from one address', async () => {
    const fresh = makeApp();
    try {
      let last = 0;
      for (let i = 0; i < 601; i++) last = (await request(fresh.app).get('/api/v1/log/key')).status;
      expect(last).toBe(429);
    } finally {
      fresh.close();
    }
  }, 60_000);
});
