import request from 'supertest';
import { auth, createLoaded, drawnLottery, makeApp, type TestApp } from '../helpers/app';
import { physicalDrawn } from '../helpers/physical';
import { pdftotext } from '../helpers/poppler';

// A physical draw's record and notice say what happened in the room (balls from a drum, a numbered pool sheet,
// each ball entered as drawn) and that the verifier cannot check the randomness; nothing of a seed or of dice,
// which a physical draw does not have (issue 11, protocol.md §6.1).

let t: TestApp;
beforeAll(() => {
  t = makeApp();
});
afterAll(() => t.close());

const pdf = (r: request.Test): request.Test =>
  r.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

/** The text of the full and the public record, and of the notice, as a recipient reads them (lines joined). */
async function documents(id: string): Promise<{ full: string; pub: string }> {
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/record`)
    .set(...auth(t.tokens.ethics))
    .expect(201);
  const full = await pdf(
    request(t.app)
      .get(`/api/v1/lotteries/${id}/record.pdf`)
      .set(...auth(t.tokens.ethics)),
  );
  const pub = await pdf(request(t.app).get(`/api/v1/public/lotteries/${id}/record.pdf`));
  return { full: joined(full.body as Buffer), pub: joined(pub.body as Buffer) };
}
const joined = (b: Buffer): string => pdftotext(b).replace(/\s*\n\s*/g, '');

async function noticeOf(id: string): Promise<string> {
  const r = await pdf(
    request(t.app)
      .post(`/api/v1/lotteries/${id}/notice`)
      .set(...auth(t.tokens.ethics))
      .expect(201),
  );
  return joined(r.body as Buffer);
}

/**
 * Words that belong to a random draw only: its seed, its dice, its secret, its public algorithm (the checkpoint's
 * 「演算法 alg」 is another matter, and is printed for both).
 */
const RANDOM_ONLY = [/種子/, /seed/i, /entropy/i, /擲骰/, /亂數/, /秘密值/, /secret/i, /公開演算法/, /回讀/];

describe('the record of a physical draw', () => {
  let full: string;
  let pub: string;
  beforeAll(async () => {
    ({ full, pub } = await documents(await physicalDrawn(t)));
  });

  it('says the balls were drawn from a drum by the drawer, numbered by the pool sheet in id order', () => {
    expect(full).toContain('本次抽籤以實體抽籤（抽球）方式辦理：於抽籤會議中由抽籤人自抽籤箱逐一抽出號球');
    expect(full).toContain('號次 1 起依名冊編號排序，對應該階段之母體');
    expect(full).toContain('五、實體抽籤紀錄（供驗證）');
    expect(full).toContain('其雜湊值記入稽核日誌（poolsheet.issued）');
    expect(full).toContain('每抽出一球即輸入系統並記入稽核日誌（stage.ball）');
    expect(full).toContain('抽籤協定：lottery-draw/v2（實體抽籤）');
  });

  it('says what the verifier checks, and names the randomness as not verifiable', () => {
    expect(full).toContain('核對每一球號均在號次表上、抽出與撤銷之順序');
    expect(full).toContain('「無法驗證：實體抽籤（not verifiable: physical draw）」');
  });

  it('says nothing of a seed, dice, entropy or a secret, in the full copy or the public one', () => {
    for (const text of [full, pub]) for (const word of RANDOM_ONLY) expect(text).not.toMatch(word);
    expect(pub).toContain('無法驗證：實體抽籤');
  });
});

describe('the record of a random draw, for contrast', () => {
  it('still explains the seed and the dice, and says nothing of balls', async () => {
    const { full } = await documents(await drawnLottery(t));
    expect(full).toContain('重新計算名冊摘要、承諾值、種子與抽中名單');
    expect(full).toMatch(/種子 seed/);
    expect(full).not.toMatch(/實體抽籤|號球|號次表/);
  });
});

describe('the notice of a physical lottery', () => {
  let text: string;
  let sheet: string;
  beforeAll(async () => {
    const id = await createLoaded(t, { year: 113, agency: '新北市政府', method: 'physical' });
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    text = await noticeOf(id);
    sheet = t.store.physical.sheets(id).find((s) => s.stage === 1)?.sha256 ?? '(no sheet)';
  });

  it('tells observers that the drawer draws balls from the drum, each entered as drawn', () => {
    expect(text).toContain('抽籤方式：實體抽籤，由抽籤人於會中自抽籤箱逐一抽出號球');
    expect(text).toContain('抽籤時由抽籤人當場逐一抽出號球並展示號碼，每球即時輸入系統並記入日誌');
    expect(text).toContain('會場備有號次表供查對');
  });

  it('prints stage 1’s pool sheet as journalled at the lock, for observers to write down', () => {
    expect(text).toContain('第一階段號次表（1 至 20 號）');
    expect(text).toContain(`號次表雜湊值（第一階段）：${sheet}`);
  });

  it('names the randomness as not verifiable, and says nothing of dice or a seed', () => {
    expect(text).toContain('無法驗證：實體抽籤（not verifiable: physical draw）');
    for (const word of RANDOM_ONLY) expect(text).not.toMatch(word);
  });
});
