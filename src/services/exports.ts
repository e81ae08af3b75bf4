import { LotteryError } from '../domain/errors';
import { cancelledRefusal } from '../domain/lifecycle';
import type { RosterEntry } from '../domain/protocol';
import { renderLetters, type LetterPerson } from '../export/letters';
import {
  resultsCsvBig5,
  resultsCsvUtf8,
  resultsXlsx,
  type ExportRow,
  type ResultsData,
} from '../export/results';
import { summaryXlsx, type SummaryLottery } from '../export/summary';
import { rocMeetingDate } from '../record/roc';
import type { LotteryRow, ResultRow } from '../store/store';
import type { Context } from './context';
import { poolAndQuotas } from './views';

/**
 * Exports and letters (docs/exports.md): what an office takes away after the draw. These are reads: nothing is
 * written and nothing is journalled, since an export changes no state and can be produced again at will, and a
 * journal entry per download would let anyone with read access grow the journal. (The personal data they hold is
 * guarded by the roles of the routes and by Cache-Control: no-store.)
 */

export type ResultsFormat = 'xlsx' | 'csv-utf8' | 'csv-big5';

/** A file to hand over: its bytes, its media type, and its name (Chinese, with an ASCII one for old clients). */
export interface ExportFile {
  body: Buffer;
  type: string;
  name: string;
  asciiName: string;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A name typed by the office is no path: what a file system or a header would read as syntax becomes _. */
const safeName = (s: string): string =>
  Array.from(s, (ch) =>
    (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f' || '\\/:*?"<>|'.includes(ch) ? '_' : ch,
  )
    .join('')
    .slice(0, 80);

interface Drawn {
  l: LotteryRow;
  roster: RosterEntry[];
  results: ResultRow[];
}

/**
 * A lottery that may be exported: drawn to the end (random or physical), real, not cancelled. A rehearsal's
 * winners are practice; a file of them taken away could be mistaken for the real result, so it is never made.
 */
function drawnLottery(c: Context, id: string): Drawn {
  const l = c.mustGetLottery(id);
  if (l.rehearsal === true)
    throw new LotteryError('REHEARSAL_NOT_EXPORTED', {
      zh: '演練之抽籤結果不得匯出或發送通知',
      en: 'A rehearsal is never exported: its results and letters are not made',
    });
  if (l.cancelledAt !== null) throw cancelledRefusal();
  const results = c.store.results(id);
  if (l.status !== 'drawn' || results.length < l.stages.length)
    throw new LotteryError('NOT_DRAWN', {
      zh: '抽籤尚未完成，完成各階段抽籤後始得匯出',
      en: 'The lottery is not drawn yet: export it after its last stage',
    });
  return { l, roster: c.store.roster(id), results };
}

const meetingDate = (l: LotteryRow): string => (l.meeting.date ? rocMeetingDate(l.meeting.date) : '');

function resultsData({ l, roster, results }: Drawn): ResultsData {
  const byId = new Map(roster.map((e) => [e.id, e]));
  const rows: ExportRow[] = [];
  for (const r of results) {
    const label = l.stages.find((s) => s.stage === r.stage)?.label ?? '';
    r.winners.forEach((w, i) => {
      const e = byId.get(w);
      rows.push({
        stage: r.stage,
        label,
        order: i + 1,
        id: w,
        name: e?.name ?? '',
        unit: e?.unit ?? '',
        title: e?.title ?? '',
      });
    });
  }
  return {
    lotteryId: l.id,
    year: l.year,
    agency: l.agency,
    title: l.title,
    meetingDate: meetingDate(l),
    meetingName: l.meeting.name ?? '',
    method: l.method === 'physical' ? 'physical' : 'random',
    count: roster.length,
    stages: results.map((r) => ({
      stage: r.stage,
      label: l.stages.find((s) => s.stage === r.stage)?.label ?? '',
      percent: l.stages.find((s) => s.stage === r.stage)?.percent ?? '',
      poolSize: r.poolSize,
      quota: r.quota,
    })),
    rows,
  };
}

/** The results file of one drawn lottery, read in one transaction. */
export async function resultsFile(c: Context, id: string, format: ResultsFormat): Promise<ExportFile> {
  const d = c.store.read(() => resultsData(drawnLottery(c, id)));
  const base = safeName(`${d.year}年度${d.agency}抽籤結果`);
  if (format === 'xlsx')
    return {
      body: await resultsXlsx(d),
      type: XLSX,
      name: `${base}.xlsx`,
      asciiName: `results-${d.lotteryId}.xlsx`,
    };
  const big5 = format === 'csv-big5';
  return {
    body: big5 ? resultsCsvBig5(d) : resultsCsvUtf8(d),
    type: `text/csv; charset=${big5 ? 'big5' : 'utf-8'}`,
    name: `${base}${big5 ? '-big5' : ''}.csv`,
    asciiName: `results-${d.lotteryId}${big5 ? '-big5' : ''}.csv`,
  };
}

/** The letters: one page per person drawn at stage 1 (every later stage draws from them), in draw order. */
export async function lettersPdf(c: Context, id: string): Promise<ExportFile> {
  const { l, people } = c.store.read(() => {
    const d = drawnLottery(c, id);
    const byId = new Map(d.roster.map((e) => [e.id, e]));
    const out = new Map<string, LetterPerson>();
    for (const r of d.results) {
      const label = d.l.stages.find((s) => s.stage === r.stage)?.label ?? '';
      for (const w of r.winners) {
        const e = byId.get(w);
        const p = out.get(w) ?? {
          id: w,
          name: e?.name ?? '',
          unit: e?.unit ?? '',
          title: e?.title ?? '',
          stages: [],
        };
        p.stages.push({ stage: r.stage, label });
        out.set(w, p);
      }
    }
    return { l: d.l, people: [...out.values()] };
  });
  const body = await renderLetters({
    lotteryId: l.id,
    year: l.year,
    agency: l.agency,
    title: l.title,
    meetingDate: meetingDate(l),
    issuedAt: c.d.clock(),
    ...(c.d.letterContact ? { contact: c.d.letterContact } : {}),
    people,
  });
  return {
    body,
    type: 'application/pdf',
    name: `${safeName(`${l.year}年度${l.agency}抽中通知`)}.pdf`,
    asciiName: `letters-${l.id}.pdf`,
  };
}

/** One row of the year's summary; a lottery not drawn yet shows the quotas the roster gives now. */
function summaryRow(c: Context, l: LotteryRow): SummaryLottery {
  const roster = c.store.roster(l.id);
  const results = c.store.results(l.id);
  const stages = poolAndQuotas(l, roster).map((q) => {
    const r = results.find((x) => x.stage === q.stage);
    const label = l.stages.find((s) => s.stage === q.stage)?.label ?? '';
    return {
      stage: q.stage,
      label,
      percent: q.percent,
      poolSize: r?.poolSize ?? q.poolSize,
      quota: r?.quota ?? q.quota,
    };
  });
  return {
    id: l.id,
    year: l.year,
    agency: l.agency,
    title: l.title,
    status: l.status,
    method: l.method === 'physical' ? 'physical' : 'random',
    count: roster.length,
    poolSize: stages[0]?.poolSize ?? 0,
    stages,
    meetingDate: meetingDate(l),
    // The full copy's SHA-256, as journalled by its `record.issued` (the one without `public`).
    recordSha256: c.store.record(l.id, 'full')?.sha256 ?? '',
    publicUrl: `${c.d.publicUrl ?? 'http://localhost:3000'}/verify/${encodeURIComponent(l.id)}`,
  };
}

/** The year's summary: every real, living lottery of ROC year `year`, oldest first. */
export async function yearSummary(c: Context, year: number): Promise<ExportFile> {
  const rows = c.store.read(() =>
    c.store
      .listLotteries()
      .filter((l) => l.year === year && l.rehearsal !== true && l.cancelledAt === null)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((l) => summaryRow(c, l)),
  );
  return {
    body: await summaryXlsx(year, rows),
    type: XLSX,
    name: `${year}年度財產申報實質審查抽籤彙整.xlsx`,
    asciiName: `summary-${year}.xlsx`,
  };
}
