import busboy from 'busboy';
import type { Request } from 'express';
import { LotteryError } from '../domain/errors';

/**
 * Request bodies read with the size counted while they stream: the limit stops the read at the first byte
 * over it, whatever Content-Length claimed.
 */
function tooLarge(limit: number): LotteryError {
  return new LotteryError('PAYLOAD_TOO_LARGE', {
    zh: `上傳內容超過 ${Math.round(limit / 1024 / 1024)} MB`,
    en: `Upload larger than ${Math.round(limit / 1024 / 1024)} MB`,
  });
}

export function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', () => {
      if (!done)
        reject(
          new LotteryError('MALFORMED_BODY', {
            zh: '無法讀取請求內容',
            en: 'The request body could not be read',
          }),
        );
      done = true;
    });
  });
}

/** The `file` field of a multipart/form-data upload (the browser's roster form). */
export function readMultipartFile(
  req: Request,
  limit: number,
): Promise<{ bytes: Buffer; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fileSize: limit, files: 1, fields: 20, fieldSize: 10_000 },
      });
    } catch {
      reject(new LotteryError('MALFORMED_BODY', { zh: '無法解析上傳表單', en: 'Malformed multipart form' }));
      return;
    }
    let result: { bytes: Buffer; type: string | undefined } | undefined;
    let failure: LotteryError | undefined;
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      // Without this listener a truncated upload ("Unexpected end of form") is an unhandled 'error' event, which
      // ends the process: one bad request must never take the service down.
      stream.on('error', () => {
        failure ??= new LotteryError('MALFORMED_BODY', {
          zh: '上傳的表單不完整',
          en: 'The multipart upload is incomplete',
        });
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        failure = tooLarge(limit);
      });
      stream.on('end', () => {
        if (name === 'file' && !failure) result = { bytes: Buffer.concat(chunks), type: info.mimeType };
      });
    });
    bb.on('error', () => {
      failure ??= new LotteryError('MALFORMED_BODY', {
        zh: '無法解析上傳表單',
        en: 'Malformed multipart form',
      });
      reject(failure);
      req.unpipe(bb);
      req.resume();
    });
    bb.on('close', () => {
      if (failure) reject(failure);
      else if (!result)
        reject(
          new LotteryError(
            'VALIDATION_FAILED',
            { zh: '表單中沒有名為 file 的檔案', en: 'The form has no file field named "file"' },
            {
              problems: [
                { field: 'file', code: 'REQUIRED', message: { zh: '請選擇檔案', en: 'choose a file' } },
              ],
            },
          ),
        );
      else resolve(result);
    });
    req.on('error', () => {
      failure ??= new LotteryError('MALFORMED_BODY', {
        zh: '無法讀取請求內容',
        en: 'The request body could not be read',
      });
      reject(failure);
    });
    req.pipe(bb);
  });
}
