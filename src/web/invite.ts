import QRCode from 'qrcode';
import { fingerprintLead } from './witness/text';
import { bdi, el, said, tr, tryApi, withCode } from './api';

/**
 * The ethics officer's invitation (templates/witness-invite.njk): a name and a role give a one-time registration
 * code; its address is shown once, as a QR code for the person's phone and as text, and never again (the
 * server keeps only its hash). The list below shows who has registered, with the fingerprint they noted.
 */
interface Witness {
  name: string;
  role: string;
  keyName: string;
  fingerprint: string;
  registeredAt: string;
  cosigned: { size: number; timestamp: number } | null;
}

const root = document.getElementById('witness-invite');
const lottery = root?.dataset.lottery ?? '';
const role = (r: string): string =>
  r === 'monitor' ? tr('監察員', 'monitor') : r === 'witness' ? tr('見證人', 'witness') : r;

async function list(): Promise<void> {
  const out = document.getElementById('invite-list');
  const r = await tryApi<Witness[]>('GET', `/api/v1/lotteries/${encodeURIComponent(lottery)}/witnesses`);
  if (!out) return;
  if (!r.ok || !Array.isArray(r.data)) {
    out.replaceChildren(
      el(
        'p',
        withCode(
          said(r.data.message, tr('無法取得名單', 'Could not read the list')),
          r.data.code ?? r.status,
        ),
        'problem',
      ),
    );
    return;
  }
  if (r.data.length === 0) {
    out.replaceChildren(el('p', tr('尚無裝置登記。', 'No device has registered yet.')));
    return;
  }
  const t = el('table', undefined, 'witness-list');
  const head = el('tr');
  for (const h of [
    tr('姓名', 'Name'),
    tr('身分', 'Role'),
    tr('金鑰指紋', 'Fingerprint'),
    tr('副署', 'Cosigned'),
  ])
    head.append(Object.assign(el('th', h), { scope: 'col' }));
  t.append(el('thead'), el('tbody'));
  t.tHead?.append(head);
  for (const w of r.data) {
    const tr_ = el('tr');
    const name = el('td');
    name.append(bdi(w.name));
    tr_.append(
      name,
      el('td', role(w.role)),
      el('td', fingerprintLead(w.fingerprint)),
      el('td', w.cosigned ? tr(`已副署（大小 ${w.cosigned.size}）`, `yes (size ${w.cosigned.size})`) : '—'),
    );
    t.tBodies[0]?.append(tr_);
  }
  out.replaceChildren(t);
}

async function invite(form: HTMLFormElement): Promise<void> {
  const out = document.getElementById('invite-out');
  const data = new FormData(form);
  const name = String(data.get('name') ?? '').trim();
  const r = await tryApi<{ code: string; url: string }>(
    'POST',
    `/api/v1/lotteries/${encodeURIComponent(lottery)}/witnesses/invitations`,
    {
      name,
      role: String(data.get('role') ?? 'witness'),
    },
  );
  if (!out) return;
  if (!r.ok) {
    out.replaceChildren(
      el(
        'p',
        withCode(
          said(r.data.message, tr('無法產生登記碼', 'Could not issue the code')),
          r.data.code ?? r.status,
        ),
        'problem',
      ),
    );
    return;
  }
  // An absolute address for the phone, even if the server answered a path (no public URL configured).
  const href = new URL(r.data.url, location.href).href;
  const svg = await QRCode.toString(href, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const img = el('img', undefined, 'invite-qr');
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  img.alt = tr(`${name} 的登記 QR 碼`, `Registration QR code for ${name}`);
  const fig = el('figure', undefined, 'invite');
  const cap = el('figcaption');
  const url = el('code', href, 'invite-url');
  cap.append(
    bdi(name),
    tr('：請用自己的裝置掃描（只顯示這一次）', ': scan with your own device (shown this once)'),
    el('br'),
    url,
  );
  fig.append(img, cap);
  out.replaceChildren(fig);
  form.reset();
  if (listed) void list();
}

const form = document.getElementById('invite-form') as HTMLFormElement | null;
const registered = document.getElementById('invite-registered');
let listed = false;
form?.addEventListener('submit', (e) => {
  e.preventDefault();
  void invite(form);
});
// Asked for on request (and again after each invitation): the page itself asks the server nothing on load.
registered?.addEventListener('click', () => {
  listed = true;
  void list();
});
