import type { Response, Router } from 'express';
import type { Services } from '../../services/services';
import { actor, allow } from '../authenticate';
import { h, jsonBody } from '../middleware';
import { pathParam } from '../params';

export const sendPdf = (res: Response, pdf: Buffer, name: string): void => {
  res.set('Content-Type', 'application/pdf');
  res.set('Content-Disposition', `inline; filename="${name}"`);
  res.send(pdf);
};

/** The signed record (會議紀錄) after the draw, and the pre-meeting notice (抽籤公告) before it. */
export function recordRoutes(r: Router, services: Services): void {
  r.post(
    '/lotteries/:id/record',
    allow('ethics'),
    ...jsonBody(),
    h(async (req, res) => {
      res.status(201).json(await services.issueRecord(actor(res), pathParam(req, 'id')));
    }),
  );
  r.get(
    '/lotteries/:id/record.pdf',
    allow('ethics', 'auditor'),
    h((req, res) => {
      sendPdf(res, services.recordPdf(pathParam(req, 'id'), 'full'), `record-${pathParam(req, 'id')}.pdf`);
    }),
  );
  r.post(
    '/lotteries/:id/notice',
    allow('ethics'),
    ...jsonBody(),
    h(async (req, res) => {
      const n = await services.issueNotice(actor(res), pathParam(req, 'id'));
      res.status(201);
      res.set('X-Notice-SHA256', n.sha256);
      sendPdf(res, n.pdf, `notice-${pathParam(req, 'id')}.pdf`);
    }),
  );
}
