import type { Request, Response, Router } from 'express';
import { LotteryError } from '../../domain/errors';
import type { LogService } from '../../services/log';
import type { Services } from '../../services/services';
import { h } from '../middleware';
import { onlyQuery, queryInt } from '../params';

/**
 * The witnessed log (issue 13, protocol.md §10): its key, its signed checkpoint and RFC 9162 proofs. No login
 * (isPublic), rate-limited like /api/v1/public (app.ts). The answers carry hashes only, never an entry's data.
 */
const MAX = Number.MAX_SAFE_INTEGER;

function logOf(services: Services): LogService {
  if (!services.log)
    throw new LotteryError('UNAVAILABLE', { zh: '此服務未設定紀錄金鑰', en: 'This service has no log key' });
  return services.log;
}

/** A required positive integer query parameter: absent, 0, or anything else than digits is a 422. */
function requiredInt(req: Request, name: string): number {
  const v = queryInt(req, name, 1, MAX);
  if (v === undefined)
    throw new LotteryError(
      'VALIDATION_FAILED',
      { zh: `缺少參數 ${name}`, en: `${name} is required` },
      {
        problems: [
          { field: name, code: 'BAD_PARAMETER', message: { zh: `缺少 ${name}`, en: `${name} is missing` } },
        ],
      },
    );
  return v;
}

/** Text that may be kept until it changes: revalidated with its ETag (304 when unchanged). */
function sendText(req: Request, res: Response, body: string, etag: string): void {
  res.set('Cache-Control', 'no-cache');
  res.set('ETag', etag);
  res.type('text/plain; charset=utf-8');
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  res.send(body);
}

export function logRoutes(r: Router, services: Services): void {
  r.get(
    '/log/key',
    h((req, res) => {
      onlyQuery(req, []);
      const key = logOf(services).verifierKey();
      // The key ID hashes the name and the key: it changes with either. Cacheable, revalidated like the checkpoint.
      sendText(req, res, key, `"${key.split('+')[1] ?? ''}"`);
    }),
  );
  r.get(
    '/log/checkpoint',
    h((req, res) => {
      onlyQuery(req, ['size']);
      const c = logOf(services).checkpoint(queryInt(req, 'size', 0, MAX));
      sendText(req, res, c.note, c.etag);
    }),
  );
  r.get(
    '/log/consistency',
    h((req, res) => {
      onlyQuery(req, ['from', 'to']);
      res.json(logOf(services).consistency(requiredInt(req, 'from'), requiredInt(req, 'to')));
    }),
  );
  r.get(
    '/log/inclusion',
    h((req, res) => {
      onlyQuery(req, ['seq', 'size']);
      res.json(logOf(services).inclusion(requiredInt(req, 'seq'), requiredInt(req, 'size')));
    }),
  );
}
