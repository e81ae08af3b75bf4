/**
 * What the public may see of a declarant who was drawn: the public API, the public verification page and the
 * public copy of the record all go through here, so an office's choice (LOTTERY_PUBLIC_FIELDS) holds
 * everywhere at once. Agencies post results on their sites; some post the full name, unit and title, others
 * follow the 個人資料保護法 practice of masking names as 王○明.
 */

export type PublicField = 'name' | 'name:masked' | 'name:surname' | 'unit' | 'title';

export const PUBLIC_FIELDS: readonly PublicField[] = ['name', 'name:masked', 'name:surname', 'unit', 'title'];

/** The ways of showing a name; a list may hold at most one of them. */
const NAME_FIELDS: readonly PublicField[] = ['name', 'name:masked', 'name:surname'];

export const DEFAULT_PUBLIC_FIELDS: readonly PublicField[] = ['name', 'unit', 'title'];

/** Reads a comma-separated list such as `name:masked,unit`. Throws an Error naming the bad token. */
export function parsePublicFields(text: string): PublicField[] {
  const fields: PublicField[] = [];
  for (const raw of text.split(',')) {
    const f = raw.trim();
    if (f === '') continue;
    const known = PUBLIC_FIELDS.find((k) => k === f);
    if (!known) throw new Error(`unknown field ${f} (use name, name:masked, name:surname, unit, title)`);
    if (!fields.includes(known)) fields.push(known);
  }
  const names = fields.filter((f) => NAME_FIELDS.includes(f));
  if (names.length > 1) throw new Error(`${names.join(' and ')} exclude each other`);
  return fields;
}

/** The columns a public table shows, in a fixed order whatever order the setting lists them in. */
export function publicColumns(fields: readonly PublicField[]): Array<'name' | 'unit' | 'title'> {
  const cols: Array<'name' | 'unit' | 'title'> = [];
  if (fields.some((f) => NAME_FIELDS.includes(f))) cols.push('name');
  if (fields.includes('unit')) cols.push('unit');
  if (fields.includes('title')) cols.push('title');
  return cols;
}

/**
 * A name's user-perceived characters (grapheme clusters), not code points: 王 with a combining accent is one
 * character, so masking never leaves a bare accent nor counts it as a character of the given name (found from
 * outside). Intl.Segmenter is deterministic and pure (ICU data, no I/O), in Node and in browsers alike.
 */
const segmenter = new Intl.Segmenter('zh-Hant', { granularity: 'grapheme' });
function graphemes(s: string): string[] {
  return Array.from(segmenter.segment(s), (g) => g.segment);
}

/** Separators inside a name that stay visible: spaces and the middle dots of indigenous and foreign names. */
const SEPARATOR = /^[\s·‧・•.-]$/u;

/**
 * 王小明 → 王○明, 王明 → 王○, 歐陽小明 → 歐○○明, 瓦歷斯·諾幹 → 瓦○○·○幹: the first and last characters
 * stay, every other character (by code point, so a supplementary-plane character is one) becomes ○, and
 * separators stay so the shape of the name is kept. A one-character name is masked whole.
 */
export function maskName(name: string): string {
  const chars = graphemes(name);
  if (chars.length <= 1) return chars.length === 0 ? '' : '○';
  if (chars.length === 2) return `${chars[0] ?? ''}○`;
  return chars.map((c, i) => (i === 0 || i === chars.length - 1 || SEPARATOR.test(c) ? c : '○')).join('');
}

/**
 * 王小明 → 王○○, 王明 → 王○, 歐陽小明 → 歐○○○: only the first character stays (Taipei's 個資遮蔽 SOP shows
 * the surname alone). A compound surname (歐陽, 張簡, 司馬) is not guessed: no list of surnames can tell 歐陽
 * from a given name starting 陽 reliably, and a wrong guess would show one character of the given name, so
 * the first code point alone is kept. Code points, not UTF-16 units, so 𠀋 is one character; separators
 * (spaces, middle dots) stay as in maskName so the shape of the name is kept. A one-character name is masked whole.
 */
export function surnameOnly(name: string): string {
  const chars = graphemes(name);
  if (chars.length <= 1) return chars.length === 0 ? '' : '○';
  return chars.map((c, i) => (i === 0 || SEPARATOR.test(c) ? c : '○')).join('');
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
  else if (fields.includes('name:surname')) out.name = surnameOnly(p.name);
  if (fields.includes('unit') && p.unit !== undefined) out.unit = p.unit;
  if (fields.includes('title') && p.title !== undefined) out.title = p.title;
  return out;
}
