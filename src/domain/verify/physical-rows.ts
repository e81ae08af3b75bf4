import { sheetEntries, sheetPreimage } from '../physical';
import { initialPool, type RosterEntry } from '../protocol';
import type { LotteryReplay, SheetEvent } from '../replay';
import { sameJson, type VerifyDeps } from './report';

/**
 * `verify --db`, the physical draw's own tables (protocol.md §8.4): the `method` column, the `pool_sheets` rows and
 * the `balls` rows, each against the journal's `lottery.created`, `poolsheet.issued`, `stage.ball` and
 * `stage.ball.undone`. The record, the ball-entry screen and the printed sheet are made from these rows, not
 * from the journal, so a row edited behind the journal's back would change what they say without this.
 */

type Sheet = { stage: number; entries: string[]; sha256: string; issuedAt: string };
type Ball = {
  stage: number;
  position: number;
  number: number;
  entry: string;
  seq: number;
  drawnAt: string;
  undoneAt: string | null;
  undoReason: string | null;
};

/** The tables of one lottery as the snapshot gives them (absent on a snapshot that does not read them). */
export interface PhysicalRows {
  id: string;
  method?: string;
  sheets?: Sheet[];
  balls?: Ball[];
  roster: RosterEntry[];
}

export async function physicalRowProblems(
  t: PhysicalRows,
  l: LotteryReplay,
  deps: VerifyDeps,
): Promise<string[]> {
  const problems: string[] = [];
  const journalled = l.method ?? 'random';
  if (t.method !== undefined && t.method !== journalled)
    problems.push(`method is ${t.method} in the table, the journal created it ${journalled}`);
  if (t.sheets) problems.push(...(await sheetProblems(t.id, t.sheets, l, t.roster, deps)));
  if (t.balls) problems.push(...ballProblems(t.balls, l));
  return problems;
}

/**
 * The sheets the table must hold: an unlock voids the sheets issued before it (the table deletes them, the
 * journal keeps them), so each stage's last `poolsheet.issued` after the last unlock.
 */
function standingSheets(l: LotteryReplay): Map<number, SheetEvent> {
  const unlocked = l.unlocks[l.unlocks.length - 1] ?? 0;
  const out = new Map<number, SheetEvent>();
  for (const s of l.sheets) if (s.seq > unlocked) out.set(s.stage, s);
  return out;
}

/** Each stage's pool (§6.1): stage 1's the stored roster's non-excluded ids, stage k+1's stage k's winners. */
function poolOf(l: LotteryReplay, roster: RosterEntry[], stage: number): string[] | undefined {
  if (stage === 1) return initialPool(roster);
  return l.draws.find((d) => d.stage === stage - 1)?.winners;
}

/**
 * pool_sheets: one row per standing sheet, with its digest and time, and entries that are its pool in id order
 * (the numbers on the balls are read through them); the journalled digest is that of the same entries.
 */
async function sheetProblems(
  id: string,
  rows: Sheet[],
  l: LotteryReplay,
  roster: RosterEntry[],
  deps: VerifyDeps,
): Promise<string[]> {
  const problems: string[] = [];
  const want = standingSheets(l);
  for (const r of rows)
    if (!want.has(r.stage)) problems.push(`a stage ${r.stage} pool sheet is stored, none is journalled`);
  for (const [stage, j] of want) {
    const r = rows.find((x) => x.stage === stage);
    const pool = poolOf(l, roster, stage);
    const entries = pool ? sheetEntries(pool) : undefined;
    if (entries && (await deps.sha256(sheetPreimage(id, stage, entries))) !== j.sha256)
      problems.push(`stage ${stage}: the sheet journalled at seq ${j.seq} is not its pool in id order`);
    if (!r) {
      problems.push(`stage ${stage}: the pool sheet journalled at seq ${j.seq} is missing from the table`);
      continue;
    }
    if (r.sha256 !== j.sha256)
      problems.push(`stage ${stage}: the stored sheet digest differs from the journal`);
    if (entries && !sameJson(r.entries, entries))
      problems.push(`stage ${stage}: the stored sheet's entries are not its pool in id order`);
    if (r.issuedAt !== j.at)
      problems.push(`stage ${stage}: the stored sheet's time differs from the journal`);
  }
  return problems;
}

/** The balls rows the journal's entries make, in order: `stage.ball` adds one, `stage.ball.undone` marks the last. */
function journalledBalls(l: LotteryReplay): Ball[] {
  const out: Ball[] = [];
  for (const b of l.balls) {
    const stage = out.filter((x) => x.stage === b.stage);
    if (b.kind === 'ball') {
      const { stage: s, number, entry, seq, at: drawnAt } = b;
      out.push({
        stage: s,
        position: stage.length + 1,
        number,
        entry,
        seq,
        drawnAt,
        undoneAt: null,
        undoReason: null,
      });
    } else {
      // A malformed undo (not of the last ball) is physical.balls's to report; here it marks nothing.
      const last = stage[stage.length - 1];
      if (last && last.undoneAt === null && last.number === b.number) {
        last.undoneAt = b.at;
        last.undoReason = b.reason;
      }
    }
  }
  return out.sort((a, b) => a.stage - b.stage || a.position - b.position);
}

/** balls: row for row, the ones the journal's entries make (number, entry, seq, times, the undo and its reason). */
function ballProblems(rows: Ball[], l: LotteryReplay): string[] {
  const want = journalledBalls(l);
  const problems: string[] = [];
  const key = (b: Ball): string => `${b.stage}/${b.position}`;
  for (const r of rows) {
    const j = want.find((w) => key(w) === key(r));
    if (!j) problems.push(`stage ${r.stage} ball ${r.position} is stored, the journal has no such ball`);
    else if (diff(r, j))
      problems.push(`stage ${r.stage} ball ${r.position} differs from the journal (${diff(r, j)})`);
  }
  for (const j of want)
    if (!rows.some((r) => key(r) === key(j)))
      problems.push(`stage ${j.stage} ball ${j.position} (seq ${j.seq}) is missing from the table`);
  return problems;
}

/** Which fields of a ball row differ, with both values: the operator is told what to look at. */
function diff(r: Ball, j: Ball): string {
  return (Object.keys(j) as Array<keyof Ball>)
    .filter((k) => r[k] !== j[k])
    .map((k) => `${k} ${JSON.stringify(r[k])} stored, ${JSON.stringify(j[k])} journalled`)
    .join('; ');
}
