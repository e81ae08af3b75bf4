import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { buildApp } from '../../src/http/app';
import { makeTestCertificates } from '../../src/keys/certs';
import { generatePrivatePem, signerFromPem, type Signer } from '../../src/keys/signer';
import { Services } from '../../src/services/services';
import { Store } from '../../src/store/store';
import type { Logger } from '../../src/util/log';
import type { PublicField } from '../../src/domain/publish';
import vectors from '../fixtures/draw-v1.json';

let cached: { pem: string; caCertPem: string; certPem: string } | undefined;
/** One RSA 3072 key and test certificate per test file: generating them takes about a second. */
export function testSigner(): Signer {
  if (!cached) {
    const pem = generatePrivatePem();
    cached = { pem, ...makeTestCertificates(pem, new Date()) };
  }
  return signerFromPem(cached.pem, { certificatePem: cached.certPem, chainPem: [cached.caCertPem] });
}

export function testCaCertPem(): string {
  testSigner();
  return (cached as { caCertPem: string }).caCertPem;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-test-'));
}

export interface TestApp {
  app: Express;
  services: Services;
  store: Store;
  dir: string;
  dbFile: string;
  tokens: { admin: string; ethics: string; drawer: string; auditor: string };
  close(): void;
}

export function makeApp(
  opts: {
    log?: Logger;
    clock?: () => Date;
    randomBytes?: (n: number) => Buffer;
    publicFields?: PublicField[];
  } = {},
): TestApp {
  const dir = tempDir();
  const dbFile = path.join(dir, 'lottery.sqlite');
  const store = Store.open(dbFile);
  const { app, services } = buildApp({ store, signer: testSigner(), ...opts });
  const tokens = {
    admin: services.addUser('cli', { name: 'admin', role: 'admin' }).token,
    ethics: services.addUser('cli', { name: '林怡芬', role: 'ethics' }).token,
    drawer: services.addUser('cli', { name: 'minister', role: 'drawer' }).token,
    auditor: services.addUser('cli', { name: 'auditor', role: 'auditor' }).token,
  };
  return {
    app,
    services,
    store,
    dir,
    dbFile,
    tokens,
    close: () => {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const example = vectors.vector1;

export const auth = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

/** Creates, loads a roster (by default the 21-person example) and returns the lottery id. */
export async function createLoaded(
  t: TestApp,
  body: Record<string, unknown> = { year: 113, agency: '數位發展部' },
  roster: unknown[] = example.roster,
): Promise<string> {
  const c = await request(t.app)
    .post('/api/v1/lotteries')
    .set(...auth(t.tokens.ethics))
    .send(body)
    .expect(201);
  const id = (c.body as { id: string }).id;
  await request(t.app)
    .put(`/api/v1/lotteries/${id}/roster`)
    .set(...auth(t.tokens.ethics))
    .send({ entries: roster })
    .expect(200);
  return id;
}

/** Creates, loads, locks and draws every stage; returns the lottery id. */
export async function drawnLottery(
  t: TestApp,
  entropy = example.entropy,
  body?: Record<string, unknown>,
  roster?: unknown[],
): Promise<string> {
  const id = await createLoaded(t, body, roster);
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/lock`)
    .set(...auth(t.tokens.ethics))
    .expect(200);
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/stages/1/draw`)
    .set(...auth(t.tokens.drawer))
    .send({ entropy })
    .expect(200);
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/stages/2/draw`)
    .set(...auth(t.tokens.drawer))
    .expect(200);
  return id;
}
