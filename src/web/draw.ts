import { api, el, said, tr, withCode } from './api';

/**
 * The meeting page, on the projector. The room sees the rule, the commitment and a QR code; the monitor's dice
 * are typed, read back in large type and confirmed before the draw button is enabled; winners appear one by
 * one; a second screen polling the same lottery shows the same result; a dropped network is said out loud and
 * the drawn result is shown on reconnect. A stage is drawn once on the server, so a retry never draws twice.
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
}
interface Lottery {
  status: string;
  stages: Array<{ stage: number; label: string; quota: number }>;
  results: Result[];
  commitment: string | null;
}

const root = document.getElementById('draw');
const lotteryId = root?.dataset.lottery ?? '';
const canDraw = root?.dataset.canDraw === 'yes';
const PAGE = 10; // two columns of five: the projector never scrolls
const revealed = new Map<number, boolean>(); // stage → fully shown
const revealing = new Set<number>();
let confirmedEntropy: string | undefined;
let state: Lottery | undefined;

const net = document.getElementById('net');
const entropy = document.getElementById('entropy') as HTMLInputElement | null;
const readback = document.getElementById('readback');

function setNet(msg: string): void {
  if (net) net.textContent = msg;
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
  const info = pager.querySelector('.pageinfo');
  if (info) info.textContent = tr(`第 ${p + 1} / ${pages} 頁`, `Page ${p + 1} of ${pages}`);
}

function renderStage(r: Result, animate: boolean): void {
  const section = document.getElementById(`stage-${r.stage}`);
  if (!section) return;
  section.querySelector('.draw-btn')?.setAttribute('hidden', '');
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

function update(): void {
  if (!state) return;
  const drawn = new Map(state.results.map((r) => [r.stage, r]));
  const panel = document.getElementById('entropy-panel');
  if (panel) panel.hidden = state.status !== 'locked' || drawn.size > 0;
  const note = document.getElementById('state-note');
  if (note)
    note.textContent =
      state.status === 'draft'
        ? tr(
            '名冊尚未鎖定：請政風單位先鎖定名冊，才能抽籤。',
            'The roster is not locked: the ethics office must lock it before the draw.',
          )
        : state.status === 'drawn' && [...revealed.values()].filter(Boolean).length === state.stages.length
          ? tr('抽籤完成。', 'The draw is complete.')
          : '';
  for (const s of state.stages) {
    const section = document.getElementById(`stage-${s.stage}`);
    const btn = section?.querySelector('.draw-btn') as HTMLButtonElement | null;
    const r = drawn.get(s.stage);
    if (r) {
      // A reveal in progress is left alone: the poll must not jump it to the end (or show the next button early).
      if (!revealed.get(s.stage) && !revealing.has(s.stage)) renderStage(r, revealedBefore !== undefined);
      continue;
    }
    if (!btn || !canDraw) continue;
    // A stage's button appears once the previous stage's result has been shown.
    const prevShown = s.stage === 1 ? state.status === 'locked' : revealed.get(s.stage - 1) === true;
    const wasHidden = btn.hidden;
    btn.hidden = !prevShown;
    // Keyboard users: the next stage's button takes the focus the moment it appears.
    if (wasHidden && prevShown && s.stage > 1) btn.focus();
    btn.disabled =
      s.stage === 1 ? confirmedEntropy === undefined || entropy?.value.trim() !== confirmedEntropy : false;
  }
}

// Stages already drawn when the page loads are shown at once; those drawn while it is open are revealed.
let revealedBefore: boolean | undefined;

async function refresh(): Promise<void> {
  try {
    const r = await api<Lottery>('GET', `/api/v1/lotteries/${encodeURIComponent(lotteryId)}`);
    if (!r.ok) {
      setNet(
        withCode(tr('無法取得抽籤狀態', 'Could not read the state of the draw'), r.data.code ?? r.status),
      );
      return;
    }
    setNet('');
    const first = state === undefined;
    state = r.data;
    if (first) {
      for (const res of state.results) renderStage(res, false);
      revealedBefore = true;
    }
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

document.getElementById('readback-btn')?.addEventListener('click', () => {
  const v = entropy?.value.trim() ?? '';
  if (!v) {
    if (readback) readback.textContent = tr('請先輸入點數', 'Type the points first');
    return;
  }
  confirmedEntropy = v;
  if (readback) readback.textContent = `「${v}」`;
  update();
  (document.querySelector('.draw-btn[data-stage="1"]') as HTMLButtonElement | null)?.focus();
});
entropy?.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    document.getElementById('readback-btn')?.click();
  }
});
if (entropy && !document.getElementById('entropy-panel')?.hidden) entropy.focus();
entropy?.addEventListener('input', () => {
  if (confirmedEntropy !== undefined && entropy.value.trim() !== confirmedEntropy) {
    confirmedEntropy = undefined;
    if (readback) readback.textContent = '';
  }
  update();
});

for (const btn of Array.from(document.querySelectorAll<HTMLButtonElement>('.draw-btn'))) {
  btn.addEventListener('click', async () => {
    const stage = Number(btn.dataset.stage);
    btn.disabled = true;
    try {
      const r = await api<Result>(
        'POST',
        `/api/v1/lotteries/${encodeURIComponent(lotteryId)}/stages/${stage}/draw`,
        stage === 1 ? { entropy: confirmedEntropy ?? '' } : {},
      );
      if (r.ok) {
        setNet('');
        if (state) state.results = [...state.results.filter((x) => x.stage !== stage), r.data];
        renderStage(r.data, true);
      } else if (r.data.code === 'STAGE_ALREADY_DRAWN') {
        await refresh();
      } else {
        setNet(withCode(said(r.data.message, tr('抽籤失敗', 'The draw failed')), r.data.code ?? r.status));
        btn.disabled = false;
      }
    } catch {
      setNet(
        tr(
          '網路中斷：無法確認是否已抽出。重新連線後將顯示伺服器上的結果。',
          'Network down: it is not known whether the stage was drawn. On reconnecting, the page shows the result on the server.',
        ),
      );
      btn.disabled = false;
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

const commitment = document.getElementById('commitment');
commitment?.addEventListener('click', () => {
  const full = commitment.getAttribute('aria-expanded') !== 'true';
  commitment.setAttribute('aria-expanded', String(full));
  commitment.textContent = full
    ? (commitment.dataset.full ?? '')
    : `${(commitment.dataset.full ?? '').slice(0, 16)}…`;
});

void refresh();
setInterval(() => void refresh(), 1000);
