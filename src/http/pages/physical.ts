import type { Router } from 'express';
import { pageLang, tr } from '../i18n';
import { idParam, need, type PageDeps } from './common';

/**
 * The ball-entry screen of a physical draw (實體抽籤, protocol.md §6.1), for the projector PC: each stage's
 * quota and pool sheet (號次 → name), the ball numbers in big type as they are entered, and undo with a reason.
 * The script (src/web/physical.ts) calls the JSON API with the ceremony token.
 */
export function physicalPages(r: Router, d: PageDeps): void {
  r.get('/lotteries/:id/balls', need('ethics', 'drawer', 'auditor'), (req, res) => {
    const l = d.services.getLottery(idParam(req));
    const lang = pageLang(res);
    const sheets = (l.physical?.sheets ?? []).map((s) => {
      const sheet = d.services.poolSheet(l.id, String(s.stage));
      return { ...s, people: sheet.people.map((p, i) => ({ number: i + 1, id: p.id, name: p.name })) };
    });
    res.render('physical.njk', {
      title: tr(lang, '實體抽籤：{t}', 'Physical draw: {t}', { t: l.title }),
      l,
      sheets,
      isPhysical: l.method === 'physical',
      canEnter: res.locals.session?.user.role !== 'auditor',
      bodyClass: 'projector physical',
    });
  });
}
