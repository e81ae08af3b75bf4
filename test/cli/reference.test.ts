import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { auth, drawnLottery, makeApp } from '../helpers/app';

// docs/reference/verify_bundle.py re-implements the draw protocols and the bundle verifier from docs/protocol.md
// alone, with no code shared with the service. If the docs and the code drift apart, this fails.
// (test/cli/differential.test.ts runs it against the TypeScript verifier on a corpus of hostile bundles.)
const script = path.resolve(__dirname, '..', '..', 'docs', 'reference', 'verify_bundle.py');
const fixture = (name: string): string => path.resolve(__dirname, '..', 'fixtures', name);

describe('the independent Python reference of docs/protocol.md', () => {
  it.each(['draw-v1.json', 'draw-v2.json'])('reproduces the shared test vectors of %s', (name) => {
    const r = spawnSync('python3', [script, 'vectors', fixture(name)]);
    expect(r.stdout.toString()).toMatch(/PASS/);
    expect(r.stdout.toString()).not.toMatch(/FAIL/);
    expect(r.status).toBe(0);
  });

  it('verifies a lottery drawn by the service from its audit bundle, and rejects a forged one', async () => {
    const t = makeApp();
    try {
      const id = await drawnLottery(t);
      const bundle = (
        await request(t.app)
          .get(`/api/v1/lotteries/${id}/bundle`)
          .set(...auth(t.tokens.auditor))
      ).body as {
        stages: Array<{ winners: string[] }>;
      };
      const f = path.join(t.dir, 'b.json');
      fs.writeFileSync(f, JSON.stringify(bundle));
      // No trust anchor: every check but key.pinned holds.
      const ok = spawnSync('python3', [script, f, '--json']);
      const report = JSON.parse(ok.stdout.toString()) as { checks: Array<{ name: string; ok: boolean }> };
      expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['key.pinned']);
      expect(ok.status).toBe(1);
      (bundle.stages[1] as { winners: string[] }).winners = ['D999'];
      fs.writeFileSync(f, JSON.stringify(bundle));
      const forged = JSON.parse(spawnSync('python3', [script, f, '--json']).stdout.toString()) as {
        checks: Array<{ name: string; ok: boolean }>;
      };
      expect(forged.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
        'winners',
        'journal.draws',
        'key.pinned',
      ]);
    } finally {
      t.close();
    }
  });
});
