import type { Router } from 'express';
import { pageLang, tr } from '../i18n';
import { idParam, type PageDeps } from './common';

/**
 * The witness's own device (issue 13): registering a key with the one-time code of the QR code, and cosigning
 * the lottery's checkpoint after the last stage. No sign-in: the code, then the key held in the browser, is who
 * the person is. All the work is in the browser (src/web/witness.ts); these pages only carry the words.
 */
export function witnessPages(r: Router, d: PageDeps): void {
  r.get('/witness/register', (_req, res) => {
    // The code is in the address: no referrer may carry it anywhere (there are no outside links, but still).
    res.set('Referrer-Policy', 'no-referrer');
    res.render('witness-register.njk', {
      title: tr(pageLang(res), '登記副署金鑰', 'Register a cosigning key'),
    });
  });

  r.get('/witness/lotteries/:id/cosign', (req, res) => {
    const id = idParam(req);
    let title = id;
    try {
      title = d.services.publicView(id).title;
    } catch {
      /* not public (yet): the page still loads, and the device says what it finds */
    }
    res.render('witness-cosign.njk', {
      title: tr(pageLang(res), '副署：{t}', 'Cosign: {t}', { t: title }),
      lotteryId: id,
      lotteryTitle: title,
    });
  });
}
