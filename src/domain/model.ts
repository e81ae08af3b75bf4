import type { Json } from './canonical';

/**
 * The domain's own nouns, declared once: what a lottery is, its stages and meeting, where it stands, and who
 * may act. The store, the services, the replay and the bundle all speak of these.
 */

/** Where a lottery stands. Which status allows which action is domain/lifecycle.ts. */
export type LotteryStatus = 'draft' | 'locked' | 'drawing' | 'drawn';

/** One stage of the draw: stage 1 is 實質審查, stage 2 前後年度申報財產比對, each at its yearly rate. */
export interface StageDef {
  stage: number;
  label: string;
  percent: string;
}

/** The meeting particulars printed on the record (審核及查閱辦法 §7: drawn in public, with a monitor). */
export const MEETING_FIELDS = ['name', 'date', 'venue', 'chair', 'drawer', 'monitor', 'recorder'] as const;
export interface Meeting {
  name?: string;
  date?: string;
  venue?: string;
  chair?: string;
  drawer?: string;
  monitor?: string;
  recorder?: string;
  witnesses?: string[];
}

/**
 * The meeting as the journal and the bundle carry it: the JSON as written, compared whole (as JCS) with the
 * tables and the bundle, never re-read into a Meeting, so that a field this version does not know still counts.
 */
export type MeetingJson = { [key: string]: Json };

/**
 * The lottery's one shape, in three layers, so that each place that speaks of a lottery says which layer it holds
 * rather than re-declaring the fields. `M` is how the meeting is held: parsed (`Meeting`, the store and the
 * services) or as journalled (`MeetingJson`, the replay and the bundle).
 *
 * What the ethics unit defines, and what `lottery.created` journals: the year, the agency, the title, the stages
 * at their yearly rates and the meeting. PATCH in draft changes title, stages and meeting only (LotteryPatch).
 */
export interface LotteryDefinition<M = Meeting> {
  /** The ROC year (民國年) whose declarations are reviewed. */
  year: number;
  agency: string;
  title: string;
  stages: StageDef[];
  meeting: M;
  /**
   * How the winners are drawn: absent for the random draw (lottery-draw/v2's seed), `physical` for numbered balls
   * drawn from a drum (實體抽籤, protocol.md §6.1). Journalled only when physical, so random lotteries are unchanged.
   */
  method?: DrawMethod;
  /** A rehearsal (演練): drawn on any day, marked everywhere, never public. Present only when true. */
  rehearsal?: true;
}

/** 實體抽籤: the only method named in the definition; the random draw is the default and is never written. */
export type DrawMethod = 'physical';

/** A definition under its id: what the bundle's `lottery` carries (protocol.md §8). */
export interface DefinedLottery<M = Meeting> extends LotteryDefinition<M> {
  id: string;
}

/** A lottery where it stands: the tables' row and the replay's state both extend this. */
export interface Lottery<M = Meeting> extends DefinedLottery<M> {
  status: LotteryStatus;
}

/** Who may act: 系統管理者, 政風單位, 抽籤人 (the head of the agency), 稽核. */
export type Role = 'admin' | 'ethics' | 'drawer' | 'auditor';
export const ROLES: readonly Role[] = ['admin', 'ethics', 'drawer', 'auditor'];
