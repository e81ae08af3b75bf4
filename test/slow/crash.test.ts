/**
 * Crash safety. The server is killed with SIGKILL at named fault points inside roster loads, locks, draws and
 * record issues (each at least 10 times), and at seeded random moments during whole ceremonies (at least 100
 * kills in all). After every kill, `lottery verify --db` must pass: the chain holds, and the lottery, roster and
 * result tables equal a replay of the journal, so every lottery is in a state it legally had and nothing is
 * half-written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vectors from '../fixtures/draw-v1.json';
import { call, cli, prng, serve } from './helpers';

const roster = { entries: vectors.vector1.roster };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-crash-'));
const db = path.join(dir, 'crash.sqlite');
let token = '';
let kills = 0;

beforeAll(async () => {
  token = (
    JSON.parse(
      (await cli(['user', 'add', '--name', 'ethics', '--role', 'ethics', '--json', '--db', db])).out,
    ) as { token: string }
  ).token;
});

async function verified(): Promise<void> {
  const r = await cli(['verify', '--db', db, '--json']);
  const report = JSON.parse(r.out) as {
    ok: boolean;
    checks: Array<{ name: string; ok: boolean; detail: string }>;
  };
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(r.code).toBe(0);
}

/** One ceremony step by step; stops at the first failed call (the process was killed). */
async function ceremony(url: string): Promise<string | undefined> {
  const c = await call(`${url}/api/v1/lotteries`, 'POST', token, { year: 113, agency: '當機測試' });
  const id = c.body.id as string | undefined;
  if (c.status !== 201 || !id) return undefined;
  const steps: Array<[string, string, unknown?]> = [
    ['PUT', `/api/v1/lotteries/${id}/roster`, roster],
    ['POST', `/api/v1/lotteries/${id}/lock`],
    ['POST', `/api/v1/lotteries/${id}/stages/1/draw`, { entropy: '6 2 5 1 3 4' }],
    ['POST', `/api/v1/lotteries/${id}/stages/2/draw`, {}],
    ['POST', `/api/v1/lotteries/${id}/record`, {}],
  ];
  for (const [m, p, b] of steps) {
    const r = await call(`${url}${p}`, m, token, b);
    if (r.status === 0) return id;
  }
  return id;
}

describe('SIGKILL inside write transactions', () => {
  it.each(['roster.load', 'lock', 'draw', 'record'])(
    'at fault point %s, 10 times: the database verifies after each kill',
    async (point) => {
      for (let i = 0; i < 10; i++) {
        const p = await serve(db, { LOTTERY_FAULT_INJECTION: '1', LOTTERY_FAULT_POINT: point });
        await ceremony(p.url);
        expect(await p.exited).toBe(-1); // killed by the fault point, not exited
        kills++;
        await verified();
      }
    },
  );

  it('at seeded random moments during ceremonies: the database verifies after each kill', async () => {
    const rand = prng(20260127);
    for (let i = 0; i < 60; i++) {
      const p = await serve(db);
      const delay = Math.floor(rand() * 400);
      const run = ceremony(p.url);
      await new Promise((r) => setTimeout(r, delay));
      p.child.kill('SIGKILL');
      await p.exited;
      await run;
      kills++;
      await verified();
    }
    expect(kills).toBeGreaterThanOrEqual(100);
  });
});
