/**
 * Errors as people read them on a page (issue 11): a sentence about the form or the file, never a field path
 * (`stages[0].percent`) or a MIME type (`application/pdf`). The API's problem+json keeps its fields and codes;
 * the server's error page and the office page's roster report render these sentences instead. No imports: the
 * browser's prepare.ts bundles this file too.
 */
export interface Sentence {
  zh: string;
  en: string;
}
export interface ProblemLike {
  field?: string;
  code?: string;
  message?: Sentence;
}

const LABELS: Record<string, [string, string]> = {
  body: ['表單', 'the form'],
  year: ['申報年度', 'the declaration year'],
  agency: ['機關', 'the agency'],
  title: ['名稱', 'the title'],
  stages: ['抽籤階段', 'the stages'],
  meeting: ['會議資料', 'the meeting particulars'],
  'meeting.name': ['會議名稱', 'the meeting’s name'],
  'meeting.date': ['會議日期', 'the meeting date'],
  'meeting.venue': ['地點', 'the venue'],
  'meeting.chair': ['主持人', 'the chair'],
  'meeting.drawer': ['抽籤人', 'the drawer'],
  'meeting.monitor': ['監察員', 'the monitor'],
  'meeting.recorder': ['紀錄', 'the record keeper'],
  'meeting.witnesses': ['見證人', 'the witnesses'],
  reason: ['理由', 'the reason'],
  excluded: ['不列入抽籤原因', 'the reason for exclusion'],
  entropy: ['點數', 'the dice'],
  file: ['檔案', 'the file'],
  row: ['這一列', 'this row'],
  id: ['編號', 'the id'],
  name: ['姓名', 'the name'],
  unit: ['單位', 'the unit'],
  jobTitle: ['職稱', 'the job title'],
  username: ['帳號', 'the user name'],
  password: ['密碼', 'the password'],
};

/** What a field path names, in words: `stages[1].percent` → 第 2 階段比率, `meeting.witnesses[2]` → 第 3 位見證人. */
export function fieldLabel(field: string | undefined): Sentence {
  const f = field ?? '';
  const known = LABELS[f];
  if (known) return { zh: known[0], en: known[1] };
  const stage = /^stages\[(\d+)\](?:\.(label|percent|stage))?$/.exec(f);
  if (stage) {
    const n = Number(stage[1]) + 1;
    const part =
      stage[2] === 'label' ? ['名稱', ' name'] : stage[2] === 'percent' ? ['比率', ' rate'] : ['', ''];
    return { zh: `第 ${n} 階段${part[0] ?? ''}`, en: `stage ${n}’s${part[1] ?? ''}`.replace(/’s$/, '') };
  }
  const witness = /^meeting\.witnesses\[(\d+)\]$/.exec(f);
  if (witness)
    return { zh: `第 ${Number(witness[1]) + 1} 位見證人`, en: `witness ${Number(witness[1]) + 1}` };
  const last = f.split('.').pop() ?? '';
  const tail = LABELS[last];
  return tail ? { zh: tail[0], en: tail[1] } : { zh: '此欄', en: 'this field' };
}

const MIME =
  /\b(?:application|text|image|audio|video|multipart|font|model)\/[\w.+-]+(?:;\s*[\w-]+=[\w-]+)*/gi;

/** A message with the field path said as words and any MIME type left out. */
function plain(text: string, field: string | undefined, label: string, lang: 'zh' | 'en'): string {
  let out = text.replace(MIME, lang === 'zh' ? '此類型' : 'this type');
  const paths = field ? [field, field.split('.').pop() ?? ''] : [];
  for (const p of paths.filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) {
    const esc = p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(^|[^\\w.\\[])${esc}(?![\\w\\[])`, 'g'), (_w, pre: string) =>
      lang === 'zh' ? `${pre}「${label}」` : `${pre}${label}`,
    );
  }
  out = out.replace(/\s+(為必填|必須|應為|至多)/g, '$1').trim();
  if (lang === 'en' && out) out = out[0]?.toUpperCase() + out.slice(1);
  return /[。.!！？?]$/.test(out) ? out : `${out}${lang === 'zh' ? '。' : '.'}`;
}

/** One problem of a refused form or file, as a sentence. */
export function problemSentence(p: ProblemLike): Sentence {
  const label = fieldLabel(p.field);
  return {
    zh: plain(p.message?.zh ?? '', p.field, label.zh, 'zh'),
    en: plain(p.message?.en ?? '', p.field, label.en, 'en'),
  };
}

const HEADLINES: Record<string, Sentence> = {
  VALIDATION_FAILED: {
    zh: '表單有些欄位需要修正，請依下列說明修改後再送出。',
    en: 'Some fields of the form need correcting: change them as described below and send the form again.',
  },
  ROSTER_INVALID: {
    zh: '名冊檔案有問題，請依下列說明修正檔案後再上傳。',
    en: 'The roster file has problems: correct the file as described below and upload it again.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    zh: '這個檔案不是可讀取的名冊：請上傳 Excel（.xlsx）、CSV 或 Unicode 文字檔。',
    en: 'This file is not a roster that can be read: upload an Excel workbook (.xlsx), a CSV or a Unicode text file.',
  },
  PAYLOAD_TOO_LARGE: {
    zh: '檔案或表單太大，無法收下：請確認選對了檔案。',
    en: 'The file or the form is too large to accept: check that it is the right file.',
  },
  MALFORMED_BODY: {
    zh: '表單內容無法讀取：請重新整理頁面後再送出一次。',
    en: 'The form could not be read: reload the page and send it again.',
  },
};

/** The headline of a refusal on a page: a sentence about the form or the file. */
export function errorSentence(e: { code?: string; zh?: string; en?: string; message?: Sentence }): Sentence {
  const known = e.code ? HEADLINES[e.code] : undefined;
  if (known) return known;
  const zh = e.zh ?? e.message?.zh ?? '';
  const en = e.en ?? e.message?.en ?? '';
  return { zh: plain(zh, undefined, '', 'zh'), en: plain(en, undefined, '', 'en') };
}
