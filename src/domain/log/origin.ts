/**
 * The log's origin line (c2sp.org/tlog-checkpoint), which is also its key name: LOTTERY_LOG_ORIGIN, or the
 * public URL's host (with its port when not the scheme's default) plus `/asset-review-lottery`.
 * `https://lottery.example.gov.tw` gives `lottery.example.gov.tw/asset-review-lottery`.
 */
export const LOG_PATH = '/asset-review-lottery';

export function logOrigin(publicUrl: string, explicit?: string): string {
  if (explicit !== undefined) {
    // A key name: no spaces, no plus, no control characters; and one line.
    if (!/^[\x21-\x2a\x2c-\x7e]{1,200}$/.test(explicit))
      throw new Error('LOTTERY_LOG_ORIGIN must be 1–200 printable ASCII characters without spaces or "+"');
    return explicit;
  }
  const m = /^(https?):\/\/([^/?#]+)/i.exec(publicUrl);
  if (!m) throw new Error(`not an http(s) URL: ${publicUrl}`);
  const scheme = (m[1] as string).toLowerCase();
  const authority = (m[2] as string).replace(/^[^@]*@/, '').toLowerCase();
  const port = /:(\d+)$/.exec(authority)?.[1];
  const host = port === undefined ? authority : authority.slice(0, -(port.length + 1));
  const isDefault =
    port === undefined || (scheme === 'https' && port === '443') || (scheme === 'http' && port === '80');
  return `${host}${isDefault ? '' : `:${port}`}${LOG_PATH}`;
}
