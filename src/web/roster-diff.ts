import { el, said, tr } from './api';
import { fieldLabel } from '../http/pages/sentences';

/**
 * The dry run's comparison with the roster already loaded (issue 12), in plain words: who is added, removed or
 * changed, and what happens to the exclusion reasons typed on the page. The shape is docs/api.md's `diff`.
 */
interface Person {
  id: string;
  name: string;
}
export interface Diff {
  previous: { count: number; rosterDigest: string | null };
  added: Person[];
  removed: Person[];
  changed: Array<Person & { fields: Array<string | { field: string; from: string; to: string }> }>;
  exclusions: {
    kept: Array<Person & { reason: string }>;
    dropped: Array<Person & { reason: string; removed: boolean; why?: string; now?: string }>;
    changed: Array<Person & { from: string | null; to: string }>;
  };
  keptReasons: boolean;
  matchedBy?: 'id' | 'name-unit';
  counts: Record<'added' | 'removed' | 'changed' | 'kept' | 'dropped' | 'exclusionsChanged', number>;
  truncated: boolean;
}

const who = (p: Person): string => `${p.id} ${p.name}`;
const q = (s: string): string => tr(`「${s}」`, `“${s}”`);

function list(title: string, cls: string, items: string[]): HTMLElement {
  const s = el('div', undefined, `diff-list ${cls}`);
  s.append(el('h4', title));
  const ul = el('ul');
  for (const text of items) ul.append(el('li', text));
  s.append(ul);
  return s;
}

/** The header row the file was read from: "read row 2 as the header (rows 1–2 combined)". */
export function headerSentence(headerRow: number, rows: readonly number[] | undefined): HTMLElement {
  const span = rows && rows.length > 1 ? `${rows[0]}–${rows[rows.length - 1]}` : '';
  const p = el(
    'p',
    span
      ? tr(
          `以第 ${headerRow} 列為標題列（合併第 ${span} 列）`,
          `Read row ${headerRow} as the header (rows ${span} combined)`,
        )
      : tr(`以第 ${headerRow} 列為標題列`, `Read row ${headerRow} as the header`),
  );
  p.id = 'report-header-row';
  return p;
}

/** 「單位 會計室 → 秘書處」: the office checks the new value against the old, not only that one changed. */
function fieldChange(f: string | { field: string; from: string; to: string }): string {
  if (typeof f === 'string') return said(fieldLabel(f), f); // an answer from before the values were listed
  const v = (s: string): string => (s === '' ? tr('（空白）', '(blank)') : s);
  return `${said(fieldLabel(f.field), f.field)} ${v(f.from)} → ${v(f.to)}`;
}

function droppedWhy(e: Diff['exclusions']['dropped'][number]): string {
  if (e.why === 'NAME_CHANGED')
    return tr(
      `（編號 ${e.id} 的姓名已變為 ${e.now ?? ''}，原因未保留）`,
      ` (id ${e.id} is now ${e.now ?? ''}: not kept)`,
    );
  if (e.why === 'NOT_UNIQUE')
    return tr(
      '（無編號欄且姓名與單位重複，無法確認是誰）',
      ' (no id column and the name and unit are shared)',
    );
  return e.removed
    ? tr('（此人已不在名冊）', ' (no longer on the roster)')
    : tr('（檔案未填）', ' (blank in the file)');
}

export function diffSection(d: Diff): HTMLElement {
  const s = el('section');
  s.id = 'report-diff';
  const c = d.counts;
  s.append(
    el(
      'h3',
      tr(
        `與目前名冊（${d.previous.count} 人）比較`,
        `Compared with the current roster (${d.previous.count} people)`,
      ),
    ),
    el(
      'p',
      c.added + c.removed + c.changed === 0
        ? tr('人員與資料均未變更', 'The same people, with the same particulars')
        : tr(
            `新增 ${c.added} 人、移除 ${c.removed} 人、資料變更 ${c.changed} 人`,
            `${c.added} added, ${c.removed} removed, ${c.changed} changed`,
          ),
      'diff-summary',
    ),
  );
  const reasons = d.keptReasons
    ? tr(
        `檔案沒有「排除原因」欄：保留頁面上已輸入的 ${c.kept} 筆不列入抽籤原因（${d.matchedBy === 'name-unit' ? '檔案無編號欄，依姓名與單位對應' : '依編號與姓名對應'}）`,
        `The file has no excluded column: kept ${c.kept} exclusion${c.kept === 1 ? '' : 's'} typed on the page (${d.matchedBy === 'name-unit' ? 'no id column: matched by name and unit' : 'matched by id and name'})`,
      )
    : tr(
        '檔案有「排除原因」欄：以檔案的內容取代目前的不列入抽籤原因',
        'The file has an excluded column: its reasons replace the current ones',
      );
  const p = el('p', reasons, d.keptReasons ? 'diff-kept' : 'diff-replaced');
  p.id = 'diff-kept-reasons';
  s.append(p);
  if (d.added.length)
    s.append(list(tr(`新增（${c.added}）`, `Added (${c.added})`), 'diff-added', d.added.map(who)));
  if (d.removed.length)
    s.append(list(tr(`移除（${c.removed}）`, `Removed (${c.removed})`), 'diff-removed', d.removed.map(who)));
  if (d.changed.length)
    s.append(
      list(
        tr(`資料變更（${c.changed}）`, `Changed (${c.changed})`),
        'diff-changed',
        d.changed.map((x) => `${who(x)}${tr('：', ': ')}${x.fields.map(fieldChange).join(tr('、', ', '))}`),
      ),
    );
  appendExclusions(s, d);
  if (d.truncated)
    s.append(
      el('p', tr('（清單過長，僅列前 1,000 筆）', '(long lists show their first 1,000 only)'), 'note'),
    );
  return s;
}

function appendExclusions(s: HTMLElement, d: Diff): void {
  const c = d.counts;
  const x = d.exclusions;
  if (x.dropped.length)
    s.append(
      list(
        tr(`將刪除的不列入抽籤原因（${c.dropped}）`, `Exclusions dropped (${c.dropped})`),
        'diff-dropped',
        x.dropped.map((e) => `${who(e)}${tr('：', ': ')}${q(e.reason)}${droppedWhy(e)}`),
      ),
    );
  if (x.changed.length)
    s.append(
      list(
        tr(
          `檔案設定或變更的原因（${c.exclusionsChanged}）`,
          `Exclusions set or changed by the file (${c.exclusionsChanged})`,
        ),
        'diff-exclusion-changed',
        x.changed.map(
          (e) =>
            `${who(e)}${tr('：', ': ')}${e.from === null ? tr('新增', 'new ') : `${q(e.from)} → `}${q(e.to)}`,
        ),
      ),
    );
  if (d.keptReasons && x.kept.length)
    s.append(
      list(
        tr(`保留的原因（${c.kept}）`, `Exclusions kept (${c.kept})`),
        'diff-kept-list',
        x.kept.map((e) => `${who(e)}${tr('：', ': ')}${q(e.reason)}`),
      ),
    );
}
