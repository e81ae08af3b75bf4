/** How a verification report is written to the terminal: text for people, JSON for programs. */
import { checkLabel } from '../domain/checks';
import type { Report } from '../domain/verify';
import type { Out } from './args';
import { safeText } from './escape';

export function printReport(r: Report, json: boolean, io: Out): void {
  if (json) {
    io.out(safeJson(r) + '\n');
    return;
  }
  // issue 11: a rehearsal is said before anything else (lottery.rehearsal passing for one).
  if (r.checks.some((c) => c.name === 'lottery.rehearsal' && c.ok && c.detail.startsWith('演練')))
    io.out('演練 REHEARSAL: 此為演練，結果不拘束任何人 / a rehearsal: its result selects no one\n');
  if (r.protocol) io.out(`協定 protocol: ${r.protocol}\n`);
  for (const c of r.checks) {
    const label = checkLabel(c.name);
    io.out(
      `${c.notVerifiable ? '無法驗證 N/A ' : c.ok ? '通過 PASS' : '失敗 FAIL'}  ${safeText(c.name)}（${label.zh} / ${label.en}）: ${safeText(c.detail)}\n`,
    );
  }
  for (const w of r.warnings) io.out(`注意 WARN  ${safeText(w)}\n`);
  if (r.brokenAt !== undefined) io.out(`日誌於第 ${r.brokenAt} 筆斷裂 journal broken at seq ${r.brokenAt}\n`);
  if (r.checks.some((c) => c.notVerifiable))
    io.out(
      '實體抽籤：抽球的隨機性無法由本工具驗證，其餘皆已檢查 Physical draw: the randomness is not verifiable\n',
    );
  io.out(
    r.ok
      ? '通過：每項檢查皆成立 OK: every check holds\n'
      : '未通過：至少一項檢查不成立 FAILED: at least one check does not hold\n',
  );
  if (r.checks.some((c) => c.name === 'key.pinned' && !c.ok))
    io.out(
      '請以抽籤公告或抽籤紀錄上印的金鑰指紋驗證：--fingerprint SHA256:…（或 --key 機關公布的公鑰）\n' +
        'Pin the key: pass --fingerprint SHA256:… as printed on the notice (抽籤公告) and the record (抽籤紀錄), or --key\n',
    );
}

/** JSON output with bidi and other format characters escaped, so a hostile bundle cannot reorder a terminal line. */
function safeJson(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(
    /[\u2028\u2029\p{Cf}]/gu,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/** The --json answer when no report could be made (a usage error, an unreadable input). */
export function jsonFailure(error: string): string {
  return JSON.stringify({ ok: false, protocol: null, checks: [], warnings: [], error }) + '\n';
}
