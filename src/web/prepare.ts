import { api, el, onFiles, type Problem } from './api';

/** The ethics office's page: roster upload with a dry-run report first, the roster search, inline exclusions. */
interface Report {
  count: number;
  poolSize: number;
  rosterDigest: string;
  units: Array<{ unit: string; count: number; poolSize: number }>;
  warnings: NonNullable<Problem['warnings']>;
  format?: string;
  encoding?: string;
  sheet?: string;
}

const upload = document.getElementById('upload');
const lottery = upload?.dataset.lottery ?? document.getElementById('roster-table')?.dataset.lottery ?? '';
let pending: File | undefined;

function problemList(title: string, items: NonNullable<Problem['errors']>, cls: string): HTMLElement {
  const s = el('div');
  s.append(el('h3', `${title}（${items.length}）`));
  const t = el('table', undefined, cls);
  const head = el('tr');
  for (const h of ['列', '欄', '欄位', '說明']) head.append(Object.assign(el('th', h), { scope: 'col' }));
  t.append(el('thead'), el('tbody'));
  t.tHead?.append(head);
  for (const p of items.slice(0, 200)) {
    const tr = el('tr');
    tr.append(
      el('td', p.row === undefined ? '' : String(p.row)),
      el('td', p.column ?? ''),
      el('td', p.field),
      el('td', `${p.message.zh}（${p.code}）`),
    );
    t.tBodies[0]?.append(tr);
  }
  s.append(t);
  return s;
}

async function dryRun(file: File): Promise<void> {
  const report = document.getElementById('report');
  const confirm = document.getElementById('confirm-load');
  if (!report || !confirm) return;
  report.replaceChildren(el('p', `檢查 ${file.name} 中…`));
  confirm.hidden = true;
  const r = await api<Report>(
    'PUT',
    `/api/v1/lotteries/${encodeURIComponent(lottery)}/roster?dryRun=1`,
    file,
    file.type || 'application/octet-stream',
  );
  report.replaceChildren();
  if (!r.ok) {
    report.append(el('p', `${r.data.message?.zh ?? '無法載入'}（${r.data.code ?? r.status}）`, 'error'));
    if (r.data.errors?.length) report.append(problemList('錯誤', r.data.errors, 'errors'));
    if (r.data.warnings?.length) report.append(problemList('提醒', r.data.warnings, 'warnings'));
    return;
  }
  const d = r.data;
  report.append(
    el(
      'p',
      `共 ${d.count} 人，抽籤母體 ${d.poolSize} 人。格式 ${d.format ?? ''}${d.encoding ? `，編碼 ${d.encoding}` : ''}${d.sheet ? `，工作表「${d.sheet}」` : ''}`,
    ),
  );
  report.append(el('p', `載入後的名冊摘要：${d.rosterDigest}`));
  const t = el('table', undefined, 'report-table');
  const hr = el('tr');
  for (const h of ['單位', '人數', '抽籤母體']) hr.append(Object.assign(el('th', h), { scope: 'col' }));
  t.append(el('thead'), el('tbody'));
  t.tHead?.append(hr);
  for (const u of d.units) {
    const tr = el('tr');
    tr.append(
      el('td', u.unit || '（未填）'),
      el('td', String(u.count), 'count'),
      el('td', String(u.poolSize), 'count'),
    );
    t.tBodies[0]?.append(tr);
  }
  report.append(t);
  if (d.warnings.length) report.append(problemList('提醒', d.warnings, 'warnings'));
  pending = file;
  confirm.hidden = false;
}

onFiles('file', 'dropzone', (files) => {
  if (files[0]) void dryRun(files[0]);
});
document.getElementById('confirm-load')?.addEventListener('click', async () => {
  if (!pending) return;
  const r = await api<Report>(
    'PUT',
    `/api/v1/lotteries/${encodeURIComponent(lottery)}/roster`,
    pending,
    pending.type || 'application/octet-stream',
  );
  const report = document.getElementById('report');
  if (r.ok) location.reload();
  else
    report?.replaceChildren(
      el('p', `${r.data.message?.zh ?? '載入失敗'}（${r.data.code ?? r.status}）`, 'error'),
    );
});

// Search the roster table.
const search = document.getElementById('search') as HTMLInputElement | null;
search?.addEventListener('input', () => {
  const q = search.value.trim().toLowerCase();
  for (const tr of Array.from(document.querySelectorAll<HTMLTableRowElement>('#roster-table tbody tr'))) {
    const inputs = Array.from(tr.querySelectorAll('input')).map((i) => i.value);
    tr.hidden = q !== '' && !`${tr.textContent ?? ''} ${inputs.join(' ')}`.toLowerCase().includes(q);
  }
});

// Inline exclusion reasons.
for (const f of Array.from(document.querySelectorAll<HTMLFormElement>('form.exclude'))) {
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const entry = f.dataset.entry ?? '';
    const value = (f.elements.namedItem('excluded') as HTMLInputElement).value.trim();
    const r = await api(
      'PATCH',
      `/api/v1/lotteries/${encodeURIComponent(lottery)}/roster/${encodeURIComponent(entry)}`,
      { excluded: value === '' ? null : value },
    );
    const note = f.querySelector('.note') ?? f.appendChild(el('span', '', 'note'));
    note.textContent = r.ok ? '已儲存' : `${r.data.message?.zh ?? '失敗'}`;
    note.className = r.ok ? 'note ok' : 'note bad';
    // The pool size and the lock arithmetic changed: show the numbers that will be locked.
    if (r.ok) {
      const h = document.getElementById('h-roster');
      const d = r.data as { count?: number; poolSize?: number };
      if (h && d.count !== undefined) h.textContent = `名冊（${d.count} 人，抽籤母體 ${d.poolSize ?? 0} 人）`;
      const lock = document.querySelector('#h-lock + details');
      if (lock) lock.replaceChildren(el('p', '名冊已變更：請重新整理頁面後再鎖定，以確認最新的抽籤人數。'));
    }
  });
}
