import type { Router } from 'express';
import { formBody, meetingAmendForm, meetingForm, newLotteryForm, reasonForm } from '../forms';
import { pageLang, tr } from '../i18n';
import {
  actor,
  checkCsrf,
  hasRecord,
  idParam,
  localTimeFor,
  lotteryPath,
  need,
  withRules,
  type PageDeps,
} from './common';

/** The declaration year to suggest: draws happen in January and February for the year before. */
export function defaultYear(now: Date): number {
  const rocYear = now.getFullYear() - 1911;
  return now.getMonth() < 6 ? rocYear - 1 : rocYear;
}

/** The ethics office's pages: the list of lotteries, one lottery's preparation, and its lock. */
export function lotteryPages(r: Router, d: PageDeps): void {
  r.get('/lotteries', need('ethics', 'drawer', 'auditor'), (req, res) => {
    // issue 11: a cancelled lottery leaves the default list; ?status=cancelled is the 「已作廢」 filter.
    const cancelled = req.query.status === 'cancelled';
    const all = d.services.listLotteries(cancelled ? 'cancelled' : 'active');
    const years = [...new Set(all.map((l) => l.year))].sort((a, b) => b - a);
    res.render('lotteries.njk', {
      title: tr(pageLang(res), '抽籤作業', 'Lotteries'),
      years: years.map((y) => ({ year: y, lotteries: all.filter((l) => l.year === y) })),
      defaultYear: defaultYear(d.clock()),
      cancelledFilter: cancelled,
    });
  });
  r.post('/lotteries', need('ethics'), formBody, checkCsrf, (req, res) => {
    const l = d.services.createLottery(actor(res), newLotteryForm(req));
    res.redirect(303, lotteryPath(l.id));
  });

  r.get('/lotteries/:id', need('ethics', 'auditor'), (req, res) => {
    const l = d.services.getLottery(idParam(req));
    const roster = d.services.getRoster(l.id).entries;
    res.render('lottery.njk', {
      title: `${l.title}`,
      l,
      roster,
      rules: withRules(l.stages),
      canEdit: res.locals.session?.user.role === 'ethics' && l.status === 'draft' && !l.cancelled,
      isEthics: res.locals.session?.user.role === 'ethics',
      localTime: localTimeFor(res),
      // issue 11: the meeting amended after the lock, until the record is issued.
      canAmend:
        res.locals.session?.user.role === 'ethics' &&
        l.status !== 'draft' &&
        !l.cancelled &&
        !hasRecord(d.services, l.id),
      canCancel:
        res.locals.session?.user.role === 'ethics' &&
        !l.cancelled &&
        (l.status === 'draft' || l.status === 'locked') &&
        !l.ceremony.open,
    });
  });
  r.post('/lotteries/:id/meeting', need('ethics'), formBody, checkCsrf, (req, res) => {
    // In draft the meeting is part of the definition (PATCH, as before); after the lock it is amended alone.
    if (d.services.getLottery(idParam(req)).status === 'draft')
      d.services.patchLottery(actor(res), idParam(req), meetingForm(req));
    else d.services.updateMeeting(actor(res), idParam(req), meetingAmendForm(req));
    res.redirect(303, lotteryPath(idParam(req)));
  });
  r.post('/lotteries/:id/cancel', need('ethics'), formBody, checkCsrf, (req, res) => {
    d.services.cancelLottery(actor(res), idParam(req), reasonForm(req));
    res.redirect(303, lotteryPath(idParam(req)));
  });
  r.post('/lotteries/:id/copy', need('ethics'), formBody, checkCsrf, (req, res) => {
    const l = d.services.copyRehearsal(actor(res), idParam(req), {});
    res.redirect(303, lotteryPath(l.id));
  });
  r.post('/lotteries/:id/lock', need('ethics'), formBody, checkCsrf, (req, res) => {
    d.services.lock(actor(res), idParam(req));
    res.redirect(303, lotteryPath(idParam(req)));
  });
  // The pre-meeting notice (抽籤公告) and adjourning an open ceremony, from the office's page (protocol.md §4.2).
  r.post('/lotteries/:id/notice', need('ethics'), formBody, checkCsrf, async (req, res) => {
    await d.services.issueNotice(actor(res), idParam(req));
    res.redirect(303, lotteryPath(idParam(req), '#h-notice'));
  });
  r.post('/lotteries/:id/ceremony/adjourn', need('ethics'), formBody, checkCsrf, (req, res) => {
    d.services.adjournCeremony(actor(res), idParam(req), reasonForm(req));
    res.redirect(303, lotteryPath(idParam(req)));
  });
  r.post('/lotteries/:id/unlock', need('ethics'), formBody, checkCsrf, (req, res) => {
    d.services.unlock(actor(res), idParam(req), reasonForm(req));
    res.redirect(303, lotteryPath(idParam(req)));
  });
}
