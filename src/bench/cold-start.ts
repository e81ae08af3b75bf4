/** coldStartMs: the second start of `node dist/cli/main.js serve` until /api/v1/health answers. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { median } from './stats';

async function startOnce(db: string): Promise<number> {
  const t = process.hrtime.bigint();
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'cli', 'main.js'), 'serve'], {
    env: { ...process.env, LOTTERY_DB: db, PORT: '0' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`server exited: ${buf}`)));
  });
  for (;;) {
    const ok = await fetch(`${url}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
  }
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return ms;
}

export async function coldStart(dir: string): Promise<number> {
  const db = path.join(dir, 'cold.sqlite');
  await startOnce(db); // the first start makes the key and the test certificate
  const runs: number[] = [];
  for (let k = 0; k < 5; k++) runs.push(await startOnce(db));
  return Math.round(median(runs));
}
