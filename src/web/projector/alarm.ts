/**
 * The full-screen warning: a press that lost a race, or a token voided by a reopening or an adjournment
 * elsewhere, covers the whole screen so that the room never takes someone else's result for this press's.
 */
import { screen, setHeld } from './state';
import { taipeiEn, taipeiZh } from './text';
import type { Lottery } from './types';

export function alarm(zh: string, en: string): void {
  screen.alarmed = true;
  const box = document.getElementById('alarm');
  const z = document.getElementById('alarm-zh');
  const e = document.getElementById('alarm-en');
  if (z) {
    z.textContent = zh;
    z.lang = 'zh-Hant-TW';
  }
  if (e) {
    e.textContent = en;
    e.lang = 'en';
  }
  for (const b of Array.from(
    document.querySelectorAll<HTMLButtonElement>('.draw-btn, #readback-btn, #open-btn'),
  ))
    b.disabled = true;
  if (box) {
    box.hidden = false;
    box.querySelector('a')?.focus();
  }
}

/** The token of this screen is void: say who reopened it and when, or that it was adjourned. */
export function voided(v: Lottery | undefined): void {
  setHeld(undefined);
  const open = v?.ceremony?.open;
  if (open) {
    alarm(
      `⚠ 抽籤程序已由 ${open.openedBy} 於 ${taipeiZh(open.openedAt)} 重新開啟，本畫面已失效，請勿在此抽籤`,
      `⚠ The ceremony was reopened by ${open.openedBy} at ${taipeiEn(open.openedAt)}: this screen is void; do not draw here`,
    );
    return;
  }
  const last = [...(v?.ceremony?.history ?? [])].reverse().find((h) => h.kind === 'adjourned');
  const reason = last?.reason ? `（${last.reason}）` : '';
  alarm(
    last
      ? `⚠ 抽籤程序已由 ${last.by} 於 ${taipeiZh(last.at)} 宣布休會${reason}，本畫面已失效，請勿在此抽籤`
      : '⚠ 抽籤程序已不在開啟狀態，本畫面已失效，請勿在此抽籤',
    last
      ? `⚠ The ceremony was adjourned by ${last.by} at ${taipeiEn(last.at)}${last.reason ? ` (${last.reason})` : ''}: this screen is void; do not draw here`
      : '⚠ The ceremony is no longer open: this screen is void; do not draw here',
  );
}
