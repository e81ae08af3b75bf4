import { api } from './api';

document.getElementById('verify-chain')?.addEventListener('click', async () => {
  const out = document.getElementById('chain-result');
  if (!out) return;
  out.textContent = '驗證中…';
  const r = await api<{ ok: boolean; length?: number; brokenAt?: number; reason?: string }>(
    'GET',
    '/api/v1/journal/verify',
  );
  if (!r.ok) out.textContent = `無法驗證（${r.data.code ?? r.status}）`;
  else if (r.data.ok) {
    out.textContent = `✔ 雜湊鏈完整：共 ${r.data.length} 筆`;
    out.className = 'ok';
  } else {
    out.textContent = `✘ 雜湊鏈在 seq ${r.data.brokenAt} 斷裂：${r.data.reason}`;
    out.className = 'bad';
  }
});
