/** bundleVerifyMs and bundleVerifyPeakMb: the CLI verifies a bundle of 20,000 declarants and 100,000 entries. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { composeServices, openStore } from '../compose';
import { taipeiDate } from '../domain/ceremony';
import { DEFAULT_MAX_BUNDLE_BYTES } from '../domain/json';
import { signerFromPem } from '../keys/signer';
import { fillJournal } from './journal';
import { drawCeremony, person } from './people';
import { median } from './stats';

/**
 * Peak memory of the verifying child: GNU time's "Maximum resident set size" (the child's own getrusage, read
 * by the kernel, nothing added to the CLI). Without /usr/bin/time the figure is null rather than a guess.
 */
export const GNU_TIME = '/usr/bin/time';

/** Writes the bench bundle to dir/bundle.json; returns its file, size and the key fingerprint to pin. */
function writeBundle(dir: string, signerPem: string): { bfile: string; size: number; fingerprint: string } {
  const file = path.join(dir, 'bundle-db.sqlite');
  const s = openStore(file);
  const svc = composeServices({ store: s, signer: signerFromPem(signerPem) });
  // Then 7 entries of its own: the drawer's user.added, and the lottery's created, loaded, locked, ceremony
  // opened and two stages drawn.
  const head = fillJournal(s, 100_000 - 7, undefined);
  void head;
  const l = svc.createLottery('cli', {
    year: 114,
    agency: '效能測試',
    meeting: { date: taipeiDate(Date.now()) },
  });
  const rows = Array.from({ length: 20_000 }, (_, i) => {
    const [id = '', name = '', unit = '', title = ''] = person(i + 1);
    return { row: i + 1, values: { id, name, unit, title } };
  });
  svc.loadRoster('cli', l.id, rows, { strictFields: true });
  drawCeremony(svc, l.id);
  const bundle = svc.bundle(l.id);
  s.close();
  if (bundle.journal.length !== 100_000) throw new Error(`journal has ${bundle.journal.length}`);
  const bfile = path.join(dir, 'bundle.json');
  fs.writeFileSync(bfile, JSON.stringify(bundle));
  return { bfile, size: fs.statSync(bfile).size, fingerprint: svc.keyFingerprint() };
}

export async function bundleVerify(
  dir: string,
  signerPem: string,
): Promise<{ ms: number; peakMb: number | null; bundleMb: number; maxBytesFlag: boolean }> {
  const { bfile, size, fingerprint } = writeBundle(dir, signerPem);
  // The CLI refuses bundles over 64 MiB unless told otherwise; say so in the figures rather than hide it.
  const maxBytesFlag = size > DEFAULT_MAX_BUNDLE_BYTES;
  const args = [
    path.join(__dirname, '..', 'cli', 'main.js'),
    'verify',
    bfile,
    '--fingerprint',
    fingerprint,
    ...(maxBytesFlag ? ['--max-bytes', String(size)] : []),
  ];
  const timed = fs.existsSync(GNU_TIME);
  const runs: number[] = [];
  const peaks: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t = process.hrtime.bigint();
    const r = timed
      ? spawnSync(GNU_TIME, ['-v', process.execPath, ...args])
      : spawnSync(process.execPath, args);
    runs.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0)
      throw new Error(`bundle does not verify: ${r.stdout.toString()}${r.stderr.toString()}`);
    const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr.toString())?.[1];
    if (kb !== undefined) peaks.push(Number(kb) / 1024);
  }
  return {
    ms: Math.round(median(runs)),
    peakMb: peaks.length > 0 ? Math.round(median(peaks)) : null,
    bundleMb: Math.round((size / 1024 / 1024) * 10) / 10,
    maxBytesFlag,
  };
}
