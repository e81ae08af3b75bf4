import {
  cosignatureBytes,
  cosignatureMessage,
  formatNote,
  parseNote,
  signatureLine,
} from '../../domain/log/note';
import { bdi, el, said, tr, tryApi, withCode } from '../api';
import { checkLog, type Checked, type Failed, type LogAnswer } from './check';
import { groupHex, keyIdOf, rawPublicKey, sign } from './crypto';
import { fingerprintLead } from './text';
import { getDevice, getRefusal, putDevice, putRefusal, type Device, type Evidence } from './db';
import { noCrypto, roleText } from './register';

/**
 * The cosigning page (/witness/lotteries/:id/cosign), on the witness's own device after the last stage: it
 * checks the log itself (check.ts), shows what it checked, and only then offers 「確認並副署」, which signs the
 * checkpoint in the C2SP tlog-cosignature format (cosignature/v1, with the time) with the key that never left
 * this browser. A log caught inconsistent is refused for good, with the evidence offered for download.
 */
const ID_PER_STAGE = 40;

function row(dl: HTMLElement, term: string, value: string | HTMLElement, id?: string): void {
  const dd = el('dd');
  if (id) dd.id = id;
  dd.append(value);
  dl.append(el('dt', term), dd);
}

function facts(c: Checked): HTMLElement {
  const dl = el('dl', undefined, 'witness-facts');
  row(dl, tr('紀錄樹大小', 'Tree size'), el('code', String(c.size)), 'w-size');
  row(
    dl,
    tr('根雜湊（前 16 碼）', 'Root hash (first 16)'),
    el('code', groupHex(c.root.slice(0, 16))),
    'w-root',
  );
  row(
    dl,
    tr('承諾值（前 16 碼）', 'Commitment (first 16)'),
    el('code', groupHex(c.drawn.commitment.slice(0, 16))),
    'w-commitment',
  );
  row(dl, tr('骰子點數', 'Dice digits'), el('code', c.drawn.entropy), 'w-digits');
  for (const w of c.drawn.winners) {
    const ids = w.ids.slice(0, ID_PER_STAGE).join('、') + (w.ids.length > ID_PER_STAGE ? '…' : '');
    row(
      dl,
      tr(`第 ${w.stage} 階段中籤編號`, `Stage ${w.stage} winners (ids)`),
      bdi(ids),
      `w-stage-${w.stage}`,
    );
  }
  return dl;
}

function checks(c: Checked): HTMLElement {
  const ul = el('ul', undefined, 'witness-checks');
  const line = (zh: string, en: string): void => {
    ul.append(el('li', `✓ ${tr(zh, en)}`, 'ok'));
  };
  line(
    '紀錄的簽章已在這台裝置上驗證（使用登記時記下的紀錄金鑰）',
    'Signature of the log verified on this device (with the log key pinned at registration)',
  );
  line(
    c.from === c.size
      ? `與這台裝置先前看到的紀錄相同（大小 ${c.from}）`
      : `與這台裝置先前看到的紀錄一致（大小 ${c.from} → ${c.size}）`,
    c.from === c.size
      ? `The same log this device saw before (size ${c.from})`
      : `Consistent with the log this device saw before (size ${c.from} → ${c.size})`,
  );
  line(
    `本次抽籤的抽籤紀錄項目（${c.drawEntries} 筆）已驗證包含於紀錄中`,
    `Inclusion of this lottery’s draw entries (${c.drawEntries}) verified`,
  );
  ul.append(
    el(
      'li',
      tr(
        '承諾值、骰子點數與中籤編號取自鎖定與抽籤的日誌項目：這台裝置已重算其雜湊值，並驗證其包含於紀錄中。',
        'The commitment, the dice and the winners are read from the lock and draw entries, whose hashes this device recomputed and whose inclusion it verified.',
      ),
      'hint',
    ),
  );
  return ul;
}

function evidenceLink(e: Evidence): HTMLElement {
  const a = el(
    'a',
    tr(
      '下載證據檔（兩份簽署紀錄與失敗的證明）',
      'Download the evidence (both signed notes and the failing proof)',
    ),
  );
  a.href = URL.createObjectURL(new Blob([JSON.stringify(e, null, 2) + '\n'], { type: 'application/json' }));
  a.download = `witness-evidence-${e.lottery}.json`;
  a.id = 'evidence-link';
  return a;
}

function refused(out: HTMLElement, e: Evidence): void {
  const box = el('div', undefined, 'witness-refusal');
  box.setAttribute('role', 'alert');
  box.append(
    el('p', '這台裝置先前看到的紀錄，與伺服器現在的紀錄不一致，不能副署。', 'alarm-main'),
    el(
      'p',
      'What this device saw of the log before does not agree with the server’s log now: it will not cosign.',
      'alarm-sub',
    ),
    el('p', tr(e.reason.zh, e.reason.en)),
    el(
      'p',
      tr(
        '這台裝置從此不再為這個紀錄副署。請將證據檔交給政風單位與監察員。',
        'This device will never cosign for this log again. Give the evidence file to the ethics office and the monitor.',
      ),
    ),
    evidenceLink(e),
  );
  out.replaceChildren(box);
}

async function cosign(
  d: Device,
  c: Checked,
  note: string,
  out: HTMLElement,
  button: HTMLButtonElement,
): Promise<void> {
  button.disabled = true;
  const timestamp = Math.floor(Date.now() / 1000);
  const sig = await sign(d.keys, cosignatureMessage(c.text, timestamp));
  const id = keyIdOf(d.keyName, await rawPublicKey(d.keys));
  const line = signatureLine(d.keyName, id, cosignatureBytes(timestamp, sig));
  const r = await tryApi<{ stored: unknown[] }>('POST', '/api/v1/log/cosignatures', {
    note: formatNote(c.text, [line]),
  });
  if (!r.ok) {
    button.disabled = false;
    out.replaceChildren(
      el(
        'p',
        withCode(
          said(r.data.message, tr('副署未被接受', 'The cosignature was not accepted')),
          r.data.code ?? r.status,
        ),
        'problem',
      ),
    );
    return;
  }
  const lines = (parseNote(note)?.signatures ?? []).map((s) => s.line).filter((l) => l !== line);
  const mine = formatNote(c.text, [...lines, line]);
  await putDevice({ ...d, checkpoint: note, cosigned: { size: c.size, timestamp, note: mine } });
  button.hidden = true;
  out.replaceChildren(
    el(
      'p',
      tr(
        `已副署：紀錄樹大小 ${c.size}。這台裝置保存了副署的檢查點。`,
        `Cosigned: tree size ${c.size}. This device keeps the cosigned checkpoint.`,
      ),
      'ok',
    ),
  );
}

async function refuse(d: Device, a: LogAnswer, f: Failed, out: HTMLElement): Promise<void> {
  const evidence: Evidence = {
    kind: 'asset-review-lottery/witness-evidence',
    lottery: d.lottery,
    at: new Date().toISOString(),
    reason: f.reason,
    logKey: d.logKey,
    storedCheckpoint: d.checkpoint,
    serverCheckpoint: a.checkpoint,
    proof: f.proof,
  };
  await putRefusal({ logKey: d.logKey, evidence });
  refused(out, evidence);
}

async function load(
  d: Device,
  out: HTMLElement,
  facts_: HTMLElement,
  button: HTMLButtonElement,
): Promise<boolean> {
  const r = await tryApi<LogAnswer>('GET', `/api/v1/lotteries/${encodeURIComponent(d.lottery)}/log`);
  if (!r.ok) {
    const notYet = r.status === 404 || r.status === 409;
    out.replaceChildren(
      el(
        'p',
        notYet
          ? tr(
              '抽籤尚未完成：本頁每 5 秒重新檢查。',
              'The draw is not finished: this page checks again every 5 seconds.',
            )
          : withCode(
              said(r.data.message, tr('無法取得紀錄', 'Could not read the log')),
              r.data.code ?? r.status,
            ),
        notYet ? 'hint' : 'problem',
      ),
    );
    return false;
  }
  const a = r.data;
  const c = await checkLog(d.logKey, d.checkpoint, a, (from, to) =>
    tryApi('GET', `/api/v1/log/consistency?from=${from}&to=${to}`),
  );
  if (!c.ok) {
    if (c.inconsistent) await refuse(d, a, c, out);
    else out.replaceChildren(el('p', tr(c.reason.zh, c.reason.en), 'problem'));
    return c.inconsistent;
  }
  facts_.replaceChildren(facts(c), checks(c));
  if (d.cosigned?.size === c.size) {
    out.replaceChildren(
      el(
        'p',
        tr(
          `這台裝置已副署此檢查點（大小 ${c.size}）。`,
          `This device has cosigned this checkpoint (size ${c.size}).`,
        ),
        'ok',
      ),
    );
    return true;
  }
  out.replaceChildren();
  button.hidden = false;
  button.disabled = false;
  button.onclick = () =>
    void cosign(d, c, a.checkpoint, out, button).catch(() => {
      button.disabled = false;
      out.replaceChildren(
        el('p', tr('無法以這台裝置的金鑰簽署。', 'Could not sign with this device’s key.'), 'problem'),
      );
    });
  return true;
}

export async function cosignPage(root: HTMLElement): Promise<void> {
  const out = document.getElementById('witness-out') ?? root;
  const factsEl = document.getElementById('witness-checked') ?? root;
  const button = document.getElementById('cosign-btn') as HTMLButtonElement | null;
  if (!button || (await noCrypto(out))) return;
  const d = await getDevice(root.dataset.lottery ?? '');
  if (!d) {
    out.replaceChildren(
      el(
        'p',
        tr(
          '這台裝置（這個瀏覽器）沒有登記為本次抽籤的監察員或見證人：請使用登記時的同一台裝置與瀏覽器。',
          'This device (this browser) is not registered as a monitor or witness of this lottery: use the device and browser you registered with.',
        ),
        'problem',
      ),
    );
    return;
  }
  const who = document.getElementById('witness-who');
  if (who)
    who.replaceChildren(
      bdi(d.name),
      ` · ${roleText(d.role)} · `,
      tr('金鑰指紋 ', 'key fingerprint '),
      el('code', fingerprintLead(d.fingerprint)),
    );
  const refusal = await getRefusal(d.logKey);
  if (refusal) return refused(out, refusal.evidence);
  const tick = async (): Promise<void> => {
    if (!(await load(d, out, factsEl, button))) setTimeout(() => void tick(), 5000);
  };
  await tick();
}
