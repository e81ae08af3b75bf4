/**
 * A Big5 (CP950) encoder, for the CSV that Excel on a Taiwanese Windows opens without asking. Node decodes Big5
 * (TextDecoder('big5')) but does not encode it, so the encoder is the decoder run backwards: every two-byte code
 * of CP950's ranges is decoded once, on first use, into a map from character to code.
 *
 * Only CP950's ranges are mapped, not all that the WHATWG decoder reads: its HKSCS extension (lead bytes 0x81–0xA0,
 * 0xFA–0xFE) and the ETEN block C6A1–C8FE decode to characters that a Windows CP950 reader shows as private-use
 * glyphs, so a name written there would be misread without warning. A character outside the map is not written
 * as '?' or dropped: the caller gets the list of them and refuses the file (a misspelt name in an official list
 * is worse than no file).
 */

let reverse: Map<string, number> | undefined;

/** Lead and trail bytes of CP950's double-byte characters, as the decoder is asked about them. */
function* cp950Codes(): Generator<number> {
  for (let lead = 0xa1; lead <= 0xf9; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail > 0x7e && trail < 0xa1) continue;
      const code = (lead << 8) | trail;
      // Symbols end at A3BF; A3E1 is the euro sign CP950 added.
      if (lead === 0xa3 && trail > 0xbf && code !== 0xa3e1) continue;
      // C6A1–C8FE: not CP950 (the ETEN extension; Windows reads it as private use).
      if ((lead === 0xc6 && trail >= 0xa1) || lead === 0xc7 || lead === 0xc8) continue;
      yield code;
    }
  }
}

function big5Map(): Map<string, number> {
  if (reverse) return reverse;
  const decoder = new TextDecoder('big5', { fatal: true });
  const m = new Map<string, number>();
  const pair = new Uint8Array(2);
  for (const code of cp950Codes()) {
    pair[0] = code >> 8;
    pair[1] = code & 0xff;
    let ch: string;
    try {
      ch = decoder.decode(pair);
    } catch {
      continue;
    }
    // The first code wins for a character with two (兀 A461 and C94A): the one CP950 itself encodes to.
    if (Array.from(ch).length === 1 && !m.has(ch)) m.set(ch, code);
  }
  reverse = m;
  return m;
}

export interface Unencodable {
  /** The character, as one code point. */
  char: string;
  /** U+XXXX. */
  codePoint: string;
  /** Where it was: the caller's label (a row number, a column). */
  index: number;
}

const label = (ch: string): string =>
  `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Characters of `text` that Big5 cannot write, each with its code point index in the text. */
export function big5Unencodable(text: string): Unencodable[] {
  const m = big5Map();
  const out: Unencodable[] = [];
  let i = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x80 && !m.has(ch)) out.push({ char: ch, codePoint: label(ch), index: i });
    i++;
  }
  return out;
}

/** Encodes `text` as Big5 (CP950). Throws a RangeError on a character it cannot write: check first. */
export function encodeBig5(text: string): Buffer {
  const m = big5Map();
  const out = Buffer.alloc(text.length * 2);
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) {
      out[n++] = cp;
      continue;
    }
    const code = m.get(ch);
    if (code === undefined) throw new RangeError(`${label(ch)} has no Big5 code`);
    out[n++] = code >> 8;
    out[n++] = code & 0xff;
  }
  return out.subarray(0, n);
}
