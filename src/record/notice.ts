import path from 'node:path';
import QRCode from 'qrcode';
import { HEX64, PRINTED_FINGERPRINT } from '../domain/grammar';
import type { Meeting } from '../domain/model';
import { quota, ruleText } from '../domain/quota';
import {
  chineseNumeral,
  fill,
  fingerprintHex,
  Flow,
  hexPrefixGroups,
  loadTemplate,
  openDocument,
  type FontSizes,
  type PageSpec,
} from './layout';
import { drawPageMarks } from './marks';
import { rocDate, rocDateTime, rocMeetingDate } from './roc';

/**
 * The pre-meeting notice (抽籤公告) as a PDF, laid out from templates/notice.json with the record's font and
 * conventions (src/record/layout.ts). It tells the public when and where the lottery is drawn, how many are
 * drawn at each stage and why (the arithmetic, exactly: src/domain/quota.ts), and what was locked before the
 * meeting: the roster digest, the commitment and the service's key fingerprint, in full and with their first
 * 16 hex digits large, so that observers can write them down and later pin the verifier to them
 * (`npx lottery verify --fingerprint … --commitment …`, protocol.md §8.3). The caller signs the bytes with
 * `signPdf(pdf, signer, issuedAt, lotteryId, 'notice')` (src/record/sign.ts).
 */
export const NOTICE_TEMPLATE_PATH = path.resolve(__dirname, '..', '..', 'templates', 'notice.json');

interface NoticeTemplate {
  page: PageSpec;
  fonts: FontSizes & { readout: number };
  title: string;
  meta: { issuedAt: string; lotteryId: string };
  subjectLabel: string;
  subject: string;
  basisLabel: string;
  basis: string;
  itemsLabel: string;
  items: {
    time: string;
    venue: string;
    meeting: string;
    officials: string;
    pool: string;
    poolNoneExcluded: string;
    stageLine: string;
    laterStages: string;
    values: string;
    observers: string;
    observersAfter: string;
    publicPage: string;
  };
  /** A physical draw's items, in place of the random draw's (dice, an algorithm). */
  physical: {
    method: string;
    values: string;
    sheet: string;
    observers: string;
    observersAfter: string;
  };
  officials: { chair: string; drawer: string; monitor: string };
  valueLabels: {
    commitmentPrefix: string;
    fingerprintPrefix: string;
    rosterDigest: string;
    commitment: string;
    keyFingerprint: string;
    /** issue 13: the witnessed log's verifier key. */
    logKey?: string;
  };
  command: string;
  rehearsalMark: string;
  testCertificateMark: string;
  footer: string;
  missingGlyph: string;
}

export interface NoticeStage {
  stage: number;
  label: string;
  percent: string;
  poolSize: number;
  quota: number;
}

export interface NoticeData {
  lotteryId: string;
  agency: string;
  title: string;
  year: number;
  meeting: Meeting;
  /** Roster entries, excluded ones included. */
  count: number;
  excludedCount: number;
  /** As locked: stage 1's pool is count − excludedCount, stage k+1's pool is stage k's quota. */
  stages: NoticeStage[];
  rosterDigest: string;
  commitment: string;
  /** `SHA256:` + 64 lowercase hex (protocol.md §4.2). */
  keyFingerprint: string;
  /** When this commitment was journalled (`lottery.locked`). */
  lockedAt: Date;
  issuedAt: Date;
  /** The lottery's public page, for the QR code and its link. */
  publicUrl: string;
  /** A rehearsal (演練): 「演練 REHEARSAL」 on every page. */
  rehearsal?: boolean;
  /** Signed under the local test CA: 「測試憑證」 on every page. */
  testCertificate?: boolean;
  /** A physical draw (實體抽籤): stage 1's pool sheet digest, issued at the lock (protocol.md §6.1). */
  physical?: { sheet: string };
  /** issue 13: the witnessed log's verifier key (vkey), for observers to pin before the meeting (--log-key). */
  logKey?: string;
}

/**
 * Refuses data that would make a signed public notice wrong: values not in their one written form, or quotas
 * and pools that do not follow from the roster and the percents (the notice prints the arithmetic).
 */
function check(d: NoticeData): void {
  const bad = (what: string): never => {
    throw new RangeError(`notice ${d.lotteryId}: ${what}`);
  };
  if (!HEX64.test(d.rosterDigest)) bad('rosterDigest is not 64 lowercase hex digits');
  if (!HEX64.test(d.commitment)) bad('commitment is not 64 lowercase hex digits');
  if (d.physical && !HEX64.test(d.physical.sheet))
    bad('the pool sheet digest is not 64 lowercase hex digits');
  if (!PRINTED_FINGERPRINT.test(d.keyFingerprint))
    bad('keyFingerprint is not SHA256: and 64 lowercase hex digits');
  if (d.stages.length === 0) bad('no stages');
  let pool = d.count - d.excludedCount;
  d.stages.forEach((s, i) => {
    if (s.stage !== i + 1) bad(`stage ${s.stage} out of order`);
    if (s.poolSize !== pool) bad(`stage ${s.stage} pool ${s.poolSize}, expected ${pool}`);
    const q = quota(s.poolSize, s.percent);
    if (s.quota !== q) bad(`stage ${s.stage} quota ${s.quota}, ${s.poolSize} × ${s.percent}% gives ${q}`);
    pool = q;
  });
}

/** The line the notice prints for a stage: 第一階段：母體 21 人 × 10% = 2.1，無條件進位為 3 人（實質審查）. */
export function noticeStageLine(
  s: NoticeStage,
  template = loadTemplate<NoticeTemplate>(NOTICE_TEMPLATE_PATH),
): string {
  return fill(template.items.stageLine, {
    stage: `第${chineseNumeral(s.stage)}階段`,
    rule: ruleText(s.poolSize, s.percent).zh,
    label: s.label,
  });
}

/** Renders the notice; the bytes are unsigned (sign them with signPdf(…, 'notice')). */
export async function renderNotice(data: NoticeData): Promise<Buffer> {
  check(data);
  const t = loadTemplate<NoticeTemplate>(NOTICE_TEMPLATE_PATH);
  const heading = fill(t.title, { agency: data.agency, year: data.year });
  const { doc, finished } = openDocument(t.page, {
    Title: heading,
    Author: data.agency,
    Subject: `lottery ${data.lotteryId} notice`,
    CreationDate: data.issuedAt,
  });
  const flow = new Flow(doc, t.page, t.fonts, t.missingGlyph);
  let n = 0;
  const item = (text: string, right = 0): number =>
    flow.hanging(`${chineseNumeral(++n)}、`, text, t.fonts.body, { right });
  const page: NoticePage = { data, t, flow, item };

  noticeHead(page, heading);
  meetingItems(page);
  // Said before the pools, so that a reader knows how the numbers below will be drawn.
  if (data.physical) item(fill(t.physical.method, { pool: data.stages[0]?.poolSize ?? 0 }));
  poolsAndQuotas(page);
  lockedValues(page);
  observers(page);
  publicPage(page);

  flow.footers(t.footer);
  drawPageMarks(flow, {
    ...(data.rehearsal ? { rehearsal: t.rehearsalMark } : {}),
    ...(data.testCertificate ? { testCertificate: t.testCertificateMark } : {}),
  });
  doc.end();
  return finished;
}

/** The notice being laid out, and its numbered items (一、二、…) in the order they are printed. */
interface NoticePage {
  data: NoticeData;
  t: NoticeTemplate;
  flow: Flow;
  /** Prints the next numbered item, keeping `right` points free at the right; returns the text's left edge. */
  item: (text: string, right?: number) => number;
}

const gap = (flow: Flow, lines = 0.25): void => void flow.doc.moveDown(lines);

/** Heading, title, and the notice's date and number at the right; then 主旨, 依據 and the items' label. */
function noticeHead({ data, t, flow }: NoticePage, heading: string): void {
  const { doc, P, m, width } = flow;
  doc.fontSize(t.fonts.title).text(P(heading), m, m, { width, align: 'center' });
  doc.moveDown(0.3).fontSize(t.fonts.body).text(P(data.title), { width, align: 'center' });
  doc.moveDown(0.6);
  doc
    .fontSize(t.fonts.small + 1)
    .text(
      `${fill(t.meta.issuedAt, { at: rocDate(data.issuedAt) })}\u3000${fill(t.meta.lotteryId, { id: data.lotteryId })}`,
      m,
      doc.y,
      { width, align: 'right' },
    );
  doc.moveDown(0.5);

  flow.hanging(t.subjectLabel, fill(t.subject, { year: data.year }));
  gap(flow);
  flow.hanging(t.basisLabel, t.basis);
  gap(flow);
  doc.fontSize(t.fonts.body).text(t.itemsLabel, m, doc.y, { width });
  gap(flow, 0.15);
}

/** The meeting's time, venue, name and officials, each an item when it was given. */
function meetingItems({ data, t, flow, item }: NoticePage): void {
  const { P } = flow;
  const mt = data.meeting;
  if (mt.date) item(fill(t.items.time, { date: rocMeetingDate(mt.date) }));
  if (mt.venue) item(fill(t.items.venue, { venue: P(mt.venue) }));
  if (mt.name) item(fill(t.items.meeting, { name: P(mt.name) }));
  const officials = (['chair', 'drawer', 'monitor'] as const)
    .filter((k) => mt[k])
    .map((k) => `${t.officials[k]} ${P(mt[k] ?? '')}`);
  if (officials.length) item(fill(t.items.officials, { list: officials.join('；') }));
}

/** Pools and quotas, with the arithmetic (exact decimal strings, never floats) */
function poolsAndQuotas({ data, t, flow, item }: NoticePage): void {
  const { doc, P, m, width } = flow;
  const body = t.fonts.body;
  const pool = data.stages[0]?.poolSize ?? 0;
  const x = item(
    fill(data.excludedCount > 0 ? t.items.pool : t.items.poolNoneExcluded, {
      count: data.count,
      excluded: data.excludedCount,
      pool,
    }),
  );
  gap(flow, 0.15);
  for (const s of data.stages) {
    flow.ensure(18);
    doc
      .fontSize(body)
      .text(P(noticeStageLine(s, t)), x + body, doc.y, { width: m + width - x - body, lineGap: 2 });
  }
  if (data.stages.length > 1)
    doc
      .fontSize(t.fonts.small + 1)
      .text(t.items.laterStages, x + body, doc.y + 2, { width: m + width - x - body });
  gap(flow);
}

/** What was locked: the values in full, and their first 16 hex digits large for observers to write down */
function lockedValues({ data, t, flow, item }: NoticePage): void {
  const { doc, m, width } = flow;
  const values = data.physical ? t.physical.values : t.items.values;
  const vx = item(fill(values, { lockedAt: rocDateTime(data.lockedAt) }));
  gap(flow, 0.3);
  const readoutIndent = vx - m + t.fonts.body;
  flow.ensure(3 * t.fonts.readout * 1.45 + 110);
  const at = (label: string, value: string): void => {
    const y = doc.y;
    const line = `${label}${value}`;
    flow.exact(line, line, t.fonts.readout, m + readoutIndent, y, {
      width: width - readoutIndent,
      lineBreak: false,
      wordSpacing: 2,
    });
    doc.y = y + t.fonts.readout * 1.45;
  };
  at(t.valueLabels.commitmentPrefix, hexPrefixGroups(data.commitment));
  at(t.valueLabels.fingerprintPrefix, hexPrefixGroups(fingerprintHex(data.keyFingerprint)));
  gap(flow, 0.2);
  /** `label：value` in one run (one line when it fits, the value unbroken either way). */
  const hex = (label: string, value: string): void => {
    const hx = m + readoutIndent;
    const w = width - readoutIndent;
    doc.fontSize(t.fonts.hex);
    if (doc.widthOfString(`${label}：${value}`) <= w) {
      doc.text(`${label}：${value}`, hx, doc.y, { width: w, lineBreak: false });
    } else {
      doc.text(label, hx, doc.y, { width: w });
      doc.text(value, hx + 12, doc.y, { width: w - 12, lineBreak: false });
    }
    doc.moveDown(0.25);
  };
  hex(t.valueLabels.rosterDigest, data.rosterDigest);
  hex(t.valueLabels.commitment, data.commitment);
  hex(t.valueLabels.keyFingerprint, data.keyFingerprint);
  if (data.logKey) hex(t.valueLabels.logKey ?? '', data.logKey);
  if (data.physical) hex(t.physical.sheet, data.physical.sheet);
  gap(flow, 0.2);
}

/** For observers: write the values down, watch the dice (or the balls), verify afterwards */
function observers({ data, t, flow, item }: NoticePage): void {
  const { doc, m, width } = flow;
  const said = data.physical ? t.physical : t.items;
  const ox = item(said.observers);
  const command = fill(t.command, { fingerprint: data.keyFingerprint, prefix: data.commitment.slice(0, 16) });
  const lines = command.split('\n');
  const boxH = lines.length * t.fonts.hex * 1.5 + 10;
  flow.ensure(boxH + 6);
  const boxY = doc.y + 3;
  doc
    .save()
    .rect(ox, boxY, m + width - ox, boxH)
    .fill('#f2f2f2')
    .restore();
  doc.y = boxY + 5;
  for (const line of lines)
    doc.fontSize(t.fonts.hex).text(line, ox + 8, doc.y, { width: m + width - ox - 16, lineBreak: false });
  doc.y = boxY + boxH + 4;
  doc.fontSize(t.fonts.body).text(said.observersAfter, ox, doc.y, { width: m + width - ox, lineGap: 2 });
  gap(flow);
}

/** The public page, with a QR code at the right that is also a link, and the URL under the text */
function publicPage({ data, t, flow, item }: NoticePage): void {
  const { doc, m, width } = flow;
  const qrCell = 2.4;
  const modules = QRCode.create(data.publicUrl, { errorCorrectionLevel: 'M' }).modules.size;
  const side = modules * qrCell;
  flow.ensure(side + 8);
  const top = doc.y;
  const px = item(t.items.publicPage, side + 14);
  doc.fontSize(t.fonts.small + 0.5).text(data.publicUrl, px, doc.y + 3, {
    width: m + width - side - 14 - px,
    link: data.publicUrl,
  });
  flow.qr(data.publicUrl, m + width - side, top, qrCell, true);
  doc.x = m;
  doc.y = Math.max(doc.y, top + side) + 8;
}
