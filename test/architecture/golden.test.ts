/**
 * Byte-for-byte answers of the API on one whole v2 ceremony, with a fixed clock, fixed randomness and a fixed
 * key: the bundle, the public view, the journal, the record and notice PDFs, the refusals. A refactor that
 * changes any byte an auditor or a client sees fails here and names the step. Regenerate only for a change
 * that means to alter them: UPDATE_GOLDEN=1 npx jest test/architecture/golden.test.ts
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { signerFromPem } from '../../src/keys/signer';
import { buildApp } from '../../src/http/app';
import { Store } from '../../src/store/store';
import { Services } from '../../src/services/services';
import { taipeiDate } from '../../src/domain/ceremony';
import { tempDir, example, auth, testLogSigner } from '../helpers/app';

const GOLDEN = path.join(__dirname, '../fixtures/golden-v2.json');
const KEY = fs.readFileSync(path.join(__dirname, '../fixtures/golden-key.test-only.pem'), 'utf8');
// A test key and its certificates, made once (a certificate's serial is random) and checked in.
const CERT = fs.readFileSync(path.join(__dirname, '../fixtures/golden-cert.test-only.pem'), 'utf8');
const CA = fs.readFileSync(path.join(__dirname, '../fixtures/golden-ca.test-only.pem'), 'utf8');
const START = Date.parse('2025-01-22T01:00:00.000Z');

interface Step {
  status: number;
  type: string;
  sha256: string;
}

let runs = 0;
async function ceremony(): Promise<Record<string, Step>> {
  runs++;
  // pdfkit stamps CreationDate, and the CMS signature its signing time, from the system clock: freeze Date
  // alone (every timer stays real, so the HTTP stack runs as usual).
  jest.useFakeTimers({
    now: START,
    doNotFake: [
      'nextTick',
      'setImmediate',
      'clearImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'queueMicrotask',
      'hrtime',
      'performance',
    ],
  });
  let tick = 0;
  const clock = (): Date => new Date(START + 1000 * tick++);
  let counter = 0;
  const randomBytes = (n: number): Buffer => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 32)
      crypto.createHash('sha256').update(`golden-${counter++}`).digest().copy(out, i);
    return out;
  };
  const signer = signerFromPem(KEY, { certificatePem: CERT, chainPem: [CA] });
  const dir = tempDir();
  const store = Store.open(path.join(dir, 'golden.sqlite'));
  const { app, services } = buildApp({ store, signer, clock, randomBytes, logSigner: testLogSigner() });
  const s: Services = services;
  const ethics = s.addUser('cli', { name: '林怡芬', role: 'ethics' }).token;
  const drawer = s.addUser('cli', { name: 'minister', role: 'drawer' }).token;
  const auditor = s.addUser('cli', { name: 'auditor', role: 'auditor' }).token;
  const out: Record<string, Step> = {};
  const keep = (name: string, r: request.Response): request.Response => {
    const body: Buffer =
      Buffer.isBuffer(r.body) && r.body.length > 0 ? r.body : Buffer.from(r.text ?? '', 'utf8');
    // GOLDEN_DUMP=dir writes each answer to a file, to see which bytes moved.
    const dump = process.env.GOLDEN_DUMP;
    if (dump) fs.writeFileSync(path.join(dump, `${name}-${runs}`), body);
    out[name] = {
      status: r.status,
      type: String(r.headers['content-type'] ?? ''),
      sha256: crypto.createHash('sha256').update(body).digest('hex'),
    };
    return r;
  };
  const bin = (r: request.Test): request.Test =>
    r.buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  const meeting = {
    name: '113年度財產申報實質審查抽籤會議',
    date: taipeiDate(START),
    venue: '第一會議室',
    chair: '王部長',
    drawer: '王部長',
    monitor: '陳監察員',
    recorder: '李紀錄',
    witnesses: ['張見證人'],
  };
  try {
    const c = keep(
      'create',
      await request(app)
        .post('/api/v1/lotteries')
        .set(...auth(ethics))
        .send({ year: 113, agency: '數位發展部', meeting }),
    );
    const id = (c.body as { id: string }).id;
    const L = `/api/v1/lotteries/${id}`;
    keep(
      'roster',
      await request(app)
        .put(`${L}/roster`)
        .set(...auth(ethics))
        .send({ entries: example.roster }),
    );
    keep(
      'exclude',
      await request(app)
        .patch(`${L}/roster/D003`)
        .set(...auth(ethics))
        .send({ excluded: '已離職 left the post' }),
    );
    keep(
      'include',
      await request(app)
        .patch(`${L}/roster/D003`)
        .set(...auth(ethics))
        .send({ excluded: null }),
    );
    keep(
      'patch',
      await request(app)
        .patch(L)
        .set(...auth(ethics))
        .send({ title: '113年度實質審查' }),
    );
    keep(
      'lock',
      await request(app)
        .post(`${L}/lock`)
        .set(...auth(ethics)),
    );
    keep(
      'unlock',
      await request(app)
        .post(`${L}/unlock`)
        .set(...auth(ethics))
        .send({ reason: '名冊更正 roster fix' }),
    );
    keep(
      'relock',
      await request(app)
        .post(`${L}/lock`)
        .set(...auth(ethics)),
    );
    keep(
      'notice',
      await bin(
        request(app)
          .post(`${L}/notice`)
          .set(...auth(ethics)),
      ),
    );
    const o = keep(
      'open',
      await request(app)
        .post(`${L}/ceremony`)
        .set(...auth(drawer)),
    );
    const { ceremonyToken, commitment } = o.body as { ceremonyToken: string; commitment: string };
    keep(
      'entropy.bad',
      await request(app)
        .post(`${L}/stages/1/entropy`)
        .set(...auth(drawer))
        .send({ entropy: '12a' }),
    );
    keep(
      'entropy',
      await request(app)
        .post(`${L}/stages/1/entropy`)
        .set(...auth(drawer))
        .send({ entropy: example.entropy }),
    );
    keep(
      'draw.2.early',
      await request(app)
        .post(`${L}/stages/2/draw`)
        .set(...auth(drawer))
        .send({ ceremonyToken }),
    );
    keep(
      'draw.1',
      await request(app)
        .post(`${L}/stages/1/draw`)
        .set(...auth(drawer))
        .send({ ceremonyToken, entropy: example.entropy, commitment }),
    );
    keep(
      'draw.1.again',
      await request(app)
        .post(`${L}/stages/1/draw`)
        .set(...auth(drawer))
        .send({ ceremonyToken, entropy: example.entropy, commitment }),
    );
    keep(
      'draw.2',
      await request(app)
        .post(`${L}/stages/2/draw`)
        .set(...auth(drawer))
        .send({ ceremonyToken }),
    );
    keep(
      'record',
      await request(app)
        .post(`${L}/record`)
        .set(...auth(ethics)),
    );
    keep(
      'record.pdf',
      await bin(
        request(app)
          .get(`${L}/record.pdf`)
          .set(...auth(auditor)),
      ),
    );
    keep('public.record.pdf', await bin(request(app).get(`/api/v1/public/lotteries/${id}/record.pdf`)));
    keep('public.notice.pdf', await bin(request(app).get(`/api/v1/public/lotteries/${id}/notice.pdf`)));
    keep(
      'bundle',
      await request(app)
        .get(`${L}/bundle`)
        .set(...auth(auditor)),
    );
    keep(
      'lottery',
      await request(app)
        .get(L)
        .set(...auth(ethics)),
    );
    keep(
      'roster.get',
      await request(app)
        .get(`${L}/roster`)
        .set(...auth(ethics)),
    );
    keep(
      'lotteries',
      await request(app)
        .get('/api/v1/lotteries')
        .set(...auth(auditor)),
    );
    keep('public', await request(app).get(`/api/v1/public/lotteries/${id}`));
    keep(
      'journal',
      await request(app)
        .get('/api/v1/journal?limit=100')
        .set(...auth(auditor)),
    );
    keep(
      'journal.verify',
      await request(app)
        .get('/api/v1/journal/verify')
        .set(...auth(auditor)),
    );
    keep('checkpoint', await request(app).get('/api/v1/journal/checkpoint'));
    keep(
      'not.found',
      await request(app)
        .get('/api/v1/lotteries/nope')
        .set(...auth(auditor)),
    );
    keep(
      'forbidden',
      await request(app)
        .post(`${L}/lock`)
        .set(...auth(auditor)),
    );
    keep(
      'bad.json',
      await request(app)
        .patch(L)
        .set(...auth(ethics))
        .set('Content-Type', 'application/json')
        .send('{"title":"a","title":"b"}'),
    );
  } finally {
    jest.useRealTimers();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

describe('the answers of one whole v2 ceremony, fixed clock, randomness and key', () => {
  it('are byte for byte those recorded in test/fixtures/golden-v2.json', async () => {
    const got = await ceremony();
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(GOLDEN, JSON.stringify(got, null, 2) + '\n');
    const want = JSON.parse(fs.readFileSync(GOLDEN, 'utf8')) as Record<string, Step>;
    expect(got).toEqual(want);
  });

  it('are the same twice in a row (the harness itself is deterministic)', async () => {
    expect(await ceremony()).toEqual(await ceremony());
  });
});
