import { el, onFiles, said, tr, tryApi, withCode, type Problem } from './api';
import { errorSentence, fieldLabel, problemSentence } from '../http/pages/sentences';
import { diffSection, headerSentence, type Diff } from './roster-diff';

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
  headerRow?: number;
  headerRows?: number[];
  diff?: Diff;
}

const upload = document.getElementById('upload');
const lottery = upload?.dataset.lottery ?? document.getElementById('roster-table')?.dataset.lottery ?? '';
let pending: File | undefined;
/** The digest the dry run reported: the confirmed load must load exactly that (409 otherwise). */
let pendingDigest: string | undefined;

function problemList(title: string, items: NonNullable<Problem['errors']>, cls: string): HTMLElement {
  const s = el('div');
  s.append(el('h3', tr(`${title}（${items.length}）`, `${title} (${items.length})`)));
  const t = el('table', undefined, cls);
  const head = el('tr');
  for (const h of [tr('列', 'Row'), tr('欄', 'Column'), tr('欄位', 'Field'), tr('說明', 'Problem')])
    head.append(Object.assign(el('th', h), { scope: 'col' }));
  t.append(el('thead'), el('tbody'));
  t.tHead?.append(head);
  for (const p of items.slice(0, 200)) {
    const row = el('tr');
    row.append(
      el('td', p.row === undefined ? '' : String(p.row)),
      el('td', p.column ?? ''),
      el('td', said(fieldLabel(p.field), '')),
      el('td', withCode(said(problemSentence(p), ''), p.code)),
    );
    t.tBodies[0]?.append(row);
  }
  s.append(t);
  return s;
}

async function dryRun(file: File): Promise<void> {
  const report = document.getElementById('report');
  const confirm = document.getElementById('confirm-load');
  if (!report || !confirm) return;
  report.replaceChildren(el('p', tr(`檢查 ${file.name} 中…`, `Checking ${file.name}…`)));
  confirm.hidden = true;
  const r = await tryApi<Report>(
    'PUT',
    `/api/v1/lotteries/${encodeURIComponent(lottery)}/roster?dryRun=1`,
    file,
    file.type || 'application/octet-stream',
  );
  report.replaceChildren();
  if (!r.ok) {
    report.append(
      el(
        'p',
        withCode(
          said(r.data.message ? errorSentence(r.data) : undefined, tr('無法載入', 'Cannot load')),
          r.data.code ?? r.status,
        ),
        'error',
      ),
    );
    if (r.data.errors?.length) report.append(problemList(tr('錯誤', 'Errors'), r.data.errors, 'errors'));
    if (r.data.warnings?.length)
      report.append(problemList(tr('提醒', 'Warnings'), r.data.warnings, 'warnings'));
    return;
  }
  const d = r.data;
  report.append(
    el(
      'p',
      tr(
        `共 ${d.count} 人，抽籤母體 ${d.poolSize} 人。格式 ${d.format ?? ''}${d.encoding ? `，編碼 ${d.encoding}` : ''}${d.sheet ? `，工作表「${d.sheet}」` : ''}`,
        `${d.count} people, a pool of ${d.poolSize}. Format ${d.format ?? ''}${d.encoding ? `, encoding ${d.encoding}` : ''}${d.sheet ? `, sheet “${d.sheet}”` : ''}`,
      ),
    ),
  );
  if (d.headerRow !== undefined) report.append(headerSentence(d.headerRow, d.headerRows));
  report.append(el('p', `${tr('載入後的名冊摘要：', 'Roster digest once loaded: ')}${d.rosterDigest}`));
  if (d.diff) report.append(diffSection(d.diff));
  const t = el('table', undefined, 'report-table');
  const hr = el('tr');
  for (const h of [tr('單位', 'Unit'), tr('人數', 'People'), tr('抽籤母體', 'Pool')])
    hr.append(Object.assign(el('th', h), { scope: 'col' }));
  t.append(el('thead'), el('tbody'));
  t.tHead?.append(hr);
  for (const u of d.units) {
    const row = el('tr');
    row.append(
      el('td', u.unit || tr('（未填）', '(none)')),
      el('td', String(u.count), 'count'),
      el('td', String(u.poolSize), 'count'),
    );
    t.tBodies[0]?.append(row);
  }
  report.append(t);
  if (d.warnings.length) report.append(problemList(tr('提醒', 'Warnings'), d.warnings, 'warnings'));
  pending = file;
  pendingDigest = d.rosterDigest;
  confirm.hidden = false;
}

onFiles('file', 'dropzone', (files) => {
  if (files[0]) void dryRun(files[0]);
});
document.getElementById('confirm-load')?.addEventListener('click', async () => {
  if (!pending) return;
  const r = await tryApi<Report>(
    'PUT',
    `/api/v1/lotteries/${encodeURIComponent(lottery)}/roster${pendingDigest ? `?expect=${pendingDigest}` : ''}`,
    pending,
    pending.type || 'application/octet-stream',
  );
  const report = document.getElementById('report');
  if (r.ok) location.reload();
  else
    report?.replaceChildren(
      el(
        'p',
        withCode(
          said(r.data.message ? errorSentence(r.data) : undefined, tr('載入失敗', 'Loading failed')),
          r.data.code ?? r.status,
        ),
        'error',
      ),
    );
});

// Search the roster table.
const search = document.getElementById('search') as HTMLInputElement | null;
search?.addEventListener('input', () => {
  const q = search.value.trim().toLowerCase();
  for (const row of Array.from(document.querySelectorAll<HTMLTableRowElement>('#roster-table tbody tr'))) {
    const inputs = Array.from(row.querySelectorAll('input')).map((i) => i.value);
    row.hidden = q !== '' && !`${row.textContent ?? ''} ${inputs.join(' ')}`.toLowerCase().includes(q);
  }
});

// Inline exclusion reasons.
for (const f of Array.from(document.querySelectorAll<HTMLFormElement>('form.exclude'))) {
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const entry = f.dataset.entry ?? '';
    const value = (f.elements.namedItem('excluded') as HTMLInputElement).value.trim();
    const r = await tryApi(
      'PATCH',
      `/api/v1/lotteries/${encodeURIComponent(lottery)}/roster/${encodeURIComponent(entry)}`,
      { excluded: value === '' ? null : value },
    );
    const note = f.querySelector('.note') ?? f.appendChild(el('span', '', 'note'));
    // A refusal as a sentence about the field (sentences.ts): never a field path.
    const first = r.ok ? undefined : r.data.errors?.[0];
    note.textContent = r.ok
      ? tr('已儲存', 'Saved')
      : said(first ? problemSentence(first) : r.data.message && errorSentence(r.data), tr('失敗', 'Failed'));
    note.className = r.ok ? 'note ok' : 'note bad';
    // The pool size and the lock arithmetic changed: show the numbers that will be locked.
    if (r.ok) {
      const h = document.getElementById('h-roster');
      const d = r.data as { count?: number; poolSize?: number };
      if (h && d.count !== undefined)
        h.textContent = tr(
          `名冊（${d.count} 人，抽籤母體 ${d.poolSize ?? 0} 人）`,
          `Roster (${d.count} people, pool of ${d.poolSize ?? 0})`,
        );
      // The rates and the lock confirmation were worked out for the old pool: say so rather than show stale sums.
      const stale = tr(
        '名冊已變更：請重新整理頁面後再鎖定，以確認最新的抽籤人數。',
        'The roster changed: reload the page before locking, to see the quotas for the new pool.',
      );
      document.querySelector('#h-lock + details')?.replaceWith(el('p', stale, 'note stale'));
      const rules = document.getElementById('h-rules')?.parentElement;
      if (rules && !rules.querySelector('.stale')) rules.append(el('p', stale, 'note stale'));
    }
  });
}
