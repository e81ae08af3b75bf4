import { requireStatus } from '../domain/lifecycle';
import type { EventDataMap, MeetingData, StageData } from '../domain/events';
import { meetingJson, parseCreate, parsePatch } from '../domain/input/definition';
import type { LotteryDefinition, Meeting, StageDef } from '../domain/model';
import { type Context } from './context';
import { lotteryView, type LotteryView } from './views';

/** Definitions: a lottery's year, agency, title, stages and meeting, created and edited while in draft. */

/** A stage as the definition journals it: its number, label and rate, nothing the store adds. */
const stageData = (stages: readonly StageDef[]): StageData[] =>
  stages.map((s) => ({ stage: s.stage, label: s.label, percent: s.percent }));

/** The meeting as journalled: meetingJson's fields (absent ones left out), typed as the event declares them. */
const meetingData = (m: Meeting): MeetingData => meetingJson(m) as MeetingData;

export function createLottery(c: Context, actor: string, body: unknown): LotteryView {
  const def = parseCreate(body);
  return c.store.write((tx) => {
    let id = c.newId(`${def.year}-`);
    while (c.store.lottery(id)) id = c.newId(`${def.year}-`);
    c.store.insertLottery({ id, ...def, createdAt: c.now() });
    c.journal(tx, { type: 'lottery.created', data: createdData(id, def) }, actor);
    return lotteryView(c, c.mustGetLottery(id));
  });
}

/** `lottery.created`'s data: the definition, with `method`, `rehearsal: true` and `from` only when they apply. */
export function createdData(
  id: string,
  def: LotteryDefinition,
  from?: string,
): EventDataMap['lottery.created'] {
  return {
    lottery: id,
    year: def.year,
    agency: def.agency,
    title: def.title,
    stages: stageData(def.stages),
    meeting: meetingData(def.meeting),
    // Only when they apply, so a random, real lottery's entry is byte for byte as before (protocol.md §6.1, §7).
    ...(def.method === 'physical' ? { method: def.method } : {}),
    ...(def.rehearsal === true ? { rehearsal: true as const } : {}),
    ...(from !== undefined ? { from } : {}),
  };
}

export function patchLottery(c: Context, actor: string, id: string, body: unknown): LotteryView {
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    const patch = parsePatch(body, l.meeting);
    requireStatus(l.status, 'patch', l.cancelledAt !== null);
    const next = {
      title: patch.title ?? l.title,
      stages: patch.stages ?? l.stages,
      meeting: patch.meeting ?? l.meeting,
    };
    c.store.updateDefinition(id, next);
    // `{lottery}` plus the new value of each field changed; eventData drops the ones left undefined.
    c.journal(
      tx,
      {
        type: 'lottery.updated',
        data: {
          lottery: id,
          title: patch.title !== undefined ? next.title : undefined,
          stages: patch.stages !== undefined ? stageData(next.stages) : undefined,
          meeting: patch.meeting !== undefined ? meetingData(next.meeting) : undefined,
        },
      },
      actor,
    );
    return lotteryView(c, c.mustGetLottery(id));
  });
}

/**
 * The lotteries, newest first. By default the living ones (a cancelled lottery leaves the list); `cancelled`
 * lists only the cancelled ones (the 「已作廢」 filter); `all` both.
 */
export function listLotteries(c: Context, filter: LotteryFilter = 'active'): LotteryView[] {
  return c.store.read(() =>
    c.store
      .listLotteries()
      .filter((l) => filter === 'all' || (filter === 'cancelled') === (l.cancelledAt !== null))
      .map((l) => lotteryView(c, l)),
  );
}

export type LotteryFilter = 'active' | 'cancelled' | 'all';

export function getLottery(c: Context, id: string): LotteryView {
  return c.store.read(() => lotteryView(c, c.mustGetLottery(id)));
}
