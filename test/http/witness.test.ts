import crypto from 'node:crypto';
import request from 'supertest';
import { checkLotteryLog, cosignerFingerprint } from '../../src/domain/log/lottery';
import { memoryTree, rootAt, verifyConsistency } from '../../src/domain/log/merkle';
import {
  canonicalBase64,
  formatVerifierKey,
  parseNote,
  parseVerifierKey,
  SIG_COSIGNATURE_V1,
  verifyCosignature,
  type Note,
  type VerifierKey,
} from '../../src/domain/log/note';
import { verifyBundle, verifyDatabase } from '../../src/domain/verify';
import { entryPreimage } from '../../src/domain/journal';
import { verifyEd25519Node } from '../../src/keys/log-key';
import { nodeVerifyDeps, sha256Node } from '../../src/keys/signer';
import { Context } from '../../src/services/context';
import { bundleCosigners } from '../../src/services/witness-cosign';
import { sha256Bytes } from '../../src/util/sha256';
import { cosign, device, invite, logSigner, logView, postNote, register } from '../helpers/witness-device';
import {
  auth,
  createLoaded,
  lockAndDraw,
  makeApp,
  ownConnection,
  testSigner,
  type TestApp,
} from '../helpers/app';

/**
 * issue 13: the meeting room's witnesses. Each device (here a node:crypto Ed25519 key) registers with its
 * one-time code, checks the lottery's log with the domain's own functions, cosigns the checkpoint of size N_L,
 * and the server stores and journals it; the public view then lists the cosigner.
 */

const now = Date.now();
const clock = (): Date => new Date(now);
const seconds = (): number => Math.floor(now / 1000);

const b64 = (s: string): Uint8Array => canonicalBase64(s) as Uint8Array;

describe('witnesses: invite, register, check the log, cosign', () => {
  let t: TestApp;
  let id: string;
  const monitor = device('monitor.wang');
  let code: string;
  let reg: { logKey: string; vkey: string; checkpoint: string };

  beforeAll(async () => {
    t = makeApp({ clock, logSigner, publicUrl: 'https://lottery.example.gov.tw' });
    id = await createLoaded(t);
    code = await invite(t, id, '王監察', 'monitor');
    reg = (await register(t, code, monitor).expect(201)).body as typeof reg;
    await lockAndDraw(t, id);
  });
  afterAll(() => t.close());

  it('when registered › the answer has the cosigner vkey, the pinned log key and a checkpoint to keep', () => {
    expect(reg).toMatchObject({
      lottery: id,
      name: '王監察',
      role: 'monitor',
      keyName: 'monitor.wang',
      vkey: formatVerifierKey(sha256Bytes, 'monitor.wang', SIG_COSIGNATURE_V1, monitor.pub),
      fingerprint: cosignerFingerprint(sha256Bytes, monitor.pub),
      logKey: logSigner.verifierKey,
    });
    expect(parseNote(reg.checkpoint)).toBeDefined();
    const journal = JSON.stringify([...t.store.journalRows()]);
    expect(journal).not.toContain(code); // the code is never journalled
    const e = t.store.journalPage({ limit: 5, type: 'witness.registered' })[0];
    expect(e?.data).toEqual({
      lottery: id,
      name: '王監察',
      role: 'monitor',
      keyName: 'monitor.wang',
      publicKey: monitor.b64,
    });
    expect(t.store.journalPage({ limit: 5, type: 'witness.invited' })[0]?.data).toEqual({
      lottery: id,
      name: '王監察',
      role: 'monitor',
    });
  });

  it('when the device fetches the log › it verifies signature, size, inclusions and consistency', async () => {
    const view = await logView(t, id);
    expect(checkLotteryLog(sha256Bytes, verifyEd25519Node, view, reg.logKey)).toEqual([]);
    const draws = t.store.journalPage({ lottery: id, type: 'stage.drawn', limit: 5 });
    expect(view.size).toBe(draws[1]?.seq);
    const opened = t.store.journalPage({ lottery: id, type: 'ceremony.opened', limit: 5 });
    expect(view.consistency?.from).toBe(opened[0]?.seq);
    const tree = memoryTree(
      sha256Bytes,
      [...t.store.journalRows()].map((r) => Buffer.from(String(r.hash), 'hex')),
    );
    const { from, to, proof } = view.consistency as { from: number; to: number; proof: string[] };
    const roots = [rootAt(sha256Bytes, tree, from), rootAt(sha256Bytes, tree, to)] as const;
    expect(verifyConsistency(sha256Bytes, from, to, roots[0], roots[1], proof.map(b64))).toBe(true);
    expect(view.drawn.commitment).toBe(t.store.lottery(id)?.commitment);
    expect(view.drawn.winners.map((w) => w.ids)).toEqual(draws.map((d) => d.data.winners));
    // a tampered inclusion proof is caught by the same check
    const bad = { ...view, inclusion: view.inclusion.map((p, i) => (i === 0 ? { ...p, proof: [] } : p)) };
    expect(checkLotteryLog(sha256Bytes, verifyEd25519Node, bad, reg.logKey)).toHaveLength(1);
  });

  it('when the device fetches the log › the lock and draw entries come whole, and hash to their entry hashes', async () => {
    const view = await logView(t, id);
    const whole = view.entries.filter((e) =>
      ['lottery.locked', 'stage.drawn', 'stage.recorded'].includes(e.type),
    );
    expect(whole.map((e) => e.type)).toEqual(['lottery.locked', 'stage.drawn', 'stage.drawn']);
    for (const e of whole) {
      const { at, actor, data, prev } = e;
      if (at === undefined || actor === undefined || data === undefined || prev === undefined)
        throw new Error(`entry ${e.seq} came without its data`);
      expect(sha256Node(entryPreimage({ seq: e.seq, at, type: e.type, actor, data, prev }))).toBe(e.hash);
    }
    // Every other entry is named by its hash only: nothing the public view does not already show.
    expect(view.entries.filter((e) => !whole.includes(e)).every((e) => e.data === undefined)).toBe(true);
  });

  it('when the device cosigns N_L › it is stored, journalled, public, and on the checkpoint', async () => {
    const view = await logView(t, id);
    const note = cosign(monitor, view.checkpoint, seconds());
    const r = await postNote(t, note).expect(200);
    expect(r.body).toEqual({
      stored: [{ keyName: 'monitor.wang', size: view.size, timestamp: seconds() }],
      already: [],
    });
    const line = note.trimEnd().split('\n').pop() as string;
    const root = Buffer.from(b64((parseNote(note) as Note).text.split('\n')[2] as string)).toString('hex');
    expect(t.store.journalPage({ limit: 5, type: 'checkpoint.cosigned' })[0]?.data).toEqual({
      lottery: id,
      size: view.size,
      rootHash: root,
      keyName: 'monitor.wang',
      timestamp: seconds(),
      signature: line.split(' ')[2],
    });
    const pub = await request(t.app).get(`/api/v1/public/lotteries/${id}`).expect(200);
    expect(pub.body.cosigners).toEqual([
      {
        name: '王監察',
        role: 'monitor',
        keyName: 'monitor.wang',
        fingerprint: cosignerFingerprint(sha256Bytes, monitor.pub),
        size: view.size,
        timestamp: seconds(),
      },
    ]);
    // What LOGAPI's checkpoint?size=N_L serves: the log's line, then the stored lines by key name.
    expect(t.store.cosignatures.linesFor(view.size, root)).toEqual([line]);
    const served = (await logView(t, id)).checkpoint;
    expect(served).toBe(note);
    const c = new Context({
      store: t.store,
      clock,
      randomBytes: (n) => crypto.randomBytes(n),
      sha256: sha256Node,
      signer: testSigner(),
    });
    expect(bundleCosigners(c, id, view.size)).toEqual([
      {
        name: '王監察',
        role: 'monitor',
        keyName: 'monitor.wang',
        publicKey: monitor.b64,
        timestamp: seconds(),
      },
    ]);
    const vk = parseVerifierKey(sha256Bytes, reg.vkey) as VerifierKey;
    expect(verifyCosignature(parseNote(served) as Note, vk, verifyEd25519Node)).toBe(seconds());
    const list = await request(t.app)
      .get(`/api/v1/lotteries/${id}/witnesses`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    expect(list.body).toMatchObject([
      {
        name: '王監察',
        role: 'monitor',
        keyName: 'monitor.wang',
        cosigned: { size: view.size, timestamp: seconds() },
      },
    ]);
  });

  it('when the same cosignature comes again › 200 and nothing new; another for the same size › 409', async () => {
    const view = await logView(t, id); // already carries the monitor's line
    const before = t.store.journalHead()?.seq;
    const r = await postNote(t, view.checkpoint).expect(200);
    expect(r.body).toEqual({
      stored: [],
      already: [{ keyName: 'monitor.wang', size: view.size, timestamp: seconds() }],
    });
    expect(t.store.journalHead()?.seq).toBe(before);
    const text = view.checkpoint.split('\n').slice(0, 5).join('\n') + '\n'; // the note with the log's line only
    const second = await postNote(t, cosign(monitor, text, seconds() + 1)).expect(409);
    expect(second.body.code).toBe('CONFLICT');
    expect(t.store.journalHead()?.seq).toBe(before);
  });

  it('when the bundle is exported after the cosigning › the witness entries leave every check passing, and verify --db passes', async () => {
    const b = await request(t.app)
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    const fp = (await request(t.app).get(`/api/v1/public/lotteries/${id}`)).body.keyFingerprint as string;
    const r = await verifyBundle(b.body, nodeVerifyDeps, { trustedFingerprint: fp });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    const db = await verifyDatabase(t.store.snapshot(), nodeVerifyDeps);
    expect(db.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('when the rows are touched outside the service › the tables refuse it', () => {
    ownConnection(t.dbFile, (db) => {
      expect(() => db.prepare('DELETE FROM cosignatures').run()).toThrow(/final/);
      expect(() => db.prepare("UPDATE cosignatures SET line = 'x'").run()).toThrow(/final/);
      expect(() => db.prepare('UPDATE witness_invitations SET used_at = NULL').run()).toThrow(/once/);
      expect(() => db.prepare('UPDATE witnesses SET public_key = zeroblob(32)').run()).toThrow(/revoked/);
    });
  });
});
