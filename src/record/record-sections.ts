import { groupDigits } from '../domain/input/entropy';
import { PROTOCOL_V2 } from '../domain/protocol';
import { ruleText } from '../domain/quota';
import { publicPerson } from '../domain/publish';
import { endActualText, fill, fingerprintHex, hexPrefixGroups, type Column, type Flow } from './layout';
import type { RecordData, RecordPerson, RecordTemplate } from './render';
import { rocDateTime, rocMeetingDateWithUtc, taipeiWithUtc } from './roc';
import { physicalValues } from './physical';

/**
 * The sections of the lottery record (抽籤紀錄), each laid out on the record's flow in the order renderRecord
 * calls them (src/record/render.ts says what the record must guarantee). A section only draws: the bytes depend
 * on the order of the calls, so a section never reorders or skips what it was given.
 */
export interface RecordPage {
  data: RecordData;
  t: RecordTemplate;
  flow: Flow;
}

/** A declarant's field as this copy shows it: the public copy shows only the fields the lottery publishes. */
function show({ data, flow }: RecordPage, p: RecordPerson, f: 'name' | 'unit' | 'title'): string {
  return flow.P((data.publicCopy ? publicPerson(p, data.publicFields) : p)[f] ?? '');
}

/** A table's columns: each key's heading from the template's labels, and its share of the width. */
function columns(flow: Flow, labels: Record<string, string>, spec: Array<[string, number]>): Column[] {
  return flow.cols(spec.map(([key, weight]) => [key, labels[key] ?? '', weight]));
}

/** Title block */
export function titleBlock({ data, t, flow }: RecordPage): void {
  const { doc, P, m, width } = flow;
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
}

/** The meeting's particulars, the ceremony's openings and adjournments, and when it was drawn and issued. */
export function particulars({ data, t, flow }: RecordPage): void {
  const { P } = flow;
  const field = (label: string, value: string): void => flow.field(label, value);
  const mt = data.meeting;
  field(t.labels.lotteryId ?? '', data.lotteryId);
  field(t.labels.year ?? '', `${data.year} 年度`);
  field(t.labels.meeting ?? '', P(mt.name ?? ''));
  field(t.labels.date ?? '', mt.date ? rocMeetingDateWithUtc(mt.date) : '');
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
        at: taipeiWithUtc(c.at),
        by: P(c.by),
        reason: P(c.reason ?? ''),
      }),
    );
  if (data.drawnAt) field(t.labels.drawnAt ?? '', taipeiWithUtc(data.drawnAt, '系統紀錄'));
  field(t.labels.issuedAt ?? '', taipeiWithUtc(data.issuedAt));
  // The particulars above are the last ones journalled before the record; say when they were amended.
  const amended = (data.meetingAmendedAt ?? []).map((at) => taipeiWithUtc(new Date(at)));
  if (amended.length > 0)
    field(t.labels.meetingAmended ?? '', fill(t.meetingAmendedLine, { times: amended.join('、') }));
}

/** The legal basis, then each stage's rule: its pool, percent and quota, with the arithmetic. */
export function basisAndRules({ data, t, flow }: RecordPage): void {
  const { P } = flow;
  flow.heading(t.sections.basis ?? '');
  flow.para(t.basis);
  if (data.physical) flow.para(t.physical.basis);

  flow.heading(t.sections.rules ?? '', 36);
  flow.table(
    columns(flow, t.ruleColumns, [
      ['stage', 1],
      ['label', 3.2],
      ['rule', 6],
      ['pool', 1.2],
      ['quota', 1.2],
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
  if (data.physical) flow.para(t.physical.rules);
}

/** Each stage's winners, in the order drawn. */
export function winnersTables(page: RecordPage): void {
  const { data, t, flow } = page;
  const { doc, P, m, width } = flow;
  flow.heading(t.sections.winners ?? '', 50);
  for (const s of data.stages) {
    flow.ensure(50);
    doc
      .fontSize(t.fonts.body)
      .text(`第 ${s.stage} 階段\u3000${P(s.label)}：${s.quota} 人`, m, doc.y, { width });
    doc.moveDown(0.2);
    flow.table(
      columns(flow, t.winnerColumns, [
        ['order', 0.8],
        ['id', 1.4],
        ['name', 2],
        ['unit', 3.6],
        ['title', 2],
      ]),
      s.winners.map((w, i) => [
        String(i + 1),
        w.id,
        show(page, w, 'name'),
        show(page, w, 'unit'),
        show(page, w, 'title'),
      ]),
    );
  }
}

/** Who was excluded and why; the public copy gives only their number. */
export function excludedTable({ data, t, flow }: RecordPage): void {
  const { P } = flow;
  flow.heading(t.sections.excluded ?? '', 36); // with the table's header and first row
  const excluded = data.roster.filter((e) => e.excluded);
  if (excluded.length === 0) flow.para(t.excludedNone);
  else if (data.publicCopy) flow.para(fill(t.excludedPublic, { n: excluded.length }));
  else
    flow.table(
      columns(flow, t.excludedColumns, [
        ['id', 1.2],
        ['name', 1.8],
        ['reason', 6],
      ]),
      excluded.map((e) => [e.id, P(e.name), P(e.excluded ?? '')]),
    );
}

/** The values that let anyone redo the draw: protocol, digests, commitment, fingerprint, entropy, secret, seed. */
export function drawValues(page: RecordPage): void {
  const { data, t, flow } = page;
  if (data.physical) return physicalValues(page, data.physical);
  flow.heading(t.sections.values ?? '');
  flow.field(t.valueLabels.protocol ?? '', data.protocol);
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
  flow.doc.moveDown(0.2);
  flow.hexLine(t.valueLabels.rosterDigest ?? '', data.rosterDigest);
  flow.hexLine(t.valueLabels.commitment ?? '', data.commitment);
  if (data.keyFingerprint) flow.hexLine(t.valueLabels.keyFingerprint ?? '', data.keyFingerprint);
  if (data.protocol === PROTOCOL_V2 && /^[0-9]+$/.test(data.entropy)) digitsEntropy(page);
  else verbatimEntropy(page);
  flow.hexLine(t.valueLabels.secret ?? '', data.secret);
  flow.hexLine(t.valueLabels.seed ?? '', data.seed);
}

/** v1: the entropy as typed, hashed verbatim; its length and UTF-8 hex settle any doubt about spaces. */
function verbatimEntropy({ data, t, flow }: RecordPage): void {
  const { doc, m, width } = flow;
  // Extra word spacing: without it pdftotext reads "6 2 5 1 3 4" as "625134", and the entropy is hashed verbatim.
  const entropyOpts = { width: width - 12, wordSpacing: 3 };
  // Kept on one page: a span cut by a page break would be given back twice by text extraction.
  flow.ensure(20 + doc.fontSize(t.fonts.body).heightOfString(data.entropy, entropyOpts));
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
}

/**
 * v2: the canonical digits (protocol.md §4.1), in groups of five for reading aloud, then the exact string that
 * was hashed. Both are ActualText spans, so that extraction neither joins the groups nor splits the digits.
 */
function digitsEntropy({ data, t, flow }: RecordPage): void {
  const { doc, m, width } = flow;
  const grouped = groupDigits(data.entropy);
  const size = t.fonts.readout;
  flow.ensure(24 + size * 1.5 + 2 * t.fonts.hex);
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
}

/** The checkpoint's time: in Taipei, with the exact UTC string that was signed beside it. */
function checkpointTime(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : `${rocDateTime(d)}（臺北時間；UTC ${at}）`;
}

/** The signed journal checkpoint the record was issued at; its signature in lines of 64 characters. */
export function checkpointSection({ data, t, flow }: RecordPage): void {
  const { doc, m, width } = flow;
  flow.heading(t.sections.checkpoint ?? '');
  flow.field(t.checkpointLabels.seq ?? '', String(data.checkpoint.seq));
  flow.hexLine(t.checkpointLabels.hash ?? '', data.checkpoint.hash);
  flow.field(t.checkpointLabels.at ?? '', checkpointTime(data.checkpoint.at));
  flow.field(t.checkpointLabels.alg ?? '', data.checkpoint.alg);
  flow.ensure(30);
  doc.fontSize(t.fonts.small).text(t.checkpointLabels.signature ?? '', m, doc.y, { width });
  for (const line of data.checkpoint.signature.match(/.{1,64}/g) ?? []) {
    flow.ensure(12);
    doc.fontSize(t.fonts.hex).text(line, m + 12, doc.y, { width: width - 12, lineBreak: false });
  }
  if (data.logKey) {
    doc.moveDown(0.35);
    flow.hexLine(t.checkpointLabels.logKey ?? '', data.logKey);
  }
  cosigners({ data, t, flow });
}

const ROLE_LABELS: Record<string, string> = {
  monitor: 'roleMonitor',
  witness: 'roleWitness',
  remote: 'roleRemote',
};

/** issue 13: each cosigner's name, role, key fingerprint and the checkpoint they signed (size, root's first 16). */
function cosigners({ data, t, flow }: RecordPage): void {
  const list = data.cosigners ?? [];
  if (list.length === 0) return;
  const { doc, P, m, width } = flow;
  flow.ensure(40);
  doc
    .moveDown(0.2)
    .fontSize(t.fonts.small)
    .text(t.checkpointLabels.cosigners ?? '', m, doc.y, { width });
  for (const c of list) {
    flow.ensure(36);
    const role = t.checkpointLabels[ROLE_LABELS[c.role] ?? ''] ?? c.role;
    const at = taipeiWithUtc(new Date(c.timestamp * 1000));
    const line = fill(t.checkpointLabels.cosigner ?? '', {
      name: P(c.name),
      role: P(role),
      size: c.size,
      root: c.rootHash.slice(0, 16),
      at,
    });
    doc.fontSize(t.fonts.body).text(line, m + 12, doc.y, { width: width - 12 });
    flow.hexLine(t.checkpointLabels.cosignerFingerprint ?? '', c.fingerprint);
  }
}

/** How to verify: a QR code of the verification page, with the text and the URL beside it. */
export function verifySection({ data, t, flow }: RecordPage): void {
  const { doc, m, width } = flow;
  flow.ensure(150); // the heading with the QR code below it, not alone at the foot of a page
  flow.heading(t.sections.verify ?? '');
  flow.ensure(110);
  const qrTop = doc.y;
  const qrSide = flow.qr(data.verifyUrl, m, qrTop, 3);
  const textX = m + qrSide + 14;
  // A physical draw has no seed to recompute: its paragraph names the randomness as not verifiable instead.
  const text = fill(data.physical ? t.physical.verifyText : t.verifyText, {
    protocol: data.protocol,
    url: data.verifyUrl,
  });
  doc.fontSize(t.fonts.body).text(text, textX, qrTop, { width: width - qrSide - 14, lineGap: 2 });
  doc.fontSize(t.fonts.small).text(data.verifyUrl, textX, doc.y + 4, { width: width - qrSide - 14 });
  doc.x = m;
  doc.y = Math.max(doc.y, qrTop + qrSide) + 8;
}

/** The lines to sign: one for each official of the meeting, and one per witness. */
function signatureLines({ data, t, flow }: RecordPage): string[] {
  const mt = data.meeting;
  return t.signatureRoles.flatMap((role) =>
    (role === 'witnesses'
      ? mt.witnesses?.length
        ? mt.witnesses
        : ['']
      : [(mt as Record<string, string | undefined>)[role] ?? '']
    ).map((n) => `${t.labels[role] ?? role}：${flow.P(n)}\u3000簽名 ${t.signatureLine}`),
  );
}

/**
 * The signatures, with the sentence they sign: the heading, that sentence and every signature line are measured
 * first and kept on one page (a new page if they do not fit below what precedes them). Only a block taller than
 * a whole page is split, and then each page of it starts with the heading (續) and the sentence again, so that
 * no signature line ever stands on a page without what it signs.
 */
export function signatureBlock(page: RecordPage): void {
  const { data, t, flow } = page;
  const { doc, m, width } = flow;
  const lines = signatureLines(page);
  const intro = fill(t.signatureIntro, { id: data.lotteryId });
  const body = t.fonts.body;
  const lineH = (s: string): number => doc.fontSize(body).heightOfString(s, { width }) + 8;
  const introH = doc.fontSize(body).heightOfString(intro, { width, lineGap: 2 });
  const headH =
    doc.fontSize(body).currentLineHeight(true) * 0.6 +
    doc.fontSize(t.fonts.heading).currentLineHeight(true) * 1.3;
  const total = headH + introH + lines.reduce((a, l) => a + lineH(l), 0) + 6;
  if (doc.y + total > flow.bottom() && total <= flow.bottom() - m) doc.addPage();
  const head = (suffix: string): void => {
    flow.heading(`${t.sections.signatures ?? ''}${suffix}`);
    flow.para(intro);
  };
  head('');
  for (const line of lines) {
    if (doc.y + lineH(line) > flow.bottom()) {
      doc.addPage();
      head(t.signatureContinued);
    }
    doc.fontSize(body).text(line, m, doc.y + 8, { width });
  }
}

/** The whole roster, on pages of its own (the internal copy only). */
export function rosterAppendix({ data, t, flow }: RecordPage): void {
  const { doc, P, m, width } = flow;
  doc.addPage();
  doc.fontSize(t.fonts.heading).text(t.sections.appendix ?? '', m, m, { width });
  doc.moveDown(0.4);
  flow.table(
    columns(flow, t.rosterColumns, [
      ['id', 1.3],
      ['name', 1.8],
      ['unit', 3.2],
      ['title', 1.8],
      ['excluded', 3],
    ]),
    data.roster.map((e) => [e.id, P(e.name), P(e.unit ?? ''), P(e.title ?? ''), P(e.excluded ?? '')]),
  );
}

/**
 * The record's sections, in the order they are laid out. A new section (e.g. 實體抽籤 for a physical draw) is
 * one more entry here, where it belongs in the reading order; a section that does not apply draws nothing.
 */
export const RECORD_SECTIONS: ReadonlyArray<(page: RecordPage) => void> = [
  titleBlock,
  particulars,
  basisAndRules,
  winnersTables,
  excludedTable,
  drawValues,
  checkpointSection,
  verifySection,
  signatureBlock,
  (page) => {
    if (!page.data.publicCopy) rosterAppendix(page);
  },
];
