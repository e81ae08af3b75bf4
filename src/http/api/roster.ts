import type { Router } from 'express';
import { importRoster } from '../../roster/import';
import type { Services } from '../../services/services';
import { actor, allow, fail } from '../authenticate';
import { readBody, readMultipartFile } from '../body';
import { h, jsonBody } from '../middleware';
import { onlyQuery, pathParam, queryStr } from '../params';

export const ROSTER_LIMIT = 10 * 1024 * 1024;
const ROSTER_TYPES = new Set([
  'application/json',
  'application/octet-stream',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/csv',
  'multipart/form-data',
]);

/** The roster (申報人名冊): loaded from the office's file, read back, and single entries excluded with a reason. */
export function rosterRoutes(r: Router, services: Services): void {
  r.get(
    '/lotteries/:id/roster',
    allow('ethics', 'auditor'),
    h((req, res) => {
      res.json(services.getRoster(pathParam(req, 'id')));
    }),
  );
  r.put(
    '/lotteries/:id/roster',
    allow('ethics'),
    (req, _res, next) => {
      // The format is decided from the bytes; the declared type only has to be one a roster can come as.
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!ROSTER_TYPES.has(type) && !type.startsWith('text/'))
        return next(
          fail(
            'UNSUPPORTED_MEDIA_TYPE',
            `不支援的名冊類型 ${type}；請上傳 xlsx、CSV 或 JSON`,
            `Unsupported roster type ${type}; send xlsx, CSV or JSON`,
          ),
        );
      next();
    },
    h(async (req, res) => {
      onlyQuery(req, ['dryRun', 'sheet', 'expect']);
      const dryRun = ['1', 'true'].includes(queryStr(req, 'dryRun', /^(1|0|true|false)$/) ?? '0');
      const sheet = queryStr(req, 'sheet', /^[^\p{Cc}]{1,31}$/u);
      // The dry run's rosterDigest: the load applies exactly what the preview showed, or is refused (409).
      const expect = queryStr(req, 'expect', /^[0-9a-f]{64}$/);
      const upload = req.is('multipart/form-data')
        ? await readMultipartFile(req, ROSTER_LIMIT)
        : { bytes: await readBody(req, ROSTER_LIMIT), type: req.headers['content-type'] };
      const imported = await importRoster(upload.bytes, upload.type, sheet === undefined ? {} : { sheet });
      const report = services.loadRoster(actor(res), pathParam(req, 'id'), imported.rows, {
        strictFields: imported.strictFields,
        dryRun,
        warnings: imported.warnings,
        errors: imported.errors,
        ...(imported.excludedColumn === undefined ? {} : { excludedColumn: imported.excludedColumn }),
        ...(expect === undefined ? {} : { expect }),
      });
      res.json({
        ...report,
        format: imported.format,
        ...(imported.encoding ? { encoding: imported.encoding } : {}),
        ...(imported.sheet ? { sheet: imported.sheet } : {}),
        ...(imported.headerRow === undefined
          ? {}
          : { headerRow: imported.headerRow, headerRows: imported.headerRows }),
      });
    }),
  );
  r.patch(
    '/lotteries/:id/roster/:entryId',
    allow('ethics'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.updateEntry(actor(res), pathParam(req, 'id'), pathParam(req, 'entryId'), req.body));
    }),
  );
}
