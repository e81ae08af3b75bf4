import { bdi, el, tr } from '../api';
import { fingerprintLead } from '../witness/text';
import { lotteryId, revealed, screen } from './state';

/**
 * The projector's live list of who has cosigned the lottery's checkpoint (issue 13): name, role and key
 * fingerprint, as the public view answers them (`cosigners`), shown once the last stage has been shown, so
 * the room sees each monitor's and witness's cosignature arrive.
 */
interface Cosigner {
  name: string;
  role: string;
  fingerprint: string;
  size: number;
  timestamp: number;
}

const role = (r: string): string =>
  r === 'monitor'
    ? tr('監察員', 'monitor')
    : r === 'witness'
      ? tr('見證人', 'witness')
      : r === 'remote'
        ? tr('遠端見證', 'remote witness')
        : r;
let shown = '';

async function poll(): Promise<void> {
  const state = screen.state;
  const section = document.getElementById('cosigners');
  const list = document.getElementById('cosigner-list');
  if (!section || !list || !state || state.status !== 'drawn') return;
  if (!state.stages.every((s) => revealed.get(s.stage) === true)) return;
  const res = await fetch(`/api/v1/public/lotteries/${encodeURIComponent(lotteryId)}`, {
    headers: { Accept: 'application/json' },
    credentials: 'same-origin',
  }).catch(() => undefined);
  if (!res?.ok) return;
  const body = (await res.json().catch(() => ({}))) as { cosigners?: Cosigner[] };
  const cosigners = Array.isArray(body.cosigners) ? body.cosigners : [];
  section.hidden = false;
  const key = JSON.stringify(cosigners.map((c) => [c.name, c.fingerprint, c.size]));
  if (key === shown) return;
  shown = key;
  if (cosigners.length === 0) {
    list.replaceChildren(
      el(
        'li',
        tr(
          '尚無人副署：請監察員與見證人以自己的裝置開啟副署頁。',
          'No cosignature yet: the monitor and witnesses open the cosigning page on their own devices.',
        ),
        'hint',
      ),
    );
    return;
  }
  list.replaceChildren(
    ...cosigners.map((c) => {
      const li = el('li', undefined, 'cosigner');
      li.append(
        bdi(c.name),
        ` ${role(c.role)} `,
        el('code', fingerprintLead(c.fingerprint), 'cosigner-fp'),
        el('span', tr(` ✓ 大小 ${c.size}`, ` ✓ size ${c.size}`), 'cosigned'),
      );
      return li;
    }),
  );
}

/** Polls every 3 seconds (the public view is cached briefly, and rate-limited like every public answer). */
export function watchCosigners(): void {
  void poll();
  setInterval(() => void poll(), 3000);
}
