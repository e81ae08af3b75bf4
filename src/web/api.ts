/** The page's language, as the server rendered it (`<html lang>`): strings keep both forms where they are used. */
export const EN = document.documentElement.lang === 'en';
export const tr = (zh: string, en: string): string => (EN ? en : zh);
/** A problem's message in the page's language. */
export const said = (m: { zh: string; en: string } | undefined, fallback: string): string =>
  (EN ? m?.en : m?.zh) ?? fallback;

/** A message followed by its code, with the page language's brackets. */
export const withCode = (text: string, code: string | number): string =>
  tr(`${text}（${code}）`, `${text} (${code})`);

/** Calls the JSON API with the session cookie and the page's CSRF token. */
export function csrf(): string {
  return document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
}

/** One row's problem in a roster report, or one field's in a refused body (the server's FieldProblem). */
export interface FieldIssue {
  row?: number;
  column?: string;
  field: string;
  code: string;
  message: { zh: string; en: string };
}

export interface Problem {
  code?: string;
  message?: { zh: string; en: string };
  errors?: FieldIssue[];
  warnings?: FieldIssue[];
}

export async function api<T>(
  method: string,
  url: string,
  body?: BodyInit | object,
  type?: string,
): Promise<{ ok: boolean; status: number; data: T & Problem }> {
  const headers: Record<string, string> = { 'X-CSRF-Token': csrf(), Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof Blob || body instanceof ArrayBuffer || typeof body === 'string') {
    payload = body;
    headers['Content-Type'] = type ?? 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, { method, headers, body: payload ?? null, credentials: 'same-origin' });
  const text = await res.text();
  let data = {} as T & Problem;
  try {
    data = (text ? JSON.parse(text) : {}) as T & Problem;
  } catch {
    /* not JSON: keep the status */
  }
  return { ok: res.ok, status: res.status, data };
}

/**
 * The same call for pages that report failures in place: a network failure becomes an answer with code NETWORK,
 * so the page says so instead of waiting forever. (The draw page handles network loss itself: it must then ask
 * the server what was drawn.)
 */
export async function tryApi<T>(
  method: string,
  url: string,
  body?: BodyInit | object,
  type?: string,
): Promise<{ ok: boolean; status: number; data: T & Problem }> {
  try {
    return await api<T>(method, url, body, type);
  } catch {
    const data = {
      code: 'NETWORK',
      message: {
        zh: '網路中斷，請確認連線後再試一次',
        en: 'Network down: check the connection and try again',
      },
    } as T & Problem;
    return { ok: false, status: 0, data };
  }
}

/** Builds an element with text content only (never innerHTML: names come from roster files). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  cls?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

export function bdi(text: string): HTMLElement {
  return el('bdi', text);
}

/** A file chooser and a drop zone that both hand their files to `use`. */
export function onFiles(inputId: string, zoneId: string, use: (files: File[]) => void): void {
  const input = document.getElementById(inputId) as HTMLInputElement | null;
  input?.addEventListener('change', () => {
    if (input.files?.length) use(Array.from(input.files));
  });
  const zone = document.getElementById(zoneId);
  zone?.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone?.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone?.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer?.files.length) use(Array.from(e.dataTransfer.files));
  });
}
