import fs from 'node:fs';
import path from 'node:path';

/**
 * The record's font: Noto Sans TC from @expo-google-fonts/noto-sans-tc, loaded by file path (the package's
 * index.js is for Expo). A name with a character this font lacks would print as a box or vanish from the record,
 * which could make it read as another person: the roster import warns about it, and the record prints
 * `〔U+5C18〕` instead.
 */
export const FONT_PATH = path.join(
  path.dirname(require.resolve('@expo-google-fonts/noto-sans-tc/package.json')),
  '400Regular',
  'NotoSansTC_400Regular.ttf',
);

let charset: Set<number> | undefined;

interface FontkitFont {
  characterSet: number[];
}

/** True when the record's font has a glyph for the code point. Loads the font's character map once. */
export function fontHasGlyph(codePoint: number): boolean {
  if (!charset) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fontkit = require('fontkit') as { create(buf: Buffer): FontkitFont };
    charset = new Set(fontkit.create(fs.readFileSync(FONT_PATH)).characterSet);
  }
  return charset.has(codePoint);
}
