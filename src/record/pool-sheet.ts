import type { LotteryRow, PoolSheetRow } from '../store/store';
import type { Person } from '../services/views';
import { chineseNumeral, Flow, openDocument } from './layout';

/**
 * The numbered pool sheet of one stage of a physical draw (實體抽籤號次表, protocol.md §6.1): 號次 n is the n-th
 * entry of the pool in id order, the number on the n-th ball. It prints the sheet's digest, which the journal
 * holds (`poolsheet.issued`), so anyone may hold the printed sheet to the audit bundle.
 */

const PAGE = { size: 'A4', margin: 50, footerGap: 24 };
const FONTS = { title: 16, heading: 12, body: 10.5, small: 9, hex: 8.2 };

export interface PoolSheetInput {
  lottery: LotteryRow;
  stage: number;
  sheet: PoolSheetRow;
  people: Person[];
}

export async function renderPoolSheet(s: PoolSheetInput): Promise<Buffer> {
  const { lottery: l, stage, sheet, people } = s;
  const def = l.stages[stage - 1];
  const title = `${l.agency} ${l.year}年度財產申報實質審查 實體抽籤號次表`;
  const { doc, finished } = openDocument(PAGE, {
    Title: title,
    Author: l.agency,
    Subject: `lottery ${l.id} stage ${stage} pool sheet`,
    CreationDate: new Date(sheet.issuedAt),
  });
  const flow = new Flow(doc, PAGE, FONTS, '〔{cp}〕');
  const { P, m, width } = flow;
  doc.fontSize(FONTS.title).text(P(title), m, m, { width, align: 'center' });
  doc.moveDown(0.3).fontSize(FONTS.body).text(P(l.title), { width, align: 'center' });
  doc.moveDown(0.6);
  flow.field('抽籤編號', l.id);
  flow.field('階段', `第${chineseNumeral(stage)}階段${def ? `（${P(def.label)}，${def.percent}%）` : ''}`);
  flow.field(
    '號次',
    stage === 1
      ? `1 至 ${sheet.entries.length} 號，依名冊編號排序（未排除者）`
      : `1 至 ${sheet.entries.length} 號，依第${chineseNumeral(stage - 1)}階段中籤者之編號排序`,
  );
  flow.hexLine('號次表雜湊值（SHA-256，記於稽核日誌 poolsheet.issued）', sheet.sha256);
  doc.moveDown(0.3);
  const cols = flow.cols([
    ['n', '號次', 1],
    ['id', '編號', 2],
    ['name', '姓名', 2],
    ['unit', '單位', 3],
    ['title', '職稱', 2],
  ]);
  flow.table(
    cols,
    people.map((p, i) => [String(i + 1), p.id, P(p.name), P(p.unit ?? ''), P(p.title ?? '')]),
    FONTS.body,
  );
  flow.footers(`${l.id} 第${stage}階段號次表\u3000第 {page} 頁，共 {pages} 頁`);
  doc.end();
  return finished;
}
