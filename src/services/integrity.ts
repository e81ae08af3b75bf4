import { jcs } from '../domain/canonical';
import { LotteryError } from '../domain/errors';
import {
  initialPool,
  PROTOCOL_V1,
  PROTOCOL_V2,
  rosterDigest,
  seed,
  type RosterEntry,
} from '../domain/protocol';
import { sheetDigest } from '../domain/physical';
import type { LotteryRow, PoolSheetRow, ResultRow } from '../store/store';
import type { Context } from './context';

/**
 * Before drawing, the server re-checks its own state against its tables and the journalled lock: the secret
 * hashes to the commitment, the stored roster is the one locked, and stage k+1's pool is stage k's journalled
 * winners. A database edited behind the service's back (a new secret, a shrunken roster) would otherwise draw
 * an outcome the commitment never bound. On a mismatch nothing is written: 500 STATE_INTEGRITY, logged loudly.
 */
export function checkedState(
  c: Context,
  l: LotteryRow,
  stage: number,
  entropy: string,
  roster: RosterEntry[],
  results: ResultRow[],
): { seedHex: string; pool: string[] } {
  const id = l.id;
  const problems: string[] = [];
  const locks = c.store.journalPage({
    limit: 1,
    before: Number.MAX_SAFE_INTEGER,
    lottery: id,
    type: 'lottery.locked',
  });
  const lock = locks[locks.length - 1]?.data;
  const protocol = l.protocol === PROTOCOL_V2 ? PROTOCOL_V2 : PROTOCOL_V1;
  if (!l.secret || !l.commitment || !l.rosterDigest) problems.push('no secret, commitment or digest stored');
  else {
    if (c.d.sha256(l.secret) !== l.commitment)
      problems.push('the stored secret does not hash to the commitment');
    if (!lock) problems.push('no lottery.locked entry in the journal');
    else {
      if (lock.commitment !== l.commitment)
        problems.push('the stored commitment is not the one journalled at lock');
      if (lock.rosterDigest !== l.rosterDigest)
        problems.push('the stored roster digest is not the one journalled at lock');
      if ((lock.protocol ?? PROTOCOL_V1) !== protocol)
        problems.push('the stored protocol is not the one journalled at lock');
    }
    if (rosterDigest(roster, c.d.sha256) !== l.rosterDigest)
      problems.push('the stored roster is not the one locked');
  }
  let seedHex = '';
  let pool: string[] = [];
  if (problems.length === 0) {
    const expectedSeed = seed(
      { lottery: id, rosterDigest: l.rosterDigest as string, secret: l.secret as string, entropy },
      c.d.sha256,
      protocol,
    );
    if (stage === 1) {
      seedHex = expectedSeed;
      pool = initialPool(roster);
    } else {
      const draws = c.store.journalPage({ limit: 1000, lottery: id, type: 'stage.drawn' });
      const prev = results[stage - 2];
      const prevEntry = draws.find((e) => e.data.stage === stage - 1);
      if (!l.seed || l.seed !== expectedSeed) problems.push('the stored seed does not recompute');
      if (!prev || !prevEntry || jcs(prevEntry.data.winners ?? null) !== jcs(prev.winners))
        problems.push(`stage ${stage - 1}'s stored winners are not the journalled ones`);
      seedHex = expectedSeed;
      pool = prev ? [...prev.winners] : [];
    }
  }
  if (problems.length > 0) throw integrityFailed(id, problems);
  return { seedHex, pool };
}

function integrityFailed(id: string, problems: string[]): LotteryError {
  return new LotteryError(
    'STATE_INTEGRITY',
    {
      zh: `系統狀態與日誌或承諾值不符，已停止抽籤，未寫入任何資料：${problems.join('；')}`,
      en: `The server's state disagrees with its journal or its commitment; nothing was drawn or written: ${problems.join('; ')}`,
    },
    { extra: { lottery: id, problems } },
  );
}

/** What the table says the lottery is (a rehearsal; drawn with balls) against its journalled `lottery.created`. */
function kindProblems(c: Context, l: LotteryRow): string[] {
  const created = c.store.journalPage({ limit: 1, lottery: l.id, type: 'lottery.created' })[0]?.data;
  const problems: string[] = [];
  if ((created?.rehearsal === true) !== (l.rehearsal === true))
    problems.push('the stored rehearsal mark is not the one journalled at creation');
  if ((created?.method === 'physical') !== (l.method === 'physical'))
    problems.push('the stored method is not the one journalled at creation');
  return problems;
}

/**
 * issue 11: a rehearsal's any-day rule and a physical draw's balls follow the table's flags, so before the
 * meeting-day rule is applied or waived, the flags are checked against the journal (STATE_INTEGRITY).
 */
export function checkedKind(c: Context, l: LotteryRow): void {
  const problems = kindProblems(c, l);
  if (problems.length > 0) throw integrityFailed(l.id, problems);
}

/** Before a ball: the flags as above, and the stored sheet hashes to the stage's last `poolsheet.issued`. */
export function checkedSheet(c: Context, l: LotteryRow, stage: number, sheet: PoolSheetRow): void {
  const problems = kindProblems(c, l);
  const issued = c.store
    .journalPage({ limit: 1000, before: Number.MAX_SAFE_INTEGER, lottery: l.id, type: 'poolsheet.issued' })
    .filter((e) => e.data.stage === stage);
  const digest = sheetDigest(l.id, stage, sheet.entries, c.d.sha256);
  if (sheet.sha256 !== digest || issued[issued.length - 1]?.data.sha256 !== digest)
    problems.push(`stage ${stage}'s stored pool sheet is not the one journalled`);
  if (problems.length > 0) throw integrityFailed(l.id, problems);
}
