/**
 * publicThroughputRatio: server CPU per request for a bare Express handler sending a constant JSON of the same
 * size ÷ the same for GET /api/v1/public/lotteries/:id, each in its own process (server-child.ts).
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { composeServices, openStore } from '../compose';
import { taipeiDate } from '../domain/ceremony';
import { signerFromPem } from '../keys/signer';
import { drawCeremony } from './people';
import { median } from './stats';

interface Child {
  child: ChildProcess;
  port: number;
}

const N = 20_000;

/** A drawn lottery of 21 declarants in db (its key beside it); returns its id and its public view's bytes. */
function preparePublicLottery(db: string, signerPem: string): { id: string; body: Buffer } {
  fs.writeFileSync(`${db}.key.pem`, signerPem, { mode: 0o600 });
  const s = openStore(db);
  const svc = composeServices({ store: s, signer: signerFromPem(signerPem) });
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
  return { id: l.id, body };
}

async function start(mode: string, arg: string): Promise<Child> {
  const child = fork(path.join(__dirname, 'server-child.js'), [mode, arg], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((r) =>
    child.once('message', (m) => r((m as { port: number }).port)),
  );
  return { child, port };
}

function cpu(child: ChildProcess): Promise<NodeJS.CpuUsage> {
  return new Promise((r) => {
    child.once('message', (m) => r((m as { cpu: NodeJS.CpuUsage }).cpu));
    child.send('cpu');
  });
}

/** N requests with 10 connections; the server's own CPU per request, read over IPC before and after. */
async function measure(p: Child, urlPath: string): Promise<{ us: number; p99: number; non2xx: number }> {
  const before = await cpu(p.child);
  const r = await autocannon({ url: `http://127.0.0.1:${p.port}${urlPath}`, amount: N, connections: 10 });
  const after = await cpu(p.child);
  const us = (after.user - before.user + after.system - before.system) / N;
  return { us, p99: r.latency.p99, non2xx: r.non2xx + r.errors };
}

export async function publicThroughput(
  dir: string,
  signerPem: string,
): Promise<{ ratio: number; bareUs: number; realUs: number; p99: number }> {
  const db = path.join(dir, 'public.sqlite');
  const { id, body } = preparePublicLottery(db, signerPem);
  const bodyFile = path.join(dir, 'public-body.json');
  fs.writeFileSync(bodyFile, body);
  const bare = await start('bare', bodyFile);
  const real = await start('real', db);
  await measure(bare, '/x');
  await measure(real, `/api/v1/public/lotteries/${id}`);
  const ratios: number[] = [];
  const bareUs: number[] = [];
  const realUs: number[] = [];
  const p99s: number[] = [];
  for (let k = 0; k < 3; k++) {
    const b = await measure(bare, '/x');
    const r = await measure(real, `/api/v1/public/lotteries/${id}`);
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
