/**
 * What the public may see of a declarant who was drawn: the public API, the public verification page and the
 * public copy of the record all go through here, so an office's choice (LOTTERY_PUBLIC_FIELDS) holds
 * everywhere at once. Agencies post results on their sites; some post the full name, unit and title, others
 * follow the 個人資料保護法 practice of masking names as 王○明.
 */

export type PublicField = 'name' | 'name:masked' | 'unit' | 'title';

export const PUBLIC_FIELDS: readonly PublicField[] = ['name', 'name:masked', 'unit', 'title'];

export const DEFAULT_PUBLIC_FIELDS: readonly PublicField[] = ['name', 'unit', 'title'];

/** Reads a comma-separated list such as `name:masked,unit`. Throws an Error naming the bad token. */
export function parsePublicFields(text: string): PublicField[] {
  const fields: PublicField[] = [];
  for (const raw of text.split(',')) {
    const f = raw.trim();
    if (f === '') continue;
    const known = PUBLIC_FIELDS.find((k) => k === f);
    if (!known) throw new Error(`unknown field ${f} (use name, name:masked, unit, title)`);
    if (!fields.includes(known)) fields.push(known);
  }
  if (fields.includes('name') && fields.includes('name:masked'))
    throw new Error('name and name:masked exclude each other');
  return fields;
}

/** The columns a public table shows, in a fixed order whatever order the setting lists them in. */
export function publicColumns(fields: readonly PublicField[]): Array<'name' | 'unit' | 'title'> {
  const cols: Array<'name' | 'unit' | 'title'> = [];
  if (fields.includes('name') || fields.includes('name:masked')) cols.push('name');
  if (fields.includes('unit')) cols.push('unit');
  if (fields.includes('title')) cols.push('title');
  return cols;
}

/** Separators inside a name that stay visible: spaces and the middle dots of indigenous and foreign names. */
const SEPARATOR = /^[\s·‧・•.-]$/u;

/**
 * 王小明 → 王○明, 王明 → 王○, 歐陽小明 → 歐○○明, 瓦歷斯·諾幹 → 瓦○○·○幹: the first and last characters
 * stay, every other character (by code point, so a supplementary-plane character is one) becomes ○, and
 * separators stay so the shape of the name is kept. A one-character name is masked whole.
 */
export function maskName(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= 1) return chars.length === 0 ? '' : '○';
  if (chars.length === 2) return `${chars[0] ?? ''}○`;
  return chars.map((c, i) => (i === 0 || i === chars.length - 1 || SEPARATOR.test(c) ? c : '○')).join('');
}

export interface PublicPerson {
  id: string;
  name?: string;
  unit?: string;
  title?: string;
}

/** A drawn declarant as the public may see them; the id is always shown, since the bundle names winners by id. */
export function publicPerson(
  p: { id: string; name: string; unit?: string | undefined; title?: string | undefined },
  fields: readonly PublicField[],
): PublicPerson {
  const out: PublicPerson = { id: p.id };
  if (fields.includes('name')) out.name = p.name;
  else if (fields.includes('name:masked')) out.name = maskName(p.name);
  if (fields.includes('unit') && p.unit !== undefined) out.unit = p.unit;
  if (fields.includes('title') && p.title !== undefined) out.title = p.title;
  return out;
}
