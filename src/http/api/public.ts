import type { Router } from 'express';
import type { Services } from '../../services/services';
import { h } from '../middleware';
import { pathParam } from '../params';
import { sendPdf } from './record';

/**
 * What anyone may read, signed in or not (authenticate.ts's isPublic lists these prefixes): the health probe,
 * the public view of a lottery and its PDFs, and the signed journal checkpoint.
 */
export function publicRoutes(r: Router, services: Services): void {
  r.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  r.get(
    '/public/lotteries/:id/notice.pdf',
    h((req, res) => {
      sendPdf(res, services.noticePdf(pathParam(req, 'id')), `notice-${pathParam(req, 'id')}.pdf`);
    }),
  );
  r.get(
    '/public/lotteries/:id/record.pdf',
    h((req, res) => {
      const id = pathParam(req, 'id');
      sendPdf(res, services.recordPdf(id, 'public'), `record-${id}-public.pdf`);
    }),
  );
  r.get(
    '/public/lotteries/:id',
    h((req, res) => {
      res.type('application/json').send(services.publicViewJson(pathParam(req, 'id')));
    }),
  );
  r.get(
    '/journal/checkpoint',
    h((_req, res) => {
      res.json(services.checkpoint());
    }),
  );
}
