import { pemBody } from './checkpoint';
import { BASE64, ISO_MS, MEETING_DAY_PREFIX } from './grammar';

/**
 * Pure rules of the lottery-draw/v2 ceremony (protocol.md §4.2): the key fingerprint that the notice, the
 * projector and the record print, and the meeting day in Asia/Taipei. No clock here: times are passed in.
 */

/** SHA-256 of raw bytes, lowercase hex: node:crypto on the server and CLI, WebCrypto in the browser. */
export type Sha256Bytes = (bytes: Uint8Array) => string | Promise<string>;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Strict standard base64 (RFC 4648 §4) to bytes, or undefined. Hand-written: the domain runs in the browser too. */
export function base64Bytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n =
      (B64.indexOf(text.charAt(i)) << 18) |
      (B64.indexOf(text.charAt(i + 1)) << 12) |
      ((text.charAt(i + 2) === '=' ? 0 : B64.indexOf(text.charAt(i + 2))) << 6) |
      (text.charAt(i + 3) === '=' ? 0 : B64.indexOf(text.charAt(i + 3)));
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** The DER bytes of a PEM (its base64 body), or undefined when the body is not base64. */
export function pemDer(pem: string): Uint8Array | undefined {
  return base64Bytes(pemBody(pem));
}

/**
 * `SHA256:` + hex SHA-256 of the key's DER SubjectPublicKeyInfo (the base64 body of its SPKI PEM). Printed on the
 * notice and the record, it is what the room and observers pin the verifier to (`--fingerprint`), so that a
 * bundle signed by a stranger's key, which verifies against itself, does not pass.
 */
export async function keyFingerprint(spkiPem: string, sha256Bytes: Sha256Bytes): Promise<string | undefined> {
  const der = pemDer(spkiPem);
  if (!der || der.length === 0) return undefined;
  return `SHA256:${await sha256Bytes(der)}`;
}

/** Synchronous form, for the server. */
export function keyFingerprintSync(spkiPem: string, sha256Bytes: (b: Uint8Array) => string): string {
  const der = pemDer(spkiPem);
  if (!der || der.length === 0) throw new RangeError('not a PEM key');
  return `SHA256:${sha256Bytes(der)}`;
}

const TAIPEI_OFFSET_MS = 8 * 3600 * 1000;

/** Civil date of a day count since 1970-01-01 (H. Hinnant's algorithm): no Date object, so no clock in the core. */
function civil(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * The Taipei date (YYYY-MM-DD) of an instant: Asia/Taipei has been UTC+08:00 without daylight saving since 1979,
 * so a fixed offset is exact for every date this service will see, and needs no time-zone database.
 */
export function taipeiDate(epochMs: number): string {
  return civil(Math.floor((epochMs + TAIPEI_OFFSET_MS) / 86_400_000));
}

/** The Taipei date of a journal `at` (ISO UTC with milliseconds), or undefined when it is malformed. */
export function taipeiDateOfIso(at: string): string | undefined {
  if (!ISO_MS.test(at)) return undefined;
  const [y, mo, d, h] = [
    Number(at.slice(0, 4)),
    Number(at.slice(5, 7)),
    Number(at.slice(8, 10)),
    Number(at.slice(11, 13)),
  ];
  // A real instant only: 02-30 or hour 24 is malformed here, not rolled over into another day.
  const days = daysFromCivil(y, mo, d);
  if (mo < 1 || mo > 12 || h > 23 || civil(days) !== at.slice(0, 10)) return undefined;
  if (Number(at.slice(14, 16)) > 59 || Number(at.slice(17, 19)) > 59) return undefined;
  return civil(days + (h + 8 >= 24 ? 1 : 0));
}

/** The meeting's day: the first 10 characters of `meeting.date` (YYYY-MM-DD or YYYY-MM-DDTHH:MM). */
export function meetingDay(date: unknown): string | undefined {
  return typeof date === 'string' && MEETING_DAY_PREFIX.test(date) ? date.slice(0, 10) : undefined;
}
