import { compareBytes, jcs, type Sha256 } from './canonical';

/**
 * Physical draws (實體抽籤, protocol.md §6.1), their pure parts: the numbered pool sheet, and the balls of a stage
 * as their entries leave them. The service and both verifiers apply these same rules.
 */

/** The sheet's entries: the stage's pool in id order (the roster digest's order). Number n is entries[n - 1]. */
export function sheetEntries(pool: readonly string[]): string[] {
  return [...pool].sort(compareBytes);
}

/** JCS({lottery, stage, entries}), entries in sheet order: the sheet digest's preimage. */
export function sheetPreimage(lottery: string, stage: number, entries: readonly string[]): string {
  return jcs({ lottery, stage, entries: [...entries] });
}

/** H(JCS({lottery, stage, entries})): what `poolsheet.issued` journals and the printed sheet carries. */
export function sheetDigest(
  lottery: string,
  stage: number,
  entries: readonly string[],
  sha256: Sha256,
): string {
  return sha256(sheetPreimage(lottery, stage, entries));
}

/** A ball entered or undone, as its journal entry says. */
export type BallStep =
  | { kind: 'ball'; seq: number; number: number; entry: string }
  | { kind: 'undone'; seq: number; number: number; reason: string };

/** The balls of one stage after its steps, in draw order, and every step that broke a rule (§6.1). */
export interface BallsOutcome {
  balls: Array<{ seq: number; number: number; entry: string }>;
  problems: string[];
}

/**
 * Replays one stage's balls against its sheet: each number is on the sheet and names its entry, no number is
 * drawn twice, and an undo withdraws the last ball entered while no ball has come after it, with a reason.
 */
export function replayBalls(
  stage: number,
  sheet: readonly string[],
  steps: readonly BallStep[],
): BallsOutcome {
  const balls: BallsOutcome['balls'] = [];
  const problems: string[] = [];
  let lastWasBall = false;
  for (const s of steps) {
    const at = `stage ${stage} seq ${s.seq}`;
    if (s.kind === 'ball') {
      if (!Number.isSafeInteger(s.number) || s.number < 1 || s.number > sheet.length)
        problems.push(`${at}: ball ${s.number} is not on the sheet of ${sheet.length}`);
      else if (sheet[s.number - 1] !== s.entry)
        problems.push(
          `${at}: ball ${s.number} is ${sheet[s.number - 1] ?? '?'} on the sheet, not ${s.entry}`,
        );
      if (balls.some((b) => b.number === s.number)) problems.push(`${at}: ball ${s.number} drawn twice`);
      balls.push({ seq: s.seq, number: s.number, entry: s.entry });
      lastWasBall = true;
    } else {
      const last = balls[balls.length - 1];
      if (!lastWasBall || !last || last.number !== s.number)
        problems.push(`${at}: undoing ball ${s.number}, which is not the last ball entered`);
      else balls.pop();
      if (s.reason.trim() === '') problems.push(`${at}: ball ${s.number} undone without a reason`);
      lastWasBall = false;
    }
  }
  return { balls, problems };
}
