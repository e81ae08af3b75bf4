import { parseCheckpoint, parseNote, parseVerifierKey } from '../../domain/log/note';
import { bdi, el, said, tr, tryApi, withCode } from '../api';
import {
  cosignerVkey,
  cryptoMissing,
  fingerprint,
  h,
  newKeyName,
  newKeyPair,
  rawPublicKey,
  verifyNote,
} from './crypto';
import { fingerprintLead } from './text';
import { allDevices, putDevice, type Device } from './db';
import { bytesBase64 } from '../../domain/log/note';

/**
 * The register page (/witness/register?code=…): the person's own device makes an Ed25519 key (WebCrypto,
 * non-extractable), keeps it in IndexedDB, and registers its public half with the one-time code the ethics
 * officer gave them. The log's key and current checkpoint are kept as answered: from then on the device checks
 * the log against them, never against what the server says later.
 */
interface Registered {
  lottery: string;
  name: string;
  role: string;
  keyName: string;
  vkey: string;
  logKey: string;
  checkpoint: string;
  /** The server's fingerprint of the key, when it says one: it must be the one this device computed. */
  fingerprint?: string;
}

export const roleText = (role: string): string =>
  role === 'monitor' ? tr('監察員', 'monitor') : role === 'witness' ? tr('見證人', 'witness') : role;

function say(out: HTMLElement, cls: string, zh: string, en: string): void {
  out.replaceChildren(el('p', tr(zh, en), cls));
}

export async function noCrypto(out: HTMLElement): Promise<boolean> {
  const why = await cryptoMissing();
  if (!why) return false;
  out.replaceChildren(
    el(
      'p',
      why === 'insecure'
        ? tr(
            '這個網址不是安全連線（HTTPS），瀏覽器因此不提供產生金鑰的功能，本頁無法使用。請政風單位依 README「部署」一節以 HTTPS 提供本服務後，再掃描 QR 碼。This page needs a secure connection (HTTPS).',
            'This address is not a secure connection (HTTPS), so the browser offers no key generation and this page cannot work. Ask the ethics office to serve the service over HTTPS (README, “Deployment”), then scan the QR code again.',
          )
        : tr(
            '這個瀏覽器不支援 Ed25519 金鑰（WebCrypto），本頁無法使用。請改用新版的 Chrome、Edge、Firefox 或 Safari。This browser lacks Ed25519.',
            'This browser does not support Ed25519 keys (WebCrypto), so this page cannot work. Use a recent Chrome, Edge, Firefox or Safari.',
          ),
      'problem',
    ),
  );
  return true;
}

/** The device's registrations, with a link to each lottery's cosigning page. */
async function listDevices(out: HTMLElement): Promise<void> {
  const list = await allDevices().catch(() => [] as Device[]);
  if (list.length === 0) return;
  const ul = el('ul', undefined, 'witness-devices');
  for (const d of list) {
    const li = el('li');
    const a = el('a', tr(`抽籤 ${d.lottery} 的副署頁`, `Cosigning page of lottery ${d.lottery}`));
    a.href = `/witness/lotteries/${encodeURIComponent(d.lottery)}/cosign`;
    li.append(bdi(d.name), ` ${roleText(d.role)} · `, el('code', fingerprintLead(d.fingerprint)), ' · ', a);
    ul.append(li);
  }
  out.append(el('h2', tr('這台裝置已登記', 'Registered on this device')), ul);
}

async function checkAnswer(r: Registered, vkey: string, fp: string): Promise<boolean> {
  if (r.fingerprint !== undefined && r.fingerprint !== fp) return false;
  const log = parseVerifierKey(h, r.logKey);
  const note = parseNote(r.checkpoint);
  const cp = note && parseCheckpoint(note.text);
  return (
    !!log && !!note && !!cp && cp.origin === log.name && r.vkey === vkey && (await verifyNote(note, log))
  );
}

async function register(code: string, out: HTMLElement, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  say(out, 'status', '正在這台裝置上產生金鑰…', 'Making the key on this device…');
  const keys = await newKeyPair();
  const pub = await rawPublicKey(keys);
  const keyName = newKeyName(new URLSearchParams(location.search).get('lottery'));
  const r = await tryApi<Registered>('POST', '/api/v1/witness/register', {
    code,
    keyName,
    publicKey: bytesBase64(pub),
  });
  if (!r.ok) {
    button.disabled = false;
    out.replaceChildren(
      el(
        'p',
        withCode(said(r.data.message, tr('登記失敗', 'Registration failed')), r.data.code ?? r.status),
        'problem',
      ),
    );
    return;
  }
  const vkey = cosignerVkey(keyName, pub);
  if (!(await checkAnswer(r.data, vkey, fingerprint(pub)))) {
    button.disabled = false;
    return say(
      out,
      'problem',
      '伺服器的回應無法驗證（紀錄金鑰簽章或金鑰不符），未保存。',
      'The server’s answer does not verify (log signature or key mismatch): nothing was kept.',
    );
  }
  const fp = fingerprint(pub);
  const d: Device = { ...r.data, vkey, fingerprint: fp, keys, registeredAt: new Date().toISOString() };
  await putDevice(d);
  history.replaceState(null, '', location.pathname); // the code is spent: keep it out of the history
  button.hidden = true;
  const fpEl = el('p', undefined, 'witness-fingerprint');
  fpEl.append(el('span', tr('金鑰指紋', 'Key fingerprint')), ' ', el('code', fingerprintLead(fp)));
  const done = el('p', undefined, 'ok');
  done.append(
    tr('登記完成：', 'Registered: '),
    bdi(d.name),
    ` · ${roleText(d.role)} · `,
    tr(`抽籤 ${d.lottery}`, `lottery ${d.lottery}`),
  );
  const link = el('a', tr('抽籤結束後，請開啟副署頁', 'After the draw, open the cosigning page'));
  link.href = `/witness/lotteries/${encodeURIComponent(d.lottery)}/cosign`;
  link.id = 'cosign-link';
  out.replaceChildren(
    done,
    fpEl,
    el(
      'p',
      tr(
        '請將上面的金鑰指紋抄在紙上；會議中投影幕與抽籤紀錄會印出相同的指紋。請用同一台裝置、同一個瀏覽器回到這裡副署。',
        'Write the fingerprint above on paper: the projector and the record print the same one. Come back on this same device and browser to cosign.',
      ),
    ),
    el('p', undefined),
  );
  out.lastElementChild?.append(link);
}

export async function registerPage(root: HTMLElement): Promise<void> {
  const out = document.getElementById('witness-out') ?? root;
  const button = document.getElementById('register-btn') as HTMLButtonElement | null;
  if (await noCrypto(out)) {
    if (button) button.hidden = true;
    return;
  }
  const code = new URLSearchParams(location.search).get('code');
  if (!code || !button) {
    if (button) button.hidden = true;
    say(
      out,
      'hint',
      '沒有登記碼：請掃描政風人員出示的 QR 碼。',
      'No registration code: scan the QR code the ethics officer shows you.',
    );
    await listDevices(out);
    return;
  }
  button.hidden = false;
  button.addEventListener('click', () => {
    void register(code, out, button).catch(() => {
      button.disabled = false;
      say(
        out,
        'problem',
        '無法在這台裝置上產生或保存金鑰。',
        'Could not make or keep the key on this device.',
      );
    });
  });
}
