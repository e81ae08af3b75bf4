import { LotteryError, type Message } from '../domain/errors';
import type { LotteryRow } from '../store/store';
import type { Context } from './context';

/**
 * What must be right before the record is issued for good, item by item, each with how to fix it:
 * - `publicUrl`: LOTTERY_PUBLIC_URL is set and is not localhost (the record's QR code and links point there);
 * - `certificate`: the signing certificate is the office's own (LOTTERY_SIGNING_P12), not the local test CA;
 * - `roles`: chair, drawer, monitor and recorder are filled in (they sign the record);
 * - `notice`: the pre-meeting notice (抽籤公告) was issued.
 *
 * The first two are hard items: in production (NODE_ENV=production), for a real lottery, an unmet one refuses
 * the record (409 RECORD_CHECKLIST). Everywhere else, and for the two soft items always, an unmet item is a
 * warning: the record is issued, and the answer and the confirmation page list it. A test-CA record prints
 * 「測試憑證」 on every page.
 */
export type ChecklistItemName = 'publicUrl' | 'certificate' | 'roles' | 'notice';

export interface ChecklistItem {
  item: ChecklistItemName;
  ok: boolean;
  /** Unmet and, here (production, a real lottery), refusing the record. */
  blocking: boolean;
  /** What was checked, or what is wrong when unmet. */
  message: Message;
  /** How to fix it (present when unmet). */
  fix?: Message;
}

export interface RecordChecklist {
  lottery: string;
  /** NODE_ENV=production, as the server was started. */
  production: boolean;
  rehearsal: boolean;
  /** The record would be signed under the local test CA (and print 「測試憑證」). */
  testCertificate: boolean;
  items: ChecklistItem[];
  /** Whether POST …/record would issue it. */
  canIssue: boolean;
}

/** A lottery is a rehearsal only when its row says so (`rehearsal: true`); a row without the flag is real. */
export function isRehearsal(l: LotteryRow): boolean {
  return (l as LotteryRow & { rehearsal?: unknown }).rehearsal === true;
}

/** Whether a base URL points at this machine: localhost, *.localhost, 127.0.0.0/8, ::1 or 0.0.0.0. */
export function isLocalUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return true;
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === '[::1]' ||
    host === '0.0.0.0'
  );
}

const ROLES: Array<{ key: 'chair' | 'drawer' | 'monitor' | 'recorder'; zh: string; en: string }> = [
  { key: 'chair', zh: '主持人', en: 'chair' },
  { key: 'drawer', zh: '抽籤人', en: 'drawer' },
  { key: 'monitor', zh: '監察員', en: 'monitor' },
  { key: 'recorder', zh: '紀錄', en: 'recorder' },
];

function hardItems(c: Context, hard: boolean): ChecklistItem[] {
  const url = c.d.publicUrl;
  const urlOk = url !== undefined && url !== '' && !isLocalUrl(url);
  const testCa = c.d.testCertificate === true;
  return [
    urlOk
      ? {
          item: 'publicUrl',
          ok: true,
          blocking: false,
          message: { zh: `公開網址：${url}`, en: `Public URL: ${url}` },
        }
      : {
          item: 'publicUrl',
          ok: false,
          blocking: hard,
          message: {
            zh: `公開網址（LOTTERY_PUBLIC_URL）${url ? `為本機位址 ${url}` : '未設定'}：紀錄之 QR Code 及連結將無法由外部開啟`,
            en: `The public URL (LOTTERY_PUBLIC_URL) is ${url ? `local (${url})` : 'not set'}: the record's QR code and links would not open elsewhere`,
          },
          fix: {
            zh: '請系統管理者將 LOTTERY_PUBLIC_URL 設為本機關對外之 https 網址後重新啟動服務',
            en: "Ask the administrator to set LOTTERY_PUBLIC_URL to the office's public https address and restart the service",
          },
        },
    testCa
      ? {
          item: 'certificate',
          ok: false,
          blocking: hard,
          message: {
            zh: '簽章憑證為本機測試憑證（local test CA），非本機關之憑證：紀錄每頁將加註「測試憑證」',
            en: "The signing certificate is the local test CA's, not the office's: every page of the record would say 「測試憑證」",
          },
          fix: {
            zh: '請系統管理者以 LOTTERY_SIGNING_P12 及 LOTTERY_SIGNING_PASSPHRASE 設定本機關之 PKCS#12 憑證後重新啟動服務',
            en: "Ask the administrator to set the office's PKCS#12 file in LOTTERY_SIGNING_P12 (and LOTTERY_SIGNING_PASSPHRASE) and restart the service",
          },
        }
      : {
          item: 'certificate',
          ok: true,
          blocking: false,
          message: {
            zh: '簽章憑證為本機關之 PKCS#12 憑證',
            en: "The signing certificate is the office's PKCS#12",
          },
        },
  ];
}

function softItems(c: Context, l: LotteryRow): ChecklistItem[] {
  const missing = ROLES.filter((r) => !(l.meeting[r.key] ?? '').trim());
  const notice = c.store.notice(l.id) !== undefined;
  return [
    missing.length === 0
      ? {
          item: 'roles',
          ok: true,
          blocking: false,
          message: {
            zh: '主持人、抽籤人、監察員及紀錄均已填寫',
            en: 'Chair, drawer, monitor and recorder are filled in',
          },
        }
      : {
          item: 'roles',
          ok: false,
          blocking: false,
          message: {
            zh: `尚未填寫：${missing.map((r) => r.zh).join('、')}（紀錄之簽名欄將為空白）`,
            en: `Not filled in: ${missing.map((r) => r.en).join(', ')} (their signature lines would be blank)`,
          },
          fix: {
            zh: '請於抽籤頁面之「會議資料」填寫後再產製紀錄',
            en: "Fill them in under the lottery page's meeting particulars before issuing the record",
          },
        },
    notice
      ? {
          item: 'notice',
          ok: true,
          blocking: false,
          message: { zh: '抽籤公告已產製', en: 'The notice was issued' },
        }
      : {
          item: 'notice',
          ok: false,
          blocking: false,
          message: {
            zh: '會前未產製抽籤公告：觀察者無從於會前抄錄承諾值',
            en: 'No notice was issued before the meeting: observers could not write the commitment down beforehand',
          },
          fix: {
            zh: '可於抽籤頁面產製抽籤公告；會後補發者，請於會議紀錄說明未於會前公告之理由',
            en: 'Issue the notice from the lottery page; if it is issued only now, say in the minutes why it was not posted before the meeting',
          },
        },
  ];
}

/** The checklist for a lottery's record, as things stand (read it inside a transaction). */
export function recordChecklist(c: Context, l: LotteryRow): RecordChecklist {
  const production = c.d.production === true;
  const rehearsal = isRehearsal(l);
  const items = [...hardItems(c, production && !rehearsal), ...softItems(c, l)];
  return {
    lottery: l.id,
    production,
    rehearsal,
    testCertificate: c.d.testCertificate === true,
    items,
    canIssue: !items.some((i) => i.blocking),
  };
}

/** 409 RECORD_CHECKLIST naming each unmet hard item, when there is one. */
export function requireChecklist(list: RecordChecklist): void {
  const unmet = list.items.filter((i) => i.blocking);
  if (unmet.length === 0) return;
  throw new LotteryError(
    'RECORD_CHECKLIST',
    {
      zh: `正式抽籤之紀錄不得於下列情形產製：${unmet.map((i) => i.message.zh).join('；')}`,
      en: `The record of a real lottery cannot be issued: ${unmet.map((i) => i.message.en).join('; ')}`,
    },
    { extra: { items: unmet.map(({ item, message, fix }) => ({ item, message, ...(fix ? { fix } : {}) })) } },
  );
}

/** The unmet items that did not block: the warnings of a 201 answer. */
export function warningsOf(
  list: RecordChecklist,
): Array<{ item: ChecklistItemName; message: Message; fix?: Message }> {
  return list.items
    .filter((i) => !i.ok && !i.blocking)
    .map(({ item, message, fix }) => ({ item, message, ...(fix ? { fix } : {}) }));
}
