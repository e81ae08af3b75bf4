import type { Router } from 'express';
import { auditQuery } from '../forms';
import { pageLang, roleName, tr } from '../i18n';
import { localTimeFor, need, type PageDeps } from './common';

/** The auditor's page: the journal, fifty entries a page, filtered by lottery or entry type. */
export function auditPages(r: Router, d: PageDeps): void {
  r.get('/audit', need('auditor'), (req, res) => {
    const { lottery, type, after, before } = auditQuery(req);
    const filter = { ...(lottery ? { lottery } : {}), ...(type ? { type } : {}) };
    const page = d.services.journalPage({
      limit: 50,
      ...filter,
      ...(before !== undefined ? { before } : { after: after ?? 0 }),
    });
    const first = page.entries[0];
    const last = page.entries[page.entries.length - 1];
    // Links only where a page exists: one-entry probes in each direction under the same filter.
    const exists = (probe: { after: number } | { before: number }): boolean =>
      d.services.journalPage({ limit: 1, ...filter, ...probe }).entries.length > 0;
    const localTime = localTimeFor(res);
    const checkpoint = d.services.checkpoint();
    const names = new Map(
      d.services
        .listUsers()
        .map((u) => [`user:${u.id}`, `${u.display ?? u.name}（${roleName(pageLang(res), u.role)}）`]),
    );
    const link = (p: Record<string, string | number>): string =>
      `/audit?${new URLSearchParams({ ...filter, ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)])) }).toString()}`;
    res.render('audit.njk', {
      title: tr(pageLang(res), '稽核', 'Audit'),
      entries: page.entries.map((e) => ({
        ...e,
        dataText: JSON.stringify(e.data),
        local: localTime(e.at),
        actorName: names.get(e.actor),
      })),
      head: page.head,
      lottery,
      type,
      pages: {
        ...(first && exists({ before: first.seq })
          ? { oldest: link({}), prev: link({ before: first.seq }) }
          : {}),
        ...(last && exists({ after: last.seq })
          ? { next: link({ after: last.seq }), newest: link({ before: page.head.seq + 1 }) }
          : {}),
      },
      checkpoint,
      checkpointLocal: localTime(checkpoint.at),
      // The auditor sees every lottery, cancelled ones and rehearsals included, each marked (issue 11).
      lotteries: d.services.listLotteries('all'),
    });
  });
}
