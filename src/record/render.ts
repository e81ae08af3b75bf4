import path from 'node:path';
import type { Meeting } from '../domain/model';
import type { PublicField } from '../domain/publish';
import { Flow, loadFont, loadTemplate, openDocument, printable } from './layout';
import { drawPageMarks } from './marks';
import { RECORD_SECTIONS, type RecordPage } from './record-sections';
import type { PhysicalRecord, PhysicalTemplate } from './physical';

/**
 * The lottery record (抽籤紀錄) as a PDF, laid out from templates/record.json. What it must guarantee:
 * - every name comes back out of `pdftotext` exactly, and a character the font lacks is printed as 〔U+XXXX〕,
 *   never dropped (a dropped character can turn one person into another);
 * - hex values print unbroken on one line; the checkpoint signature in lines of 64 characters;
 * - a physical draw (實體抽籤) says what happened in the room, and nothing of a seed, dice or entropy;
 * - the entropy prints verbatim with its length and UTF-8 hex, since it is hashed exactly as typed; under
 *   lottery-draw/v2, as canonical digits in groups of five for reading aloud and as the exact digit string;
 * - the commitment's and the key fingerprint's first 16 hex digits print large, for reading into the minutes;
 * - the signature lines stay on one page with the heading and the sentence they sign;
 * - every time in Taipei, with UTC beside it;
 * - a rehearsal or a test-CA signature is marked on every page;
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
  /** A physical draw's wording, in place of the random draw's (the seed, the dice, the algorithm). */
  physical: PhysicalTemplate;
  signatureRoles: string[];
  signatureLine: string;
  /** The sentence the signatures sign, printed under the heading and kept on the page with every signature. */
  signatureIntro: string;
  /** Added to the heading when a block longer than a page goes on. */
  signatureContinued: string;
  /** {times}: when the meeting particulars were amended after the lock. */
  meetingAmendedLine: string;
  /** On every page of a rehearsal's record. */
  rehearsalMark: string;
  /** On every page of a record signed under the local test CA. */
  testCertificateMark: string;
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
  /** Which of a declarant's fields the public copy shows. */
  publicFields: readonly PublicField[];
  /** A rehearsal (演練): 「演練 REHEARSAL」 on every page. */
  rehearsal?: boolean;
  /** Signed under the local test CA, not the office's certificate: 「測試憑證」 on every page. */
  testCertificate?: boolean;
  /** When the meeting particulars were amended after the lock (ISO times of each `meeting.updated`). */
  meetingAmendedAt?: string[];
  /** A physical draw (實體抽籤): its sheets and balls, printed in place of the random draw's values. */
  physical?: PhysicalRecord;
  /** issue 13: the witnessed log's verifier key (vkey), printed with the checkpoint. */
  logKey?: string;
  /** issue 13: who cosigned the lottery's checkpoint before the record was issued, in key-name order. */
  cosigners?: RecordCosigner[];
}

/** A witness's cosignature of the lottery's log checkpoint, as journalled (`checkpoint.cosigned`). */
export interface RecordCosigner {
  name: string;
  role: string;
  /** `SHA256:` + hex of the SHA-256 of the 32-byte Ed25519 key. */
  fingerprint: string;
  size: number;
  /** Lowercase hex of the tree's root; the record prints its first 16 digits. */
  rootHash: string;
  /** POSIX seconds. */
  timestamp: number;
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
  for (const section of RECORD_SECTIONS) section(page);
  page.flow.footers(t.footer);
  drawPageMarks(page.flow, {
    ...(data.rehearsal ? { rehearsal: t.rehearsalMark } : {}),
    ...(data.testCertificate ? { testCertificate: t.testCertificateMark } : {}),
  });
  doc.end();
  return finished;
}
