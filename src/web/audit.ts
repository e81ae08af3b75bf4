import { said, tr, tryApi, withCode } from './api';

document.getElementById('verify-chain')?.addEventListener('click', async () => {
  const out = document.getElementById('chain-result');
  if (!out) return;
  out.textContent = tr('驗證中…', 'Verifying…');
  const r = await tryApi<{ ok: boolean; length?: number; brokenAt?: number; reason?: string }>(
    'GET',
    '/api/v1/journal/verify',
  );
  if (!r.ok)
    out.textContent = withCode(
      said(r.data.message, tr('無法驗證', 'Could not verify')),
      r.data.code ?? r.status,
    );
  else if (r.data.ok) {
    out.textContent = tr(
      `✔ 雜湊鏈完整：共 ${r.data.length} 筆`,
      `✔ The hash chain holds: ${r.data.length} entries`,
    );
    out.className = 'ok';
  } else {
    out.textContent = tr(
      `✘ 雜湊鏈在 seq ${r.data.brokenAt} 斷裂：${r.data.reason}`,
      `✘ The hash chain breaks at seq ${r.data.brokenAt}: ${r.data.reason}`,
    );
    out.className = 'bad';
  }
});
