import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { jcs } from '../../src/domain/canonical';
import { makeEntry, type JournalEntry } from '../../src/domain/journal';
import { commitment, drawAll, initialPool, rosterDigest, seed } from '../../src/domain/protocol';
import type { RosterEntry } from '../../src/domain/protocol';
import { main } from '../../src/cli/main';
import { verifyBundle } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { buildApp } from '../../src/http/app';
import { MIGRATIONS_DIR, Store } from '../../src/store/store';
import { exampleV1, tempDir, testSigner } from '../helpers/app';
import { sha256 } from '../helpers/crypto';

/**
 * A database written by the service before lottery-draw/v2 (schema version 3, locks without `protocol`): it
 * migrates on open, its drawn lottery still verifies under v1's rules (`verify --db`), and a lottery it had locked
 * but not drawn must be re-locked under v2 before it can be drawn.
 */
const at = (min: number): string => new Date(Date.UTC(2025, 0, 22, 2, min)).toISOString();

function v1Database(file: string): { drawn: string; locked: string } {
  const db = new Database(file);
  for (const f of ['001_init.sql', '002_records.sql', '003_web.sql'])
    db.exec(fs.readFileSync(path.join(MIGRATIONS_DIR, f), 'utf8'));
  db.pragma('user_version = 3');
  const roster = exampleV1.roster as RosterEntry[];
  const digest = rosterDigest(roster, sha256);
  const stages = [
    { stage: 1, label: '實質審查', percent: '10' },
    { stage: 2, label: '前後年度申報財產比對', percent: '2' },
  ];
  const journal: JournalEntry[] = [];
  const add = (type: string, data: JournalEntry['data'], min: number): void => {
    journal.push(makeEntry(journal[journal.length - 1], { at: at(min), type, actor: 'cli', data }, sha256));
  };
  const lotteries = [
    { id: 'moda-113', secret: exampleV1.secret, drawn: true },
    { id: 'moda-114', secret: 'ab'.repeat(32), drawn: false },
  ];
  for (const l of lotteries) {
    const c = commitment(l.secret, sha256);
    const meeting = { date: '2025-01-22T10:00' };
    add('lottery.created', { lottery: l.id, year: 113, agency: '數位發展部', title: '', stages, meeting }, 0);
    add('roster.loaded', { lottery: l.id, count: 21, poolSize: 20, rosterDigest: digest }, 1);
    const outcome = drawAll(
      seed({ lottery: l.id, rosterDigest: digest, secret: l.secret, entropy: exampleV1.entropy }, sha256),
      stages,
      initialPool(roster),
    );
    const quotas = outcome.map(({ stage, percent, poolSize, quota }) => ({
      stage,
      percent,
      poolSize,
      quota,
    }));
    add('lottery.locked', { lottery: l.id, rosterDigest: digest, commitment: c, quotas }, 2);
    const s = seed(
      { lottery: l.id, rosterDigest: digest, secret: l.secret, entropy: exampleV1.entropy },
      sha256,
    );
    db.prepare(
      'INSERT INTO lotteries (id, year, agency, title, stages, meeting, status, roster_digest, secret, commitment, entropy, seed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      l.id,
      113,
      '數位發展部',
      '',
      JSON.stringify(stages),
      JSON.stringify(meeting),
      l.drawn ? 'drawn' : 'locked',
      digest,
      l.secret,
      c,
      l.drawn ? exampleV1.entropy : null,
      l.drawn ? s : null,
      at(0),
    );
    for (const e of roster)
      db.prepare(
        'INSERT INTO roster_entries (lottery_id, id, name, unit, title, category, excluded) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(l.id, e.id, e.name, e.unit ?? null, e.title ?? null, e.category ?? null, e.excluded ?? null);
    if (!l.drawn) continue;
    for (const o of outcome) {
      const data: JournalEntry['data'] = {
        lottery: l.id,
        stage: o.stage,
        poolSize: o.poolSize,
        quota: o.quota,
        seed: s,
        winners: o.winners,
      };
      if (o.stage === 1) Object.assign(data, { entropy: exampleV1.entropy, secret: l.secret });
      add('stage.drawn', data, 10 + o.stage);
      db.prepare(
        'INSERT INTO results (lottery_id, stage, pool_size, quota, winners, drawn_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(l.id, o.stage, o.poolSize, o.quota, JSON.stringify(o.winners), at(10 + o.stage));
    }
    // The service's v1 vectors: this is the lottery of test/fixtures/draw-v1.json.
    if (l.id === 'moda-113')
      expect(outcome.map((o) => o.winners)).toEqual(exampleV1.expect.stages.map((x) => x.winners));
  }
  for (const e of journal)
    db.prepare(
      'INSERT INTO journal (seq, at, type, actor, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(e.seq, e.at, e.type, e.actor, jcs(e.data), e.prev, e.hash);
  db.close();
  return { drawn: 'moda-113', locked: 'moda-114' };
}

async function verifyDb(file: string): Promise<{
  code: number;
  report: { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
}> {
  let out = '';
  const code = await main(['verify', '--db', file, '--json'], {
    out: (s) => (out += s),
    err: () => undefined,
  });
  return {
    code,
    report: JSON.parse(out) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> },
  };
}

describe('a database made under lottery-draw/v1', () => {
  it('verifies before and after the v2 migration, recomputing its v1 draws', async () => {
    const file = path.join(tempDir(), 'v1.sqlite');
    v1Database(file);
    const before = await verifyDb(file);
    expect(before.report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(before.code).toBe(0);
    const store = Store.open(file); // migrates to the current schema
    expect(store.lottery('moda-113')?.protocol).toBe('lottery-draw/v1');
    expect(store.lottery('moda-114')?.protocol).toBe('lottery-draw/v1');
    store.close();
    const after = await verifyDb(file);
    expect(after.report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(after.code).toBe(0);
  });

  it('a v1 lottery locked but not drawn must be re-locked under v2 (RELOCK_REQUIRED), and its drawn one exports a v1 bundle', async () => {
    const file = path.join(tempDir(), 'v1.sqlite');
    const { drawn, locked } = v1Database(file);
    const store = Store.open(file);
    try {
      const { app, services } = buildApp({ store, signer: testSigner() });
      const ethics = services.addUser('cli', { name: 'e', role: 'ethics' }).token;
      const r = await request(app)
        .post(`/api/v1/lotteries/${locked}/stages/1/draw`)
        .set('Authorization', `Bearer ${ethics}`)
        .send({ entropy: '1234567890' })
        .expect(409);
      expect(r.body.code).toBe('RELOCK_REQUIRED');
      const bundle = services.bundle(drawn);
      expect(bundle.format).toBe('lottery-audit-bundle/v1');
      const report = await verifyBundle(bundle, nodeVerifyDeps, {
        trustedFingerprint: services.keyFingerprint(),
      });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.protocol).toBe('lottery-draw/v1');
    } finally {
      store.close();
    }
  });
});
