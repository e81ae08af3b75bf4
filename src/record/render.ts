import path from 'node:path';
import type { Meeting } from '../domain/lottery';
import { ruleText } from '../domain/quota';
import { publicPerson, type PublicField } from '../domain/publish';
import {
  endActualText,
  fill,
  Flow,
  loadFont,
  loadTemplate,
  openDocument,
  printable,
  type Column,
} from './layout';
import { rocDateTime, rocMeetingDate } from './roc';

/**
 * The lottery record (抽籤紀錄) as a PDF, laid out from templates/record.json. What it must guarantee:
 * - every name comes back out of `pdftotext` exactly, and a character the font lacks is printed as 〔U+XXXX〕,
 *   never dropped (a dropped character can turn one person into another);
 * - hex values print unbroken on one line; the checkpoint signature in lines of 64 characters;
 * - the entropy prints verbatim with its length and UTF-8 hex, since it is hashed exactly as typed;
 * - long tables paginate with their header repeated, and every page says 第 n 頁，共 N 頁.
 */
export const TEMPLATE_PATH = path.resolve(__dirname, '..', '..', 'templates', 'record.json');

interface Template {
  page: { size: string; margin: number; footerGap: number };
  fonts: { title: number; heading: number; body: number; small: number; hex: number };
  title: string;
  publicMark: string;
  labels: Record<string, string>;
  sections: Record<string, string>;
  basis: string;
  excludedPublic: string;
  excludedNone: string;
  winnerColumns: Record<string, string>;
  rosterColumns: Record<string, string>;
  excludedColumns: Record<string, string>;
  ruleColumns: Record<string, string>;
  valueLabels: Record<string, string>;
  checkpointLabels: Record<string, string>;
  verifyText: string;
  signatureRoles: string[];
  signatureLine: string;
  footer: string;
  missingGlyph: string;
}

/** Loads the template and the font once per process (the font is 7 MB; pdfkit subsets it per document). */
export function loadRecordAssets(): { template: Template; font: Buffer } {
  return { template: loadTemplate<Template>(TEMPLATE_PATH), font: loadFont() };
}

export interface RecordPerson {
  id: string;
  name: string;
  unit?: string;
  title?: string;
  excluded?: string;
}

export interface RecordData {
  lotteryId: string;
  agency: string;
  title: string;
  year: number;
  meeting: Meeting;
  stages: Array<{
    stage: number;
    label: string;
    percent: string;
    poolSize: number;
    quota: number;
    winners: RecordPerson[];
  }>;
  roster: RecordPerson[];
  rosterDigest: string;
  commitment: string;
  entropy: string;
  secret: string;
  seed: string;
  protocol: string;
  checkpoint: { seq: number; hash: string; at: string; alg: string; signature: string };
  issuedAt: Date;
  /** When stage 1 was actually drawn (the journal's time), beside the meeting date that was typed. */
  drawnAt?: Date;
  verifyUrl: string;
  publicCopy: boolean;
  /** Which of a declarant's fields the public copy shows. */
  publicFields: readonly PublicField[];
}

export { printable };

export async function renderRecord(data: RecordData): Promise<Buffer> {
  const { template: t } = loadRecordAssets();
  const m = t.page.margin;
  const { doc, finished } = openDocument(t.page, {
    Title: `${data.title}${data.publicCopy ? t.publicMark : ''}`,
    Author: data.agency,
    Subject: `lottery ${data.lotteryId}`,
    CreationDate: data.issuedAt,
  });
  const flow = new Flow(doc, t.page, t.fonts, t.missingGlyph);
  const { P, width } = flow;
  const ensure = (h: number): void => flow.ensure(h);
  const heading = (s: string): void => flow.heading(s);
  const para = (s: string): void => flow.para(s);
  const field = (label: string, value: string): void => flow.field(label, value);
  const hexLine = (label: string, value: string): void => flow.hexLine(label, value);
  const table = (c: Column[], rows: string[][], size?: number): void => flow.table(c, rows, size);
  const cols = (spec: Array<[string, string, number]>): Column[] => flow.cols(spec);
  const show = (p: RecordPerson, f: 'name' | 'unit' | 'title'): string =>
    P((data.publicCopy ? publicPerson(p, data.publicFields) : p)[f] ?? '');

  // Title block
  doc
    .fontSize(t.fonts.title)
    .text(
      fill(t.title, { agency: data.agency, year: data.year }) + (data.publicCopy ? t.publicMark : ''),
      m,
      m,
      { width, align: 'center' },
    );
  doc.moveDown(0.3).fontSize(t.fonts.body).text(P(data.title), { width, align: 'center' });
  doc.moveDown(0.6);
  const mt = data.meeting;
  field(t.labels.lotteryId ?? '', data.lotteryId);
  field(t.labels.year ?? '', `${data.year} 年度`);
  field(t.labels.meeting ?? '', P(mt.name ?? ''));
  field(t.labels.date ?? '', mt.date ? rocMeetingDate(mt.date) : '');
  field(t.labels.venue ?? '', P(mt.venue ?? ''));
  field(t.labels.chair ?? '', P(mt.chair ?? ''));
  field(t.labels.drawer ?? '', P(mt.drawer ?? ''));
  field(t.labels.monitor ?? '', P(mt.monitor ?? ''));
  field(t.labels.witnesses ?? '', P((mt.witnesses ?? []).join('、')));
  field(t.labels.recorder ?? '', P(mt.recorder ?? ''));
  if (data.drawnAt) field(t.labels.drawnAt ?? '', `${rocDateTime(data.drawnAt)}（臺北時間，系統紀錄）`);
  field(t.labels.issuedAt ?? '', `${rocDateTime(data.issuedAt)}（臺北時間）`);

  heading(t.sections.basis ?? '');
  para(t.basis);

  heading(t.sections.rules ?? '');
  table(
    cols([
      ['stage', t.ruleColumns.stage ?? '', 1],
      ['label', t.ruleColumns.label ?? '', 3.2],
      ['rule', t.ruleColumns.rule ?? '', 6],
      ['pool', t.ruleColumns.pool ?? '', 1.2],
      ['quota', t.ruleColumns.quota ?? '', 1.2],
    ]),
    data.stages.map((s) => [
      String(s.stage),
      P(s.label),
      ruleText(s.poolSize, s.percent).zh,
      `${s.poolSize} 人`,
      `${s.quota} 人`,
    ]),
    t.fonts.body - 1,
  );

  heading(t.sections.winners ?? '');
  for (const s of data.stages) {
    ensure(50);
    doc
      .fontSize(t.fonts.body)
      .text(`第 ${s.stage} 階段\u3000${P(s.label)}：${s.quota} 人`, m, doc.y, { width });
    doc.moveDown(0.2);
    table(
      cols([
        ['order', t.winnerColumns.order ?? '', 0.8],
        ['id', t.winnerColumns.id ?? '', 1.4],
        ['name', t.winnerColumns.name ?? '', 2],
        ['unit', t.winnerColumns.unit ?? '', 3.6],
        ['title', t.winnerColumns.title ?? '', 2],
      ]),
      s.winners.map((w, i) => [String(i + 1), w.id, show(w, 'name'), show(w, 'unit'), show(w, 'title')]),
    );
  }

  heading(t.sections.excluded ?? '');
  const excluded = data.roster.filter((e) => e.excluded);
  if (excluded.length === 0) para(t.excludedNone);
  else if (data.publicCopy) para(fill(t.excludedPublic, { n: excluded.length }));
  else
    table(
      cols([
        ['id', t.excludedColumns.id ?? '', 1.2],
        ['name', t.excludedColumns.name ?? '', 1.8],
        ['reason', t.excludedColumns.reason ?? '', 6],
      ]),
      excluded.map((e) => [e.id, P(e.name), P(e.excluded ?? '')]),
    );

  heading(t.sections.values ?? '');
  field(t.valueLabels.protocol ?? '', data.protocol);
  hexLine(t.valueLabels.rosterDigest ?? '', data.rosterDigest);
  hexLine(t.valueLabels.commitment ?? '', data.commitment);
  // Extra word spacing: without it pdftotext reads "6 2 5 1 3 4" as "625134", and the entropy is hashed verbatim.
  const entropyOpts = { width: width - 12, wordSpacing: 3 };
  // Kept on one page: a span cut by a page break would be given back twice by text extraction.
  ensure(20 + doc.fontSize(t.fonts.body).heightOfString(data.entropy, entropyOpts));
  doc.fontSize(t.fonts.small).text(t.valueLabels.entropy ?? '', m, doc.y, { width });
  // Text extraction collapses a run of spaces into one and reads U+3000 or U+00A0 as a plain space, yet a reader
  // re-typing the entropy from the record must get the hashed string back: an ActualText span carries it exactly.
  doc.markContent('Span', { actual: data.entropy });
  doc.fontSize(t.fonts.body).text(data.entropy, m + 12, doc.y, entropyOpts);
  endActualText(doc, t.fonts.body);
  const entropyHex = Buffer.from(data.entropy, 'utf8').toString('hex');
  doc
    .fontSize(t.fonts.small)
    .text(
      fill(t.valueLabels.entropyDetail ?? '', { n: [...data.entropy].length, hex: entropyHex }),
      m + 12,
      doc.y,
      { width: width - 12 },
    );
  doc.moveDown(0.35);
  hexLine(t.valueLabels.secret ?? '', data.secret);
  hexLine(t.valueLabels.seed ?? '', data.seed);

  heading(t.sections.checkpoint ?? '');
  field(t.checkpointLabels.seq ?? '', String(data.checkpoint.seq));
  hexLine(t.checkpointLabels.hash ?? '', data.checkpoint.hash);
  field(t.checkpointLabels.at ?? '', data.checkpoint.at);
  field(t.checkpointLabels.alg ?? '', data.checkpoint.alg);
  ensure(30);
  doc.fontSize(t.fonts.small).text(t.checkpointLabels.signature ?? '', m, doc.y, { width });
  for (const line of data.checkpoint.signature.match(/.{1,64}/g) ?? []) {
    ensure(12);
    doc.fontSize(t.fonts.hex).text(line, m + 12, doc.y, { width: width - 12, lineBreak: false });
  }

  heading(t.sections.verify ?? '');
  ensure(110);
  const qrTop = doc.y;
  const qrSide = flow.qr(data.verifyUrl, m, qrTop, 3);
  const textX = m + qrSide + 14;
  doc.fontSize(t.fonts.body).text(t.verifyText, textX, qrTop, { width: width - qrSide - 14, lineGap: 2 });
  doc.fontSize(t.fonts.small).text(data.verifyUrl, textX, doc.y + 4, { width: width - qrSide - 14 });
  doc.x = m;
  doc.y = Math.max(doc.y, qrTop + qrSide) + 8;

  heading(t.sections.signatures ?? '');
  for (const role of t.signatureRoles) {
    const names =
      role === 'witnesses'
        ? mt.witnesses?.length
          ? mt.witnesses
          : ['']
        : [(mt as Record<string, string | undefined>)[role] ?? ''];
    for (const n of names) {
      ensure(28);
      doc
        .fontSize(t.fonts.body)
        .text(`${t.labels[role] ?? role}：${P(n)}\u3000簽名 ${t.signatureLine}`, m, doc.y + 8, { width });
    }
  }

  if (!data.publicCopy) {
    doc.addPage();
    doc.fontSize(t.fonts.heading).text(t.sections.appendix ?? '', m, m, { width });
    doc.moveDown(0.4);
    table(
      cols([
        ['id', t.rosterColumns.id ?? '', 1.3],
        ['name', t.rosterColumns.name ?? '', 1.8],
        ['unit', t.rosterColumns.unit ?? '', 3.2],
        ['title', t.rosterColumns.title ?? '', 1.8],
        ['excluded', t.rosterColumns.excluded ?? '', 3],
      ]),
      data.roster.map((e) => [e.id, P(e.name), P(e.unit ?? ''), P(e.title ?? ''), P(e.excluded ?? '')]),
    );
  }

  flow.footers(t.footer);
  doc.end();
  return finished;
}
