/**
 * The witness's only network edge: GETs and one POST to the log, with a timeout and a size limit. A failure to
 * get an answer at all (no connection, a timeout, an error status) is a NetworkError: the round ends with exit
 * 2 and nothing in the state changes. What the answers say is judged by src/domain/log/witness.ts.
 */
export class NetworkError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh}／${en}`);
  }
}

export type FetchFn = typeof fetch;

const TIMEOUT_MS = 30_000;
const MAX_BYTES = 256 * 1024;

export interface Answer {
  status: number;
  text: string;
}

async function exchange(f: FetchFn, url: string, init: RequestInit): Promise<Answer> {
  let res: Response;
  try {
    res = await f(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    throw new NetworkError(`無法連線到 ${url}：${why}`, `cannot reach ${url}: ${why}`);
  }
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > MAX_BYTES)
    throw new NetworkError(`${url} 的回應過大`, `the answer of ${url} is too large`);
  return { status: res.status, text: buf.toString('utf8') };
}

/** A GET that must answer 200. */
export async function getText(f: FetchFn, url: string): Promise<string> {
  const a = await exchange(f, url, { method: 'GET', headers: { accept: 'text/plain, application/json' } });
  if (a.status !== 200)
    throw new NetworkError(`${url} 回應 HTTP ${a.status}`, `${url} answered HTTP ${a.status}`);
  return a.text;
}

export async function getJson(f: FetchFn, url: string): Promise<unknown> {
  const text = await getText(f, url);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new NetworkError(`${url} 的回應不是 JSON`, `the answer of ${url} is not JSON`);
  }
}

/** A POST of JSON; any status is returned (the caller says what 403 or 409 mean). */
export function postJson(f: FetchFn, url: string, body: unknown): Promise<Answer> {
  return exchange(f, url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
}
