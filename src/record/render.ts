import path from 'node:path';
import { groupDigits } from '../domain/entropy';
import type { Meeting } from '../domain/lottery';
import { PROTOCOL_V2 } from '../domain/protocol';
import { ruleText } from '../domain/quota';
import { publicPerson, type PublicField } from '../domain/publish';
import {
  endActualText,
  fill,
  fingerprintHex,
  hexPrefixGroups,
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
 * - the entropy prints verbatim with its length and UTF-8 hex, since it is hashed exactly as typed; under
 *   lottery-draw/v2, as canonical digits in groups of five for reading aloud and as the exact digit string;
 * - the commitment's and the key fingerprint's first 16 hex digits print large, for reading into the minutes;
 * - long tables paginate with their header repeated, and every page says 第 n 頁，共 N 頁.
 */
export const TEMPLATE_PATH = path.resolve(__dirname, '..', '..', 'templates', 'record.json');

interface Template {
  page: { size: string; margin: number; footerGap: number };
  fonts: { title: number; heading: number; body: number; small: number; hex: number; readout: number };
  title: string;
  publicMark: string;
  labels: Record<string, string>;
  ceremonyLines: { opened: string; adjourned: string };
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

/** One `ceremony.opened` or `ceremony.adjourned` journal entry, with the actor's display name. */
export interface RecordCeremony {
  kind: 'opened' | 'adjourned';
  at: Date;
  by: string;
  reason?: string;
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
  /** lottery-draw/v2: `SHA256:` + 64 lowercase hex of the checkpoint key's DER SPKI (protocol.md §4.2). */
  keyFingerprint?: string;
  /** lottery-draw/v2: each opening and adjournment of the ceremony, in journal order. */
  ceremonies?: RecordCeremony[];
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
  const heading = (s: string, keep = 0): void => flow.heading(s, keep);
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
  // Each opening and adjournment of the ceremony (v2), in journal order, in Taipei time.
  for (const c of data.ceremonies ?? [])
    field(
      (c.kind === 'opened' ? t.labels.ceremonyOpened : t.labels.ceremonyAdjourned) ?? '',
      fill(c.kind === 'opened' ? t.ceremonyLines.opened : t.ceremonyLines.adjourned, {
        at: rocDateTime(c.at),
        by: P(c.by),
        reason: P(c.reason ?? ''),
      }),
    );
  if (data.drawnAt) field(t.labels.drawnAt ?? '', `${rocDateTime(data.drawnAt)}（臺北時間，系統紀錄）`);
  field(t.labels.issuedAt ?? '', `${rocDateTime(data.issuedAt)}（臺北時間）`);

  heading(t.sections.basis ?? '');
  para(t.basis);

  heading(t.sections.rules ?? '', 36);
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

  heading(t.sections.winners ?? '', 50);
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

  heading(t.sections.excluded ?? '', 36); // with the table's header and first row
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

  /** v1: the entropy as typed, hashed verbatim; its length and UTF-8 hex settle any doubt about spaces. */
  const verbatimEntropy = (): void => {
    // Extra word spacing: without it pdftotext reads "6 2 5 1 3 4" as "625134", and the entropy is hashed verbatim.
    const entropyOpts = { width: width - 12, wordSpacing: 3 };
    // Kept on one page: a span cut by a page break would be given back twice by text extraction.
    ensure(20 + doc.fontSize(t.fonts.body).heightOfString(data.entropy, entropyOpts));
    doc.fontSize(t.fonts.small).text(t.valueLabels.entropy ?? '', m, doc.y, { width });
    // Text extraction collapses a run of spaces into one and reads U+3000 or U+00A0 as a plain space, yet a
    // reader re-typing the entropy from the record must get the hashed string back: an ActualText span carries it.
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
  };
  /**
   * v2: the canonical digits (protocol.md §4.1), in groups of five for reading aloud, then the exact string that
   * was hashed. Both are ActualText spans, so that extraction neither joins the groups nor splits the digits.
   */
  const digitsEntropy = (): void => {
    const grouped = groupDigits(data.entropy);
    const size = t.fonts.readout;
    ensure(24 + size * 1.5 + 2 * t.fonts.hex);
    doc.fontSize(t.fonts.small).text(t.valueLabels.entropyV2 ?? '', m, doc.y, { width });
    let y = doc.y + 2;
    flow.exact(grouped, grouped, size, m + 12, y, { width: width - 12, wordSpacing: 4, lineBreak: false });
    y += size * 1.45;
    // One run in one size, so that extraction keeps the label and the digits on one line, the digits unbroken.
    doc.fontSize(t.fonts.hex).text(`${t.valueLabels.entropyDigits ?? ''}：${data.entropy}`, m + 12, y, {
      width: width - 12,
      lineBreak: false,
    });
    doc.y = y + t.fonts.hex * 1.45;
    doc
      .fontSize(t.fonts.small)
      .text(fill(t.valueLabels.entropyDigitsDetail ?? '', { n: data.entropy.length }), m + 12, doc.y, {
        width: width - 12,
      });
    doc.moveDown(0.35);
  };

  heading(t.sections.values ?? '');
  field(t.valueLabels.protocol ?? '', data.protocol);
  // For reading into the minutes: the first 16 hex digits, large and grouped (the full values follow).
  flow.readout(
    `${t.valueLabels.commitmentPrefix ?? ''}：`,
    hexPrefixGroups(data.commitment),
    t.fonts.readout,
  );
  if (data.keyFingerprint)
    flow.readout(
      `${t.valueLabels.fingerprintPrefix ?? ''}：`,
      hexPrefixGroups(fingerprintHex(data.keyFingerprint)),
      t.fonts.readout,
    );
  doc.moveDown(0.2);
  hexLine(t.valueLabels.rosterDigest ?? '', data.rosterDigest);
  hexLine(t.valueLabels.commitment ?? '', data.commitment);
  if (data.keyFingerprint) hexLine(t.valueLabels.keyFingerprint ?? '', data.keyFingerprint);
  if (data.protocol === PROTOCOL_V2 && /^[0-9]+$/.test(data.entropy)) digitsEntropy();
  else verbatimEntropy();
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

  ensure(150); // the heading with the QR code below it, not alone at the foot of a page
  heading(t.sections.verify ?? '');
  ensure(110);
  const qrTop = doc.y;
  const qrSide = flow.qr(data.verifyUrl, m, qrTop, 3);
  const textX = m + qrSide + 14;
  doc.fontSize(t.fonts.body).text(t.verifyText, textX, qrTop, { width: width - qrSide - 14, lineGap: 2 });
  doc.fontSize(t.fonts.small).text(data.verifyUrl, textX, doc.y + 4, { width: width - qrSide - 14 });
  doc.x = m;
  doc.y = Math.max(doc.y, qrTop + qrSide) + 8;

  const signers = t.signatureRoles.flatMap((role) =>
    (role === 'witnesses'
      ? mt.witnesses?.length
        ? mt.witnesses
        : ['']
      : [(mt as Record<string, string | undefined>)[role] ?? '']
    ).map((n) => `${t.labels[role] ?? role}：${P(n)}\u3000簽名 ${t.signatureLine}`),
  );
  // The signature lines stay together with their heading (one page), unless there are more than a page holds.
  heading(t.sections.signatures ?? '', Math.min(signers.length * 26, 400));
  for (const line of signers) {
    ensure(28);
    doc.fontSize(t.fonts.body).text(line, m, doc.y + 8, { width });
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
