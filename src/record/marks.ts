import type { Flow } from './layout';

/**
 * The marks printed on every page of a signed PDF that must not pass for a real one (the record and the notice):
 * a rehearsal's watermark 「演練 REHEARSAL」, and 「測試憑證」 when it is signed under the local test CA.
 *
 * Each mark is printed twice on every page: once as a line of plain text in the top margin (so that text
 * extraction, page by page, gives it back whole) and, for a rehearsal, once large and pale across the page, so
 * that nobody holding a printout can miss it.
 */
export interface PageMarks {
  /** The rehearsal watermark, e.g. 「演練 REHEARSAL」; absent for a real lottery. */
  rehearsal?: string;
  /** The line saying the signature is under the local test CA, starting with 「測試憑證」; absent otherwise. */
  testCertificate?: string;
}

/** Draws the marks on every buffered page (call it after the content, with the footers). */
export function drawPageMarks(flow: Flow, marks: PageMarks): void {
  const lines = [marks.rehearsal, marks.testCertificate].filter((s): s is string => !!s);
  if (lines.length === 0) return;
  const { doc, m, width } = flow;
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing in a margin would make pdfkit add a page; lift the margins while the marks are drawn.
    const saved = { ...doc.page.margins };
    doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
    if (marks.rehearsal) watermark(doc, marks.rehearsal);
    let y = Math.max(8, m - 14 * lines.length - 6);
    for (const line of lines) {
      doc
        .fillColor('black')
        .fontSize(flow.fonts.small + 1)
        .text(line, m, y, { width, align: 'center', lineBreak: false });
      y += 14;
    }
    doc.page.margins = saved;
  }
  doc.x = m;
}

/** The word large and pale, diagonally across the middle of the page, behind nothing it could hide. */
function watermark(doc: PDFKit.PDFDocument, text: string): void {
  const { width: w, height: h } = doc.page;
  const size = 64;
  doc.save();
  doc.rotate(-35, { origin: [w / 2, h / 2] });
  doc.fillColor('#888888').fillOpacity(0.18).fontSize(size);
  const tw = doc.widthOfString(text);
  doc.text(text, w / 2 - tw / 2, h / 2 - size / 2, { lineBreak: false });
  doc.restore();
  doc.fillColor('black').fillOpacity(1);
}
