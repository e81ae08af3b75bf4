import type { Response, Router } from 'express';
import { LotteryError } from '../../domain/errors';
import type { ExportFile } from '../../services/exports';
import type { Services } from '../../services/services';
import { allow } from '../authenticate';
import { h } from '../middleware';
import { onlyQuery, pathParam, queryInt, queryStr } from '../params';

/**
 * The exports (docs/exports.md): a drawn lottery's results (xlsx, CSV in UTF-8 or Big5), the notification
 * letters, and the year's summary. They carry names of people, so they are never cached on the way
 * (Cache-Control: no-store), and always downloaded, never shown inline.
 */

/** RFC 6266 with RFC 5987: an ASCII filename for old clients, the Chinese one as filename* (UTF-8, %-encoded). */
export function contentDisposition(name: string, asciiName: string): string {
  const ascii = asciiName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const star = encodeURIComponent(name).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${star}`;
}

function sendFile(res: Response, f: ExportFile): void {
  res.set('Content-Type', f.type);
  res.set('Content-Disposition', contentDisposition(f.name, f.asciiName));
  res.set('Cache-Control', 'no-store');
  res.send(f.body);
}

export function exportRoutes(r: Router, services: Services): void {
  r.get(
    '/lotteries/:id/export/results.xlsx',
    allow('ethics', 'admin', 'auditor'),
    h(async (req, res) => {
      onlyQuery(req, []);
      sendFile(res, await services.exportResults(pathParam(req, 'id'), 'xlsx'));
    }),
  );
  r.get(
    '/lotteries/:id/export/results.csv',
    allow('ethics', 'admin', 'auditor'),
    h(async (req, res) => {
      onlyQuery(req, ['encoding']);
      const enc = (queryStr(req, 'encoding', /^(utf-?8|big5)$/i) ?? 'utf-8').toLowerCase();
      sendFile(
        res,
        await services.exportResults(pathParam(req, 'id'), enc === 'big5' ? 'csv-big5' : 'csv-utf8'),
      );
    }),
  );
  r.get(
    '/lotteries/:id/export/letters.pdf',
    allow('ethics', 'admin'),
    h(async (req, res) => {
      onlyQuery(req, []);
      sendFile(res, await services.exportLetters(pathParam(req, 'id')));
    }),
  );
  r.get(
    '/export/summary.xlsx',
    allow('ethics', 'admin', 'auditor'),
    h(async (req, res) => {
      onlyQuery(req, ['year']);
      const year = queryInt(req, 'year', 1, 999);
      if (year === undefined)
        throw new LotteryError('VALIDATION_FAILED', {
          zh: '請指定年度（民國），例如 year=115',
          en: 'Give the ROC year, e.g. year=115',
        });
      sendFile(res, await services.exportSummary(year));
    }),
  );
}
