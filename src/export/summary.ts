import ExcelJS from 'exceljs';

/**
 * The yearly summary for the upper-level ethics office (上級政風機構): one row per lottery of the year, rehearsals
 * and cancelled lotteries left out, with what the office reports (N, the pool, each stage's rate and quota) and
 * what lets the reader check it (the record's SHA-256 and the public page).
 */

export interface SummaryLottery {
  id: string;
  year: number;
  agency: string;
  title: string;
  status: string;
  method: 'random' | 'physical';
  /** The roster's entries, excluded ones included (N). */
  count: number;
  poolSize: number;
  stages: Array<{ stage: number; label: string; percent: string; poolSize: number; quota: number }>;
  /** ROC, or ''. */
  meetingDate: string;
  /** The full record's SHA-256, '' until it is issued. */
  recordSha256: string;
  publicUrl: string;
}

const STATUS_ZH: Record<string, string> = {
  draft: '草稿',
  locked: '已鎖定',
  drawing: '抽籤中',
  drawn: '已抽籤',
};

export function summaryTable(rows: readonly SummaryLottery[]): Array<Array<string | number>> {
  const stages = Math.max(2, ...rows.map((r) => r.stages.length));
  const head = ['抽籤編號', '年度', '機關', '抽籤名稱', '狀態', '抽籤方式', '名冊人數(N)', '抽籤母體'];
  for (let s = 1; s <= stages; s++) head.push(`第${s}階段比率(%)`, `第${s}階段母體`, `第${s}階段抽出人數`);
  head.push('會議日期', '抽籤紀錄 SHA-256', '公開網址');
  const body = rows.map((r) => {
    const cells: Array<string | number> = [
      r.id,
      r.year,
      r.agency,
      r.title,
      STATUS_ZH[r.status] ?? r.status,
      r.method === 'physical' ? '實體抽籤' : '電腦抽籤',
      r.count,
      r.poolSize,
    ];
    for (let s = 1; s <= stages; s++) {
      const st = r.stages.find((x) => x.stage === s);
      cells.push(st ? st.percent : '', st ? st.poolSize : '', st ? st.quota : '');
    }
    cells.push(r.meetingDate, r.recordSha256, r.publicUrl);
    return cells;
  });
  return [head, ...body];
}

/** The workbook: one sheet 「{year}年度抽籤彙整」, the heading row frozen. */
export async function summaryXlsx(year: number, rows: readonly SummaryLottery[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'asset-review-lottery';
  const ws = wb.addWorksheet(`${year}年度抽籤彙整`);
  for (const row of summaryTable(rows)) ws.addRow(row);
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  ws.columns.forEach((col) => {
    col.width = 14;
  });
  const last = ws.columns.length;
  ws.getColumn(last - 1).width = 66;
  ws.getColumn(last).width = 48;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
