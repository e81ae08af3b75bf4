import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { auth, drawnLottery, makeApp } from '../helpers/app';

// docs/reference/draw_v1.py re-implements lottery-draw/v1 from docs/protocol.md alone, with no code shared with
// the service. If the docs and the code drift apart, this fails.
const script = path.resolve(__dirname, '..', '..', 'docs', 'reference', 'draw_v1.py');

describe('the independent Python reference of docs/protocol.md', () => {
  it('reproduces the shared test vectors', () => {
    const r = spawnSync('python3', [
      script,
      'vectors',
      path.resolve(__dirname, '..', 'fixtures', 'draw-v1.json'),
    ]);
    expect(r.stdout.toString()).not.toMatch(/FAIL/);
    expect(r.status).toBe(0);
  });

  it('reproduces a lottery drawn by the service from its audit bundle, and rejects a forged one', async () => {
    const t = makeApp();
    try {
      const id = await drawnLottery(t, '4 4 1 6 2 3');
      const bundle = (
        await request(t.app)
          .get(`/api/v1/lotteries/${id}/bundle`)
          .set(...auth(t.tokens.auditor))
      ).body as {
        stages: Array<{ winners: string[] }>;
      };
      const f = path.join(t.dir, 'b.json');
      fs.writeFileSync(f, JSON.stringify(bundle));
      const ok = spawnSync('python3', [script, 'bundle', f]);
      expect(ok.stdout.toString()).toMatch(/PASS stages/);
      expect(ok.status).toBe(0);
      (bundle.stages[1] as { winners: string[] }).winners = ['D999'];
      fs.writeFileSync(f, JSON.stringify(bundle));
      expect(spawnSync('python3', [script, 'bundle', f]).status).toBe(1);
    } finally {
      t.close();
    }
  });
});
