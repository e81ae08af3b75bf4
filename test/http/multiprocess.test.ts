import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { tempDir } from '../helpers/app';
import { taipeiDate } from '../../src/domain/ceremony';
import vectors from '../fixtures/draw-v1.json';

const root = path.resolve(__dirname, '..', '..');

/**
 * Starts `lottery serve` on db. Every child is recorded in `started` as soon as it is spawned, so afterAll kills
 * it even when another server's start failed (a Promise.all that rejects would otherwise leave it running and
 * jest waiting for it); one that does not start in time is killed at once.
 */
function startServer(db: string, started: ChildProcess[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), 'serve'], {
      env: { ...process.env, LOTTERY_DB: db, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start: ${buf}`));
    }, 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(buf);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (c) => reject(new Error(`server exited ${c}: ${buf}`)));
  });
}

function call(
  url: string,
  method: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      url,
      {
        method,
        agent: false,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
        },
      },
      (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: s ? (JSON.parse(s) as Record<string, unknown>) : {} }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function cli(args: string[]): Promise<string> {
  let out = '';
  const code = await main(args, { out: (s) => (out += s), err: () => undefined });
  if (code !== 0) throw new Error(`lottery ${args.join(' ')} exited ${code}`);
  return out;
}

describe('several server processes on one database file', () => {
  const servers: ChildProcess[] = [];
  afterAll(() => servers.forEach((s) => s.kill('SIGKILL')));

  it('draw a stage exactly once when 4 processes get 50 simultaneous requests each', async () => {
    const db = path.join(tempDir(), 'shared.sqlite');
    const ethics = (
      JSON.parse(await cli(['user', 'add', '--name', 'e', '--role', 'ethics', '--json', '--db', db])) as {
        token: string;
      }
    ).token;
    const procs = await Promise.all([0, 1, 2, 3].map(() => startServer(db, servers)));
    const [a] = procs;
    if (!a) throw new Error('no server');
    const today = taipeiDate(Date.now());
    const created = await call(`${a.url}/api/v1/lotteries`, 'POST', ethics, {
      year: 113,
      agency: 'X',
      meeting: { date: today },
    });
    const id = created.body.id as string;
    expect(
      (
        await call(`${a.url}/api/v1/lotteries/${id}/roster`, 'PUT', ethics, {
          entries: vectors.vector1.roster,
        })
      ).status,
    ).toBe(200);
    expect((await call(`${a.url}/api/v1/lotteries/${id}/lock`, 'POST', ethics)).status).toBe(200);
    const opened = await call(`${a.url}/api/v1/lotteries/${id}/ceremony`, 'POST', ethics);
    expect(opened.status).toBe(201);
    const cer = {
      ceremonyToken: opened.body.ceremonyToken as string,
      commitment: opened.body.commitment as string,
    };
    const before = (
      JSON.parse(await cli(['verify', '--db', db, '--json'])) as { checks: Array<{ detail: string }> }
    ).checks[0]?.detail;

    const answers = await Promise.all(
      procs.flatMap((p) =>
        Array.from({ length: 50 }, (_, i) =>
          call(`${p.url}/api/v1/lotteries/${id}/stages/1/draw`, 'POST', ethics, {
            ...cer,
            entropy: `12345 678${String(i).padStart(2, '0')}`,
          }),
        ),
      ),
    );
    const count = (s: number): number => answers.filter((x) => x.status === s).length;
    expect(count(200)).toBe(1);
    expect(count(409)).toBe(199);
    expect(answers.filter((x) => x.status >= 500)).toEqual([]);

    const report = JSON.parse(await cli(['verify', '--db', db, '--json'])) as {
      ok: boolean;
      checks: Array<{ detail: string }>;
    };
    expect(report.ok).toBe(true);
    const seqOf = (d: string | undefined): number => Number(/head seq (\d+)/.exec(d ?? '')?.[1]);
    expect(seqOf(report.checks[0]?.detail) - seqOf(before)).toBe(1);
  }, 60_000);
});
