/** Dates as the record prints them: the ROC calendar (民國 = Gregorian − 1911), in Asia/Taipei. */
const TZ = 'Asia/Taipei';

function parts(d: Date): Record<string, number> {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: TZ,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  });
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(d)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The same instant in Taipei as YYYY-MM-DD HH:MM:SS, for readers of the English pages. */
export function taipeiDateTime(d: Date): string {
  const p = parts(d);
  const two = (n: number | undefined): string => String(n ?? 0).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

export function rocDate(d: Date): string {
  const p = parts(d);
  return `中華民國${(p.year ?? 0) - 1911}年${p.month}月${p.day}日`;
}

export function rocDateTime(d: Date): string {
  const p = parts(d);
  return `${rocDate(d)} ${String(p.hour).padStart(2, '0')}時${String(p.minute).padStart(2, '0')}分${String(p.second).padStart(2, '0')}秒`;
}

/** A meeting date as typed (YYYY-MM-DD or YYYY-MM-DDTHH:MM, already local time) → ROC. */
export function rocMeetingDate(s: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(s);
  if (!m) return s;
  const base = `中華民國${Number(m[1]) - 1911}年${Number(m[2])}月${Number(m[3])}日`;
  return m[4] ? `${base} ${m[4]}時${m[5]}分` : base;
}

/** The instant in UTC as YYYY-MM-DD HH:MM:SS, printed beside the Taipei time. */
export function utcDateTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * An instant as the record prints it: the ROC date and time in Taipei, with UTC beside it, e.g.
 * 中華民國114年1月22日 10時05分00秒（臺北時間；UTC 2025-01-22 02:05:00）. `note` is added inside the brackets.
 */
export function taipeiWithUtc(d: Date, note = ''): string {
  return `${rocDateTime(d)}（臺北時間；UTC ${utcDateTime(d)}${note ? `；${note}` : ''}）`;
}

/**
 * A meeting date as typed (Taipei wall time) → ROC, with UTC beside it when it has a time of day:
 * 中華民國114年1月22日 10時00分（臺北時間；UTC 2025-01-22 02:00）.
 */
export function rocMeetingDateWithUtc(s: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(s);
  if (!m) return rocMeetingDate(s);
  // Asia/Taipei has been UTC+8 without daylight saving since 1980.
  const utc = new Date(
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]) - 8, Number(m[5])),
  );
  return `${rocMeetingDate(s)}（臺北時間；UTC ${utcDateTime(utc).slice(0, 16)}）`;
}
