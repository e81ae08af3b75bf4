import express, { type Request } from 'express';
import { ENTRY_TYPE, LOTTERY_ID } from '../domain/grammar';
import { MEETING_FIELDS } from '../domain/model';
import { safeEqual, type Session } from '../services/auth';
import { loginCookieValue } from './cookies';

/**
 * What the pages' forms (and the audit page's filter) mean. Every page route reads its input through here, so
 * that a field is parsed one way wherever it is posted; the services then validate it as they would an API body.
 */

/** A page form: url-encoded, small, and few fields (a form is not an upload). */
export const formBody = express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 50 });

type Fields = Record<string, string>;
const fields = (req: Request): Fields => (req.body ?? {}) as Fields;

/** A form carries its session's CSRF token in `_csrf`: a cookie alone is what a cross-site form would send. */
export function csrfOk(req: Request, s: Session): boolean {
  const t: unknown = (req.body as Record<string, unknown> | undefined)?._csrf;
  return typeof t === 'string' && safeEqual(t, s.csrf);
}

/**
 * Where a page may send the browser next: only a path on this site, with an optional query. "//host" or
 * "/\host" would send the browser elsewhere, and so would any scheme, so neither a second slash or backslash
 * after the first, nor a colon, nor whitespace is allowed. One rule for the language switch and for sign-in.
 */
export function localPath(next: unknown, fallback: string): string {
  return typeof next === 'string' && /^\/(?![/\\])[A-Za-z0-9/_\-?=&.%]*$/.test(next) ? next : fallback;
}

/**
 * The sign-in form's CSRF check (issue 12): the hidden `_login` field must equal the SameSite=Strict cookie GET
 * /login set (double submit), compared in constant time. A cross-site form can send neither.
 */
export function loginTokenOk(req: Request): boolean {
  const t: unknown = (req.body as Record<string, unknown> | undefined)?._login;
  const c = loginCookieValue(req);
  return typeof t === 'string' && t.length >= 20 && c !== undefined && safeEqual(t, c);
}

/**
 * Whether a request's Origin header, when a browser sent one, is this site: the origin it was asked at (scheme and
 * Host) or the configured public URL's. `Origin: null` (a sandboxed frame, a file://, a redirect chain) is refused.
 * No Origin at all is left to the CSRF token: older browsers omit it on same-origin POSTs.
 */
export function originOk(req: Request, publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const allowed = new Set([`${req.protocol}://${req.get('host') ?? ''}`]);
  try {
    allowed.add(new URL(publicUrl).origin);
  } catch {
    // A malformed public URL allows nothing more.
  }
  return origin !== 'null' && allowed.has(origin);
}

/** The sign-in form. */
export function loginForm(req: Request): { username: string; password: string; next: string } {
  const b = (req.body ?? {}) as Record<string, unknown>;
  return {
    username: typeof b.username === 'string' ? b.username : '',
    password: typeof b.password === 'string' ? b.password : '',
    next: localPath(b.next, '/lotteries'),
  };
}

/** Witnesses (見證人) are typed one a line, or separated by 、 or commas. */
const witnessList = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/[\n、,，]/)
    .map((w) => w.trim())
    .filter((w) => w !== '');

/** The meeting particulars a form filled in (`meeting_name`…); empty fields are left out. */
function meetingFields(b: Fields): Record<string, unknown> {
  const meeting: Record<string, unknown> = {};
  for (const k of MEETING_FIELDS) if (b[`meeting_${k}`]) meeting[k] = b[`meeting_${k}`];
  return meeting;
}

/** The new-lottery form, as the body POST /api/v1/lotteries takes. */
export function newLotteryForm(req: Request): Record<string, unknown> {
  const b = fields(req);
  const witnesses = witnessList(b.witnesses);
  const meeting = meetingFields(b);
  if (witnesses.length) meeting.witnesses = witnesses;
  const stages = [
    { label: b.stage1_label || '實質審查', percent: b.stage1_percent || '10' },
    ...(b.stage2_percent
      ? [{ label: b.stage2_label || '前後年度申報財產比對', percent: b.stage2_percent }]
      : []),
  ];
  return {
    year: /^\d{1,3}$/.test(b.year ?? '') ? Number(b.year) : b.year,
    agency: b.agency,
    ...(b.title ? { title: b.title } : {}),
    stages,
    meeting,
    // issue 11: the new-lottery form's 「演練」 box.
    ...(b.rehearsal === 'on' ? { rehearsal: true } : {}),
    // The form's choice of how the winners are drawn; anything but the two choices goes to the service to refuse.
    ...(b.method && b.method !== 'random' ? { method: b.method } : {}),
  };
}

/** The meeting form: it replaces the whole meeting, so an emptied list of witnesses clears them. */
export function meetingForm(req: Request): { meeting: Record<string, unknown> } {
  const b = fields(req);
  return { meeting: { ...meetingFields(b), witnesses: witnessList(b.witnesses) } };
}

/**
 * issue 11: the meeting amended after the lock. Every field is sent, an emptied one as "" (which removes it), so
 * that the form replaces the whole meeting field by field.
 */
export function meetingAmendForm(req: Request): Record<string, unknown> {
  const b = fields(req);
  const meeting: Record<string, unknown> = {};
  for (const k of MEETING_FIELDS) meeting[k] = b[`meeting_${k}`] ?? '';
  meeting.witnesses = witnessList(b.witnesses);
  return meeting;
}

/** A form whose one field is the reason the law asks for (unlocking, adjourning). */
export function reasonForm(req: Request): { reason: string } {
  return { reason: fields(req).reason ?? '' };
}

/**
 * The audit page's filter and paging. A malformed value is dropped rather than refused: this is a page a
 * person clicks through, and the JSON API (params.ts) is where a wrong parameter is an error.
 */
export function auditQuery(req: Request): {
  lottery?: string;
  type?: string;
  after?: number;
  before?: number;
} {
  const q = req.query;
  const lottery = typeof q.lottery === 'string' && LOTTERY_ID.test(q.lottery) ? q.lottery : undefined;
  const type = typeof q.type === 'string' && ENTRY_TYPE.test(q.type) ? q.type : undefined;
  const seqParam = (v: unknown): number | undefined =>
    typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : undefined;
  const after = seqParam(q.after);
  const before = after === undefined ? seqParam(q.before) : undefined;
  return {
    ...(lottery ? { lottery } : {}),
    ...(type ? { type } : {}),
    ...(after !== undefined ? { after } : {}),
    ...(before !== undefined ? { before } : {}),
  };
}
