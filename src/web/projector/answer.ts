/** A stage's answer on the screen: its winners page by page, the digits, who drew and when, and the reveal. */
import { el, tr } from '../api';
import { info, PAGE, revealed, revealing, screen } from './state';
import { groups, taipeiEn, taipeiZh } from './text';
import type { Person, Result } from './types';

function personItem(p: Person): HTMLLIElement {
  const li = el('li');
  li.append(el('bdi', p.name));
  const meta = el('span', '', 'meta');
  meta.append(' ', el('bdi', [p.unit, p.title].filter(Boolean).join(' ')), ` (${p.id})`);
  li.append(meta);
  return li;
}

export function showPage(section: HTMLElement, winners: Person[], page: number, count: number): void {
  const ol = section.querySelector('ol.winners') as HTMLOListElement;
  const pager = section.querySelector('.pager') as HTMLElement;
  const pages = Math.max(1, Math.ceil(count / PAGE));
  const p = Math.min(page, pages - 1);
  ol.replaceChildren(...winners.slice(p * PAGE, Math.min(count, (p + 1) * PAGE)).map(personItem));
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
