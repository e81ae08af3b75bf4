import { api, el, EN, said, tr, withCode, type Problem } from './api';

/**
 * The meeting page, on the projector, under lottery-draw/v2 (protocol.md §4.1–4.2). The room sees the rule, the
 * ceremony's identity (commitment and key fingerprint, read aloud) and a QR code. 「開始抽籤程序」 opens the
 * ceremony and keeps its one-time token in this tab's sessionStorage; the monitor's dice are typed, read back by
 * the SERVER in large type, and only then is the draw button enabled; winners appear one by one, beside the
 * digits, who drew and when. A press that lost a race (someone drew first) or a token voided by a reopening or
 * an adjournment elsewhere covers the whole screen with a warning, so that the room never takes someone else's
 * result for this press's. A stage is drawn once on the server, so a retry never draws twice.
 */
interface Person {
  id: string;
  name: string;
  unit?: string;
  title?: string;
}
interface Result {
  stage: number;
  poolSize: number;
  quota: number;
  winners: Person[];
  drawnAt?: string;
  drawnBy?: string;
  digits?: string;
}
interface CeremonyOpen {
  seq: number;
  openedAt: string;
  openedBy: string;
}
interface Lottery {
  status: string;
  protocol: string | null;
  stages: Array<{ stage: number; label: string; quota: number }>;
  results: Result[];
  commitment: string | null;
  keyFingerprint: string;
  entropy?: string | null;
  ceremony?: {
    open: CeremonyOpen | null;
    history: Array<{ kind: 'opened' | 'adjourned'; at: string; by: string; reason?: string }>;
  };
}
interface Held {
  ceremonyToken: string;
  openedAt: string;
  commitment: string;
  keyFingerprint: string;
}
interface Opened {
  ceremonyToken: string;
  commitment: string;
  keyFingerprint: string;
  openedAt: string;
  openedBy: string;
}
interface Readback {
  digits: string;
  grouped: string;
  count: number;
}
type Extra = Problem & {
  openedBy?: string;
  openedAt?: string;
  digits?: string;
  drawnBy?: string;
  drawnAt?: string;
};

const V1 = 'lottery-draw/v1';
const root = document.getElementById('draw');
const lotteryId = root?.dataset.lottery ?? '';
const canDraw = root?.dataset.canDraw === 'yes';
const KEY = `ceremony:${lotteryId}`;
const PAGE = 10; // two columns of five: the projector never scrolls
const revealed = new Map<number, boolean>(); // stage → fully shown
const revealing = new Set<number>();
const info = new Map<number, Result>(); // stage → digits, drawnBy, drawnAt as answered
let confirmed: { typed: string; digits: string } | undefined;
let state: Lottery | undefined;
let held: Held | undefined = loadHeld();
let pending = 0; // a draw of this page in flight: the poll must not show its stage as drawn by someone else
let alarmed = false; // the full-screen warning is up: nothing else changes under it
let gen = 0; // bumped when the token changes: a poll answer asked for before that is stale

const net = document.getElementById('net');
const entropy = document.getElementById('entropy') as HTMLInputElement | null;
const readback = document.getElementById('readback');
const readbackCount = document.getElementById('readback-count');
const ceremonyError = document.getElementById('ceremony-error');

function loadHeld(): Held | undefined {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Held | null;
    return v && typeof v.ceremonyToken === 'string' && typeof v.openedAt === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
function setHeld(h: Held | undefined): void {
  held = h;
  gen++;
  try {
    if (h) sessionStorage.setItem(KEY, JSON.stringify(h));
    else sessionStorage.removeItem(KEY);
  } catch {
    /* private mode: the token lives as long as the page */
  }
}

function setNet(msg: string): void {
  if (net) net.textContent = msg;
}

/** Groups of `n` from the left, one space apart: display only (protocol.md §4.1). */
const groups = (s: string, n: number): string => (s.match(new RegExp(`.{1,${n}}`, 'g')) ?? []).join(' ');

/** A time as Asia/Taipei wall time (UTC+08:00, no daylight saving), with the zone said. */
function taipei(at: string | undefined): string {
  const t = Date.parse(at ?? '');
  if (Number.isNaN(t)) return at ?? '';
  const s = new Date(t + 8 * 3600 * 1000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
}
const taipeiZh = (at: string | undefined): string => `${taipei(at)}（台北時間）`;
const taipeiEn = (at: string | undefined): string => `${taipei(at)} (Taipei time)`;

/** The ceremony's identity, first 16 hex digits in fours, big enough to read aloud. */
function showIdentity(commitment: string | null | undefined, fingerprint: string | null | undefined): void {
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
function both(
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

function alarm(zh: string, en: string): void {
  alarmed = true;
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
function voided(v: Lottery | undefined): void {
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

function personItem(p: Person): HTMLLIElement {
  const li = el('li');
  li.append(el('bdi', p.name));
  const meta = el('span', '', 'meta');
  meta.append(' ', el('bdi', [p.unit, p.title].filter(Boolean).join(' ')), ` (${p.id})`);
  li.append(meta);
  return li;
}

function showPage(section: HTMLElement, winners: Person[], page: number, count: number): void {
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
  const digits = a.digits ?? state?.entropy ?? '';
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

function renderStage(r: Result, animate: boolean): void {
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
      update();
    }
  };
  tick();
}

/** This screen holds the open ceremony's token. */
const active = (): boolean =>
  held !== undefined && state?.ceremony?.open?.openedAt === held.openedAt && state.protocol !== V1;

function update(): void {
  if (!state || alarmed) return;
  const drawn = new Map(state.results.map((r) => [r.stage, r]));
  const v1Locked = state.protocol === V1 && state.status === 'locked';
  const drawable = (state.status === 'locked' || state.status === 'drawing') && !v1Locked;
  const ceremonyPanel = document.getElementById('ceremony-panel');
  if (ceremonyPanel) ceremonyPanel.hidden = !(canDraw && (v1Locked || (drawable && !active())));
  const openBtn = document.getElementById('open-btn') as HTMLButtonElement | null;
  if (openBtn) openBtn.hidden = v1Locked;
  const relock = document.getElementById('relock');
  if (relock) {
    relock.hidden = !v1Locked;
    relock.textContent = v1Locked
      ? tr(
          '此抽籤以舊版協定（lottery-draw/v1）鎖定：須由政風單位解除鎖定後重新鎖定，才能抽籤。',
          'This lottery was locked under lottery-draw/v1: the ethics office must unlock and lock it again before the draw.',
        )
      : '';
  }
  const panel = document.getElementById('entropy-panel');
  if (panel) {
    const wasHidden = panel.hidden;
    panel.hidden = !(active() && state.status === 'locked' && drawn.size === 0);
    if (wasHidden && !panel.hidden) entropy?.focus();
  }
  const note = document.getElementById('state-note');
  const open = state.ceremony?.open;
  if (note)
    note.textContent =
      state.status === 'draft'
        ? tr(
            '名冊尚未鎖定：請政風單位先鎖定名冊，才能抽籤。',
            'The roster is not locked: the ethics office must lock it before the draw.',
          )
        : state.status === 'drawn' && [...revealed.values()].filter(Boolean).length === state.stages.length
          ? tr('抽籤完成。', 'The draw is complete.')
          : drawable && !active() && open
            ? tr(
                `抽籤程序已由 ${open.openedBy} 於 ${taipeiZh(open.openedAt)} 開啟。`,
                `The ceremony was opened by ${open.openedBy} at ${taipeiEn(open.openedAt)}.`,
              )
            : '';
  for (const s of state.stages) {
    const section = document.getElementById(`stage-${s.stage}`);
    const btn = section?.querySelector('.draw-btn') as HTMLButtonElement | null;
    const r = drawn.get(s.stage);
    if (r) {
      // This page's own press in flight: its answer, not the poll, shows the result (or the warning).
      if (pending === s.stage) continue;
      // A reveal in progress is left alone: the poll must not jump it to the end (or show the next button early).
      if (!revealed.get(s.stage) && !revealing.has(s.stage)) renderStage(r, revealedBefore !== undefined);
      continue;
    }
    if (!btn || !canDraw) continue;
    // A stage's button appears once the ceremony is open here and the previous stage's result has been shown.
    const prevShown = s.stage === 1 ? state.status === 'locked' : revealed.get(s.stage - 1) === true;
    const show = prevShown && active();
    const wasHidden = btn.hidden;
    btn.hidden = !show;
    // Keyboard users: the next stage's button takes the focus the moment it appears.
    if (wasHidden && show && s.stage > 1) btn.focus();
    btn.disabled =
      pending !== 0 ||
      (s.stage === 1 ? confirmed === undefined || entropy?.value !== confirmed.typed : false);
  }
}

// Stages already drawn when the page loads are shown at once; those drawn while it is open are revealed.
let revealedBefore: boolean | undefined;

async function refresh(): Promise<void> {
  const asked = gen;
  try {
    const r = await api<Lottery>('GET', `/api/v1/lotteries/${encodeURIComponent(lotteryId)}`);
    if (!r.ok) {
      setNet(
        withCode(tr('無法取得抽籤狀態', 'Could not read the state of the draw'), r.data.code ?? r.status),
      );
      return;
    }
    setNet('');
    if (asked !== gen || alarmed) return; // asked before this screen's token changed: stale
    const first = state === undefined;
    state = r.data;
    if (first) {
      showIdentity(held && active() ? held.commitment : state.commitment, state.keyFingerprint);
      for (const res of state.results) renderStage(res, false);
      revealedBefore = true;
    }
    // Our token is void once the open ceremony is not the one we opened (reopened elsewhere, or adjourned).
    if (held && state.status !== 'drawn' && state.ceremony?.open?.openedAt !== held.openedAt)
      return voided(state);
    if (held && state.status === 'drawn' && !state.ceremony?.open) setHeld(undefined);
    update();
  } catch {
    setNet(
      tr(
        '網路中斷，重新連線中…（抽籤結果以伺服器為準，重試不會重複抽籤）',
        'Network down, reconnecting… (the server holds the result; a retry never draws twice)',
      ),
    );
  }
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

document.getElementById('open-btn')?.addEventListener('click', async () => {
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
      if (state?.ceremony)
        state.ceremony.open = { seq: 0, openedAt: r.data.openedAt, openedBy: r.data.openedBy };
      confirmed = undefined;
      update();
      void refresh();
    } else {
      const d = r.data as Extra;
      const code = d.code ?? String(r.status);
      const [hz, he] = OPEN_ERRORS[code] ?? ['無法開始抽籤程序', 'The ceremony could not be opened'];
      const extraZh =
        code === 'CEREMONY_OPEN' && d.openedBy ? `（${d.openedBy}，${taipeiZh(d.openedAt)}）` : '';
      const extraEn =
        code === 'CEREMONY_OPEN' && d.openedBy ? ` (${d.openedBy}, ${taipeiEn(d.openedAt)})` : '';
      both(ceremonyError, `${d.message?.zh ?? ''}（${code}）`, `${d.message?.en ?? ''} (${code})`, 'error', {
        zh: `${hz}${extraZh}`,
        en: `${he}${extraEn}`,
      });
    }
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
});

function clearReadback(): void {
  confirmed = undefined;
  readback?.replaceChildren();
  readback?.classList.remove('error');
  if (readbackCount) readbackCount.textContent = '';
}

document.getElementById('readback-btn')?.addEventListener('click', async () => {
  const typed = entropy?.value ?? '';
  clearReadback();
  update();
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
      confirmed = { typed, digits: r.data.digits };
      if (readback) readback.textContent = r.data.grouped;
      if (readbackCount) readbackCount.textContent = tr(`共 ${r.data.count} 位數`, `${r.data.count} digits`);
      update();
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
});
entropy?.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    document.getElementById('readback-btn')?.click();
  }
});
entropy?.addEventListener('input', () => {
  if (confirmed !== undefined && entropy.value !== confirmed.typed) clearReadback();
  update();
});

for (const btn of Array.from(document.querySelectorAll<HTMLButtonElement>('.draw-btn'))) {
  btn.addEventListener('click', async () => {
    const stage = Number(btn.dataset.stage);
    if (!held || pending) return;
    const body =
      stage === 1
        ? { ceremonyToken: held.ceremonyToken, entropy: confirmed?.digits ?? '', commitment: held.commitment }
        : { ceremonyToken: held.ceremonyToken };
    pending = stage;
    btn.disabled = true;
    try {
      const r = await api<Result>(
        'POST',
        `/api/v1/lotteries/${encodeURIComponent(lotteryId)}/stages/${stage}/draw`,
        body,
      );
      pending = 0;
      const d = r.data as Extra;
      if (r.ok) {
        setNet('');
        info.set(stage, r.data);
        if (state) state.results = [...state.results.filter((x) => x.stage !== stage), r.data];
        renderStage(r.data, true);
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
        update();
      }
    } catch {
      pending = 0;
      setNet(
        tr(
          '網路中斷：無法確認是否已抽出。重新連線後將顯示伺服器上的結果。',
          'Network down: it is not known whether the stage was drawn. On reconnecting, the page shows the result on the server.',
        ),
      );
      update();
    }
  });
}

for (const section of Array.from(document.querySelectorAll<HTMLElement>('section.stage'))) {
  const stage = Number(section.dataset.stage);
  const move = (d: number): void => {
    const r = state?.results.find((x) => x.stage === stage);
    if (r && revealed.get(stage))
      showPage(section, r.winners, Math.max(0, Number(section.dataset.page ?? '0') + d), r.winners.length);
  };
  section.querySelector('.prev')?.addEventListener('click', () => move(-1));
  section.querySelector('.next')?.addEventListener('click', () => move(1));
}

showIdentity(
  document.getElementById('commitment')?.dataset.full,
  document.getElementById('fingerprint')?.dataset.full,
);
void refresh();
setInterval(() => void refresh(), 1000);
