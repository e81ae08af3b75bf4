import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { Meeting } from '../domain/lottery';
import { ruleText } from '../domain/quota';
import { publicPerson, type PublicField } from '../domain/publish';
import { fontHasGlyph, FONT_PATH } from '../roster/font';
import { codePointLabel } from '../roster/printable';
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

let template: Template | undefined;
let fontBuffer: Buffer | undefined;

/** Loads the template and the font once per process (the font is 7 MB; pdfkit subsets it per document). */
export function loadRecordAssets(): { template: Template; font: Buffer } {
  template ??= JSON.parse(fs.readFileSync(TEMPLATE_PATH, 'utf8')) as Template;
  fontBuffer ??= fs.readFileSync(FONT_PATH);
  return { template, font: fontBuffer };
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

const fill = (s: string, vars: Record<string, string | number>): string =>
  s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));

/** Replaces characters the font lacks with 〔U+XXXX〕 so nothing disappears silently. */
export function printable(s: string, missing = '〔{cp}〕'): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    out += cp <= 0x20 || /\s/u.test(ch) || fontHasGlyph(cp) ? ch : fill(missing, { cp: codePointLabel(cp) });
  }
  return out;
}

interface Column {
  key: string;
  title: string;
  width: number;
}

export async function renderRecord(data: RecordData): Promise<Buffer> {
  const { template: t, font } = loadRecordAssets();
  const m = t.page.margin;
  const doc = new PDFDocument({
    size: t.page.size,
    margins: { top: m, bottom: m, left: m, right: m },
    bufferPages: true,
    pdfVersion: '1.7',
    lang: 'zh-TW',
    displayTitle: true,
    info: {
      Title: `${data.title}${data.publicCopy ? t.publicMark : ''}`,
      Author: data.agency,
      Subject: `lottery ${data.lotteryId}`,
      Creator: 'asset-review-lottery',
      Producer: 'asset-review-lottery',
      CreationDate: data.issuedAt,
      ModDate: data.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('tc', font);
  doc.font('tc');

  const P = (s: string): string => printable(s, t.missingGlyph);
  const width = doc.page.width - 2 * m;
  const bottom = (): number => doc.page.height - m - t.page.footerGap;
  const ensure = (h: number): void => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  const heading = (s: string): void => {
    ensure(40);
    doc.moveDown(0.6).fontSize(t.fonts.heading).text(s, m, doc.y, { width });
    doc.moveDown(0.25).fontSize(t.fonts.body);
  };
  const para = (s: string, size = t.fonts.body): void => {
    doc.fontSize(size).text(s, m, doc.y, { width, lineGap: 2 });
  };
  const field = (label: string, value: string): void => {
    if (!value) return;
    ensure(16);
    doc.fontSize(t.fonts.body).text(`${label}：${value}`, m, doc.y, { width, lineGap: 2 });
  };
  /** One hex value on a line of its own, in a size that keeps 64 digits unbroken. */
  const hexLine = (label: string, value: string): void => {
    ensure(30);
    doc.fontSize(t.fonts.small).text(label, m, doc.y, { width });
    doc.fontSize(t.fonts.hex).text(value, m + 12, doc.y, { width: width - 12, lineBreak: false });
    doc.moveDown(0.35);
  };

  const table = (cols: Column[], rows: string[][], size = t.fonts.small): void => {
    const pad = 3;
    const drawHeader = (): void => {
      const y = doc.y;
      const h =
        Math.max(
          ...cols.map((c) => doc.fontSize(size).heightOfString(c.title, { width: c.width - 2 * pad })),
        ) +
        2 * pad;
      let x = m;
      doc.save().rect(m, y, width, h).fill('#e8e8e8').restore();
      for (const c of cols) {
        doc
          .fillColor('black')
          .fontSize(size)
          .text(c.title, x + pad, y + pad, { width: c.width - 2 * pad });
        x += c.width;
      }
      doc
        .moveTo(m, y + h)
        .lineTo(m + width, y + h)
        .lineWidth(0.6)
        .stroke();
      doc.y = y + h;
    };
    ensure(40);
    drawHeader();
    for (const r of rows) {
      const h =
        Math.max(
          ...cols.map((c, i) => doc.fontSize(size).heightOfString(r[i] ?? '', { width: c.width - 2 * pad })),
        ) +
        2 * pad;
      if (doc.y + h > bottom()) {
        doc.addPage();
        drawHeader();
      }
      const y = doc.y;
      let x = m;
      cols.forEach((c, i) => {
        doc.fontSize(size).text(r[i] ?? '', x + pad, y + pad, { width: c.width - 2 * pad });
        x += c.width;
      });
      doc
        .moveTo(m, y + h)
        .lineTo(m + width, y + h)
        .lineWidth(0.3)
        .strokeColor('#999999')
        .stroke()
        .strokeColor('black');
      doc.y = y + h;
    }
    doc.x = m;
    doc.moveDown(0.4);
  };
  const cols = (spec: Array<[string, string, number]>): Column[] => {
    const total = spec.reduce((a, s) => a + s[2], 0);
    return spec.map(([key, title, w]) => ({ key, title, width: (w / total) * width }));
  };
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
  const qr = QRCode.create(data.verifyUrl, { errorCorrectionLevel: 'M' });
  const cell = 3;
  const size = qr.modules.size;
  doc.save();
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++)
      if (qr.modules.get(r, c)) doc.rect(m + c * cell, qrTop + r * cell, cell, cell);
  doc.fill('black').restore();
  const textX = m + size * cell + 14;
  doc
    .fontSize(t.fonts.body)
    .text(t.verifyText, textX, qrTop, { width: width - size * cell - 14, lineGap: 2 });
  doc.fontSize(t.fonts.small).text(data.verifyUrl, textX, doc.y + 4, { width: width - size * cell - 14 });
  doc.x = m;
  doc.y = Math.max(doc.y, qrTop + size * cell) + 8;

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

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const text = fill(t.footer, { page: i + 1, pages: range.count });
    // Writing below the bottom margin would make pdfkit add a page; lift the margin while the footer is drawn.
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .fontSize(t.fonts.small)
      .text(text, m, doc.page.height - m + 8, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = saved;
  }
  doc.end();
  return finished;
}

/**
 * Poppler places an ActualText span by the graphics state in force at its EMC. pdfkit draws each run of text
 * inside its own q…Q, with the page flipped back and the font set, so the span must end in that same state:
 * otherwise its text is read as if at the mirrored position, with no height, and out of reading order.
 */
function endActualText(doc: PDFKit.PDFDocument, fontSize: number): void {
  const raw = doc as unknown as { _font?: { id?: unknown }; addContent(s: string): unknown };
  doc.save().transform(1, 0, 0, -1, 0, doc.page.height);
  if (typeof raw._font?.id === 'string') raw.addContent(`BT /${raw._font.id} ${fontSize} Tf ET`);
  doc.endMarkedContent();
  doc.restore();
}
