import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { RESULT_HEADINGS } from '../../src/export/results';
import { auth, createLoaded, drawnLottery, example, makeApp, type TestApp } from '../helpers/app';
import { physicalDrawn } from '../helpers/physical';
import { pdfinfoPages, pdftotext } from '../helpers/poppler';
import { configFromEnv } from '../../src/config';

/**
 * issue 12, exports and letters: a drawn lottery's results as xlsx and CSV (UTF-8 with a BOM, Big5), the letters
 * to those drawn, and the year's summary, each opened as the office would: xlsx with exceljs, the CSV decoded
 * (TextDecoder big5) and parsed (csv-parse), the PDF read with pdftotext.
 */

let t: TestApp;
beforeAll(() => {
  t = makeApp({ publicUrl: 'https://lottery.example.gov.tw' });
});
afterAll(() => t.close());

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

const get = (path: string, token = t.tokens.ethics): request.Test =>
  request(t.app)
    .get(path)
    .set(...auth(token))
    .buffer(true)
    .parse(binary);

const rosterNamed = (name: (i: number) => string): unknown[] =>
  example.roster.map((e, i) => ({ ...e, name: name(i) }));

async function sheet(buf: Buffer, n = 1): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const ws = wb.worksheets[n - 1];
  const rows: unknown[][] = [];
  ws?.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

const problem = (
  r: request.Response,
): { code: string; message: { zh: string; en: string }; errors?: unknown[] } =>
  JSON.parse(r.body.toString('utf8')) as {
    code: string;
    message: { zh: string; en: string };
    errors?: unknown[];
  };

describe('when a drawn lottery is exported', () => {
  let id: string;
  let view: { results: Array<{ stage: number; winners: Array<{ id: string; name: string }> }> };
  beforeAll(async () => {
    // Every name a formula: the roster is hostile input, and the ethics office opens the CSV in Excel.
    id = await drawnLottery(
      t,
      undefined,
      { year: 113, agency: '數位發展部' },
      rosterNamed((i) => `=HYPERLINK("x","人${i + 1}")`),
    );
    view = (
      await request(t.app)
        .get(`/api/v1/lotteries/${id}`)
        .set(...auth(t.tokens.ethics))
    ).body as typeof view;
  });

  it('the xlsx has one row per person per stage, in draw order, with the lottery’s values', async () => {
    const r = await get(`/api/v1/lotteries/${id}/export/results.xlsx`).expect(200);
    expect(r.headers['content-type']).toMatch(/spreadsheetml/);
    const rows = await sheet(r.body as Buffer);
    expect(rows[0]).toEqual(RESULT_HEADINGS);
    const winners = view.results.flatMap((s) => s.winners.map((w, i) => [s.stage, i + 1, w.id, w.name]));
    expect(rows.slice(1).map((row) => [row[0], row[2], row[3], row[4]])).toEqual(winners);
    expect(rows[1]?.slice(7, 9)).toEqual([113, '數位發展部']);
    // A string cell stays a string in the xlsx: exceljs gives back the text, not a formula.
    expect(typeof rows[1]?.[4]).toBe('string');
    const info = await sheet(r.body as Buffer, 2);
    expect(info).toContainEqual(['名冊人數', 21]);
  });

  it('the UTF-8 CSV starts with a BOM, parses back, and neutralises every cell that would be a formula', async () => {
    const r = await get(`/api/v1/lotteries/${id}/export/results.csv?encoding=utf-8`).expect(200);
    const buf = r.body as Buffer;
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(buf.subarray(3).toString('utf8')) as string[][];
    expect(rows[0]).toEqual(RESULT_HEADINGS);
    expect(rows.length).toBe(1 + view.results.reduce((n, s) => n + s.winners.length, 0));
    for (const row of rows.slice(1)) expect(row[4]).toMatch(/^'=HYPERLINK/);
    // The default encoding is UTF-8.
    const d = await get(`/api/v1/lotteries/${id}/export/results.csv`).expect(200);
    expect(Buffer.compare(d.body as Buffer, buf)).toBe(0);
  });

  it('the Big5 CSV decodes with TextDecoder("big5") to the same table', async () => {
    const r = await get(`/api/v1/lotteries/${id}/export/results.csv?encoding=big5`).expect(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=big5');
    const text = new TextDecoder('big5', { fatal: true }).decode(r.body as Buffer);
    const u = await get(`/api/v1/lotteries/${id}/export/results.csv?encoding=utf-8`);
    expect(text).toBe((u.body as Buffer).subarray(3).toString('utf8'));
  });

  it('every file is an attachment with an ASCII filename and a UTF-8 filename*, and is never cached', async () => {
    const r = await get(`/api/v1/lotteries/${id}/export/results.xlsx`).expect(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const cd = String(r.headers['content-disposition']);
    expect(cd).toMatch(new RegExp(`^attachment; filename="results-${id}\\.xlsx"; filename\\*=UTF-8''`));
    expect(decodeURIComponent(cd.split("UTF-8''")[1] ?? '')).toBe('113年度數位發展部抽籤結果.xlsx');
  });

  it('the letters are one page per person drawn, each naming that person, the article and whom to contact', async () => {
    const r = await get(`/api/v1/lotteries/${id}/export/letters.pdf`).expect(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['cache-control']).toBe('no-store');
    const pdf = r.body as Buffer;
    const stage1 = view.results[0]?.winners ?? [];
    expect(pdfinfoPages(pdf)).toBe(stage1.length);
    const pages = pdftotext(pdf).split('\f');
    stage1.forEach((w, i) => {
      const page = (pages[i] ?? '').replace(/\s+/g, '');
      expect(page).toContain(w.name.replace(/\s+/g, ''));
      expect(page).toContain('公職人員財產申報法第11條');
      expect(page).toContain('本機關政風單位');
    });
    // The one drawn again at stage 2 is told of the comparison with the years before.
    const again = view.results[1]?.winners[0]?.id;
    const k = stage1.findIndex((w) => w.id === again);
    expect((pages[k] ?? '').replace(/\s+/g, '')).toContain('前後年度申報之財產資料比對');
  });

  it('the roles: an auditor takes the results but not the letters; a drawer takes neither', async () => {
    await get(`/api/v1/lotteries/${id}/export/results.xlsx`, t.tokens.auditor).expect(200);
    await get(`/api/v1/lotteries/${id}/export/results.xlsx`, t.tokens.admin).expect(200);
    await get(`/api/v1/lotteries/${id}/export/letters.pdf`, t.tokens.auditor).expect(403);
    await get(`/api/v1/lotteries/${id}/export/results.csv`, t.tokens.drawer).expect(403);
    await request(t.app).get(`/api/v1/lotteries/${id}/export/results.csv`).expect(401);
  });

  it('an unknown encoding or query parameter is refused', async () => {
    await get(`/api/v1/lotteries/${id}/export/results.csv?encoding=latin1`).expect(422);
    await get(`/api/v1/lotteries/${id}/export/results.xlsx?format=csv`).expect(422);
  });
});

describe('when a name has a character outside Big5 (𡘙)', () => {
  it('the Big5 CSV is refused with 422 naming the row and the character, and the UTF-8 one is given', async () => {
    const id = await drawnLottery(
      t,
      undefined,
      { year: 113, agency: '數位發展部' },
      rosterNamed((i) => `林𡘙${i + 1}`),
    );
    const r = await get(`/api/v1/lotteries/${id}/export/results.csv?encoding=big5`).expect(422);
    const p = problem(r);
    expect(p.code).toBe('NOT_ENCODABLE');
    expect(p.message.zh).toMatch(/UTF-8/);
    expect(p.errors?.[0]).toEqual(expect.objectContaining({ row: 2, field: 'name', code: 'NOT_BIG5' }));
    const u = await get(`/api/v1/lotteries/${id}/export/results.csv?encoding=utf-8`).expect(200);
    expect((u.body as Buffer).toString('utf8')).toContain('林𡘙');
  });
});

describe('when a physical draw (實體抽籤) is exported', () => {
  it('its recorded stages are the rows, in the order the balls were drawn', async () => {
    const id = await physicalDrawn(t);
    const view = (
      await request(t.app)
        .get(`/api/v1/lotteries/${id}`)
        .set(...auth(t.tokens.ethics))
    ).body as {
      results: Array<{ stage: number; winners: Array<{ id: string }> }>;
    };
    const r = await get(`/api/v1/lotteries/${id}/export/results.xlsx`).expect(200);
    const rows = await sheet(r.body as Buffer);
    expect(rows.slice(1).map((row) => [row[0], row[3]])).toEqual(
      view.results.flatMap((s) => s.winners.map((w) => [s.stage, w.id])),
    );
  });
});

describe('when a lottery may not be exported', () => {
  it('a rehearsal (演練) is refused with 409 REHEARSAL_NOT_EXPORTED, results and letters alike', async () => {
    const id = await drawnLottery(t, undefined, { year: 113, agency: '數位發展部', rehearsal: true });
    for (const path of ['results.xlsx', 'results.csv', 'results.csv?encoding=big5', 'letters.pdf']) {
      const r = await get(`/api/v1/lotteries/${id}/export/${path}`).expect(409);
      expect(problem(r).code).toBe('REHEARSAL_NOT_EXPORTED');
      expect(problem(r).message.zh).toMatch(/演練/);
    }
  });

  it('a cancelled lottery is refused with 409 CANCELLED, one not drawn yet with 409 NOT_DRAWN', async () => {
    const cancelled = await createLoaded(t, { year: 113, agency: '數位發展部' });
    await request(t.app)
      .post(`/api/v1/lotteries/${cancelled}/cancel`)
      .set(...auth(t.tokens.ethics))
      .send({ reason: '名冊有誤，重新辦理' })
      .expect(200);
    expect(problem(await get(`/api/v1/lotteries/${cancelled}/export/results.xlsx`).expect(409)).code).toBe(
      'CANCELLED',
    );
    const draft = await createLoaded(t, { year: 113, agency: '數位發展部' });
    expect(problem(await get(`/api/v1/lotteries/${draft}/export/letters.pdf`).expect(409)).code).toBe(
      'NOT_DRAWN',
    );
    await get(`/api/v1/lotteries/nope/export/results.xlsx`).expect(404);
  });
});

describe('the yearly summary for the upper-level ethics office', () => {
  it('lists each real, living lottery of the year with N, pool, rates, quotas, the record SHA-256 and the public URL', async () => {
    const local = makeApp({ publicUrl: 'https://lottery.example.gov.tw' });
    const prev = t;
    t = local;
    try {
      const drawn = await drawnLottery(t, undefined, { year: 115, agency: '數位發展部' });
      const issued = await request(t.app)
        .post(`/api/v1/lotteries/${drawn}/record`)
        .set(...auth(t.tokens.ethics))
        .send({})
        .expect(201);
      const draft = await createLoaded(t, { year: 115, agency: '數位發展部' });
      await drawnLottery(t, undefined, { year: 115, agency: '數位發展部', rehearsal: true });
      const gone = await createLoaded(t, { year: 115, agency: '數位發展部' });
      await request(t.app)
        .post(`/api/v1/lotteries/${gone}/cancel`)
        .set(...auth(t.tokens.ethics))
        .send({ reason: '重辦' })
        .expect(200);
      await drawnLottery(t, undefined, { year: 114, agency: '數位發展部' });

      const r = await get('/api/v1/export/summary.xlsx?year=115', t.tokens.auditor).expect(200);
      expect(r.headers['cache-control']).toBe('no-store');
      const rows = await sheet(r.body as Buffer);
      const head = rows[0] as string[];
      const col = (name: string): number => head.indexOf(name);
      expect(rows.slice(1).map((row) => row[0])).toEqual([drawn, draft]);
      const row = rows[1] ?? [];
      const v = (
        await request(t.app)
          .get(`/api/v1/lotteries/${drawn}`)
          .set(...auth(t.tokens.ethics))
      ).body as {
        count: number;
        quotas: Array<{ poolSize: number; quota: number }>;
      };
      expect([row[col('名冊人數(N)')], row[col('抽籤母體')]]).toEqual([21, v.quotas[0]?.poolSize]);
      expect([row[col('第1階段比率(%)')], row[col('第1階段抽出人數')]]).toEqual(['10', v.quotas[0]?.quota]);
      expect([row[col('第2階段比率(%)')], row[col('第2階段母體')], row[col('第2階段抽出人數')]]).toEqual([
        '2',
        v.quotas[1]?.poolSize,
        v.quotas[1]?.quota,
      ]);
      expect(row[col('抽籤紀錄 SHA-256')]).toBe((issued.body as { sha256: string }).sha256);
      expect(row[col('公開網址')]).toBe(`https://lottery.example.gov.tw/verify/${drawn}`);
      expect(rows[2]?.[col('抽籤紀錄 SHA-256')]).toBe('');
      await get('/api/v1/export/summary.xlsx', t.tokens.auditor).expect(422);
      await get('/api/v1/export/summary.xlsx?year=115', t.tokens.drawer).expect(403);
    } finally {
      t = prev;
      local.close();
    }
  });
});

describe('exports are reads', () => {
  it('when files are exported › the journal does not move', async () => {
    const id = await drawnLottery(t, undefined, { year: 113, agency: '數位發展部' });
    const head = t.store.journalHead()?.seq;
    await get(`/api/v1/lotteries/${id}/export/results.xlsx`).expect(200);
    await get(`/api/v1/lotteries/${id}/export/letters.pdf`).expect(200);
    await get('/api/v1/export/summary.xlsx?year=113').expect(200);
    expect(t.store.journalHead()?.seq).toBe(head);
  });
});

describe('when the office sets LOTTERY_CONTACT', () => {
  it('the configuration reaches the letters: each page names that contact', async () => {
    const contact = '政風室 陳志明（02-2380-0000 分機 123）';
    expect(configFromEnv({ LOTTERY_CONTACT: ` ${contact} ` }).letterContact).toBe(contact);
    expect(configFromEnv({}).letterContact).toBeUndefined();
    const c = makeApp({ letterContact: contact });
    try {
      const lid = await drawnLottery(c);
      const r = await request(c.app)
        .get(`/api/v1/lotteries/${lid}/export/letters.pdf`)
        .set(...auth(c.tokens.ethics))
        .buffer(true)
        .parse(binary)
        .expect(200);
      const pages = pdftotext(r.body as Buffer)
        .split('\f')
        .filter((p) => p.trim() !== '');
      expect(pages.length).toBeGreaterThan(0);
      for (const p of pages) expect(p.replace(/\s+/g, '')).toContain(contact.replace(/\s+/g, ''));
    } finally {
      c.close();
    }
  });
});
