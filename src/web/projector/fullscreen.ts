/**
 * Full screen for the projector (the Fullscreen API): the button, or the F key anywhere but in a text field.
 * The button's label says what a press will do, and follows the browser when Esc leaves full screen.
 */
import { tr } from '../api';

function label(btn: HTMLButtonElement): void {
  const on = document.fullscreenElement !== null;
  btn.textContent = on
    ? tr('離開全螢幕（F）', 'Leave full screen (F)')
    : tr('全螢幕（F）', 'Full screen (F)');
  btn.setAttribute('aria-pressed', on ? 'true' : 'false');
  document.body.classList.toggle('is-fullscreen', on);
}

async function toggle(): Promise<void> {
  try {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await document.documentElement.requestFullscreen();
  } catch {
    /* refused (no user gesture, or not allowed here): the page stays as it is */
  }
}

export function wireFullscreen(): void {
  const btn = document.getElementById('fullscreen-btn') as HTMLButtonElement | null;
  if (!btn) return;
  if (!document.fullscreenEnabled) {
    btn.hidden = true;
    return;
  }
  label(btn);
  btn.addEventListener('click', () => void toggle());
  document.addEventListener('fullscreenchange', () => label(btn));
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'f' && e.key !== 'F') return;
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const t = e.target as HTMLElement | null;
    if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
    e.preventDefault();
    void toggle();
  });
}
