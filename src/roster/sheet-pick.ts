import { eachTag } from './xml-tags';
import type { ZipPart } from './zip';

/**
 * The one worksheet part the import will read (the `?sheet=` named, else the first visible one, as xlsx.ts
 * picks it), found from xl/workbook.xml and its relationships. exceljs builds every worksheet it is given: a
 * 2.9 MB file of 1,000 sheets × 250 rows held 480 MB for 15 s although one sheet is read. The others are
 * emptied in the copy exceljs reads (their names and states stay, for the hidden-sheet warning). Undefined when
 * the part cannot be told: then every sheet is kept, and the budget still bounds them all.
 */
export function sheetToRead(entries: readonly ZipPart[], sheetName: string | undefined): string | undefined {
  const part = (name: string): string | undefined =>
    entries.find((e) => e.name === name)?.data.toString('utf8');
  const workbook = part('xl/workbook.xml');
  const rels = part('xl/_rels/workbook.xml.rels');
  if (workbook === undefined || rels === undefined) return undefined;
  const sheets: Array<{ name?: string; state?: string; rid?: string }> = [];
  eachTag(workbook, new Set(['sheet']), (t) => {
    if (t.local === 'sheet' && !t.end)
      sheets.push({ name: t.attrs.get('name'), state: t.attrs.get('state'), rid: t.attrs.get('id') });
  });
  const targets = new Map<string, string>();
  eachTag(rels, new Set(['Relationship']), (t) => {
    const [rid, target] = [t.attrs.get('Id'), t.attrs.get('Target')];
    if (t.local === 'Relationship' && !t.end && rid !== undefined && target !== undefined)
      targets.set(rid, target);
  });
  const picked =
    sheetName !== undefined
      ? sheets.find((s) => s.name === sheetName)
      : sheets.find((s) => s.state === undefined || s.state === 'visible');
  const target = picked?.rid === undefined ? undefined : targets.get(picked.rid);
  if (target === undefined) return undefined;
  const name = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
  return entries.some((e) => e.name === name) ? name : undefined;
}

/** What an emptied worksheet holds: nothing, so exceljs builds an empty sheet for it. */
export const EMPTY_WORKSHEET =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>';
