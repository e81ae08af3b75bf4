import type { Router } from 'express';
import { publicColumns } from '../../domain/publish';
import { pageLang, tr } from '../i18n';
import { hasRecord, idParam, localTimeFor, withRules, type PageDeps } from './common';

/** The public verification page (公開驗證): anyone, signed in or not, checks a lottery and its bundle. */
export function verifyPages(r: Router, d: PageDeps): void {
  r.get('/verify/:id', async (req, res) => {
    const p = d.services.publicView(idParam(req));
    res.render('verify.njk', {
      title: tr(pageLang(res), '公開驗證：{t}', 'Public verification: {t}', { t: p.title }),
      p,
      // issue 11: a rehearsal's public page is shown, marked (the watermark of base.njk), never listed.
      rehearsal: p.rehearsal === true,
      rules: withRules(p.stages),
      hasRecord: hasRecord(d.services, p.id),
      publicColumns: publicColumns(d.publicFields),
      localTime: localTimeFor(res),
      lead16: (hex: string | null | undefined): string =>
        (hex ?? '')
          .replace(/^SHA256:/i, '')
          .slice(0, 16)
          .replace(/(.{4})(?=.)/g, '$1 '),
    });
  });
}
