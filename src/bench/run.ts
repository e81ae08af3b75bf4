/**
 * `npm run bench`: figures, not assertions. Each figure is the median of several runs on this machine; the
 * last line is one JSON object with every figure, for docs/performance.md and for comparing runs.
 */
import ExcelJS from 'exceljs';
import autocannon from 'autocannon';
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { checkChain, parseEntryText, preimageFromParts, type JournalData } from '../domain/journal';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { taipeiDate } from '../domain/ceremony';
import type { JournalEvent } from '../domain/events';
import { drawAll } from '../domain/protocol';
import { DEFAULT_MAX_BUNDLE_BYTES } from '../domain/json';
import { DEFAULT_PUBLIC_FIELDS } from '../domain/publish';
import { generatePrivatePem, sha256Node, signerFromPem } from '../keys/signer';
import { importRoster } from '../roster/import';
import { fontHasGlyph } from '../roster/font';
import { Services } from '../services/services';
import { Store } from '../store/store';
import { makeTestCertificates } from '../keys/certs';
import { loadRecordAssets, renderRecord } from '../record/render';
import { signPdf } from '../record/sign';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function time(runs: number, fn: () => Promise<void> | void): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Math.round(median(out) * 10) / 10;
}

const UNITS = [
  '數位策略司',
  '韌性建設司',
  '資源管理司',
  '數位政府司',
  '數位國際司',
  '資料創新司',
  '秘書處',
  '人事處',
];
const SURNAMES = '陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐';
const GIVEN = '怡君志明淑芬家豪雅婷俊傑美玲建宏佩珊冠宇';

function person(i: number): string[] {
  const name =
    (SURNAMES[i % 20] ?? '陳') + (GIVEN[(i * 7) % 16] ?? '明') + (GIVEN[(i * 13 + 3) % 16] ?? '華');
  return [
    `P${String(i).padStart(5, '0')}`,
    name,
    UNITS[i % UNITS.length] ?? '秘書處',
    i % 10 === 0 ? '司長' : '科長',
  ];
}

/** The fixed journal generator of docs/performance.md: entry i of 100,000. */
function benchEntryFields(i: number): { at: string; type: string; actor: string; data: JournalData } {
  const types = ['lottery.created', 'roster.loaded', 'lottery.locked', 'stage.drawn', 'user.added'];
  return {
    at: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
    type: types[i % types.length] as string,
    actor: `user:u${i % 7}`,
    data: { lottery: `L${i % 500}`, n: i, digest: sha256Node(String(i)), note: '實質審查' },
  };
}

function fillJournal(
  store: Store,
  n: number,
  start: { seq: number; hash: string } | undefined,
): { seq: number; hash: string } | undefined {
  let prev = start;
  const BATCH = 5000;
  for (let i = 0; i < n; i += BATCH)
    store.write((tx) => {
      for (let j = i; j < Math.min(n, i + BATCH); j++) {
        const { at, type, actor, data } = benchEntryFields(j);
        // Filler data under real type names (docs/performance.md), not an event this service writes: hence the
        // cast. The entry is built and chained by the same one path as every other.
        const e = tx.appendJournal({ type, data } as unknown as JournalEvent, { actor, at }, sha256Node);
        prev = { seq: e.seq, hash: e.hash };
      }
    });
  return prev;
}

async function journalVerify(dir: string): Promise<{ ratio: number; verifyMs: number; hashMs: number }> {
  const file = path.join(dir, 'journal.sqlite');
  const s = Store.open(file);
  fillJournal(s, 100_000, undefined);
  s.close();
  const pre = (() => {
    const r = Store.openReadOnly(file);
    const out: string[] = [];
    for (const row of r.journalRows()) {
      const p = parseEntryText(row);
      if ('reason' in p) throw new Error(p.reason);
      out.push(preimageFromParts(p.entry, p.dataText));
    }
    r.close();
    return out;
  })();
  const verifyRuns: number[] = [];
  const hashRuns: number[] = [];
  for (let k = 0; k < 5; k++) {
    let t = process.hrtime.bigint();
    const r = Store.openReadOnly(file);
    const result = await checkChain(r.journalRows(), sha256Node);
    r.close();
    if (!result.ok || result.length !== 100_000) throw new Error('bench journal does not verify');
    verifyRuns.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    let x = 0;
    for (const p of pre) x += crypto.createHash('sha256').update(p).digest('hex').length;
    if (x === 0) throw new Error('no hash');
    hashRuns.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const v = median(verifyRuns);
  const h = median(hashRuns);
  return { ratio: Math.round((v / h) * 100) / 100, verifyMs: Math.round(v), hashMs: Math.round(h) };
}

/**
 * Peak memory of the verifying child: GNU time's "Maximum resident set size" (the child's own getrusage, read
 * by the kernel, nothing added to the CLI). Without /usr/bin/time the figure is null rather than a guess.
 */
const GNU_TIME = '/usr/bin/time';

/** Locks and draws both stages as the meeting does under lottery-draw/v2: a drawer opens the ceremony today. */
function drawCeremony(svc: Services, id: string): void {
  const drawer = svc.addUser('cli', { name: `bench-${id}`, role: 'drawer' });
  const actor = `user:${drawer.id}`;
  svc.lock('cli', id);
  const { ceremonyToken, commitment } = svc.openCeremony(actor, id, {});
  svc.draw(actor, id, '1', { ceremonyToken, commitment, entropy: '6 2 5 1 3 4 1 2 3 4' });
  svc.draw(actor, id, '2', { ceremonyToken });
}

export async function bundleVerify(
  dir: string,
  signerPem: string,
): Promise<{ ms: number; peakMb: number | null; bundleMb: number; maxBytesFlag: boolean }> {
  const signer = signerFromPem(signerPem);
  const file = path.join(dir, 'bundle-db.sqlite');
  const s = Store.open(file);
  const svc = new Services({
    store: s,
    signer,
    clock: () => new Date(),
    randomBytes: (n) => crypto.randomBytes(n),
    sha256: sha256Node,
  });
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
  const size = fs.statSync(bfile).size;
  // The CLI refuses bundles over 64 MiB unless told otherwise; say so in the figures rather than hide it.
  const maxBytesFlag = size > DEFAULT_MAX_BUNDLE_BYTES;
  const args = [
    path.join(__dirname, '..', 'cli', 'main.js'),
    'verify',
    bfile,
    '--fingerprint',
    svc.keyFingerprint(),
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

async function coldStart(dir: string): Promise<number> {
  const db = path.join(dir, 'cold.sqlite');
  const once = async (): Promise<number> => {
    const t = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'cli', 'main.js'), 'serve'], {
      env: { ...process.env, LOTTERY_DB: db, PORT: '0' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(buf);
        if (m?.[1]) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`server exited: ${buf}`)));
    });
    for (;;) {
      const ok = await fetch(`${url}/api/v1/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
    }
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    return ms;
  };
  await once(); // the first start makes the key and the test certificate
  const runs: number[] = [];
  for (let k = 0; k < 5; k++) runs.push(await once());
  return Math.round(median(runs));
}

async function publicThroughput(
  dir: string,
  signerPem: string,
): Promise<{ ratio: number; bareUs: number; realUs: number; p99: number }> {
  const db = path.join(dir, 'public.sqlite');
  fs.writeFileSync(`${db}.key.pem`, signerPem, { mode: 0o600 });
  const s = Store.open(db);
  const svc = new Services({
    store: s,
    signer: signerFromPem(signerPem),
    clock: () => new Date(),
    randomBytes: (n) => crypto.randomBytes(n),
    sha256: sha256Node,
  });
  const l = svc.createLottery('cli', {
    year: 114,
    agency: '效能測試',
    meeting: { date: taipeiDate(Date.now()) },
  });
  svc.loadRoster(
    'cli',
    l.id,
    Array.from({ length: 21 }, (_, i) => ({
      row: i + 1,
      values: {
        id: `D${String(i + 1).padStart(3, '0')}`,
        name: `申報人${i + 1}`,
        unit: '秘書處',
        title: '科長',
      },
    })),
    { strictFields: true },
  );
  drawCeremony(svc, l.id);
  const body = Buffer.from(JSON.stringify(svc.publicView(l.id)));
  s.close();
  const bodyFile = path.join(dir, 'public-body.json');
  fs.writeFileSync(bodyFile, body);
  const start = async (mode: string, arg: string): Promise<{ child: ChildProcess; port: number }> => {
    const child = fork(path.join(__dirname, 'server-child.js'), [mode, arg], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((r) =>
      child.once('message', (m) => r((m as { port: number }).port)),
    );
    return { child, port };
  };
  const cpu = (child: ChildProcess): Promise<NodeJS.CpuUsage> =>
    new Promise((r) => {
      child.once('message', (m) => r((m as { cpu: NodeJS.CpuUsage }).cpu));
      child.send('cpu');
    });
  const bare = await start('bare', bodyFile);
  const real = await start('real', db);
  const N = 20_000;
  const measure = async (
    p: { child: ChildProcess; port: number },
    urlPath: string,
  ): Promise<{ us: number; p99: number; non2xx: number }> => {
    const before = await cpu(p.child);
    const r = await autocannon({ url: `http://127.0.0.1:${p.port}${urlPath}`, amount: N, connections: 10 });
    const after = await cpu(p.child);
    const us = (after.user - before.user + after.system - before.system) / N;
    return { us, p99: r.latency.p99, non2xx: r.non2xx + r.errors };
  };
  await measure(bare, '/x');
  await measure(real, `/api/v1/public/lotteries/${l.id}`);
  const ratios: number[] = [];
  const bareUs: number[] = [];
  const realUs: number[] = [];
  const p99s: number[] = [];
  for (let k = 0; k < 3; k++) {
    const b = await measure(bare, '/x');
    const r = await measure(real, `/api/v1/public/lotteries/${l.id}`);
    if (b.non2xx > 0 || r.non2xx > 0) throw new Error('non-2xx answers in the throughput run');
    ratios.push(b.us / r.us);
    bareUs.push(b.us);
    realUs.push(r.us);
    p99s.push(r.p99);
  }
  bare.child.send('exit');
  real.child.send('exit');
  return {
    ratio: Math.round(median(ratios) * 100) / 100,
    bareUs: Math.round(median(bareUs)),
    realUs: Math.round(median(realUs)),
    p99: median(p99s),
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-bench-'));
  const store = Store.open(path.join(dir, 'bench.sqlite'));
  const signerPem = generatePrivatePem();
  const services = new Services({
    store,
    signer: signerFromPem(signerPem),
    clock: () => new Date(),
    randomBytes: (n) => crypto.randomBytes(n),
    sha256: sha256Node,
  });
  const lottery = services.createLottery('cli', { year: 114, agency: '效能測試' });
  fontHasGlyph(0x4e00); // the font's character map loads once per process; measure loads after it

  const N = 20_000;
  const rows = [['編號', '姓名', '服務機關', '職稱'], ...Array.from({ length: N }, (_, i) => person(i + 1))];
  const csv = Buffer.from(rows.map((r) => r.join(',')).join('\r\n'));
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名冊');
  rows.forEach((r) => ws.addRow(r));
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer());

  const load = async (bytes: Buffer, type: string): Promise<void> => {
    const imported = await importRoster(bytes, type);
    const r = services.loadRoster('cli', lottery.id, imported.rows, {
      strictFields: imported.strictFields,
      warnings: imported.warnings,
    });
    if (r.count !== N) throw new Error(`loaded ${r.count}`);
  };
  const rosterLoadCsvMs = await time(5, () => load(csv, 'text/csv'));
  const rosterLoadXlsxMs = await time(5, () =>
    load(xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
  );
  console.log(
    `rosterLoadMs: ${N} rows, CSV ${rosterLoadCsvMs} ms, xlsx ${rosterLoadXlsxMs} ms (import, validate, digest, store, journal)`,
  );

  const pool = Array.from({ length: 1180 }, (_, i) => `P${String(i + 1).padStart(4, '0')}`);
  const seed = crypto.randomBytes(32).toString('hex');
  const drawMs = await time(21, () => {
    drawAll(
      seed,
      [
        { stage: 1, percent: '10' },
        { stage: 2, percent: '2' },
      ],
      pool,
    );
  });
  console.log(`drawMs: 1,180 → 118 → 3 in ${drawMs} ms`);

  // recordMs: render and sign one copy of the record for a 1,180-person pool (118 + 3 winners and the
  // 1,180-row appendix), after the font and template are loaded.
  const bigRoster = Array.from({ length: 1180 }, (_, i) => {
    const [id = '', name = '', unit = '', title = ''] = person(i + 1);
    return { id, name, unit, title };
  });
  const big = drawAll(
    seed,
    [
      { stage: 1, percent: '10' },
      { stage: 2, percent: '2' },
    ],
    bigRoster.map((e) => e.id),
  );
  const byId = new Map(bigRoster.map((e) => [e.id, e]));
  const certified = makeTestCertificates(signerPem, new Date());
  loadRecordAssets();
  const recordData = {
    lotteryId: '114-bench',
    agency: '效能測試部',
    title: '114年度公職人員財產申報資料實質審查抽籤',
    year: 114,
    meeting: {
      name: '抽籤會議',
      date: '2026-01-22T10:00',
      chair: '部長',
      monitor: '政風處長',
      witnesses: ['甲', '乙'],
    },
    stages: big.map((s, i) => ({
      ...s,
      label: i === 0 ? '實質審查' : '前後年度申報財產比對',
      winners: s.winners.map((w) => byId.get(w) ?? { id: w, name: '' }),
    })),
    roster: bigRoster,
    rosterDigest: seed,
    commitment: seed,
    entropy: '6251341234',
    secret: seed,
    seed,
    protocol: 'lottery-draw/v2',
    checkpoint: {
      seq: 1,
      hash: seed,
      at: new Date().toISOString(),
      alg: 'RS256',
      signature: 'A'.repeat(512),
    },
    issuedAt: new Date(),
    verifyUrl: 'http://localhost:3000/verify/114-bench',
    publicCopy: false,
    publicFields: [...DEFAULT_PUBLIC_FIELDS],
  };
  const cms = {
    privateKeyPem: signerPem,
    certificatePem: certified.certPem,
    chainPem: [certified.caCertPem],
  };
  await signPdf(await renderRecord(recordData), cms, new Date(), '114-bench'); // warm-up
  const recordMs = await time(7, async () => {
    await signPdf(await renderRecord(recordData), cms, new Date(), '114-bench');
  });
  console.log(`recordMs: render + sign one record of a 1,180-person pool in ${recordMs} ms`);

  store.close();

  const journal = await journalVerify(dir);
  console.log(
    `journalVerifyRatio: ${journal.ratio} (verify 100,000 entries from the file ${journal.verifyMs} ms; hashing the canonical bytes alone ${journal.hashMs} ms)`,
  );
  const bv = await bundleVerify(dir, signerPem);
  const bundleVerifyMs = bv.ms;
  const bundleVerifyPeakMb = bv.peakMb;
  console.log(
    `bundleVerifyMs: the CLI verifies a bundle of a 20,000-entry roster and a 100,000-entry journal (${bv.bundleMb} MB${bv.maxBytesFlag ? ', with --max-bytes: over the 64 MiB default' : ''}) in ${bundleVerifyMs} ms`,
  );
  console.log(
    `bundleVerifyPeakMb: peak RSS of that lottery verify process ${bundleVerifyPeakMb === null ? `unknown (no ${GNU_TIME})` : `${bundleVerifyPeakMb} MB`}`,
  );
  const coldStartMs = await coldStart(dir);
  console.log(
    `coldStartMs: second start of node dist/cli/main.js serve until the first answer: ${coldStartMs} ms`,
  );
  const throughput = await publicThroughput(dir, signerPem);
  console.log(
    `publicThroughputRatio: ${throughput.ratio} (server CPU per request: bare ${throughput.bareUs} µs, public lottery ${throughput.realUs} µs; p99 ${throughput.p99} ms)`,
  );

  fs.rmSync(dir, { recursive: true, force: true });
  const figures = {
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
    rosterLoadMs: { csv: rosterLoadCsvMs, xlsx: rosterLoadXlsxMs },
    drawMs,
    recordMs,
    journalVerifyRatio: journal.ratio,
    bundleVerifyMs,
    bundleVerifyPeakMb,
    coldStartMs,
    publicThroughputRatio: throughput.ratio,
    publicP99Ms: throughput.p99,
  };
  console.log(JSON.stringify(figures));
}

// Imported (e.g. to run one figure alone), it runs nothing.
if (require.main === module)
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
