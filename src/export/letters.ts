import fs from 'node:fs';
import path from 'node:path';
import { chineseNumeral, fill, Flow, openDocument, type FontSizes, type PageSpec } from '../record/layout';
import { rocDate } from '../record/roc';

/**
 * The notification letters (通知): one PDF, one page per person selected, worded from templates/letter.json, which
 * the office edits (docs/exports.md). The record's font and conventions (src/record/layout.ts): Noto Sans TC
 * embedded as a subset, and a character the font lacks printed as 〔U+XXXX〕, never dropped. The letters are not
 * signed: they are an office's correspondence, produced again whenever asked, not a record.
 */
export const LETTER_TEMPLATE_PATH = path.resolve(__dirname, '..', '..', 'templates', 'letter.json');

/** What a letter's wording may name; anything else in braces is a mistake in the template, refused at load. */
export const LETTER_PLACEHOLDERS = [
  'name',
  'unit',
  'title',
  'year',
  'agency',
  'lotteryTitle',
  'lotteryId',
  'stage',
  'meetingDate',
  'date',
  'article',
  'contact',
] as const;
type Placeholder = (typeof LETTER_PLACEHOLDERS)[number];

export interface LetterTemplate {
  page: PageSpec;
  fonts: FontSizes;
  title: string;
  addressee: string;
  date: string;
  subjectLabel: string;
  /** By the last stage the person was drawn at: [0] stage 1 only, [1] stage 2 too; the last serves any later. */
  subjects: string[];
  explanationLabel: string;
  items: string[];
  article: string;
  contact: string;
  signature: string;
  /** May also name {page} and {pages}. */
  footer: string;
  missingGlyph: string;
}

const STRING_KEYS = [
  'title',
  'addressee',
  'date',
  'subjectLabel',
  'explanationLabel',
  'article',
  'contact',
  'signature',
  'footer',
  'missingGlyph',
] as const;

/** Checks a template's shape and every placeholder; throws an Error naming the file, the key and the fault. */
export function checkLetterTemplate(raw: unknown, file = 'templates/letter.json'): LetterTemplate {
  const bad = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) return bad('not a JSON object');
  const t = raw as Record<string, unknown>;
  for (const k of STRING_KEYS) if (typeof t[k] !== 'string') bad(`"${k}" must be a string`);
  for (const k of ['subjects', 'items'] as const) {
    const v = t[k];
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string'))
      bad(`"${k}" must be a non-empty list of strings`);
  }
  const page = t.page as Record<string, unknown> | undefined;
  if (typeof page?.size !== 'string' || typeof page.margin !== 'number' || typeof page.footerGap !== 'number')
    bad('"page" needs size, margin and footerGap');
  const fonts = t.fonts as Record<string, unknown> | undefined;
  for (const k of ['title', 'heading', 'body', 'small', 'hex'])
    if (typeof fonts?.[k] !== 'number') bad(`"fonts.${k}" must be a number`);
  const texts: Array<[string, string]> = [
    ...STRING_KEYS.map((k): [string, string] => [k, String(t[k])]),
    ...(t.subjects as string[]).map((s, i): [string, string] => [`subjects[${i}]`, s]),
    ...(t.items as string[]).map((s, i): [string, string] => [`items[${i}]`, s]),
  ];
  for (const [key, text] of texts)
    for (const m of text.matchAll(/\{(\w*)\}/g)) {
      const name = m[1] ?? '';
      const known: readonly string[] =
        key === 'footer'
          ? [...LETTER_PLACEHOLDERS, 'page', 'pages']
          : key === 'missingGlyph'
            ? ['cp']
            : LETTER_PLACEHOLDERS;
      if (!known.includes(name))
        bad(`unknown placeholder {${name}} in "${key}" (known: ${known.map((k) => `{${k}}`).join(' ')})`);
    }
  return t as unknown as LetterTemplate;
}

const loaded = new Map<string, LetterTemplate>();
/** The template, read and checked once per process (a fault in it is an error on the first letters asked for). */
export function loadLetterTemplate(file = LETTER_TEMPLATE_PATH): LetterTemplate {
  let t = loaded.get(file);
  if (!t) {
    t = checkLetterTemplate(JSON.parse(fs.readFileSync(file, 'utf8')), path.relative(process.cwd(), file));
    loaded.set(file, t);
  }
  return t;
}

export interface LetterPerson {
  id: string;
  name: string;
  unit: string;
  title: string;
  /** The stages the person was drawn at, in order (stage 2's winners were drawn at stage 1 too). */
  stages: Array<{ stage: number; label: string }>;
}

export interface LettersData {
  lotteryId: string;
  year: number;
  agency: string;
  title: string;
  /** ROC, or '' when the meeting has no date. */
  meetingDate: string;
  /** When the letters are produced: {date}, in the ROC calendar, and the PDF's creation date. */
  issuedAt: Date;
  /** LOTTERY_CONTACT, when set; otherwise the template's `contact`. */
  contact?: string;
  people: LetterPerson[];
}

function vars(d: LettersData, p: LetterPerson, t: LetterTemplate): Record<Placeholder, string | number> {
  return {
    name: p.name,
    unit: p.unit,
    title: p.title,
    year: d.year,
    agency: d.agency,
    lotteryTitle: d.title,
    lotteryId: d.lotteryId,
    stage: p.stages.map((s) => `第${chineseNumeral(s.stage)}階段${s.label}`).join('、'),
    meetingDate: d.meetingDate,
    date: rocDate(d.issuedAt),
    article: t.article,
    contact: d.contact ?? t.contact,
  };
}

/** One letter on the current page. */
function letterPage(
  flow: Flow,
  t: LetterTemplate,
  v: Record<Placeholder, string | number>,
  last: number,
): void {
  const { doc, m, width, P } = flow;
  const f = (s: string): string => P(fill(s, v));
  doc.fontSize(t.fonts.title).text(f(t.title), m, m, { width, align: 'center' });
  doc.moveDown(1).fontSize(t.fonts.body);
  flow.para(f(t.addressee));
  flow.para(f(t.date));
  doc.moveDown(0.8);
  const subject = t.subjects[Math.min(last, t.subjects.length) - 1] ?? t.subjects[0] ?? '';
  flow.hanging(t.subjectLabel, f(subject));
  doc.moveDown(0.5);
  flow.para(t.explanationLabel);
  t.items.forEach((item, i) => flow.hanging(`${chineseNumeral(i + 1)}、`, f(item), t.fonts.body));
  doc.moveDown(2);
  doc.fontSize(t.fonts.heading).text(f(t.signature), m, doc.y, { width, align: 'right' });
}

/** Renders every person's letter, one page each; a template too long for one page is refused. */
export async function renderLetters(d: LettersData, file = LETTER_TEMPLATE_PATH): Promise<Buffer> {
  const t = loadLetterTemplate(file);
  const { doc, finished } = openDocument(t.page, {
    Title: `${d.agency} ${d.year}年度財產申報實質審查抽中通知`,
    Author: d.agency,
    Subject: `lottery ${d.lotteryId} letters`,
    CreationDate: d.issuedAt,
  });
  const flow = new Flow(doc, t.page, t.fonts, t.missingGlyph);
  const footers: Array<Record<Placeholder, string | number>> = [];
  d.people.forEach((p, i) => {
    if (i > 0) doc.addPage();
    const v = vars(d, p, t);
    letterPage(flow, t, v, p.stages.at(-1)?.stage ?? 1);
    footers.push(v);
    if (doc.bufferedPageRange().count !== i + 1)
      throw new Error(
        `${LETTER_TEMPLATE_PATH}: the letter to ${p.id} does not fit on one page; shorten the wording`,
      );
  });
  const pages = footers.length;
  footers.forEach((v, i) => {
    doc.switchToPage(i);
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .fontSize(t.fonts.small)
      .text(flow.P(fill(t.footer, { ...v, page: i + 1, pages })), flow.m, doc.page.height - flow.m + 8, {
        width: flow.width,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = saved;
  });
  doc.end();
  return finished;
}
