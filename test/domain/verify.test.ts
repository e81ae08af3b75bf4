import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  drawAll,
  initialPool,
  PROTOCOL_V1,
  PROTOCOL_V2,
  rosterPreimage,
  seed as seedOf,
} from '../../src/domain/protocol';
import { verifyBundle, type Report } from '../../src/domain/verify';
import { makeEntry, type JournalEntry } from '../../src/domain/journal';
import { checkpointMessage, pemBody, type Checkpoint } from '../../src/domain/checkpoint';
import { BundleUnreadable, readBundleJson } from '../../src/domain/bundle';
import { nodeVerifyDeps } from '../../src/keys/signer';
import {
  auth,
  createLoaded,
  exampleV1,
  example,
  makeApp,
  openCeremony,
  testSigner,
  type TestApp,
} from '../helpers/app';
import { sha256 } from '../helpers/crypto';
import type { RosterEntry } from '../../src/domain/protocol';

type B = Record<string, unknown> & {
  roster: RosterEntry[];
  stages: Array<{ stage: number; percent: string; poolSize: number; quota: number; winners: string[] }>;
  journal: Array<Record<string, unknown>>;
  checkpoint: Record<string, unknown>;
  lottery: Record<string, unknown> & { id: string; stages: Array<{ percent: string }> };
  secret: string;
  entropy: string;
  seed: string;
  commitment: string;
  rosterDigest: string;
};

let t: TestApp;
let original: B;
/** The app's key fingerprint, as the notice and the record print it. */
let fingerprint: string;
/** A checkpoint an observer saved after the lock, before the ceremony. */
let savedBeforeDraw: Checkpoint;

beforeAll(async () => {
  t = makeApp();
  // lockAndDraw's steps, with a checkpoint saved between the lock and the draw.
  const id = await createLoaded(t);
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/lock`)
    .set(...auth(t.tokens.ethics))
    .expect(200);
  savedBeforeDraw = t.services.checkpoint();
  const c = await openCeremony(t, id);
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/stages/1/draw`)
    .set(...auth(t.tokens.drawer))
    .send({ ceremonyToken: c.ceremonyToken, entropy: example.entropy, commitment: c.commitment })
    .expect(200);
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/stages/2/draw`)
    .set(...auth(t.tokens.drawer))
    .send({ ceremonyToken: c.ceremonyToken })
    .expect(200);
  original = (
    await request(t.app)
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...auth(t.tokens.auditor))
      .expect(200)
  ).body as B;
  fingerprint = t.services.keyFingerprint();
  expect(c.keyFingerprint).toBe(fingerprint);
});
afterAll(() => t.close());

const pinned = (): { trustedFingerprint: string } => ({ trustedFingerprint: fingerprint });

/**
 * The honest bundle without its witnessed log: most cases here forge a pre-log check, and a forged journal also
 * (rightly) breaks the log's tree; the log's own cases are in verify-log.test.ts.
 */
const copy = (): B => {
  const b = structuredClone(original);
  delete (b as { log?: unknown }).log;
  return b;
};
const withLog = (): B => structuredClone(original);
const check = (r: Report, name: string): boolean | undefined => r.checks.find((c) => c.name === name)?.ok;
const failing = (r: Report): string[] => r.checks.filter((c) => !c.ok).map((c) => c.name);

/** Re-derives seed and winners (under the bundle's protocol) so that a forged bundle is consistent with itself. */
function reseal(b: B): void {
  b.seed = seedOf(
    { lottery: b.lottery.id, rosterDigest: b.rosterDigest, secret: b.secret, entropy: b.entropy },
    sha256,
    b.format === 'lottery-audit-bundle/v1' ? PROTOCOL_V1 : PROTOCOL_V2,
  );
  const out = drawAll(
    b.seed,
    b.lottery.stages.map((s, i) => ({ stage: i + 1, percent: s.percent })),
    initialPool(b.roster),
  );
  b.stages = out;
}

type Entry = JournalEntry;
const entries = (b: B): Entry[] => b.journal as unknown as Entry[];
const drawEntry = (b: B, stage: number): Entry =>
  entries(b).find((e) => e.type === 'stage.drawn' && e.data.stage === stage) as Entry;

/** Recomputes every entry's seq, prev and hash from `from` on, as a forger who rewrote the journal would. */
function rechain(b: B, from = 0): void {
  let prev = from > 0 ? (b.journal[from - 1] as unknown as Entry) : undefined;
  for (let i = from; i < b.journal.length; i++) {
    const e = b.journal[i] as unknown as Entry;
    const n = makeEntry(prev, { at: e.at, type: e.type, actor: e.actor, data: e.data }, sha256);
    b.journal[i] = n as unknown as Record<string, unknown>;
    prev = n;
  }
}

interface Key {
  publicKeyPem: string;
  sign(message: string): string;
}

/** A freshly generated RSA key: a stranger's. */
function strangerKey(): Key & { fingerprint: string } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (m) => crypto.sign('sha256', Buffer.from(m, 'utf8'), privateKey).toString('base64'),
    fingerprint: `SHA256:${crypto.createHash('sha256').update(der).digest('hex')}`,
  };
}

/** Signs a new checkpoint of the bundle's journal head with `key` (RS256 over JCS({seq, hash, at})). */
function resign(b: B, key: Key, certificate?: string): void {
  const head = b.journal[b.journal.length - 1] as unknown as Entry;
  const body = { seq: head.seq, hash: head.hash, at: head.at };
  const cp: Record<string, unknown> = {
    ...body,
    alg: 'RS256',
    signature: key.sign(checkpointMessage(body)),
    publicKey: key.publicKeyPem,
  };
  if (certificate !== undefined) cp.certificate = certificate;
  b.checkpoint = cp;
}

/** The genuine key (the app signs with the test signer), with the genuine certificate. */
function resignGenuine(b: B): void {
  const signer = testSigner();
  expect(pemBody(signer.publicKeyPem)).toBe(pemBody(original.checkpoint.publicKey as string));
  resign(b, signer, original.checkpoint.certificate as string | undefined);
}

const shiftIso = (at: string, ms: number): string => new Date(Date.parse(at) + ms).toISOString();
const DAY = 24 * 60 * 60 * 1000;

const mainJs = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
/** The built CLI (`npm run build` first), as an auditor runs it. */
function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [mainJs, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function writeBundle(name: string, b: unknown): string {
  const f = path.join(t.dir, name);
  fs.writeFileSync(f, JSON.stringify(b));
  return f;
}

describe('verifying an audit bundle', () => {
  it('passes every named check on an honest bundle, pinned to the printed fingerprint', async () => {
    expect(original.format).toBe('lottery-audit-bundle/v2');
    const r = await verifyBundle(withLog(), nodeVerifyDeps, pinned());
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.protocol).toBe('lottery-draw/v2');
    expect(r.warnings).toEqual([]);
    expect(r.checks.map((c) => c.name)).toEqual([
      'format',
      'lottery.rehearsal',
      'roster.order',
      'roster.digest',
      'commitment',
      'seed',
      'entropy.form',
      'quotas',
      'winners',
      'journal.chain',
      'journal.lottery',
      'journal.locked',
      'journal.draws',
      'ceremony.opened',
      'ceremony.date',
      'checkpoint.head',
      'checkpoint.signature',
      'key.pinned',
      'log.key',
      'log.checkpoint',
      'log.inclusion',
      'log.consistency',
    ]);
  });

  it('the honest bundle is the v2 vector: digest, commitment, seed and winners of draw-v2.json', () => {
    expect(original.entropy).toBe(example.entropy);
    expect(original.rosterDigest).toBe(example.expect.rosterDigest);
    expect(original.commitment).toBe(sha256(original.secret));
    expect(original.seed).toBe(
      seedOf(
        {
          lottery: original.lottery.id,
          rosterDigest: original.rosterDigest,
          secret: original.secret,
          entropy: original.entropy,
        },
        sha256,
        PROTOCOL_V2,
      ),
    );
  });

  it('key.pinned: without a trust anchor, the honest bundle fails key.pinned and only that', async () => {
    const r = await verifyBundle(copy(), nodeVerifyDeps);
    expect(failing(r)).toEqual(['key.pinned']);
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.name === 'key.pinned')?.detail).toMatch(/--fingerprint/);
    // The published key works as the anchor too, and so does the fingerprint in upper case.
    const byKey = await verifyBundle(copy(), nodeVerifyDeps, {
      trustedPublicKey: original.checkpoint.publicKey as string,
    });
    expect(byKey.ok).toBe(true);
    const upper = await verifyBundle(copy(), nodeVerifyDeps, {
      trustedFingerprint: `SHA256:${fingerprint.slice(7).toUpperCase()}`,
    });
    expect(upper.ok).toBe(true);
  });

  it('format: a bundle missing its seed fails format and runs nothing else', async () => {
    const b = copy();
    delete (b as Record<string, unknown>).seed;
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(failing(r)).toEqual(['format']);
    expect(r.checks).toHaveLength(1);
  });

  it('roster.order: entries out of id order fail roster.order', async () => {
    const b = copy();
    const [a, c] = [b.roster[0], b.roster[1]] as RosterEntry[];
    b.roster[0] = c as RosterEntry;
    b.roster[1] = a as RosterEntry;
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'roster.order')).toBe(false);
    expect(check(r, 'roster.digest')).toBe(true);
  });

  it('roster.digest: a changed name fails roster.digest', async () => {
    const b = copy();
    (b.roster[4] as RosterEntry).name = '王小明';
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'roster.digest')).toBe(false);
  });

  it('roster.digest: a removed exclusion fails roster.digest', async () => {
    const b = copy();
    const excluded = b.roster.find((e) => e.excluded) as RosterEntry;
    delete excluded.excluded;
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'roster.digest')).toBe(false);
  });

  it('commitment: a secret that does not hash to the commitment fails commitment', async () => {
    const b = copy();
    b.secret = 'a'.repeat(64);
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'commitment')).toBe(false);
  });

  it('seed: a different entropy fails seed', async () => {
    const b = copy();
    b.entropy = '6666666666';
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'seed')).toBe(false);
  });

  it('quotas: a quota other than the exact ceiling fails quotas', async () => {
    const b = copy();
    (b.stages[0] as { quota: number }).quota += 1;
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'quotas')).toBe(false);
  });

  it('quotas: a rate other than the lottery’s fails quotas', async () => {
    const b = copy();
    (b.stages[0] as { percent: string }).percent = '5';
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'quotas')).toBe(false);
  });

  it('quotas: a first-stage rate below the legal floor fails quotas, even when consistent', async () => {
    const b = copy();
    (b.lottery.stages[0] as { percent: string }).percent = '4';
    reseal(b);
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'winners')).toBe(true);
    expect(r.checks.find((c) => c.name === 'quotas')?.detail).toMatch(/legal floor/);
    expect(check(r, 'quotas')).toBe(false);
  });

  it.each([
    ['a bidi override', '62513\u202e41234'],
    ['spaces', '62513 41234'],
    ['full-width digits', '６２５１３４１２３４'],
    ['fewer than ten digits', '625134'],
    ['more than 64 digits', '1'.repeat(65)],
  ])(
    'entropy.form: an entropy with %s fails entropy.form even when the seed matches it',
    async (_what, e) => {
      const b = copy();
      b.entropy = e;
      reseal(b);
      const r = await verifyBundle(b, nodeVerifyDeps, pinned());
      expect(check(r, 'seed')).toBe(true);
      expect(check(r, 'winners')).toBe(true);
      expect(check(r, 'entropy.form')).toBe(false);
    },
  );

  it('winners: a swapped winner id fails winners, by name', async () => {
    const b = copy();
    (b.stages[0] as { winners: string[] }).winners[0] = 'D021'; // excluded, so never a real winner
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'winners')).toBe(false);
    expect(r.ok).toBe(false);
  });

  it('journal.chain: an altered entry fails journal.chain and names the first broken seq', async () => {
    const b = copy();
    (b.journal[2] as Record<string, unknown>).actor = 'system';
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'journal.chain')).toBe(false);
    expect(r.brokenAt).toBe(3);
  });

  it('journal.lottery: a rate edited in the bundle’s lottery fails journal.lottery', async () => {
    const b = copy();
    const stage2 = b.lottery.stages[1] as { percent: string };
    expect(stage2.percent).toBe('2');
    stage2.percent = '3';
    reseal(b); // the stages follow the edited rate, so only the journal can tell
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'journal.lottery')).toBe(false);
    expect(r.checks.find((c) => c.name === 'journal.lottery')?.detail).toBe(
      'bundle and journal disagree: stages or rates differ',
    );
  });

  it('journal.lottery: an agency edited in the bundle’s lottery fails journal.lottery', async () => {
    const b = copy();
    b.lottery.agency = '法務部';
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'journal.lottery')).toBe(false);
  });

  it('journal.locked: a self-consistent bundle with another secret fails journal.locked', async () => {
    const b = copy();
    b.secret = 'b'.repeat(64);
    b.commitment = sha256(b.secret);
    reseal(b);
    const r = await verifyBundle(b, nodeVerifyDeps, pinned());
    for (const n of ['commitment', 'seed', 'quotas', 'winners']) expect(check(r, n)).toBe(true);
    expect(check(r, 'journal.locked')).toBe(false);
  });

  it('journal.locked: a pool size or quota other than the one journalled at lock fails journal.locked', async () => {
    const b = copy();
    const lock = entries(b).find((e) => e.type === 'lottery.locked') as Entry;
    const quotas = lock.data.quotas as Array<{ poolSize: number; quota: number }>;
    (quotas[1] as { quota: number }).quota += 1;
    rechain(b);
    resignGenuine(b);
    const r = await verifyBundle(b, nodeVerifyDeps, pinned());
    expect(failing(r)).toEqual(['journal.locked']);
    const c = copy();
    const lockC = entries(c).find((e) => e.type === 'lottery.locked') as Entry;
    ((lockC.data.quotas as Array<{ poolSize: number }>)[0] as { poolSize: number }).poolSize -= 1;
    rechain(c);
    resignGenuine(c);
    expect(failing(await verifyBundle(c, nodeVerifyDeps, pinned()))).toEqual(['journal.locked']);
  });

  it('journal.locked: a lock journalled without protocol (v1) fails a v2 bundle', async () => {
    const b = copy();
    const lock = entries(b).find((e) => e.type === 'lottery.locked') as Entry;
    delete lock.data.protocol;
    rechain(b);
    resignGenuine(b);
    const r = await verifyBundle(b, nodeVerifyDeps, pinned());
    expect(failing(r)).toEqual(['journal.locked']);
    expect(r.checks.find((c) => c.name === 'journal.locked')?.detail).toMatch(/lottery-draw\/v1/);
  });

  it('journal.draws: a journalled pool size or quota other than the bundle’s fails journal.draws', async () => {
    const b = copy();
    drawEntry(b, 2).data.poolSize = 3;
    rechain(b);
    resignGenuine(b);
    const r = await verifyBundle(b, nodeVerifyDeps, pinned());
    expect(failing(r)).toEqual(['journal.draws']);
  });

  it('journal.draws: a self-consistent bundle with other entropy fails journal.draws', async () => {
    const b = copy();
    b.entropy = '1111111111';
    reseal(b);
    const r = await verifyBundle(b, nodeVerifyDeps, pinned());
    for (const n of ['seed', 'entropy.form', 'winners', 'journal.locked']) expect(check(r, n)).toBe(true);
    expect(check(r, 'journal.draws')).toBe(false);
  });

  it('checkpoint.head: an entry appended after the checkpoint fails checkpoint.head (the chain alone holds)', async () => {
    const b = copy();
    const last = b.journal[b.journal.length - 1] as { seq: number; hash: string };
    b.journal.push({
      ...makeEntry(
        last,
        {
          at: '2030-01-01T00:00:00.000Z',
          type: 'lottery.unlocked',
          actor: 'system',
          data: { lottery: b.lottery.id },
        },
        sha256,
      ),
    });
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'journal.chain')).toBe(true);
    expect(check(r, 'checkpoint.head')).toBe(false);
  });

  it('checkpoint.signature: a flipped signature fails checkpoint.signature', async () => {
    const b = copy();
    const sig = b.checkpoint.signature as string;
    b.checkpoint.signature = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'checkpoint.signature')).toBe(false);
  });

  it('key.pinned: with a trusted key, a bundle signed by another key fails key.pinned', async () => {
    const other = strangerKey();
    // The genuine bundle against a trusted key that is not its own: its signature holds, the pin does not.
    const r = await verifyBundle(copy(), nodeVerifyDeps, { trustedPublicKey: other.publicKeyPem });
    expect(check(r, 'checkpoint.signature')).toBe(true);
    expect(failing(r)).toEqual(['key.pinned']);
    // A stranger re-signs the genuine journal with their own key: valid with its own key, not the trusted one.
    const b = copy();
    resign(b, other);
    for (const opts of [
      { trustedPublicKey: original.checkpoint.publicKey as string },
      { trustedFingerprint: fingerprint },
    ]) {
      const s2 = await verifyBundle(b, nodeVerifyDeps, opts);
      expect(check(s2, 'checkpoint.signature')).toBe(true);
      expect(failing(s2)).toEqual(['key.pinned']);
    }
    const good = await verifyBundle(copy(), nodeVerifyDeps, {
      trustedPublicKey: original.checkpoint.publicKey as string,
    });
    expect(good.ok).toBe(true);
    expect(good.warnings).toEqual([]);
  });

  it('hostile values: a __proto__ key makes the bundle unreadable, and deep nesting fails, without crashing', async () => {
    const text = JSON.stringify(copy()).replace('"format"', '"__proto__":{"polluted":true},"format"');
    expect(() => readBundleJson(text, Buffer.byteLength(text))).toThrow(BundleUnreadable);
    expect(() => readBundleJson(text, Buffer.byteLength(text))).toThrow(/unknown key "__proto__"/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Handed to verifyBundle directly, the own __proto__ key pollutes nothing and crashes nothing.
    await verifyBundle(JSON.parse(text) as B, nodeVerifyDeps, pinned());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const f = path.join(t.dir, 'proto.json');
    fs.writeFileSync(f, text);
    expect(cli(['verify', f, '--fingerprint', fingerprint]).status).toBe(2);
    const deep = copy();
    (deep.lottery as Record<string, unknown>).meeting = JSON.parse(
      '{"a":'.repeat(200) + '1' + '}'.repeat(200),
    ) as unknown;
    const r2 = await verifyBundle(deep, nodeVerifyDeps, pinned());
    expect(r2.ok).toBe(false);
    // verifyBundle has no depth limit of its own: handed the value, it fails on what the value says.
    expect(failing(r2)).toEqual(['journal.lottery', 'ceremony.date']);
    // Read from text, the depth limit is what refuses it: a bundle nested 32 deep is read, 33 deep is not.
    const nested = (n: number): string => {
      const b = copy();
      (b.lottery.meeting as Record<string, unknown>).witnesses = '__W__';
      return JSON.stringify(b).replace('"__W__"', '['.repeat(n) + ']'.repeat(n));
    };
    const at32 = nested(29); // $ 1, lottery 2, meeting 3, witnesses 4, and 28 arrays inside
    expect(() => readBundleJson(at32, Buffer.byteLength(at32))).not.toThrow();
    const at33 = nested(30);
    expect(() => readBundleJson(at33, Buffer.byteLength(at33))).toThrow(
      /^nested deeper than 32 at \$\.lottery\.meeting\.witnesses(\[0\]){29} /,
    );
  });
});

describe('lottery-draw/v2: forgeries the trust anchor, the ceremony and the observers catch', () => {
  /**
   * A stranger's forgery: a new secret (so other winners), the journal rewritten from the lock on (commitment
   * in lottery.locked and ceremony.opened, secret, seed, winners, pools and quotas in stage.drawn), every hash
   * re-chained and a checkpoint signed by the stranger's own RSA key. Consistent with itself in every respect.
   */
  function forge(stranger: ReturnType<typeof strangerKey>): B {
    let b: B | undefined;
    for (const ch of 'cdef0123456789ab') {
      const candidate = copy();
      candidate.secret = ch.repeat(64);
      candidate.commitment = sha256(candidate.secret);
      reseal(candidate);
      const w = (candidate.stages[0] as { winners: string[] }).winners;
      if (w.join() !== (original.stages[0] as { winners: string[] }).winners.join()) {
        b = candidate;
        break;
      }
    }
    if (!b) throw new Error('no secret found that changes the winners');
    for (const e of entries(b)) {
      if (e.data.lottery !== b.lottery.id) continue;
      if (e.type === 'lottery.locked') {
        e.data.commitment = b.commitment;
        e.data.quotas = b.stages.map((st) => ({
          stage: st.stage,
          percent: st.percent,
          poolSize: st.poolSize,
          quota: st.quota,
        }));
      }
      if (e.type === 'ceremony.opened') {
        e.data.commitment = b.commitment;
        e.data.keyFingerprint = stranger.fingerprint;
      }
      if (e.type === 'stage.drawn') {
        const st = b.stages[(e.data.stage as number) - 1] as B['stages'][number];
        e.data.seed = b.seed;
        e.data.winners = st.winners;
        e.data.poolSize = st.poolSize;
        e.data.quota = st.quota;
        if ('secret' in e.data) e.data.secret = b.secret;
      }
    }
    rechain(b);
    resign(b, stranger);
    return b;
  }

  it("a stranger's forgery (new secret, journal rewritten from the lock, checkpoint signed by the stranger's own RSA key) exits 1 without a pinned key and with the real one", async () => {
    const stranger = strangerKey();
    const b = forge(stranger);
    // It is a real forgery: other winners, a genuine-looking chain and signature.
    expect(b.stages[0]?.winners).not.toEqual(original.stages[0]?.winners);
    const self = await verifyBundle(b, nodeVerifyDeps, { trustedFingerprint: stranger.fingerprint });
    expect(self.checks.filter((c) => !c.ok)).toEqual([]); // only the stranger's own pin accepts it
    const unpinned = await verifyBundle(b, nodeVerifyDeps);
    expect(unpinned.ok).toBe(false);
    expect(failing(unpinned)).toEqual(['key.pinned']);
    const real = await verifyBundle(b, nodeVerifyDeps, pinned());
    expect(real.ok).toBe(false);
    expect(failing(real)).toEqual(['key.pinned']);
    expect(real.checks.find((c) => c.name === 'key.pinned')?.detail).toContain(fingerprint);
    const byKey = await verifyBundle(b, nodeVerifyDeps, {
      trustedPublicKey: original.checkpoint.publicKey as string,
    });
    expect(failing(byKey)).toEqual(['key.pinned']);

    const f = writeBundle('stranger.json', b);
    const bare = cli(['verify', f]);
    expect(bare.status).toBe(1);
    expect(bare.stdout).toMatch(/^失敗 FAIL {2}key\.pinned（/m);
    expect(bare.stdout).toMatch(/^未通過：.*FAILED: at least one check does not hold$/m);
    const withReal = cli(['verify', f, '--fingerprint', fingerprint]);
    expect(withReal.status).toBe(1);
    expect(withReal.stdout).toMatch(/^失敗 FAIL {2}key\.pinned（/m);
    expect(withReal.stdout.match(/^失敗 FAIL/gm)).toHaveLength(1);
    // The genuine bundle, by contrast, passes with the real fingerprint.
    expect(cli(['verify', writeBundle('genuine.json', original), '--fingerprint', fingerprint]).status).toBe(
      0,
    );
  });

  it('--commitment with fewer than 16 hex digits is a usage error (exit 2)', () => {
    const f = writeBundle('genuine.json', original);
    for (const bad of [original.commitment.slice(0, 15), 'zz' + original.commitment.slice(2, 20), '']) {
      const r = cli(['verify', f, '--fingerprint', fingerprint, `--commitment=${bad}`]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--commitment/);
    }
    const ok = cli([
      'verify',
      f,
      '--fingerprint',
      fingerprint,
      '--commitment',
      original.commitment.slice(0, 16),
    ]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^通過 PASS {2}commitment\.observed（/m);
    // Upper case, as it may be copied from the projector.
    const upper = cli([
      'verify',
      f,
      '--fingerprint',
      fingerprint,
      '--commitment',
      original.commitment.toUpperCase(),
    ]);
    expect(upper.status).toBe(0);
  });

  it('a wrong observed commitment fails commitment.observed', async () => {
    const c = original.commitment;
    const wrong = (c[0] === '0' ? '1' : '0') + c.slice(1, 16);
    const r = await verifyBundle(copy(), nodeVerifyDeps, { ...pinned(), observedCommitment: wrong });
    expect(failing(r)).toEqual(['commitment.observed']);
    const good = await verifyBundle(copy(), nodeVerifyDeps, {
      ...pinned(),
      observedCommitment: c.slice(0, 16),
    });
    expect(good.ok).toBe(true);
    expect(check(good, 'commitment.observed')).toBe(true);
    // Without the option there is no such check.
    expect(
      check(await verifyBundle(copy(), nodeVerifyDeps, pinned()), 'commitment.observed'),
    ).toBeUndefined();
    const cl = cli([
      'verify',
      writeBundle('genuine.json', original),
      '--fingerprint',
      fingerprint,
      '--commitment',
      wrong,
    ]);
    expect(cl.status).toBe(1);
    expect(cl.stdout).toMatch(/^失敗 FAIL {2}commitment\.observed（/m);
  });

  it('a bundle whose stage 1 was drawn on a day other than meeting.date fails ceremony.date', async () => {
    const b = copy();
    const i = entries(b).indexOf(drawEntry(b, 1));
    for (let j = i; j < b.journal.length; j++) {
      const e = b.journal[j] as unknown as Entry;
      e.at = shiftIso(e.at, DAY);
    }
    rechain(b, i);
    resignGenuine(b);
    const r = await verifyBundle(b, nodeVerifyDeps, pinned());
    expect(failing(r)).toEqual(['ceremony.date']);
    expect(r.checks.find((c) => c.name === 'ceremony.date')?.detail).toContain(
      String((original.lottery.meeting as { date: string }).date),
    );
    expect(cli(['verify', writeBundle('nextday.json', b), '--fingerprint', fingerprint]).status).toBe(1);
  });

  it('a ceremony opened after the draw fails ceremony.opened', async () => {
    const b = copy();
    const opened = entries(b).findIndex((e) => e.type === 'ceremony.opened');
    const drawn = entries(b).indexOf(drawEntry(b, 1));
    expect(opened).toBeGreaterThan(-1);
    expect(drawn).toBeGreaterThan(opened);
    const times = entries(b).map((e) => e.at);
    const [moved] = b.journal.splice(opened, 1);
    b.journal.splice(drawn, 0, moved as Record<string, unknown>); // now right after stage 1's stage.drawn
    entries(b).forEach((e, k) => (e.at = times[k] as string)); // times stay in order
    rechain(b, opened);
    resignGenuine(b);
    expect(entries(b).findIndex((e) => e.type === 'ceremony.opened')).toBe(
      entries(b).indexOf(drawEntry(b, 1)) + 1,
    );
    const r = await verifyBundle(b, nodeVerifyDeps, pinned());
    expect(failing(r)).toEqual(['ceremony.opened']);
    expect(cli(['verify', writeBundle('late-ceremony.json', b), '--fingerprint', fingerprint]).status).toBe(
      1,
    );
  });

  it('a ceremony.opened naming another commitment fails ceremony.opened', async () => {
    const b = copy();
    const e = entries(b).find((x) => x.type === 'ceremony.opened') as Entry;
    e.data.commitment = sha256('another secret');
    rechain(b);
    resignGenuine(b);
    expect(failing(await verifyBundle(b, nodeVerifyDeps, pinned()))).toEqual(['ceremony.opened']);
  });

  it('a v1 bundle (format lottery-audit-bundle/v1) still verifies under v1’s rules and the report names lottery-draw/v1', async () => {
    const v = exampleV1;
    const signer = testSigner();
    const lottery = {
      id: v.lottery,
      year: 113,
      agency: '數位發展部',
      title: '113年度公職人員財產申報資料實質審查抽籤',
      stages: [
        { stage: 1, label: '實質審查', percent: '10' },
        { stage: 2, label: '前後年度申報財產比對', percent: '2' },
      ],
      meeting: {},
    };
    const roster = v.roster as RosterEntry[];
    const rosterDigest = sha256(rosterPreimage(roster));
    expect(rosterDigest).toBe(v.expect.rosterDigest);
    const commitment = sha256(v.secret);
    expect(commitment).toBe(v.expect.commitment);
    const stages = v.expect.stages;
    const at = (n: number): string => new Date(Date.UTC(2024, 2, 1, 2, 0, n)).toISOString();
    const journal: Entry[] = [];
    const add = (type: string, data: JournalEntry['data']): void => {
      journal.push(
        makeEntry(journal[journal.length - 1], { at: at(journal.length), type, actor: 'cli', data }, sha256),
      );
    };
    const { id, ...created } = lottery;
    add('lottery.created', { lottery: id, ...created });
    add('roster.loaded', { lottery: id, count: roster.length, poolSize: 20, rosterDigest });
    add('lottery.locked', {
      lottery: id,
      commitment,
      rosterDigest,
      quotas: stages.map(({ stage, percent, poolSize, quota }) => ({ stage, percent, poolSize, quota })),
    }); // no protocol: a v1 lock
    stages.forEach((st, i) =>
      add('stage.drawn', {
        lottery: id,
        stage: st.stage,
        seed: v.expect.seed,
        winners: st.winners,
        poolSize: st.poolSize,
        quota: st.quota,
        ...(i === 0 ? { entropy: v.entropy, secret: v.secret } : {}),
      }),
    );
    const b = {
      format: 'lottery-audit-bundle/v1',
      lottery,
      roster,
      rosterDigest,
      commitment,
      secret: v.secret,
      entropy: v.entropy,
      seed: v.expect.seed,
      stages,
      journal,
      checkpoint: {},
    } as unknown as B;
    resign(b, signer);
    const opts = { trustedPublicKey: signer.publicKeyPem };
    const r = await verifyBundle(structuredClone(b), nodeVerifyDeps, opts);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.protocol).toBe('lottery-draw/v1');
    const names = r.checks.map((c) => c.name);
    for (const n of ['entropy.form', 'ceremony.opened', 'ceremony.date']) expect(names).not.toContain(n);
    expect(names).toEqual(expect.arrayContaining(['seed', 'journal.locked', 'key.pinned']));
    // The CLI reads it too and names the protocol.
    const f = writeBundle('v1.json', b);
    const keyFile = path.join(t.dir, 'v1-key.pem');
    fs.writeFileSync(keyFile, signer.publicKeyPem);
    const cl = cli(['verify', f, '--key', keyFile, '--json']);
    expect(cl.status).toBe(0);
    expect(JSON.parse(cl.stdout)).toMatchObject({ ok: true, protocol: 'lottery-draw/v1' });
    // v1's rules, not v2's: the same bundle relabelled v2 fails (v2 seed preimage, digits, lock protocol).
    const relabelled = structuredClone(b);
    relabelled.format = 'lottery-audit-bundle/v2';
    const r2 = await verifyBundle(relabelled, nodeVerifyDeps, opts);
    expect(r2.protocol).toBe('lottery-draw/v2');
    for (const n of ['seed', 'entropy.form', 'journal.locked', 'ceremony.opened'])
      expect(check(r2, n)).toBe(false);
    // And under v1 the seed check holds the entropy to v1's normal form (no bidi controls).
    const bidi = structuredClone(b);
    bidi.entropy = '6 2 5\u202e 1 3 4';
    reseal(bidi);
    expect(check(await verifyBundle(bidi, nodeVerifyDeps, opts), 'seed')).toBe(false);
  });

  it('--checkpoint with a checkpoint saved before the draw passes checkpoint.observed when the journal extends it, and fails when the journal was rewritten before it', async () => {
    const lockSeq = (entries(original).find((e) => e.type === 'lottery.locked') as Entry).seq;
    const firstDraw = drawEntry(original, 1).seq;
    expect(savedBeforeDraw.seq).toBeGreaterThanOrEqual(lockSeq);
    expect(savedBeforeDraw.seq).toBeLessThan(firstDraw);
    const good = await verifyBundle(copy(), nodeVerifyDeps, {
      ...pinned(),
      observedCheckpoint: savedBeforeDraw,
    });
    expect(good.checks.filter((c) => !c.ok)).toEqual([]);
    expect(check(good, 'checkpoint.observed')).toBe(true);

    // Rewritten before the saved checkpoint (an entry's actor), re-chained and re-signed with the genuine key:
    // the bundle is consistent with itself, only the saved checkpoint shows the rewrite.
    const b = copy();
    (b.journal[1] as Record<string, unknown>).actor = 'system';
    rechain(b);
    resignGenuine(b);
    expect(failing(await verifyBundle(b, nodeVerifyDeps, pinned()))).toEqual([]);
    const bad = await verifyBundle(b, nodeVerifyDeps, { ...pinned(), observedCheckpoint: savedBeforeDraw });
    expect(failing(bad)).toEqual(['checkpoint.observed']);

    // A saved checkpoint signed by a stranger does not vouch for anything.
    const forgedCp = { ...savedBeforeDraw } as Record<string, unknown>;
    const stranger = strangerKey();
    forgedCp.publicKey = stranger.publicKeyPem;
    forgedCp.signature = stranger.sign(checkpointMessage(savedBeforeDraw));
    delete forgedCp.certificate;
    const s = await verifyBundle(copy(), nodeVerifyDeps, {
      ...pinned(),
      observedCheckpoint: forgedCp as unknown as Checkpoint,
    });
    expect(failing(s)).toEqual(['checkpoint.observed']);

    const cp = path.join(t.dir, 'saved-checkpoint.json');
    fs.writeFileSync(cp, JSON.stringify(savedBeforeDraw));
    const ok = cli([
      'verify',
      writeBundle('genuine.json', original),
      '--fingerprint',
      fingerprint,
      '--checkpoint',
      cp,
    ]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^通過 PASS {2}checkpoint\.observed（/m);
    const rewritten = cli([
      'verify',
      writeBundle('rewritten.json', b),
      '--fingerprint',
      fingerprint,
      '--checkpoint',
      cp,
    ]);
    expect(rewritten.status).toBe(1);
    expect(rewritten.stdout).toMatch(/^失敗 FAIL {2}checkpoint\.observed（/m);
  });
});

// Found from outside (the attacker's report on lottery-draw/v2): each fails to attack now.
describe('attacks found from outside', () => {
  it('a v2 lottery re-locked under v1 without an unlock, drawn with look-alike dice and relabelled v1, fails journal.locked', async () => {
    const b = copy();
    const i = entries(b).findIndex((e) => e.type === 'stage.drawn');
    const lock = entries(b).find((e) => e.type === 'lottery.locked') as Entry;
    const { protocol: _drop, ...v1Lock } = lock.data;
    void _drop;
    const relock = { ...lock, data: v1Lock };
    // The forger drops the ceremony and the v2 draws, appends a v1 lock and v1 draws with invisible selectors.
    const kept = entries(b)
      .slice(0, i)
      .filter((e) => e.type !== 'ceremony.opened');
    b.entropy = '6\ufe002\ufe005\ufe001\ufe003\ufe004';
    b.format = 'lottery-audit-bundle/v1';
    reseal(b);
    const draws = b.stages.map((st) => ({
      ...(drawEntry(original, st.stage) as Entry),
      data: {
        lottery: b.lottery.id,
        stage: st.stage,
        poolSize: st.poolSize,
        quota: st.quota,
        seed: b.seed,
        winners: st.winners,
        ...(st.stage === 1 ? { entropy: b.entropy, secret: b.secret } : {}),
      },
    }));
    b.journal = [...kept, relock, ...draws] as unknown as B['journal'];
    rechain(b);
    resignGenuine(b);
    const r = await verifyBundle(b, nodeVerifyDeps, pinned());
    expect(r.protocol).toBe('lottery-draw/v1');
    expect(failing(r)).toEqual(['journal.locked']);
    expect(r.checks.find((c) => c.name === 'journal.locked')?.detail).toMatch(/no unlock between them/);
    // Even with an unlock between the locks, a lottery once locked under v2 is never verified as v1.
    const unlock = {
      ...lock,
      type: 'lottery.unlocked',
      data: { lottery: b.lottery.id, reason: 'x' },
    };
    b.journal = [...kept, unlock, relock, ...draws] as unknown as B['journal'];
    rechain(b);
    resignGenuine(b);
    const r2 = await verifyBundle(b, nodeVerifyDeps, pinned());
    expect(failing(r2)).toEqual(['journal.locked']);
    expect(r2.checks.find((c) => c.name === 'journal.locked')?.detail).toMatch(/never verified as v1/);
  });

  it('stage 1 drawn by another user than the one who opened the ceremony fails ceremony.opened', async () => {
    const b = copy();
    for (const e of entries(b)) if (e.type === 'stage.drawn') e.actor = 'user:uintruder';
    rechain(b);
    resignGenuine(b);
    const r = await verifyBundle(b, nodeVerifyDeps, pinned());
    expect(failing(r)).toEqual(['ceremony.opened']);
  });

  it('--entropy pins the dice written down in the room: any spelling of them passes, other dice fail', () => {
    const f = writeBundle('entropy.json', original);
    const spaced = original.entropy.split('').join(' ');
    expect(cli(['verify', f, '--fingerprint', fingerprint, '--entropy', spaced]).status).toBe(0);
    const wrong = cli(['verify', f, '--fingerprint', fingerprint, '--entropy', '1111111111', '--json']);
    expect(wrong.status).toBe(1);
    expect((JSON.parse(wrong.stdout) as Report).checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      'entropy.observed',
    ]);
    expect(cli(['verify', f, '--fingerprint', fingerprint, '--entropy', '12']).status).toBe(2);
  });

  it('a repeated option is a usage error, so the last --fingerprint cannot quietly win', () => {
    const f = writeBundle('repeat.json', original);
    const other = strangerKey().fingerprint;
    expect(cli(['verify', f, '--fingerprint', other, '--fingerprint', fingerprint]).status).toBe(2);
    expect(cli(['verify', f, '--fingerprint', fingerprint, '--fingerprint', other]).status).toBe(2);
  });

  it('a --pdf over --max-bytes, a device as --key or --pdf, are refused (exit 2) without being read', () => {
    const f = writeBundle('bounded.json', original);
    const big = path.join(t.dir, 'big.pdf');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 70 * 1024 * 1024); // sparse: nothing is written
    const r = cli(['verify', f, '--fingerprint', fingerprint, '--pdf', big]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/larger than/);
    expect(cli(['verify', f, '--key', '/dev/zero']).status).toBe(2);
    expect(cli(['verify', f, '--fingerprint', fingerprint, '--pdf', '/dev/zero']).status).toBe(2);
  });
});
