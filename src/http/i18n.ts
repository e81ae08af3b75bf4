import type { Request, Response } from 'express';
import { parseCookies } from './cookies';

/**
 * The pages speak Traditional Chinese, the language of the offices and of the meeting. An English reading, for
 * auditors, integrators and foreign observers, is a per-browser choice kept in a `lang` cookie. Each string keeps
 * both forms side by side where it is used, so a translation cannot drift away from its source unseen. What the
 * law fixes in Chinese (the signed record, stage labels, names) is data and is never translated.
 */
export type Lang = 'zh' | 'en';

export const LANG_COOKIE = 'lang';

export function langOf(req: Request): Lang {
  return parseCookies(req.headers.cookie)[LANG_COOKIE] === 'en' ? 'en' : 'zh';
}

/** Punctuation between the pieces a template puts together: full-width in Chinese, spaced in English. */
export const PUNCTUATION: Record<Lang, { c: string; l: string; r: string; g: string; s: string }> = {
  zh: { c: '：', l: '（', r: '）', g: '　', s: '／' },
  en: { c: ': ', l: ' (', r: ')', g: ' · ', s: ' / ' },
};

/** The roles as the office names them (users' roles are stored in English, as the API speaks). */
export const ROLE_NAMES: Record<Lang, Record<string, string>> = {
  zh: { ethics: '政風人員', drawer: '抽籤人', auditor: '稽核人員', admin: '系統管理者' },
  en: { ethics: 'ethics officer', drawer: 'drawer', auditor: 'auditor', admin: 'administrator' },
};

/** A role as a page says it: 政風人員, 抽籤人, 稽核人員, 系統管理者 (an unknown one as it is stored). */
export const roleName = (lang: Lang, role: string): string => ROLE_NAMES[lang][role] ?? role;

/** `{name}` placeholders filled from params; an unknown placeholder stays as written. */
export function tr(lang: Lang, zh: string, en: string, params: Record<string, unknown> = {}): string {
  return (lang === 'en' ? en : zh).replace(/\{(\w+)\}/g, (whole, k: string) =>
    params[k] === undefined || params[k] === null ? whole : String(params[k]),
  );
}

/** The language of the current page, for handlers composing titles and messages. */
export function pageLang(res: Response): Lang {
  return res.locals.lang === 'en' ? 'en' : 'zh';
}

export function setLangCookie(req: Request, res: Response, lang: Lang): void {
  const attrs = [`${LANG_COOKIE}=${lang}`, 'Path=/', 'SameSite=Lax', `Max-Age=${365 * 24 * 3600}`];
  if (req.secure) attrs.push('Secure');
  res.append('Set-Cookie', attrs.join('; '));
}
