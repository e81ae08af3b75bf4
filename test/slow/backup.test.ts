/**
 * `lottery backup DEST` while a server process writes: one consistent step, a 0600 file, a copy that verifies.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, cli, serve } from './helpers';

describe('backup under load', () => {
  it('copies the live database consistently while the server writes, quickly, and the copy verifies', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-backup-'));
    const db = path.join(dir, 'live.sqlite');
    const token = (
      JSON.parse(
        (await cli(['user', 'add', '--name', 'e', '--role', 'ethics', '--json', '--db', db])).out,
      ) as { token: string }
    ).token;
    const p = await serve(db);
    // Some history first, then writers that keep going during the backups.
    for (let i = 0; i < 200; i++)
      await call(`${p.url}/api/v1/lotteries`, 'POST', token, { year: 113, agency: `機關${i}` });
    const big = await call(`${p.url}/api/v1/lotteries`, 'POST', token, { year: 113, agency: '大型機關' });
    const entries = Array.from({ length: 20_000 }, (_, i) => ({
      id: `P${i}`,
      name: `申報人${i}`,
      unit: '數位發展部數位產業署',
      title: '科長',
    }));
    expect(
      (await call(`${p.url}/api/v1/lotteries/${String(big.body.id)}/roster`, 'PUT', token, { entries }))
        .status,
    ).toBe(200);
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) {
        const r = await call(`${p.url}/api/v1/lotteries`, 'POST', token, { year: 114, agency: '寫入中' });
        if (r.status === 201) writes++;
      }
    })();
    try {
      while (writes < 20) await new Promise((r) => setTimeout(r, 20));
      for (let k = 0; k < 3; k++) {
        const before = writes;
        const dest = path.join(dir, `backup-${k}.sqlite`);
        const started = Date.now();
        // The backup runs as its own process, as an operator's cron job would, while this process keeps writing.
        const code = await new Promise<number | null>((resolve) => {
          const child = spawn(
            process.execPath,
            [path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js'), 'backup', dest, '--db', db],
            { stdio: 'ignore' },
          );
          child.on('exit', resolve);
        });
        const ms = Date.now() - started;
        expect(code).toBe(0);
        expect(ms).toBeLessThan(20_000);
        expect(fs.statSync(dest).mode & 0o777).toBe(0o600);
        const v = await cli(['verify', '--db', dest, '--json']);
        expect((JSON.parse(v.out) as { ok: boolean }).ok).toBe(true);
        process.stdout.write(
          `backup ${k}: ${ms} ms, ${fs.statSync(dest).size} bytes, ${writes - before} writes landed meanwhile\n`,
        );
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      writing = false;
      await writer;
      p.child.kill('SIGTERM');
      await p.exited;
    }
    expect(writes).toBeGreaterThan(10);
  });
});
