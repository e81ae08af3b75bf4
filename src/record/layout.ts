import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { fontHasGlyph, FONT_PATH } from '../roster/font';
import { codePointLabel } from '../roster/printable';

/**
 * Layout helpers shared by the signed PDFs (the record 抽籤紀錄 and the notice 抽籤公告): one font (Noto Sans TC,
 * embedded as a subset), A4, a page footer 第 n 頁，共 N 頁, hex values unbroken on one line, text the font lacks
 * printed as 〔U+XXXX〕, and ActualText spans for strings that text extraction must give back exactly.
 */

/** The page and font sizes a layout file (templates/record.json, templates/notice.json) sets, in PDF points. */
export interface PageSpec {
  size: string;
  margin: number;
  footerGap: number;
}
export interface FontSizes {
  title: number;
  heading: number;
  body: number;
  small: number;
  hex: number;
}

let fontBuffer: Buffer | undefined;
/** The font, read once per process (it is 7 MB; pdfkit subsets it per document). */
export function loadFont(): Buffer {
  fontBuffer ??= fs.readFileSync(FONT_PATH);
  return fontBuffer;
}

const templates = new Map<string, unknown>();
/** A layout file, read once per process. */
export function loadTemplate<T>(file: string): T {
  if (!templates.has(file)) templates.set(file, JSON.parse(fs.readFileSync(file, 'utf8')));
  return templates.get(file) as T;
}

export const fill = (s: string, vars: Record<string, string | number>): string =>
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

/** The first `n` hex digits in groups of four, for reading aloud: `7152 cd33 44fe b35e`. Display only. */
export function hexPrefixGroups(hex: string, n = 16): string {
  return (hex.slice(0, n).match(/.{1,4}/g) ?? []).join(' ');
}

/** The hex digits of a key fingerprint (`SHA256:` + 64 hex), without the prefix. */
export const fingerprintHex = (fp: string): string => fp.replace(/^SHA256:/i, '');

/** 1 → 一 … 99 → 九十九, for 第一階段 and the numbered items of a notice. */
export function chineseNumeral(n: number): string {
  const d = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  if (!Number.isInteger(n) || n < 0 || n > 99) return String(n);
  if (n < 10) return d[n] ?? String(n);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : (d[tens] ?? '')}十${ones === 0 ? '' : (d[ones] ?? '')}`;
}

export interface OpenedDocument {
  doc: PDFKit.PDFDocument;
  /** Resolves to the PDF bytes after `doc.end()`. */
  finished: Promise<Buffer>;
}

/** A pdfkit document on the template's page, buffered (for the footers), with the font registered as `tc`. */
export function openDocument(
  page: PageSpec,
  info: { Title: string; Author: string; Subject: string; CreationDate: Date },
): OpenedDocument {
  const m = page.margin;
  const doc = new PDFDocument({
    size: page.size,
    margins: { top: m, bottom: m, left: m, right: m },
    bufferPages: true,
    pdfVersion: '1.7',
    lang: 'zh-TW',
    displayTitle: true,
    info: {
      Title: info.Title,
      Author: info.Author,
      Subject: info.Subject,
      Creator: 'asset-review-lottery',
      Producer: 'asset-review-lottery',
      CreationDate: info.CreationDate,
      ModDate: info.CreationDate,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('tc', loadFont());
  doc.font('tc');
  return { doc, finished };
}

export interface Column {
  key: string;
  title: string;
  width: number;
}

/** Flowing layout on one document: headings, paragraphs, label：value fields, hex lines and paginating tables. */
export class Flow {
  readonly m: number;
  readonly width: number;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    readonly page: PageSpec,
    readonly fonts: FontSizes,
    readonly missingGlyph: string,
  ) {
    this.m = page.margin;
    this.width = doc.page.width - 2 * this.m;
  }

  P = (s: string): string => printable(s, this.missingGlyph);

  bottom(): number {
    return this.doc.page.height - this.m - this.page.footerGap;
  }

  /** Starts a new page unless `h` points still fit above the footer. */
  ensure(h: number): void {
    if (this.doc.y + h > this.bottom()) this.doc.addPage();
  }

  /** A section heading, on a new page unless `keep` points fit below it (what must not be parted from it). */
  heading(s: string, keep = 0): void {
    const { doc, m, width } = this;
    this.ensure(40 + keep);
    doc.moveDown(0.6).fontSize(this.fonts.heading).text(s, m, doc.y, { width });
    doc.moveDown(0.25).fontSize(this.fonts.body);
  }

  para(s: string, size = this.fonts.body, indent = 0): void {
    this.doc.fontSize(size).text(s, this.m + indent, this.doc.y, { width: this.width - indent, lineGap: 2 });
  }

  /**
   * A paragraph with a hanging label, as a 公文 numbers its items: `mark` (一、, 主旨：) at `indent`, the text
   * after it, wrapped lines aligned with the text's first character, `right` points kept free at the right.
   * Returns the text's left edge.
   */
  hanging(mark: string, text: string, indent = 0, opts: { size?: number; right?: number } = {}): number {
    const { doc, m, width } = this;
    const size = opts.size ?? this.fonts.body;
    doc.fontSize(size);
    const x = m + indent + doc.widthOfString(mark);
    const textOpts = { width: m + width - (opts.right ?? 0) - x, lineGap: 2 };
    this.ensure(Math.min(doc.heightOfString(text, textOpts), 3 * size * 1.5));
    const y = doc.y;
    doc.text(mark, m + indent, y, { lineBreak: false });
    doc.text(text, x, y, textOpts);
    doc.x = m;
    return x;
  }

  /** `label：value`, or nothing when the value is empty. */
  field(label: string, value: string, indent = 0): void {
    if (!value) return;
    this.ensure(16);
    this.doc
      .fontSize(this.fonts.body)
      .text(`${label}：${value}`, this.m + indent, this.doc.y, { width: this.width - indent, lineGap: 2 });
  }

  /** One hex value on a line of its own, in a size that keeps 64 digits unbroken. */
  hexLine(label: string, value: string): void {
    const { doc, m, width } = this;
    this.ensure(30);
    doc.fontSize(this.fonts.small).text(label, m, doc.y, { width });
    doc.fontSize(this.fonts.hex).text(value, m + 12, doc.y, { width: width - 12, lineBreak: false });
    doc.moveDown(0.35);
  }

  /**
   * Draws `shown` at (x, y) inside an ActualText span carrying `actual`, so that pdftotext (plain, -layout, -raw)
   * gives back `actual` exactly, once, wherever its glyphs are spaced. Keep the span on one page (`ensure` first):
   * a span cut by a page break would be given back twice.
   */
  exact(
    shown: string,
    actual: string,
    size: number,
    x: number,
    y: number,
    opts: PDFKit.Mixins.TextOptions = {},
  ): void {
    const { doc } = this;
    doc.markContent('Span', { actual });
    doc.fontSize(size).text(shown, x, y, opts);
    endActualText(doc, size);
  }

  /**
   * A value to be read aloud and written down, large: `label` then `shown` (grouped for reading), in `size`,
   * extracted exactly as written.
   */
  readout(label: string, shown: string, size: number): void {
    const { doc, m, width } = this;
    this.ensure(size * 1.6 + 4);
    const y = doc.y;
    // One run in one size inside one ActualText span: extraction gives the label and the groups on one line.
    const line = `${label}${shown}`;
    this.exact(line, line, size, m, y, { width, lineBreak: false, wordSpacing: 2 });
    doc.x = m;
    doc.y = y + size * 1.45;
  }

  table(cols: Column[], rows: string[][], size = this.fonts.small): void {
    const { doc, m, width } = this;
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
    this.ensure(40);
    drawHeader();
    for (const r of rows) {
      const h =
        Math.max(
          ...cols.map((c, i) => doc.fontSize(size).heightOfString(r[i] ?? '', { width: c.width - 2 * pad })),
        ) +
        2 * pad;
      if (doc.y + h > this.bottom()) {
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
  }

  /** Columns from relative widths over the text width. */
  cols(spec: Array<[string, string, number]>): Column[] {
    const total = spec.reduce((a, s) => a + s[2], 0);
    return spec.map(([key, title, w]) => ({ key, title, width: (w / total) * this.width }));
  }

  /**
   * A QR code for `url` at (x, y) with `cell`-point modules, drawn as vector squares. With `link`, the code is
   * also a link annotation to the URL. Returns the side of the code in points.
   */
  qr(url: string, x: number, y: number, cell = 3, link = false): number {
    const { doc } = this;
    const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
    const size = qr.modules.size;
    doc.save();
    for (let r = 0; r < size; r++)
      for (let c = 0; c < size; c++)
        if (qr.modules.get(r, c)) doc.rect(x + c * cell, y + r * cell, cell, cell);
    doc.fill('black').restore();
    if (link) doc.link(x, y, size * cell, size * cell, url);
    return size * cell;
  }

  /** Writes `footer` (with {page} and {pages}) at the foot of every buffered page. */
  footers(footer: string): void {
    const { doc, m, width } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const text = fill(footer, { page: i + 1, pages: range.count });
      // Writing below the bottom margin would make pdfkit add a page; lift the margin while the footer is drawn.
      const saved = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .fontSize(this.fonts.small)
        .text(text, m, doc.page.height - m + 8, { width, align: 'center', lineBreak: false });
      doc.page.margins.bottom = saved;
    }
  }
}

/**
 * Poppler places an ActualText span by the graphics state in force at its EMC. pdfkit draws each run of text
 * inside its own q…Q, with the page flipped back and the font set, so the span must end in that same state:
 * otherwise its text is read as if at the mirrored position, with no height, and out of reading order.
 */
export function endActualText(doc: PDFKit.PDFDocument, fontSize: number): void {
  const raw = doc as unknown as { _font?: { id?: unknown }; addContent(s: string): unknown };
  doc.save().transform(1, 0, 0, -1, 0, doc.page.height);
  if (typeof raw._font?.id === 'string') raw.addContent(`BT /${raw._font.id} ${fontSize} Tf ET`);
  doc.endMarkedContent();
  doc.restore();
}
