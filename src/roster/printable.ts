import type { FieldProblem } from '../domain/errors';
import { clean, hasControl } from '../domain/input/text';
import type { RosterInputRow } from '../domain/input/roster';
import { fontHasGlyph } from './font';

/**
 * Characters that will not print as the person's name. The record would show a box, nothing, or (worse) the
 * wrong person, so each is a warning on its row and column for the office to fix before the lock:
 * - private-use characters: Windows 造字 from CP950's user-defined area (e.g. bytes FB69 → U+E0C6), which only
 *   the office's own PCs can display;
 * - characters the record's font (Noto Sans TC) lacks, such as 尘 or 㵘;
 * - a "?" in a name: what Excel's ANSI export writes for a character CP950 lacks.
 */
const FIELDS = ['name', 'unit', 'title', 'category', 'excluded'] as const;

export function codePointLabel(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function printabilityWarnings(rows: readonly RosterInputRow[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const r of rows) {
    for (const f of FIELDS) {
      const v = r.values[f];
      if (typeof v !== 'string') continue;
      const s = clean(v);
      // A value with control or bidi characters is already an error; echoing it in a warning would carry them on.
      if (hasControl(s)) continue;
      const column = r.columns?.[f];
      const at = column === undefined ? { row: r.row, field: f } : { row: r.row, column, field: f };
      const pua = new Set<string>();
      const missing = new Set<string>();
      for (const ch of s) {
        const cp = ch.codePointAt(0) ?? 0;
        if (/\p{Co}/u.test(ch)) pua.add(codePointLabel(cp));
        else if (cp > 0x20 && !/\s/u.test(ch) && !fontHasGlyph(cp))
          missing.add(`${ch} ${codePointLabel(cp)}`);
      }
      if (pua.size > 0)
        out.push({
          ...at,
          code: 'PRIVATE_USE_CHARACTER',
          message: {
            zh: `含造字（${[...pua].join('、')}），其他電腦與紀錄上無法正確顯示；請改用標準字或註明`,
            en: `Contains private-use characters (${[...pua].join(', ')}), which other computers and the record cannot show`,
          },
        });
      if (missing.size > 0)
        out.push({
          ...at,
          code: 'GLYPH_MISSING',
          message: {
            zh: `紀錄字型缺字：${[...missing].join('、')}，紀錄上將以${[...missing].map((x) => `〔${x.split(' ')[1]}〕`).join('、')}表示`,
            en: `The record's font lacks ${[...missing].join(', ')}; the record will print ${[...missing].map((x) => `〔${x.split(' ')[1]}〕`).join(', ')} instead`,
          },
        });
      if (f === 'name' && s.includes('?'))
        out.push({
          ...at,
          code: 'QUESTION_MARK_IN_NAME',
          message: {
            zh: '姓名含「?」，可能是 Excel 匯出時無法轉換的字；請核對原始資料',
            en: 'The name contains "?", which Excel writes for a character it could not convert: check the source',
          },
        });
    }
  }
  return out;
}
