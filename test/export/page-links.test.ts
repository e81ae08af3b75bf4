import nunjucks from 'nunjucks';
import path from 'node:path';
import { tr } from '../../src/http/i18n';

/**
 * The export links on the result page (templates/exports.njk, included by result.njk): shown to the roles that may
 * take each file, never for a rehearsal or a cancelled lottery. Rendered on its own, as the page includes it.
 */
const env = new nunjucks.Environment(
  new nunjucks.FileSystemLoader(path.resolve(__dirname, '..', '..', 'templates')),
  {
    autoescape: true,
  },
);
env.addGlobal('tr', (zh: string, en: string, params?: Record<string, unknown>) => tr('zh', zh, en, params));

const render = (role: string, l: Record<string, unknown> = {}): string =>
  env.render('exports.njk', { me: { role }, l: { id: 'moda-113', year: 113, status: 'drawn', ...l } });

const ids = (html: string): string[] => [...html.matchAll(/id="(export-[^"]+)"/g)].map((m) => m[1] ?? '');

describe('the export links on the result page', () => {
  it('when an ethics officer or an admin views a drawn lottery › every export and the letters are offered', () => {
    for (const role of ['ethics', 'admin'])
      expect(ids(render(role))).toEqual([
        'export-results-xlsx',
        'export-results-csv-utf8',
        'export-results-csv-big5',
        'export-letters',
        'export-summary',
      ]);
    expect(render('ethics')).toContain('href="/api/v1/lotteries/moda-113/export/results.csv?encoding=big5"');
    expect(render('ethics')).toContain('href="/api/v1/export/summary.xlsx?year=113"');
  });

  it('when an auditor views it › the results and the summary, not the letters; a drawer sees none', () => {
    expect(ids(render('auditor'))).not.toContain('export-letters');
    expect(ids(render('auditor'))).toContain('export-results-xlsx');
    expect(render('drawer').trim()).toBe('');
  });

  it('when the lottery is a rehearsal, cancelled or not drawn › no link, and a rehearsal says why', () => {
    expect(ids(render('ethics', { rehearsal: true }))).toEqual([]);
    expect(render('ethics', { rehearsal: true })).toContain('id="exports-refused"');
    expect(ids(render('ethics', { cancelled: { at: 'x', reason: 'y' } }))).toEqual([]);
    expect(render('ethics', { status: 'locked' }).trim()).toBe('');
  });
});
