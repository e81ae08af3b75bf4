/** A stage's answer on the screen: its winners page by page, the digits, who drew and when, and the reveal. */
import { el, tr } from '../api';
import { info, PAGE, revealed, revealing, screen } from './state';
import { groups, taipeiEn, taipeiZh } from './text';
import type { Person, Result } from './types';

/** Where a winner of stage k > 1 stood in stage k−1's list (stage k's pool is stage k−1's winners). */
function fromPrevious(stage: number, id: string): number {
  const prev = screen.state?.results.find((x) => x.stage === stage - 1);
  return prev ? prev.winners.findIndex((w) => w.id === id) + 1 : 0;
}

/** One winner: the name in large type, then 「第 n 位」 in draw order, unit, title and id (and stage k−1's place). */
function personItem(p: Person, n: number, stage: number): HTMLLIElement {
  const li = el('li');
  li.append(el('bdi', p.name, 'name'));
  const meta = el('span', '', 'meta');
  meta.append(el('span', tr(`第 ${n} 位`, `No. ${n}`), 'ord'), ' ');
  const k = stage > 1 ? fromPrevious(stage, p.id) : 0;
  if (k > 0)
    meta.append(
      el('span', tr(`（原第 ${stage - 1} 階段第 ${k} 位）`, `(stage ${stage - 1}’s no. ${k})`), 'from'),
      ' ',
    );
  meta.append(el('bdi', [p.unit, p.title].filter(Boolean).join(' ')), ` (${p.id})`);
  li.append(' ', meta);
  return li;
}

/** Every winner of the stage at once, for printing (the screen shows them ten at a time). */
function printList(section: HTMLElement, r: Result): void {
  const all = section.querySelector('ol.all-winners');
  all?.replaceChildren(...r.winners.map((w, i) => personItem(w, i + 1, r.stage)));
}

export function showPage(section: HTMLElement, winners: Person[], page: number, count: number): void {
  const stage = Number(section.dataset.stage ?? '1');
  const ol = section.querySelector('ol.winners') as HTMLOListElement;
  const pager = section.querySelector('.pager') as HTMLElement;
  const pages = Math.max(1, Math.ceil(count / PAGE));
  const p = Math.min(page, pages - 1);
  ol.replaceChildren(
    ...winners
      .slice(p * PAGE, Math.min(count, (p + 1) * PAGE))
      .map((w, i) => personItem(w, p * PAGE + i + 1, stage)),
  );
  ol.start = p * PAGE + 1;
  section.dataset.page = String(p);
  pager.hidden = pages <= 1;
  const pi = pager.querySelector('.pageinfo');
  if (pi) pi.textContent = tr(`第 ${p + 1} / ${pages} 頁`, `Page ${p + 1} of ${pages}`);
}

/** The digits, who drew and when, beside the winners: from the draw's answer, else from the view. */
function showDrawInfo(section: HTMLElement, r: Result): void {
  const p = section.querySelector('.drawinfo') as HTMLElement | null;
  if (!p) return;
  const a = info.get(r.stage) ?? r;
  const digits = a.digits ?? screen.state?.entropy ?? '';
  p.replaceChildren();
  if (digits) {
    p.append(tr('點數 ', 'Digits '));
    p.append(el('strong', groups(digits, 5), 'digits'));
  }
  if (a.drawnBy) p.append(tr('\u3000抽籤人 ', ' · drawn by '), el('bdi', a.drawnBy));
  const at = a.drawnAt ?? r.drawnAt;
  if (at) p.append(tr(`\u3000${taipeiZh(at)}`, ` · ${taipeiEn(at)}`));
  p.hidden = p.childNodes.length === 0;
}

/** Shows a drawn stage; animated, the winners appear one by one and `revealedAll` runs once the last is shown. */
export function renderStage(r: Result, animate: boolean, revealedAll: () => void): void {
  const section = document.getElementById(`stage-${r.stage}`);
  if (!section) return;
  section.querySelector('.draw-btn')?.setAttribute('hidden', '');
  showDrawInfo(section, r);
  printList(section, r);
  if (!animate) {
    revealed.set(r.stage, true);
    showPage(section, r.winners, Number(section.dataset.page ?? '0'), r.winners.length);
    return;
  }
  if (revealing.has(r.stage)) return;
  revealing.add(r.stage);
  // The whole reveal within 10 s (7.5 s of steps, leaving room for a slow machine): up to 0.8 s per winner.
  const step = Math.min(800, Math.floor(7500 / Math.max(1, r.winners.length)));
  let shown = 0;
  const tick = (): void => {
    shown++;
    showPage(section, r.winners, Math.floor((shown - 1) / PAGE), shown);
    if (shown < r.winners.length) setTimeout(tick, step);
    else {
      revealing.delete(r.stage);
      revealed.set(r.stage, true);
      revealedAll();
    }
  };
  tick();
}
