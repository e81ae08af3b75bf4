import path from 'node:path';
import { main } from '../../src/cli/main';
import { verifyDatabase } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { drawnLottery, makeApp, ownConnection, tempDir, type TestApp } from '../helpers/app';
import { physicalDrawn } from '../helpers/physical';

// `lottery verify --db` holds a physical draw's own tables (the method column, pool_sheets, balls) to the journal
// (protocol.md §8.4): the record, the ball-entry screen and the printed sheet are made from those rows, so a row
// edited behind the journal's back must be named. Each edit is made on a connection of its own, as an operator
// with the file would, dropping the trigger that stands in the way first.

let t: TestApp;
let id: string;
beforeEach(async () => {
  t = makeApp();
  // Stage 1: ball 1 entered and undone (誤植球號), then 7 and 3; stage 2: ball 2.
  id = await physicalDrawn(t);
});
afterEach(() => t.close());

/** The failing checks of verify --db on the live database, each with its detail. */
async function failing(): Promise<string[]> {
  const r = await verifyDatabase(t.store.snapshot(), nodeVerifyDeps);
  return r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
}

const tamper = (sql: string, ...params: unknown[]): void =>
  ownConnection(t.dbFile, (db) => {
    db.exec('DROP TRIGGER IF EXISTS balls_undo_only; DROP TRIGGER IF EXISTS balls_no_delete');
    db.exec('DROP TRIGGER IF EXISTS pool_sheets_no_update');
    db.prepare(sql).run(...params);
  });

describe('verify --db on a physical draw', () => {
  it('when nothing was edited › the tables match the journal, balls and sheets included', async () => {
    expect(await failing()).toEqual([]);
    const snap = t.store.snapshot().lotteries.find((l) => l.id === id);
    expect(snap?.balls?.map((b) => [b.number, b.undoneAt !== null])).toEqual([
      [1, true],
      [7, false],
      [3, false],
      [2, false],
    ]);
    expect(snap?.sheets?.map((s) => s.stage)).toEqual([1, 2]);
  });

  it('when a ball’s number was rewritten › the lottery fails, naming the ball and both numbers', async () => {
    tamper('UPDATE balls SET number = 5 WHERE lottery_id = ? AND stage = 1 AND position = 2', id);
    expect(await failing()).toEqual([
      `tables.lottery:${id}: stage 1 ball 2 differs from the journal (number 5 stored, 7 journalled)`,
    ]);
  });

  it('when the reason a ball was undone was rewritten › the lottery fails', async () => {
    tamper(
      "UPDATE balls SET undo_reason = '抽籤人要求' WHERE lottery_id = ? AND stage = 1 AND position = 1",
      id,
    );
    expect((await failing()).join('\n')).toMatch(
      /stage 1 ball 1 differs from the journal \(undoReason "抽籤人要求" stored, "誤植球號" journalled\)/,
    );
  });

  it('when an undone ball was made to stand again › the lottery fails', async () => {
    tamper(
      'UPDATE balls SET undone_at = NULL, undo_reason = NULL WHERE lottery_id = ? AND stage = 1 AND position = 1',
      id,
    );
    expect((await failing()).join('\n')).toMatch(
      /stage 1 ball 1 differs from the journal \(undoneAt null stored/,
    );
  });

  it('when a ball row was deleted, or one added › the lottery fails', async () => {
    tamper('DELETE FROM balls WHERE lottery_id = ? AND stage = 2', id);
    expect((await failing()).join('\n')).toMatch(/stage 2 ball 1 \(seq \d+\) is missing from the table/);
    tamper(
      "INSERT INTO balls (lottery_id, stage, position, number, entry, seq, drawn_at) VALUES (?, 2, 1, 1, 'D003', 1, 'x')",
      id,
    );
    tamper(
      "INSERT INTO balls (lottery_id, stage, position, number, entry, seq, drawn_at) VALUES (?, 2, 2, 2, 'D007', 1, 'x')",
      id,
    );
    const f = (await failing()).join('\n');
    expect(f).toMatch(
      /stage 2 ball 1 differs from the journal \(number 1 stored, 2 journalled; entry "D003"/,
    );
    expect(f).toMatch(/stage 2 ball 2 is stored, the journal has no such ball/);
  });

  it('when a pool sheet’s entries were reordered › the lottery fails (the numbers would name other people)', async () => {
    const [sheet] = t.store.physical.sheets(id);
    const swapped = [...(sheet?.entries ?? [])].reverse();
    tamper(
      'UPDATE pool_sheets SET entries = ? WHERE lottery_id = ? AND stage = 1',
      JSON.stringify(swapped),
      id,
    );
    expect(await failing()).toEqual([
      `tables.lottery:${id}: stage 1: the stored sheet's entries are not its pool in id order`,
    ]);
  });

  it('when a pool sheet’s digest was rewritten, or the sheet deleted › the lottery fails', async () => {
    tamper(`UPDATE pool_sheets SET sha256 = '${'0'.repeat(64)}' WHERE lottery_id = ? AND stage = 2`, id);
    expect((await failing()).join('\n')).toMatch(/stage 2: the stored sheet digest differs from the journal/);
    tamper('DELETE FROM pool_sheets WHERE lottery_id = ? AND stage = 2', id);
    expect((await failing()).join('\n')).toMatch(
      /stage 2: the pool sheet journalled at seq \d+ is missing from the table/,
    );
  });

  it('when the method column was turned to random › the lottery fails', async () => {
    tamper("UPDATE lotteries SET method = 'random' WHERE id = ?", id);
    expect((await failing()).join('\n')).toMatch(
      /method is random in the table, the journal created it physical/,
    );
  });

  it('when a ball is stored for a lottery drawn by the computer › that lottery fails', async () => {
    const random = await drawnLottery(t);
    tamper(
      "INSERT INTO balls (lottery_id, stage, position, number, entry, seq, drawn_at) VALUES (?, 1, 1, 1, 'D001', 1, 'x')",
      random,
    );
    expect((await failing()).join('\n')).toMatch(
      new RegExp(`tables.lottery:${random}: .*stage 1 ball 1 is stored, the journal has no such ball`),
    );
  });

  it('through the CLI: a tampered ball exits 1, naming the lottery', async () => {
    tamper('UPDATE balls SET entry = ? WHERE lottery_id = ? AND stage = 2', 'D003', id);
    const copy = path.join(tempDir(), 'tampered.sqlite');
    ownConnection(t.dbFile, (own) => own.exec(`VACUUM INTO '${copy}'`));
    let out = '';
    const code = await main(['verify', '--db', copy, '--json'], {
      out: (s) => (out += s),
      err: () => undefined,
    });
    expect(code).toBe(1);
    const checks = (JSON.parse(out) as { checks: Array<{ name: string; ok: boolean; detail: string }> })
      .checks;
    expect(checks.filter((c) => !c.ok)).toEqual([
      {
        name: `tables.lottery:${id}`,
        ok: false,
        detail: 'stage 2 ball 1 differs from the journal (entry "D003" stored, "D007" journalled)',
      },
    ]);
  });
});
