import type { Request, Response } from 'express';

/**
 * The session cookie: HttpOnly (no script can read it), SameSite=Lax (not sent on cross-site POSTs), Secure and
 * named with the __Host- prefix when served over HTTPS (behind a proxy, with TRUST_PROXY set so req.secure is
 * right). Lifetime: 12 hours, or 1 hour idle (enforced on the server, see services/auth.ts).
 */
export const COOKIE = 'lottery_session';
export const HOST_COOKIE = '__Host-lottery_session';

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (/^[A-Za-z0-9_-]+$/.test(k) && /^[A-Za-z0-9_-]*$/.test(v) && !(k in out)) out[k] = v;
  }
  return out;
}

export function sessionCookieValue(req: Request): string | undefined {
  const c = parseCookies(req.headers.cookie);
  return req.secure ? (c[HOST_COOKIE] ?? undefined) : (c[COOKIE] ?? undefined);
}

export function setSessionCookie(req: Request, res: Response, value: string, maxAgeSeconds: number): void {
  const name = req.secure ? HOST_COOKIE : COOKIE;
  const attrs = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
  if (req.secure) attrs.push('Secure');
  res.append('Set-Cookie', attrs.join('; '));
}

export function clearSessionCookie(req: Request, res: Response): void {
  const name = req.secure ? HOST_COOKIE : COOKIE;
  res.append(
    'Set-Cookie',
    `${name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${req.secure ? '; Secure' : ''}`,
  );
}

/**
 * The sign-in form's CSRF cookie (issue 12): the double-submit half of the token GET /login puts in the form.
 * SameSite=Strict and HttpOnly: a cross-site page can neither send it along nor read it, so it cannot forge a
 * sign-in (login CSRF signs the victim into the attacker's account). Short-lived: a form left open longer is
 * simply reloaded.
 */
export const LOGIN_COOKIE = 'lottery_login';
export const HOST_LOGIN_COOKIE = '__Host-lottery_login';
export const LOGIN_MINUTES = 30;

export function loginCookieValue(req: Request): string | undefined {
  const c = parseCookies(req.headers.cookie);
  return req.secure ? c[HOST_LOGIN_COOKIE] : c[LOGIN_COOKIE];
}

export function setLoginCookie(req: Request, res: Response, value: string): void {
  const name = req.secure ? HOST_LOGIN_COOKIE : LOGIN_COOKIE;
  const attrs = [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${LOGIN_MINUTES * 60}`,
  ];
  if (req.secure) attrs.push('Secure');
  res.append('Set-Cookie', attrs.join('; '));
}
