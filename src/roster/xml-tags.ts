/**
 * The tags of an XML part, read as an XML parser reads them, for the xlsx budget (budget.ts). The budget used to
 * find tags with `<mergeCell[^>]*`, which stops at a `>` inside a quoted attribute value: `<mergeCell a=">"
 * ref="A1:XFD1048576"/>` went past it and exceljs (whose parser reads the tag whole) built 17 billion cells. So
 * the budget reads exactly what exceljs's parser (saxes) will read: quoted values in either quote with `>` inside,
 * comments, CDATA and processing instructions skipped as text, entity references decoded. Whatever this reader
 * does not understand is refused (fail closed), never guessed: a DOCTYPE (it could declare entities), a `<` in
 * a value, an unknown entity, a duplicate attribute (two readers may take different ones), an unclosed tag.
 */

export class XmlUnreadable extends Error {}

export interface XmlTag {
  /** The local name, without a namespace prefix (`x:mergeCell` → `mergeCell`). */
  local: string;
  /** True for an end tag (`</sheetData>`). */
  end: boolean;
  /** True for an empty-element tag (`<c/>`). */
  selfClosing: boolean;
  /** Where the tag starts (its `<`) and the index just after its `>`. */
  start: number;
  stop: number;
  /**
   * Attributes by local name (`x:ref` is `ref`); values with entities decoded. Only read for the elements the
   * caller asks for (`wanted`); others get an empty map, after their attributes were still checked for quoting.
   */
  attrs: Map<string, string>;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeValue(raw: string): string {
  if (raw.includes('<')) throw new XmlUnreadable('a "<" inside an attribute value');
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&]{0,10});|&/g, (whole, name: string | undefined) => {
    if (name === undefined) throw new XmlUnreadable('a bare "&" in an attribute value');
    const named = ENTITIES[name];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (!m) throw new XmlUnreadable(`an unknown entity &${name.slice(0, 10)};`);
    const code = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0)
      throw new XmlUnreadable('a character reference outside Unicode');
    return String.fromCodePoint(code);
  });
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isNameChar = (c: number): boolean =>
  !isSpace(c) && c !== 0x3e && c !== 0x2f && c !== 0x3d && c !== 0x3c && c !== 0x22 && c !== 0x27 && c > 0;

/** Skips `<!-- -->`, `<![CDATA[ ]]>` and `<? ?>`; returns the index after them, or -1 when i is none of them. */
function skipMarkup(xml: string, i: number): number {
  const skipTo = (close: string, from: number): number => {
    const end = xml.indexOf(close, from);
    if (end < 0) throw new XmlUnreadable(`an unclosed ${close} construct`);
    return end + close.length;
  };
  if (xml.startsWith('<!--', i)) return skipTo('-->', i + 4);
  if (xml.startsWith('<![CDATA[', i)) return skipTo(']]>', i + 9);
  if (xml.startsWith('<?', i)) return skipTo('?>', i + 2);
  if (xml.startsWith('<!', i)) throw new XmlUnreadable('a DOCTYPE or other declaration');
  return -1;
}

/**
 * Calls `visit` for every start, empty and end tag of `xml`, in order. `wanted` names the local names whose
 * attributes are collected. A `visit` that returns a number moves the reader there (to skip a cut element).
 */
export function eachTag(
  xml: string,
  wanted: ReadonlySet<string>,
  visit: (tag: XmlTag) => number | void,
): void {
  let i = xml.indexOf('<');
  while (i >= 0) {
    const skipped = skipMarkup(xml, i);
    if (skipped >= 0) {
      i = xml.indexOf('<', skipped);
      continue;
    }
    const tag = readTag(xml, i, wanted);
    const next = visit(tag);
    i = xml.indexOf('<', typeof next === 'number' ? next : tag.stop);
  }
}

function readTag(xml: string, start: number, wanted: ReadonlySet<string>): XmlTag {
  let i = start + 1;
  const end = xml.charCodeAt(i) === 0x2f;
  if (end) i++;
  const nameFrom = i;
  while (i < xml.length && isNameChar(xml.charCodeAt(i))) i++;
  const name = xml.slice(nameFrom, i);
  if (name === '') throw new XmlUnreadable('a "<" that starts no tag');
  const local = name.slice(name.lastIndexOf(':') + 1);
  const collect = wanted.has(local) && !end;
  const attrs = new Map<string, string>();
  for (;;) {
    const spaced = i < xml.length && isSpace(xml.charCodeAt(i));
    while (i < xml.length && isSpace(xml.charCodeAt(i))) i++;
    const c = xml.charCodeAt(i);
    if (i >= xml.length) throw new XmlUnreadable(`an unclosed tag <${name.slice(0, 40)}`);
    if (c === 0x3e) return { local, end, selfClosing: false, start, stop: i + 1, attrs };
    if (c === 0x2f && xml.charCodeAt(i + 1) === 0x3e && !end)
      return { local, end, selfClosing: true, start, stop: i + 2, attrs };
    if (end || !spaced) throw new XmlUnreadable(`a malformed tag <${name.slice(0, 40)}`);
    const attrFrom = i;
    while (i < xml.length && isNameChar(xml.charCodeAt(i))) i++;
    const attrName = xml.slice(attrFrom, i);
    while (i < xml.length && isSpace(xml.charCodeAt(i))) i++;
    if (attrName === '' || xml.charCodeAt(i) !== 0x3d)
      throw new XmlUnreadable(`an attribute without a value in <${name.slice(0, 40)}`);
    i++;
    while (i < xml.length && isSpace(xml.charCodeAt(i))) i++;
    const q = xml.charCodeAt(i);
    if (q !== 0x22 && q !== 0x27) throw new XmlUnreadable(`an unquoted attribute in <${name.slice(0, 40)}`);
    const close = xml.indexOf(q === 0x22 ? '"' : "'", i + 1);
    if (close < 0) throw new XmlUnreadable(`an unclosed attribute value in <${name.slice(0, 40)}`);
    const raw = xml.slice(i + 1, close);
    i = close + 1;
    if (raw.includes('<')) throw new XmlUnreadable('a "<" inside an attribute value');
    if (collect && !attrName.startsWith('xmlns')) {
      // By local name: `x:ref` and `ref` are the same to a reader that ignores namespaces; both present is a
      // duplicate, refused, so no reader can pick one the budget did not count.
      const key = attrName.slice(attrName.lastIndexOf(':') + 1);
      if (attrs.has(key)) throw new XmlUnreadable(`a duplicate attribute ${key} in <${name.slice(0, 40)}`);
      attrs.set(key, decodeValue(raw));
    }
  }
}
