import type { RecordPage } from './record-sections';
import { fill, hexPrefixGroups } from './layout';
import { rocDateTime } from './roc';

/**
 * The record's section for a physical draw (實體抽籤, protocol.md §6.1), in place of the random draw's values:
 * the commitment and roster digest as locked, then each stage's pool sheet (its digest) and its balls in the
 * order they were drawn, with every withdrawn ball and its reason. Nothing about a seed or dice: there are none,
 * and a record that explained them would tell the meeting something that did not happen.
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

/** templates/record.json's `physical`: the wording a physical draw prints where a random draw's would go. */
export interface PhysicalTemplate {
  /** After the legal basis: how the winners were drawn. */
  basis: string;
  /** After the rules table: what the numbers on the balls stand for, and when a stage is done. */
  rules: string;
  section: string;
  method: string;
  /** {protocol} */
  protocol: string;
  /** {stage}, {n} */
  stage: string;
  sheet: string;
  /** {numbers} */
  drawn: string;
  /** {at}, {reason} */
  undone: string;
  /** {protocol}: the verification paragraph, naming what the verifier cannot check. */
  verifyText: string;
}

export function physicalValues(page: RecordPage, physical: PhysicalRecord): void {
  const { data, t, flow } = page;
  const { doc, P, m, width } = flow;
  const pt = t.physical;
  flow.heading(pt.section);
  flow.para(pt.method);
  flow.field(t.valueLabels.protocol ?? '', fill(pt.protocol, { protocol: data.protocol }));
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
    doc.fontSize(t.fonts.body).text(fill(pt.stage, { stage: s.stage, n: s.poolSize }), m, doc.y, { width });
    flow.hexLine(pt.sheet, s.sheet);
    const drawn = s.balls.filter((b) => !b.undone);
    doc
      .fontSize(t.fonts.body)
      .text(fill(pt.drawn, { numbers: drawn.map((b) => `${b.number}`).join('、') }), m, doc.y, { width });
    for (const [i, b] of s.balls.entries()) {
      const who = data.publicCopy ? '' : `\u3000${b.id}`;
      const undone = b.undone
        ? `\u3000${fill(pt.undone, { at: rocDateTime(b.undone.at), reason: P(b.undone.reason) })}`
        : '';
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
