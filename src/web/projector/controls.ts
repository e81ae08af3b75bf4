/**
 * What the drawer presses: 「開始抽籤程序」 opens the ceremony and keeps its one-time token; the monitor's dice are
 * typed and read back by the SERVER; each stage's draw button draws once on the server, so a retry never draws
 * twice; the pager turns a stage's list of winners.
 */
import { api, said, tr, withCode } from '../api';
import { alarm, voided } from './alarm';
import { renderStage, showPage } from './answer';
import { info, lotteryId, revealed, screen, setHeld } from './state';
import { both, groups, showIdentity, taipeiEn, taipeiZh } from './text';
import type { Extra, Lottery, Opened, Readback, Result } from './types';

/** The projector's two loops, handed in so a press can redraw the screen and ask the server again. */
export interface Hooks {
  update: () => void;
  refresh: () => Promise<void>;
}

const net = document.getElementById('net');
export const entropy = document.getElementById('entropy') as HTMLInputElement | null;
const readback = document.getElementById('readback');
const readbackCount = document.getElementById('readback-count');
const ceremonyError = document.getElementById('ceremony-error');

export function setNet(msg: string): void {
  if (net) net.textContent = msg;
}

/** The heading the room reads for each refusal of the opening, with the server's own message below it. */
const OPEN_ERRORS: Record<string, [string, string]> = {
  NOT_LOCKED: ['名冊尚未鎖定', 'The roster is not locked'],
  ALREADY_DRAWN: ['各階段皆已抽出', 'Every stage has been drawn'],
  RELOCK_REQUIRED: ['須重新鎖定名冊', 'The roster must be locked again'],
  MEETING_DATE_REQUIRED: ['尚未填寫會議日期', 'The meeting date is not set'],
  NOT_MEETING_DAY: ['今天不是會議日', 'Today is not the meeting day'],
  CEREMONY_OPEN: ['抽籤程序已由他人開啟', 'Someone else has the ceremony open'],
};

function openRefused(r: { status: number; data: Extra }): void {
  const d = r.data;
  const code = d.code ?? String(r.status);
  const [hz, he] = OPEN_ERRORS[code] ?? ['無法開始抽籤程序', 'The ceremony could not be opened'];
  const extraZh = code === 'CEREMONY_OPEN' && d.openedBy ? `（${d.openedBy}，${taipeiZh(d.openedAt)}）` : '';
  const extraEn = code === 'CEREMONY_OPEN' && d.openedBy ? ` (${d.openedBy}, ${taipeiEn(d.openedAt)})` : '';
  both(ceremonyError, `${d.message?.zh ?? ''}（${code}）`, `${d.message?.en ?? ''} (${code})`, 'error', {
    zh: `${hz}${extraZh}`,
    en: `${he}${extraEn}`,
  });
}

async function openCeremony(hooks: Hooks): Promise<void> {
  const btn = document.getElementById('open-btn') as HTMLButtonElement;
  btn.disabled = true;
  ceremonyError?.replaceChildren();
  try {
    const r = await api<Opened>('POST', `/api/v1/lotteries/${encodeURIComponent(lotteryId)}/ceremony`);
    if (r.ok) {
      setHeld({
        ceremonyToken: r.data.ceremonyToken,
        openedAt: r.data.openedAt,
        commitment: r.data.commitment,
        keyFingerprint: r.data.keyFingerprint,
      });
      showIdentity(r.data.commitment, r.data.keyFingerprint);
      if (screen.state?.ceremony)
        screen.state.ceremony.open = { seq: 0, openedAt: r.data.openedAt, openedBy: r.data.openedBy };
      screen.confirmed = undefined;
      hooks.update();
      void hooks.refresh();
    } else openRefused({ status: r.status, data: r.data as Extra });
  } catch {
    both(
      ceremonyError,
      '網路中斷：請確認連線後再按一次「開始抽籤程序」',
      'Network down: check the connection and press “Open the ceremony” again',
      'error',
    );
  } finally {
    btn.disabled = false;
  }
}

function clearReadback(): void {
  screen.confirmed = undefined;
  readback?.replaceChildren();
  readback?.classList.remove('error');
  if (readbackCount) readbackCount.textContent = '';
}

async function readBack(hooks: Hooks): Promise<void> {
  const typed = entropy?.value ?? '';
  clearReadback();
  hooks.update();
  if (!typed.trim()) {
    if (readback) readback.textContent = tr('請先輸入點數', 'Type the points first');
    return;
  }
  try {
    const r = await api<Readback>(
      'POST',
      `/api/v1/lotteries/${encodeURIComponent(lotteryId)}/stages/1/entropy`,
      {
        entropy: typed,
      },
    );
    if (entropy?.value !== typed) return; // edited while asking: that answer is for another input
    if (r.ok) {
      screen.confirmed = { typed, digits: r.data.digits };
      if (readback) readback.textContent = r.data.grouped;
      if (readbackCount) readbackCount.textContent = tr(`共 ${r.data.count} 位數`, `${r.data.count} digits`);
      hooks.update();
      (document.querySelector('.draw-btn[data-stage="1"]') as HTMLButtonElement | null)?.focus();
    } else {
      readback?.classList.add('error');
      if (readback)
        readback.textContent = withCode(
          said(r.data.message, tr('點數無法讀取', 'The points could not be read')),
          r.data.code ?? r.status,
        );
    }
  } catch {
    if (readback)
      readback.textContent = tr('網路中斷：請再按一次「確認點數」', 'Network down: press “Read back” again');
  }
}

/** The server's answer to this press: the result, or a warning that it is not this press's result. */
async function drawAnswered(
  stage: number,
  r: { ok: boolean; status: number; data: Result & Extra },
  hooks: Hooks,
): Promise<void> {
  const d = r.data as Extra;
  if (r.ok) {
    setNet('');
    info.set(stage, r.data);
    if (screen.state)
      screen.state.results = [...screen.state.results.filter((x) => x.stage !== stage), r.data];
    renderStage(r.data, true, hooks.update);
  } else if (d.code === 'STAGE_ALREADY_DRAWN') {
    // Someone drew first: what the server holds is NOT this press's result, and must not look like it.
    const digits = groups(d.digits ?? '', 5);
    alarm(
      `⚠ 此階段（第 ${stage} 階段）已由 ${d.drawnBy ?? '他人'} 於 ${taipeiZh(d.drawnAt)} 以點數 ${digits} 抽出，並非本次按鍵的結果`,
      `⚠ Stage ${stage} was already drawn by ${d.drawnBy ?? 'someone else'} at ${taipeiEn(d.drawnAt)} with the digits ${digits}: it is NOT the result of this press`,
    );
  } else if (d.code === 'CEREMONY_TOKEN_REQUIRED' || d.code === 'CEREMONY_NOT_OPEN') {
    const v = await api<Lottery>('GET', `/api/v1/lotteries/${encodeURIComponent(lotteryId)}`).catch(
      () => undefined,
    );
    voided(v?.ok ? v.data : undefined);
  } else {
    setNet(withCode(said(r.data.message, tr('抽籤失敗', 'The draw failed')), r.data.code ?? r.status));
    hooks.update();
  }
}

async function drawPressed(btn: HTMLButtonElement, hooks: Hooks): Promise<void> {
  const stage = Number(btn.dataset.stage);
  const held = screen.held;
  if (!held || screen.pending) return;
  const body =
    stage === 1
      ? {
          ceremonyToken: held.ceremonyToken,
          entropy: screen.confirmed?.digits ?? '',
          commitment: held.commitment,
        }
      : { ceremonyToken: held.ceremonyToken };
  screen.pending = stage;
  btn.disabled = true;
  try {
    const r = await api<Result>(
      'POST',
      `/api/v1/lotteries/${encodeURIComponent(lotteryId)}/stages/${stage}/draw`,
      body,
    );
    screen.pending = 0;
    await drawAnswered(stage, r, hooks);
  } catch {
    screen.pending = 0;
    setNet(
      tr(
        '網路中斷：無法確認是否已抽出。重新連線後將顯示伺服器上的結果。',
        'Network down: it is not known whether the stage was drawn. On reconnecting, the page shows the result on the server.',
      ),
    );
    hooks.update();
  }
}

export function wireControls(hooks: Hooks): void {
  document.getElementById('open-btn')?.addEventListener('click', () => openCeremony(hooks));
  document.getElementById('readback-btn')?.addEventListener('click', () => readBack(hooks));
  entropy?.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      document.getElementById('readback-btn')?.click();
    }
  });
  entropy?.addEventListener('input', () => {
    if (screen.confirmed !== undefined && entropy.value !== screen.confirmed.typed) clearReadback();
    hooks.update();
  });

  for (const btn of Array.from(document.querySelectorAll<HTMLButtonElement>('.draw-btn')))
    btn.addEventListener('click', () => drawPressed(btn, hooks));

  for (const section of Array.from(document.querySelectorAll<HTMLElement>('section.stage'))) {
    const stage = Number(section.dataset.stage);
    const move = (d: number): void => {
      const r = screen.state?.results.find((x) => x.stage === stage);
      if (r && revealed.get(stage))
        showPage(section, r.winners, Math.max(0, Number(section.dataset.page ?? '0') + d), r.winners.length);
    };
    section.querySelector('.prev')?.addEventListener('click', () => move(-1));
    section.querySelector('.next')?.addEventListener('click', () => move(1));
  }
}
