import zlib from 'node:zlib';
import { LotteryError } from '../domain/errors';

/**
 * Just enough of the zip format to look inside an uploaded spreadsheet before any library inflates it: which
 * entries it has, and how big they really are. A zip bomb declares small sizes and inflates to gigabytes, so
 * every entry is inflated here against a shared budget, and the first byte over it stops the work (413).
 */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export const MAX_UNCOMPRESSED = 50 * 1024 * 1024;

export class ZipUnreadable extends Error {}

export function isZip(b: Uint8Array): boolean {
  return (
    b.length >= 4 &&
    b[0] === 0x50 &&
    b[1] === 0x4b &&
    (b[2] === 3 || b[2] === 5) &&
    (b[3] === 4 || b[3] === 6)
  );
}

export function isOle2(b: Uint8Array): boolean {
  const sig = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
  return b.length >= 8 && sig.every((x, i) => b[i] === x);
}

export function listZip(buf: Buffer): ZipEntry[] {
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipUnreadable('no end of central directory (truncated?)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50)
      throw new ZipUnreadable('damaged central directory');
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    entries.push({ name, method, compressedSize, size, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function tooLarge(): LotteryError {
  return new LotteryError('PAYLOAD_TOO_LARGE', {
    zh: `試算表解壓縮後超過 ${MAX_UNCOMPRESSED / 1024 / 1024} MB`,
    en: `The spreadsheet is over ${MAX_UNCOMPRESSED / 1024 / 1024} MB uncompressed`,
  });
}

/** Inflates one entry, bounded. */
export function readEntry(buf: Buffer, e: ZipEntry, budget: number): Buffer {
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50)
    throw new ZipUnreadable('damaged local header');
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (data.length < e.compressedSize) throw new ZipUnreadable('truncated entry');
  if (e.method === 0) {
    if (data.length > budget) throw tooLarge();
    return data;
  }
  if (e.method !== 8) throw new ZipUnreadable(`unsupported compression method ${e.method}`);
  try {
    return zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, budget) });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw tooLarge();
    throw new ZipUnreadable('damaged entry');
  }
}

/** Inflates every entry against the 50 MB budget; throws 413 past it. Returns the entries and their sizes. */
export function checkZip(buf: Buffer): ZipEntry[] {
  const entries = listZip(buf);
  let budget = MAX_UNCOMPRESSED;
  for (const e of entries) {
    if (e.size > budget) throw tooLarge();
    const out = readEntry(buf, e, budget);
    budget -= out.length;
  }
  return entries;
}
