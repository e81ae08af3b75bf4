/**
 * The ceremony as this screen knows it: the lottery as last answered, the one-time token it holds (kept in this
 * tab's sessionStorage, so a reload keeps it and another tab never sees it), and what it has shown so far.
 */
import type { Held, Lottery, Result } from './types';

export const V1 = 'lottery-draw/v1';
const root = document.getElementById('draw');
export const lotteryId = root?.dataset.lottery ?? '';
export const canDraw = root?.dataset.canDraw === 'yes';
const KEY = `ceremony:${lotteryId}`;
export const PAGE = 10; // two columns of five: the projector never scrolls
export const revealed = new Map<number, boolean>(); // stage → fully shown
export const revealing = new Set<number>();
export const info = new Map<number, Result>(); // stage → digits, drawnBy, drawnAt as answered

export interface Screen {
  confirmed: { typed: string; digits: string } | undefined;
  state: Lottery | undefined;
  held: Held | undefined;
  /** A draw of this page in flight: the poll must not show its stage as drawn by someone else. */
  pending: number;
  /** The full-screen warning is up: nothing else changes under it. */
  alarmed: boolean;
  /** Bumped when the token changes: a poll answer asked for before that is stale. */
  gen: number;
  /** Stages already drawn when the page loads are shown at once; those drawn while it is open are revealed. */
  revealedBefore: boolean | undefined;
}

function loadHeld(): Held | undefined {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Held | null;
    return v && typeof v.ceremonyToken === 'string' && typeof v.openedAt === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export const screen: Screen = {
  confirmed: undefined,
  state: undefined,
  held: loadHeld(),
  pending: 0,
  alarmed: false,
  gen: 0,
  revealedBefore: undefined,
};

export function setHeld(h: Held | undefined): void {
  screen.held = h;
  screen.gen++;
  try {
    if (h) sessionStorage.setItem(KEY, JSON.stringify(h));
    else sessionStorage.removeItem(KEY);
  } catch {
    /* private mode: the token lives as long as the page */
  }
}

/** This screen holds the open ceremony's token. */
export const active = (): boolean =>
  screen.held !== undefined &&
  screen.state?.ceremony?.open?.openedAt === screen.held.openedAt &&
  screen.state.protocol !== V1;
