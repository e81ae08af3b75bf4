import iconv from 'iconv-lite';
import { LotteryError } from '../domain/errors';

/**
 * Text roster files as Windows offices save them. The order matters and is documented in docs/roster-formats.md:
 * a charset parameter wins; then a BOM; then bytes that are valid UTF-8; otherwise CP950 (Windows Big5), which is
 * what Excel's "CSV" save writes on a Traditional Chinese Windows. Node's TextDecoder('big5') is CP950 (it maps
 * the user-defined area, e.g. FB69, to private-use code points); iconv-lite's big5 is HKSCS.
 *
 * Decoding is strict: a byte sequence that does not decode is an error naming its line, never U+FFFD, since a
 * replaced character in a name prints a different person.
 */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'cp950' | 'big5-hkscs';

export interface Decoded {
  text: string;
  encoding: Encoding;
  /** UTF-16 text files are Excel's "Unicode text": tab-separated. */
  tabSeparated: boolean;
}

const CHARSETS: Record<string, Encoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  big5: 'cp950',
  cp950: 'cp950',
  ms950: 'cp950',
  'x-big5': 'cp950',
  'windows-950': 'cp950',
  'big5-hkscs': 'big5-hkscs',
};

function undecodable(row: number | undefined, encoding: Encoding): LotteryError {
  const where = row === undefined ? '' : `第 ${row} 列`;
  return new LotteryError(
    'UNDECODABLE',
    {
      zh: `${where}有無法以 ${encoding} 解碼的位元組；請確認檔案編碼`,
      en: `${row === undefined ? 'The file has' : `Row ${row} has`} bytes that do not decode as ${encoding}; check the file's encoding`,
    },
    {
      problems: [
        {
          ...(row === undefined ? {} : { row }),
          field: 'file',
          code: 'UNDECODABLE',
          message: { zh: `無法以 ${encoding} 解碼`, en: `does not decode as ${encoding}` },
        },
      ],
    },
  );
}

function decodeStrict(bytes: Uint8Array, encoding: Encoding): string {
  if (encoding === 'big5-hkscs') {
    const s = iconv.decode(Buffer.from(bytes), 'big5hkscs');
    if (s.includes('\ufffd')) throw new Error('undecodable');
    return s;
  }
  const label = encoding === 'cp950' ? 'big5' : encoding;
  return new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes);
}

/** Finds the first line (1-based) that does not decode, splitting on LF bytes (never a CP950 trail byte). */
function firstBadLine(bytes: Uint8Array, encoding: Encoding): number | undefined {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return undefined;
  let start = 0;
  let line = 1;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decodeStrict(bytes.subarray(start, i), encoding);
      } catch {
        return line;
      }
      start = i + 1;
      line++;
    }
  }
  return undefined;
}

function decodeAs(bytes: Uint8Array, encoding: Encoding): string {
  try {
    return decodeStrict(bytes, encoding);
  } catch {
    throw undecodable(firstBadLine(bytes, encoding), encoding);
  }
}

export function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m?.[1]?.toLowerCase();
}

export function decodeText(bytes: Uint8Array, contentType: string | undefined): Decoded {
  const declared = charsetOf(contentType);
  if (declared !== undefined) {
    const enc = CHARSETS[declared];
    if (!enc)
      throw new LotteryError('UNSUPPORTED_MEDIA_TYPE', {
        zh: `不支援的字元編碼 ${declared}；請用 UTF-8 或 Big5`,
        en: `Unsupported charset ${declared}; use UTF-8 or Big5`,
      });
    let b = bytes;
    if (enc === 'utf-16le' && bytes[0] === 0xfe && bytes[1] === 0xff) return decodeText(bytes, undefined);
    if (enc === 'utf-8' && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) b = bytes.subarray(3);
    const text = decodeAs(b, enc).replace(/^\uFEFF/, '');
    return { text, encoding: enc, tabSeparated: enc.startsWith('utf-16') };
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { text: decodeAs(bytes.subarray(3), 'utf-8'), encoding: 'utf-8', tabSeparated: false };
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: decodeAs(bytes.subarray(2), 'utf-16le'), encoding: 'utf-16le', tabSeparated: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: decodeAs(bytes.subarray(2), 'utf-16be'), encoding: 'utf-16be', tabSeparated: true };
  try {
    return { text: decodeStrict(bytes, 'utf-8'), encoding: 'utf-8', tabSeparated: false };
  } catch {
    return { text: decodeAs(bytes, 'cp950'), encoding: 'cp950', tabSeparated: false };
  }
}
