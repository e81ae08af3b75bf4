import { api, tr, withCode } from './api';
import { voided } from './projector/alarm';
import { renderStage } from './projector/answer';
import { entropy, setNet, wireControls } from './projector/controls';
import { watchCosigners } from './projector/cosigners';
import { wireFullscreen } from './projector/fullscreen';
import { active, canDraw, revealed, revealing, screen, setHeld, V1, lotteryId } from './projector/state';
import { showIdentity, taipeiEn, taipeiZh } from './projector/text';
import type { Lottery } from './projector/types';

/**
 * The meeting page, on the projector, under lottery-draw/v2 (protocol.md §4.1–4.2). The room sees the rule, the
 * ceremony's identity (commitment and key fingerprint, read aloud) and a QR code. 「開始抽籤程序」 opens the
 * ceremony and keeps its one-time token in this tab's sessionStorage; the monitor's dice are typed, read back by
 * the SERVER in large type, and only then is the draw button enabled; winners appear one by one, beside the
 * digits, who drew and when. A press that lost a race (someone drew first) or a token voided by a reopening or
 * an adjournment elsewhere covers the whole screen with a warning, so that the room never takes someone else's
 * result for this press's. A stage is drawn once on the server, so a retry never draws twice.
 *
 * This file holds the two loops (update redraws from the state, refresh polls the server); the ceremony state is
 * projector/state.ts, a stage's answer projector/answer.ts, the warning projector/alarm.ts and the buttons
 * projector/controls.ts.
 */

/** The panels above the stages: the ceremony's opening, the v1 relock notice, the dice, the state line. */
function updatePanels(state: Lottery, drawable: boolean, v1Locked: boolean, drawnCount: number): void {
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
    panel.hidden = !(active() && state.status === 'locked' && drawnCount === 0);
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
}

function update(): void {
  const state = screen.state;
  if (!state || screen.alarmed) return;
  const drawn = new Map(state.results.map((r) => [r.stage, r]));
  const v1Locked = state.protocol === V1 && state.status === 'locked';
  const drawable = (state.status === 'locked' || state.status === 'drawing') && !v1Locked;
  updatePanels(state, drawable, v1Locked, drawn.size);
  for (const s of state.stages) {
    const section = document.getElementById(`stage-${s.stage}`);
    const btn = section?.querySelector('.draw-btn') as HTMLButtonElement | null;
    const r = drawn.get(s.stage);
    if (r) {
      // This page's own press in flight: its answer, not the poll, shows the result (or the warning).
      if (screen.pending === s.stage) continue;
      // A reveal in progress is left alone: the poll must not jump it to the end (or show the next button early).
      if (!revealed.get(s.stage) && !revealing.has(s.stage))
        renderStage(r, screen.revealedBefore !== undefined, update);
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
      screen.pending !== 0 ||
      (s.stage === 1 ? screen.confirmed === undefined || entropy?.value !== screen.confirmed.typed : false);
  }
}

async function refresh(): Promise<void> {
  const asked = screen.gen;
  try {
    const r = await api<Lottery>('GET', `/api/v1/lotteries/${encodeURIComponent(lotteryId)}`);
    if (!r.ok) {
      setNet(
        withCode(tr('無法取得抽籤狀態', 'Could not read the state of the draw'), r.data.code ?? r.status),
      );
      return;
    }
    setNet('');
    if (asked !== screen.gen || screen.alarmed) return; // asked before this screen's token changed: stale
    const first = screen.state === undefined;
    const state = (screen.state = r.data);
    const held = screen.held;
    if (first) {
      showIdentity(held && active() ? held.commitment : state.commitment, state.keyFingerprint);
      for (const res of state.results) renderStage(res, false, update);
      screen.revealedBefore = true;
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

wireControls({ update, refresh });
wireFullscreen();
watchCosigners(); // issue 13: who has cosigned, after the last stage

showIdentity(
  document.getElementById('commitment')?.dataset.full,
  document.getElementById('fingerprint')?.dataset.full,
);
void refresh();
setInterval(() => void refresh(), 1000);
