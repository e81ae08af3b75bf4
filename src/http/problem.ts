import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, Response } from 'express';
import { LotteryError, type ErrorCode } from '../domain/errors';
import type { Logger } from '../util/log';
import { pageLang, tr } from './i18n';
import { errorSentence, problemSentence, type Sentence } from './pages/sentences';

/** The one place where error codes become HTTP statuses. */
export const STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION_FAILED: 422,
  RATE_BELOW_LEGAL_FLOOR: 422,
  ROSTER_INVALID: 422,
  UNDECODABLE: 422,
  EMPTY_POOL: 422,
  NOT_DRAFT: 409,
  NOT_LOCKED: 409,
  ALREADY_DRAWN: 409,
  STAGE_OUT_OF_ORDER: 409,
  STAGE_ALREADY_DRAWN: 409,
  NOT_DRAWN: 409,
  ALREADY_ISSUED: 409,
  NOT_ISSUED: 404,
  CONFLICT: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  MALFORMED_BODY: 400,
  BUNDLE_UNREADABLE: 422,
  ENTROPY_INVALID: 422,
  RELOCK_REQUIRED: 409,
  MEETING_DATE_REQUIRED: 409,
  NOT_MEETING_DAY: 409,
  CEREMONY_OPEN: 409,
  CEREMONY_NOT_OPEN: 409,
  CEREMONY_TOKEN_REQUIRED: 403,
  COMMITMENT_MISMATCH: 409,
  // The server's own tables disagree with its journal or its commitment: nothing is written, and it is loud.
  STATE_INTEGRITY: 500,
  RECORD_CHECKLIST: 409,
  // physical draws (實體抽籤)
  WRONG_METHOD: 409,
  BALL_NOT_ON_SHEET: 422,
  BALL_ALREADY_DRAWN: 409,
  NO_BALL_TO_UNDO: 409,
  // issue 11: a cancelled lottery refuses every further action; only a rehearsal's roster is copied
  CANCELLED: 409,
  NOT_REHEARSAL: 409,
  // issue 12: a rehearsal is never exported; a Big5 file is refused rather than written with '?'
  REHEARSAL_NOT_EXPORTED: 409,
  NOT_ENCODABLE: 422,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function problemBody(e: LotteryError): Record<string, unknown> {
  const status = STATUS[e.code];
  const body: Record<string, unknown> = {
    type: `urn:asset-review-lottery:problem:${e.code}`,
    title: e.en,
    status,
    code: e.code,
    detail: e.en,
    message: { zh: e.zh, en: e.en },
  };
  if (e.problems) body.errors = e.problems;
  if (e.extra) for (const [k, v] of Object.entries(e.extra)) if (!(k in body)) body[k] = v;
  return body;
}

export function sendProblem(res: Response, e: LotteryError): void {
  const status = STATUS[e.code];
  const body = problemBody(e);
  if (status === 401) res.set('WWW-Authenticate', 'Bearer');
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

const HEADINGS: Partial<Record<number, [string, string]>> = {
  401: ['請先登入', 'Please sign in'],
  403: ['無權限', 'Not allowed'],
  404: ['找不到頁面', 'Not found'],
  409: ['目前狀態不允許此操作', 'Not possible in the current state'],
  422: ['輸入有誤', 'Invalid input'],
  500: ['系統錯誤', 'System error'],
};

function pageSentences(e: LotteryError): { said: Sentence; items: Array<Sentence & { row?: number }> } {
  const items = (e.problems ?? []).map((p) => ({ ...problemSentence(p), ...(p.row ? { row: p.row } : {}) }));
  return { said: errorSentence({ code: e.code, zh: e.zh, en: e.en }), items };
}

/** An error as a page, with its code, for people rather than programs. */
function renderProblem(res: Response, e: LotteryError): void {
  const status = STATUS[e.code];
  const [zh, en] = HEADINGS[status] ?? ['錯誤', 'Error'];
  const heading = tr(pageLang(res), zh, en);
  res.status(status);
  res.render(
    'error.njk',
    // Sentences for people (pages/sentences.ts): no field paths, no MIME types; the API keeps its fields.
    { title: heading, heading, problem: e, status, ...pageSentences(e) },
    (err: Error | null, html?: string) => {
      if (err || html === undefined) res.type('text/plain').send(`${e.code}: ${e.zh} / ${e.en}`);
      else res.type('text/html').send(html);
    },
  );
}

/** body-parser and other framework errors carry a `type` or `status`; map the known ones to our codes. */
function fromFramework(err: unknown): LotteryError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { type?: unknown; status?: unknown };
  switch (e.type) {
    case 'entity.too.large':
      return new LotteryError('PAYLOAD_TOO_LARGE', { zh: '上傳內容過大', en: 'Request body too large' });
    case 'entity.parse.failed':
      return new LotteryError('MALFORMED_BODY', {
        zh: '內容不是有效的 JSON',
        en: 'Request body is not valid JSON',
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new LotteryError('UNSUPPORTED_MEDIA_TYPE', {
        zh: '不支援的字元編碼',
        en: 'Unsupported character encoding',
      });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
    case 'parameters.too.many':
      return new LotteryError('MALFORMED_BODY', {
        zh: '無法讀取請求內容',
        en: 'The request body could not be read',
      });
    default:
  }
  if (e.status === 400 || err instanceof URIError)
    return new LotteryError('MALFORMED_BODY', { zh: '請求格式錯誤', en: 'Malformed request' });
  return undefined;
}

/** Last handler: known errors as problem+json; anything else is a 500 with no stack sent to the client. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    void _next;
    const known = err instanceof LotteryError ? err : fromFramework(err);
    const page = !req.path.startsWith('/api/') && !req.path.startsWith('/static/');
    if (known) {
      res.locals.code = known.code;
      // The service refused to draw because its own tables disagree with its journal or its commitment: someone
      // edited the database behind its back. That must not pass as one more refusal in the request log.
      if (known.code === 'STATE_INTEGRITY')
        log.error('STATE_INTEGRITY: the database disagrees with the journal; nothing was drawn', {
          method: req.method,
          path: req.path,
          problems: known.extra?.problems,
        });
      if (page) return renderProblem(res, known);
      sendProblem(res, known);
      return;
    }
    log.error('unhandled', {
      method: req.method,
      path: req.path,
      error: err instanceof Error ? err.message : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
    res.locals.code = 'INTERNAL';
    const internal = new LotteryError('INTERNAL', { zh: '系統發生未預期的錯誤', en: 'Internal error' });
    if (page) return renderProblem(res, internal);
    sendProblem(res, internal);
  };
}

/**
 * Requests Node's parser refuses before express sees them (headers over 16 kB, broken request lines) would
 * otherwise get a bare status line with no body. Answer them in the same vocabulary as every other refusal.
 */
/** How long a refused client may linger after its answer before its socket is destroyed. */
const CLIENT_ERROR_LINGER_MS = 1000;

export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const e =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new LotteryError('HEADERS_TOO_LARGE', {
            zh: '請求標頭過大（上限 16 kB），請清除此網站的 Cookie 後再試',
            en: "Request headers too large (limit 16 kB); clear this site's cookies and try again",
          })
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new LotteryError('MALFORMED_BODY', {
              zh: '請求未在時限內送達',
              en: 'The request did not arrive in time',
            })
          : new LotteryError('MALFORMED_BODY', { zh: '請求格式錯誤', en: 'Malformed request' });
    const payload = Buffer.from(JSON.stringify(problemBody(e)), 'utf8');
    const status = STATUS[e.code];
    const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    // The HTTP server is half-open: end() alone only sends our FIN, and a client that never closes its side (the
    // slowloris) would hold the descriptor forever. A client that reads the answer closes at once; any other is
    // destroyed a moment later (not at once: closing with its bytes unread would reset the answer away).
    const timer = setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${payload.length}\r\nConnection: close\r\n\r\n${payload.toString('utf8')}`,
    );
  });
}
