import type { Json } from './canonical';
import { allows, statusAfterDraw } from './lifecycle';
import type { DrawEvent, LotteryReplay, Step } from './replay';

/**
 * The replay's steps for physical draws (protocol.md §6.1): the sheets, the balls and the recorded stages. Whether
 * the balls keep the rules (on the sheet, not twice, undone only while last) is verify/physical.ts's check.
 */

type D = { [key: string]: Json };
const str = (d: D, k: string): string | undefined =>
  typeof d[k] === 'string' ? (d[k] as string) : undefined;
const int = (d: D, k: string): number | undefined =>
  Number.isSafeInteger(d[k]) ? (d[k] as number) : undefined;
const strArr = (v: Json | undefined): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

export function physicalSteps(isOpen: (l: LotteryReplay) => boolean): Array<[string, Step]> {
  const sheetIssued: Step = (l, e, bad) => {
    const d = e.data;
    const stage = int(d, 'stage');
    const poolSize = int(d, 'poolSize');
    const sha256 = str(d, 'sha256');
    if (stage === undefined || poolSize === undefined || sha256 === undefined)
      return bad('poolsheet.issued is malformed');
    if (l.method !== 'physical') bad('a pool sheet for a lottery not drawn with balls');
    if (!allows(l.status, 'poolSheet')) bad('pool sheet issued when not locked');
    l.sheets.push({ seq: e.seq, at: e.at, stage, poolSize, sha256 });
  };

  const ball: Step = (l, e, bad) => {
    const d = e.data;
    const stage = int(d, 'stage');
    const number = int(d, 'number');
    if (stage === undefined || number === undefined) return bad(`${e.type} is malformed`);
    if (l.method !== 'physical') bad(`${e.type} for a lottery not drawn with balls`);
    if (!allows(l.status, 'ball')) bad(`${e.type} when not locked`);
    if (!isOpen(l)) bad(`${e.type} with no ceremony open`);
    const kind = e.type === 'stage.ball' ? 'ball' : 'undone';
    const { seq, at, actor } = e;
    l.balls.push({
      ...{ seq, at, actor, kind },
      stage,
      number,
      entry: str(d, 'entry') ?? '',
      reason: str(d, 'reason') ?? '',
    });
  };

  const recorded: Step = (l, e, bad) => {
    const d = e.data;
    const stage = int(d, 'stage');
    const winners = strArr(d.winners);
    if (stage === undefined || !winners || d.method !== 'physical') return bad('stage.recorded is malformed');
    if (l.method !== 'physical') bad('stage.recorded for a lottery not drawn with balls');
    if (!allows(l.status, 'draw')) bad('recorded when not locked');
    if (stage !== l.draws.length + 1) bad(`stage ${stage} recorded out of order`);
    const [poolSize, quota] = [int(d, 'poolSize'), int(d, 'quota')];
    const ev: DrawEvent = {
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      stage,
      seed: '',
      winners,
      method: 'physical',
    };
    l.draws.push(poolSize === undefined || quota === undefined ? ev : { ...ev, poolSize, quota });
    l.status = statusAfterDraw(l.draws.length, l.stages.length);
  };

  return [
    ['poolsheet.issued', sheetIssued],
    ['stage.ball', ball],
    ['stage.ball.undone', ball],
    ['stage.recorded', recorded],
  ];
}
