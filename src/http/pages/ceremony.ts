import type { Router } from 'express';
import QRCode from 'qrcode';
import { pageLang, tr } from '../i18n';
import { hasRecord, idParam, need, withRules, type PageDeps } from './common';

/** The meeting's pages: the projector's draw page, the result, and issuing the record. */
export function ceremonyPages(r: Router, d: PageDeps): void {
  r.get('/lotteries/:id/draw', need('ethics', 'drawer', 'auditor'), async (req, res) => {
    const l = d.services.getLottery(idParam(req));
    const verifyUrl = `${d.publicUrl}/verify/${encodeURIComponent(l.id)}`;
    res.render('draw.njk', {
      title: tr(pageLang(res), '抽籤：{t}', 'Draw: {t}', { t: l.title }),
      l,
      rules: withRules(l.stages),
      verifyUrl,
      qr: await QRCode.toString(verifyUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
      canDraw: res.locals.session?.user.role !== 'auditor',
      bodyClass: 'projector',
    });
  });

  r.get('/lotteries/:id/result', need('ethics', 'drawer', 'auditor'), (req, res) => {
    const l = d.services.getLottery(idParam(req));
    res.render('result.njk', {
      title: tr(pageLang(res), '結果：{t}', 'Result: {t}', { t: l.title }),
      l,
      rules: withRules(l.stages),
      hasRecord: hasRecord(d.services, l.id),
      publicUrl: `${d.publicUrl}/verify/${encodeURIComponent(l.id)}`,
      isEthics: res.locals.session?.user.role === 'ethics',
    });
  });
  // Issuing the record: pages/record.ts (the confirmation page and its checklist).
}
