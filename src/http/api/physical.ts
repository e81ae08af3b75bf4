import type { Router } from 'express';
import type { Services } from '../../services/services';
import { actor, allow, via } from '../authenticate';
import { h, jsonBody } from '../middleware';
import { pathParam } from '../params';
import { renderPoolSheet } from '../../record/pool-sheet';
import { sendPdf } from './record';

/**
 * Physical draws (實體抽籤, protocol.md §6.1): each ball entered as it leaves the drum, the last one undone with
 * a reason, and each stage's numbered pool sheet as a PDF.
 */
export function physicalRoutes(r: Router, services: Services): void {
  r.post(
    '/lotteries/:id/stages/:n/balls',
    allow('ethics', 'drawer'),
    ...jsonBody(),
    h((req, res) => {
      res
        .status(201)
        .json(services.enterBall(actor(res), pathParam(req, 'id'), pathParam(req, 'n'), req.body, via(res)));
    }),
  );
  r.post(
    '/lotteries/:id/stages/:n/balls/undo',
    allow('ethics', 'drawer'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.undoBall(actor(res), pathParam(req, 'id'), pathParam(req, 'n'), req.body));
    }),
  );
  r.get(
    '/lotteries/:id/stages/:n/pool-sheet.pdf',
    allow('ethics', 'drawer', 'auditor'),
    h(async (req, res) => {
      const s = services.poolSheet(pathParam(req, 'id'), pathParam(req, 'n'));
      sendPdf(res, await renderPoolSheet(s), `pool-sheet-${s.lottery.id}-${s.stage}.pdf`);
    }),
  );
}
