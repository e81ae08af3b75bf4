import { api, said, tr } from './api';
import { wireFullscreen } from './projector/fullscreen';

/**
 * The ball-entry screen of a physical draw (templates/physical.njk, protocol.md §6.1): opens the ceremony (or
 * takes this tab's token), then enters each ball's number as it is drawn and shows it large with the name the
 * pool sheet gives it; the last ball can be withdrawn with a reason before the next one. Every answer shown is
 * the server's.
 */

interface Ball {
  number: number;
  person: { id: string; name: string };
}
interface BallAnswer {
  stage: number;
  quota: number;
  balls: Ball[];
  recorded: boolean;
  status: string;
}
interface View {
  status: string;
  results: Array<{ stage: number }>;
  physical?: { balls: Array<{ stage: number; number: number; entry: string; undoneAt?: string }> };
}

const root = document.getElementById('physical');
const id = root?.dataset.lottery ?? '';
const KEY = `physical-ceremony:${id}`;
const base = `/api/v1/lotteries/${encodeURIComponent(id)}`;

const problem = (m: string): void => {
  const p = document.getElementById('problem');
  if (p) p.textContent = m;
};

function token(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function nameOf(section: HTMLElement, n: number): string {
  return section.querySelector(`tr[data-number="${n}"] td:nth-child(2)`)?.textContent ?? '';
}

/** Shows a stage's standing balls, the last one large. */
function show(section: HTMLElement, numbers: number[]): void {
  const ol = section.querySelector('ol.balls');
  if (ol) {
    ol.textContent = '';
    for (const n of numbers) {
      const li = document.createElement('li');
      li.textContent = `${n} ${tr('號', '')} ${nameOf(section, n)}`.replace(/\s+/g, ' ');
      ol.append(li);
    }
  }
  const last = numbers[numbers.length - 1];
  const num = section.querySelector('.last-number');
  const name = section.querySelector('.last-name');
  if (num) num.textContent = last === undefined ? '' : String(last);
  if (name) name.textContent = last === undefined ? '' : nameOf(section, last);
  const undo = section.querySelector<HTMLFormElement>('.undo-form');
  if (undo) undo.hidden = numbers.length === 0;
}

/** Which stage takes balls now: the first one not recorded. */
function current(v: View): number {
  return v.results.length + 1;
}

async function refresh(): Promise<void> {
  const r = await api<View>('GET', base);
  if (!r.ok) return problem(said(r.data.message, tr('無法讀取抽籤狀態', 'Could not read the lottery')));
  const open = current(r.data);
  for (const section of Array.from(document.querySelectorAll<HTMLElement>('section.ball-stage'))) {
    const stage = Number(section.dataset.stage);
    const balls = (r.data.physical?.balls ?? []).filter((b) => b.stage === stage && !b.undoneAt);
    show(
      section,
      balls.map((b) => b.number),
    );
    const form = section.querySelector<HTMLFormElement>('.ball-form');
    if (form) form.hidden = !token() || stage !== open || r.data.status === 'drawn';
  }
  const panel = document.getElementById('ceremony-panel');
  if (panel) panel.hidden = Boolean(token()) || r.data.status === 'drawn';
}

async function openCeremony(): Promise<void> {
  const r = await api<{ ceremonyToken: string }>('POST', `${base}/ceremony`);
  if (!r.ok) return problem(said(r.data.message, tr('無法開啟抽籤程序', 'Could not open the ceremony')));
  try {
    sessionStorage.setItem(KEY, r.data.ceremonyToken);
  } catch {
    /* private mode: the token lives as long as the page */
  }
  problem('');
  await refresh();
}

async function enter(form: HTMLFormElement): Promise<void> {
  const stage = Number(form.dataset.stage);
  const input = form.querySelector<HTMLInputElement>('input');
  // Full-width digits from a Chinese input method read as the same number.
  const typed = (input?.value ?? '')
    .trim()
    .replace(/[\uFF10-\uFF19]/g, (d) => String(d.charCodeAt(0) - 0xff10));
  const number = /^[0-9]+$/.test(typed) ? Number(typed) : NaN;
  if (!Number.isSafeInteger(number))
    return problem(tr('請輸入球上的號碼（整數）', 'Type the number on the ball'));
  const r = await api<BallAnswer>('POST', `${base}/stages/${stage}/balls`, {
    ceremonyToken: token(),
    number,
  });
  if (!r.ok) return problem(said(r.data.message, tr('球號未記錄', 'The ball was not recorded')));
  problem('');
  if (input) input.value = '';
  if (r.data.recorded) {
    // The next stage's sheet numbers this stage's winners: the page is rendered again with it.
    location.reload();
    return;
  }
  await refresh();
  input?.focus();
}

async function undo(form: HTMLFormElement): Promise<void> {
  const stage = Number(form.dataset.stage);
  const section = form.closest<HTMLElement>('section.ball-stage');
  const items = section?.querySelectorAll('ol.balls li') ?? [];
  const lastNumber = Number(section?.querySelector('.last-number')?.textContent ?? '');
  const reason = form.querySelector<HTMLInputElement>('input')?.value ?? '';
  if (items.length === 0) return;
  const r = await api<BallAnswer>('POST', `${base}/stages/${stage}/balls/undo`, {
    ceremonyToken: token(),
    number: lastNumber,
    reason,
  });
  if (!r.ok) return problem(said(r.data.message, tr('無法撤銷', 'Could not withdraw the ball')));
  problem('');
  form.reset();
  await refresh();
}

if (root && root.dataset.canEnter === 'yes') {
  document.getElementById('open-btn')?.addEventListener('click', () => void openCeremony());
  for (const f of Array.from(document.querySelectorAll<HTMLFormElement>('form.ball-form')))
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      void enter(f);
    });
  for (const f of Array.from(document.querySelectorAll<HTMLFormElement>('form.undo-form')))
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      void undo(f);
    });
}
if (root) void refresh();
// The projector's full-screen button and F key (issue 11: the ball-entry screen is shown on the projector too).
wireFullscreen();
