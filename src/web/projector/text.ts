/** What the room reads: digit groups, Taipei times, both languages at once, the ceremony's identity. */
import { el, EN } from '../api';

/** Groups of `n` from the left, one space apart: display only (protocol.md §4.1). */
export const groups = (s: string, n: number): string =>
  (s.match(new RegExp(`.{1,${n}}`, 'g')) ?? []).join(' ');

/** A time as Asia/Taipei wall time (UTC+08:00, no daylight saving): [YYYY-MM-DD, HH:MM:SS], or undefined. */
function taipei(at: string | undefined): [string, string] | undefined {
  const t = Date.parse(at ?? '');
  if (Number.isNaN(t)) return undefined;
  const s = new Date(t + 8 * 3600 * 1000).toISOString();
  return [s.slice(0, 10), s.slice(11, 19)];
}
/** In Chinese, the ROC date: 民國114年1月22日 14:30:05（台北時間）. */
export const taipeiZh = (at: string | undefined): string => {
  const t = taipei(at);
  if (!t) return at ?? '';
  const [y, m, d] = t[0].split('-').map(Number);
  return `民國${(y ?? 0) - 1911}年${m ?? 0}月${d ?? 0}日 ${t[1]}（台北時間）`;
};
export const taipeiEn = (at: string | undefined): string => {
  const t = taipei(at);
  return t ? `${t[0]} ${t[1]} (Taipei time)` : (at ?? '');
};

/** The ceremony's identity, first 16 hex digits in fours, big enough to read aloud. */
export function showIdentity(
  commitment: string | null | undefined,
  fingerprint: string | null | undefined,
): void {
  const c = document.getElementById('commitment');
  const f = document.getElementById('fingerprint');
  if (c && commitment) {
    c.dataset.full = commitment;
    c.textContent = `${groups(commitment.slice(0, 16), 4)} …`;
    c.title = commitment;
  }
  if (f && fingerprint) {
    const hex = fingerprint.replace(/^SHA256:/i, '');
    f.dataset.full = fingerprint;
    f.textContent = `${groups(hex.slice(0, 16), 4)} …`;
    f.title = fingerprint;
  }
}

/** Chinese and English together (the page's language first): what the room must not miss. */
export function both(
  target: HTMLElement | null,
  zh: string,
  en: string,
  cls?: string,
  head?: { zh: string; en: string },
): void {
  if (!target) return;
  const line = (zhLine: boolean, c: string): HTMLElement => {
    const p = el('p', undefined, c);
    const h = zhLine ? head?.zh : head?.en;
    if (h) p.append(el('strong', h), zhLine ? '：' : ': ');
    p.append(zhLine ? zh : en);
    return p;
  };
  const first = line(!EN, cls ?? '');
  const second = line(EN, `${cls ?? ''} other-lang`.trim());
  second.lang = EN ? 'zh-Hant-TW' : 'en';
  target.replaceChildren(first, second);
}
