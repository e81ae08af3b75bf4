import type { Request, Response, Router } from 'express';
import type { Message } from '../../domain/errors';
import { formBody } from '../forms';
import { pageLang, tr } from '../i18n';
import { actor, checkCsrf, hasRecord, idParam, lotteryPath, need, type PageDeps } from './common';

/**
 * Issuing the record through its confirmation page: the checklist (services/record-checklist.ts) with how to
 * fix each item, a confirmation, and a second one when the record would be signed under the local test CA.
 * The API (POST /api/v1/lotteries/:id/record) needs neither confirmation; the page does.
 */
export function recordPages(r: Router, d: PageDeps): void {
  const confirmPage = (req: Request, res: Response, formError?: Message): void => {
    const id = idParam(req);
    const list = d.services.recordChecklist(id);
    const l = d.services.getLottery(id);
    res.status(formError ? 422 : 200).render('record-confirm.njk', {
      title: tr(pageLang(res), '產製抽籤紀錄：{t}', 'Issue the record: {t}', { t: l.title }),
      l,
      list,
      ...(formError ? { formError } : {}),
    });
  };

  r.get('/lotteries/:id/record/confirm', need('ethics'), (req, res) => {
    if (hasRecord(d.services, idParam(req))) return res.redirect(303, lotteryPath(idParam(req), '/result'));
    confirmPage(req, res);
  });

  r.post('/lotteries/:id/record', need('ethics'), formBody, checkCsrf, async (req, res) => {
    const id = idParam(req);
    if (hasRecord(d.services, id)) return res.redirect(303, lotteryPath(id, '/result'));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const list = d.services.recordChecklist(id);
    if (body.confirm !== 'yes')
      return confirmPage(req, res, {
        zh: '請勾選「我已核對上列事項」後再產製紀錄',
        en: 'Tick “I have checked the items above” to issue the record',
      });
    if (list.testCertificate && body.confirmTestCertificate !== 'yes')
      return confirmPage(req, res, {
        zh: '本紀錄將以測試憑證簽章：請另行勾選確認後再產製',
        en: 'The record would be signed under the test CA: tick the second confirmation to issue it',
      });
    await d.services.issueRecord(actor(res), id);
    res.redirect(303, lotteryPath(id, '/result'));
  });
}
