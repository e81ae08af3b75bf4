import { readBundleJson } from '../domain/bundle';
import { checkLabel } from '../domain/checks';
import { verifyBundle, type Report, type VerifyOptions } from '../domain/verify';
import { el, onFiles, tr } from './api';
import { browserVerifyDeps as deps } from './verify-deps';

/**
 * Public verification in the browser: the same library the CLI and the server use, hashing with WebCrypto, and
 * nothing is uploaded. Each check is shown by name as passed or failed.
 */
function show(report: Report | undefined, error?: string): void {
  const out = document.getElementById('vresult');
  if (!out) return;
  out.replaceChildren();
  if (error || !report) {
    out.append(el('p', `${tr('無法讀取：', 'Cannot read: ')}${error ?? ''}`, 'error'));
    return;
  }
  out.append(
    el(
      'p',
      report.ok ? tr('✔ 全部檢查通過', '✔ Every check passed') : tr('✘ 有檢查未通過', '✘ Some checks failed'),
      report.ok ? 'ok' : 'bad',
    ),
  );
  const proto = el('p', tr('適用協定：', 'Protocol applied: '), 'protocol');
  proto.append(el('code', report.protocol ?? tr('（無法判定）', '(unknown)')));
  const fp = document.getElementById('checker')?.dataset.fingerprint;
  if (fp) proto.append(tr('；釘選金鑰指紋：', '; pinned key fingerprint: '), el('code', fp, 'hex'));
  out.append(proto);
  const ul = el('ul', undefined, 'checks');
  for (const c of report.checks) {
    const li = el('li', undefined, c.notVerifiable ? 'na' : c.ok ? 'pass' : 'fail');
    li.dataset.check = c.name;
    const label = checkLabel(c.name);
    li.append(
      el('strong', c.name),
      // The same name and labels as the CLI prints, Chinese with English beside it.
      `（${label.zh} / ${label.en}）`,
      c.notVerifiable
        ? tr('：無法驗證。', ': not verifiable. ')
        : tr(`：${c.ok ? '通過' : '未通過'}。`, `: ${c.ok ? 'passed' : 'failed'}. `),
      el('span', c.detail),
    );
    ul.append(li);
  }
  out.append(ul);
  if (report.warnings.length) {
    const w = el('ul');
    for (const x of report.warnings) w.append(el('li', x));
    out.append(el('h3', tr('提醒', 'Warnings')), w);
  }
}

async function run(files: FileList | File[]): Promise<void> {
  const list = Array.from(files);
  const json = list.find((f) => f.name.endsWith('.json') || f.type === 'application/json');
  const pdf = list.find((f) => f.name.endsWith('.pdf') || f.type === 'application/pdf');
  if (!json) return show(undefined, tr('請提供稽核包（.json）', 'Provide the audit bundle (.json)'));
  try {
    const bytes = new Uint8Array(await json.arrayBuffer());
    const value = readBundleJson(
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes),
      bytes.length,
    );
    const page = document.getElementById('checker')?.dataset ?? {};
    // Pinned to the fingerprint this page publishes (the visitor compares it with the printed notice): a bundle
    // signed by any other key fails `key.pinned`, however well it verifies against its own key.
    const opts: VerifyOptions = {};
    if (page.fingerprint) opts.trustedFingerprint = page.fingerprint;
    // issue 13: the log's key as this page publishes it (data-log-key), when it does.
    if (page.logKey) opts.logKey = page.logKey;
    const observed = (document.getElementById('vcommitment') as HTMLInputElement | null)?.value.replace(
      /\s+/g,
      '',
    );
    if (observed) opts.observedCommitment = observed;
    if (pdf) opts.pdf = new Uint8Array(await pdf.arrayBuffer());
    const report = await verifyBundle(value, deps, opts);
    // A bundle can be honest and still be another lottery's: it must also match what this page publishes.
    const b = value as { lottery?: { id?: unknown }; rosterDigest?: unknown; commitment?: unknown };
    const same =
      b.lottery?.id === page.lottery && b.rosterDigest === page.digest && b.commitment === page.commitment;
    report.checks.unshift({
      name: 'page.match',
      ok: same,
      detail: same
        ? tr(
            '稽核包的抽籤編號、名冊摘要與承諾值，與本頁公告一致',
            'the bundle’s lottery id, roster digest and commitment match what this page publishes',
          )
        : tr(
            '這個稽核包不是本頁這次抽籤的（抽籤編號、名冊摘要或承諾值不同）',
            'this bundle is not this page’s lottery (its lottery id, roster digest or commitment differs)',
          ),
    });
    report.ok = report.ok && same;
    show(report);
  } catch (e) {
    show(undefined, e instanceof Error ? e.message : String(e));
  }
}

let last: File[] | undefined;
onFiles('vfiles', 'vdrop', (files) => {
  last = files;
  void run(files);
});
// Typing the commitment after choosing the files checks again with it.
document.getElementById('vcommitment')?.addEventListener('change', () => {
  if (last) void run(last);
});
