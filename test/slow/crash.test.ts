/**
 * Crash safety. The server is killed with SIGKILL at named fault points inside roster loads, locks, draws and
 * record issues (each at least 10 times), and at seeded random moments during whole lottery-draw/v2 ceremonies
 * (create, roster, lock, open the ceremony on the meeting day, stage 1 with the ceremony token, the dice and the
 * commitment, stage 2 with the token, record: at least 100 kills in all). After every kill, `lottery verify --db`
 * must pass: the chain holds, and the lottery, roster, ceremony and result tables equal a replay of the journal,
 * so every lottery is in a state it legally had and nothing is half-written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vectors from '../fixtures/draw-v2.json';
import { call, cli, DICE, prng, serve, taipeiToday } from './helpers';

const roster = { entries: vectors.ceremony.roster };
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

/** The steps of one ceremony, with the status each answers when all is well. */
const STEPS = ['create', 'roster', 'lock', 'ceremony', 'stage1', 'stage2', 'record'] as const;
type Step = (typeof STEPS)[number];
const OK: Record<Step, number> = {
  create: 201,
  roster: 200,
  lock: 200,
  ceremony: 201,
  stage1: 200,
  stage2: 200,
  record: 201,
};

interface Run {
  id?: string;
  /** The steps reached, each with its status (0: the process died under the request) and error code. */
  reached: Array<{ step: Step; status: number; code?: string }>;
  /** The step during which the server died, if it did. */
  killedAt?: Step;
  /** Milliseconds from the start to the start of each step reached. */
  startedAt: Partial<Record<Step, number>>;
}

/**
 * One v2 ceremony step by step, by one signed-in ethics user: the lottery's meeting is today (Asia/Taipei), the
 * ceremony is opened and its token, the dice and the commitment it showed go to stage 1, the token to stage 2.
 * Stops at the first call that fails: the process was killed, or (reported in `reached`) a refusal.
 */
async function ceremony(url: string): Promise<Run> {
  const run: Run = { reached: [], startedAt: {} };
  const t0 = Date.now();
  let ceremonyToken = '';
  let commitment = '';
  for (const step of STEPS) {
    const id = run.id ?? '';
    const [m, p, b]: [string, string, unknown?] =
      step === 'create'
        ? ['POST', '/api/v1/lotteries', { year: 113, agency: '當機測試', meeting: { date: taipeiToday() } }]
        : step === 'roster'
          ? ['PUT', `/api/v1/lotteries/${id}/roster`, roster]
          : step === 'lock'
            ? ['POST', `/api/v1/lotteries/${id}/lock`]
            : step === 'ceremony'
              ? ['POST', `/api/v1/lotteries/${id}/ceremony`, {}]
              : step === 'stage1'
                ? [
                    'POST',
                    `/api/v1/lotteries/${id}/stages/1/draw`,
                    { ceremonyToken, entropy: DICE, commitment },
                  ]
                : step === 'stage2'
                  ? ['POST', `/api/v1/lotteries/${id}/stages/2/draw`, { ceremonyToken }]
                  : ['POST', `/api/v1/lotteries/${id}/record`, {}];
    run.startedAt[step] = Date.now() - t0;
    const r = await call(`${url}${p}`, m, token, b);
    run.reached.push({ step, status: r.status, code: r.body.code as string | undefined });
    if (r.status === 0) {
      run.killedAt = step;
      return run;
    }
    if (r.status !== OK[step]) return run;
    if (step === 'create') run.id = r.body.id as string;
    if (step === 'ceremony') {
      ceremonyToken = r.body.ceremonyToken as string;
      commitment = r.body.commitment as string;
      expect(commitment).toMatch(/^[0-9a-f]{64}$/);
      expect(r.body.keyFingerprint).toMatch(/^SHA256:[0-9a-f]{64}$/);
    }
    if (step === 'stage1') expect(r.body.digits).toBe(vectors.ceremony.entropy);
  }
  return run;
}

/** True when a refusal was only the Taipei date turning over between two steps: then the run is repeated. */
const midnight = (run: Run): boolean => run.reached.some((s) => s.code === 'NOT_MEETING_DAY');

describe('SIGKILL inside write transactions', () => {
  /** The step whose transaction holds each fault point ('draw' is inside stage 1's draw transaction). */
  const AT: Record<string, Step> = {
    'roster.load': 'roster',
    lock: 'lock',
    draw: 'stage1',
    record: 'record',
  };

  it.each(['roster.load', 'lock', 'draw', 'record'])(
    'at fault point %s, 10 times: the database verifies after each kill',
    async (point) => {
      for (let i = 0; i < 10; i++) {
        const p = await serve(db, { LOTTERY_FAULT_INJECTION: '1', LOTTERY_FAULT_POINT: point });
        let run = await ceremony(p.url);
        if (!run.killedAt && midnight(run)) run = await ceremony(p.url);
        if (!run.killedAt) p.child.kill('SIGKILL'); // never hang on a server the fault point missed
        // Every step before the fault point succeeded, and the server died inside that step's request.
        const upTo = STEPS.indexOf(AT[point] as Step);
        expect(run.reached).toEqual([
          ...STEPS.slice(0, upTo).map((step) => ({ step, status: OK[step], code: undefined })),
          { step: AT[point], status: 0, code: undefined },
        ]);
        expect(await p.exited).toBe(-1); // killed by the fault point, not exited
        kills++;
        await verified();
      }
    },
  );

  it('at seeded random moments during ceremonies: the database verifies after each kill', async () => {
    // One whole ceremony first, unkilled: the v2 flow works end to end, and its length scales the kill moments.
    const first = await serve(db);
    let t0 = Date.now();
    let whole = await ceremony(first.url);
    if (midnight(whole)) {
      t0 = Date.now();
      whole = await ceremony(first.url);
    }
    const span = Date.now() - t0;
    // The record (a signed PDF) takes most of the time: two kills in three fall before it, among the short steps
    // (lock, the ceremony's opening, the draws), so that those moments are hit too.
    const beforeRecord = whole.startedAt.record ?? span;
    expect(whole.reached).toEqual(STEPS.map((step) => ({ step, status: OK[step], code: undefined })));
    first.child.kill('SIGTERM');
    await first.exited;
    await verified();

    const rand = prng(20260127);
    const landed = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const p = await serve(db);
      // Over the whole ceremony and a little past it (a kill after the last step must verify too).
      const delay = Math.floor(rand() * (i % 3 === 2 ? Math.max(400, span * 1.2) : beforeRecord * 1.1));
      const run = ceremony(p.url);
      await new Promise((r) => setTimeout(r, delay));
      p.child.kill('SIGKILL');
      await p.exited;
      const r = await run;
      // No refusal before the kill, apart from the Taipei date turning over.
      if (!midnight(r))
        for (const s of r.reached)
          if (s.status !== 0) expect([s.step, s.status]).toEqual([s.step, OK[s.step]]);
      const where = r.killedAt ?? (r.reached.length === STEPS.length ? 'after record' : 'before create');
      landed.set(where, (landed.get(where) ?? 0) + 1);
      kills++;
      await verified();
    }
    process.stdout.write(
      `random kills (ceremony of ${span} ms, record from ${beforeRecord} ms): ${JSON.stringify(Object.fromEntries(landed))}\n`,
    );
    // The kills fall all over the ceremony, not only before it begins or after it ends.
    expect(landed.size).toBeGreaterThanOrEqual(5);
    expect(kills).toBeGreaterThanOrEqual(100);
  });
});
