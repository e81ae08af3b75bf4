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

/** Who may act: 系統管理者, 政風單位, 抽籤人 (the head of the agency), 稽核. */
export type Role = 'admin' | 'ethics' | 'drawer' | 'auditor';
export const ROLES: readonly Role[] = ['admin', 'ethics', 'drawer', 'auditor'];
