import type { RecordPage } from './record-sections';
import { hexPrefixGroups } from './layout';
import { rocDateTime } from './roc';

/**
 * The record's section for a physical draw (實體抽籤, protocol.md §6.1), in place of the random draw's values:
 * the commitment and roster digest as locked, then each stage's pool sheet (its digest) and its balls in the
 * order they were drawn, with every withdrawn ball and its reason. Nothing about a seed: there is none.
 */

/** What the record shows of a physical draw, stage by stage. */
export interface PhysicalRecord {
  stages: Array<{
    stage: number;
    sheet: string;
    poolSize: number;
    balls: Array<{ number: number; id: string; at: Date; undone?: { at: Date; reason: string } }>;
  }>;
}

export function physicalValues(page: RecordPage, physical: PhysicalRecord): void {
  const { data, t, flow } = page;
  const { doc, P, m, width } = flow;
  flow.heading('抽籤方式：實體抽籤（抽球）');
  flow.para(
    '本次抽籤以實體號球為之：各階段依號次表（名冊編號排序）編號，由抽籤人自抽籤箱逐一抽出號球，並即時輸入系統、記入稽核日誌。' +
      '號球之隨機性由在場人員見證，驗證工具無法重算；名冊、名額、號次表、球號順序與雜湊鏈均可驗證。',
  );
  flow.field(t.valueLabels.protocol ?? '', `${data.protocol}（實體抽籤）`);
  flow.readout(
    `${t.valueLabels.commitmentPrefix ?? ''}：`,
    hexPrefixGroups(data.commitment),
    t.fonts.readout,
  );
  flow.hexLine(t.valueLabels.rosterDigest ?? '', data.rosterDigest);
  flow.hexLine(t.valueLabels.commitment ?? '', data.commitment);
  if (data.keyFingerprint) flow.hexLine(t.valueLabels.keyFingerprint ?? '', data.keyFingerprint);
  for (const s of physical.stages) {
    flow.ensure(60);
    doc.moveDown(0.3);
    doc.fontSize(t.fonts.body).text(`第 ${s.stage} 階段：號次 1 至 ${s.poolSize} 號`, m, doc.y, { width });
    flow.hexLine('號次表雜湊值（poolsheet.issued）', s.sheet);
    const drawn = s.balls.filter((b) => !b.undone);
    doc
      .fontSize(t.fonts.body)
      .text(`抽出球號（依抽出順序）：${drawn.map((b) => `${b.number}`).join('、')}`, m, doc.y, { width });
    for (const [i, b] of s.balls.entries()) {
      const who = data.publicCopy ? '' : `\u3000${b.id}`;
      const undone = b.undone ? `\u3000（已撤銷 ${rocDateTime(b.undone.at)}：${P(b.undone.reason)}）` : '';
      flow.ensure(16);
      doc
        .fontSize(t.fonts.small)
        .text(`${i + 1}. ${b.number} 號${who}\u3000${rocDateTime(b.at)}${undone}`, m + 12, doc.y, {
          width: width - 12,
        });
    }
  }
  doc.x = m;
  doc.moveDown(0.4);
}
