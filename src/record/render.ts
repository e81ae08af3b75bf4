import path from 'node:path';
import type { Meeting } from '../domain/model';
import type { PublicField } from '../domain/publish';
import { Flow, loadFont, loadTemplate, openDocument, printable } from './layout';
import {
  basisAndRules,
  checkpointSection,
  drawValues,
  excludedTable,
  particulars,
  rosterAppendix,
  signatureBlock,
  titleBlock,
  verifySection,
  winnersTables,
  type RecordPage,
} from './record-sections';

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

/** The layout file templates/record.json: page, font sizes, and every label the record prints. */
export interface RecordTemplate {
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
export function loadRecordAssets(): { template: RecordTemplate; font: Buffer } {
  return { template: loadTemplate<RecordTemplate>(TEMPLATE_PATH), font: loadFont() };
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
  /** issue 11: the ISO time of each `meeting.updated` (the particulars amended after the lock), in order. */
  meetingAmendedAt?: string[];
  /** issue 11: a rehearsal (演練): every page is watermarked 「演練 REHEARSAL」. */
  rehearsal?: boolean;
  /** Which of a declarant's fields the public copy shows. */
  publicFields: readonly PublicField[];
}

export { printable };

export async function renderRecord(data: RecordData): Promise<Buffer> {
  const { template: t } = loadRecordAssets();
  const { doc, finished } = openDocument(t.page, {
    Title: `${data.title}${data.publicCopy ? t.publicMark : ''}`,
    Author: data.agency,
    Subject: `lottery ${data.lotteryId}`,
    CreationDate: data.issuedAt,
  });
  const page: RecordPage = { data, t, flow: new Flow(doc, t.page, t.fonts, t.missingGlyph) };
  titleBlock(page);
  particulars(page);
  basisAndRules(page);
  winnersTables(page);
  excludedTable(page);
  drawValues(page);
  checkpointSection(page);
  verifySection(page);
  signatureBlock(page);
  if (!data.publicCopy) rosterAppendix(page);
  page.flow.footers(t.footer);
  doc.end();
  return finished;
}
