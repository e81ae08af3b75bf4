import { parse } from 'csv-parse/sync';
import { big5Unencodable, encodeBig5 } from '../../src/export/big5';
import { checkLetterTemplate, loadLetterTemplate } from '../../src/export/letters';
import { csvText, neutralise, resultsCsvBig5, type ResultsData } from '../../src/export/results';
import { isLotteryError } from '../../src/domain/errors';
import { contentDisposition } from '../../src/http/api/exports';

const big5 = new TextDecoder('big5', { fatal: true });

describe('the Big5 (CP950) encoder', () => {
  it('when text is in CP950 › decoding its bytes with TextDecoder("big5") gives the text back', () => {
    const s = '王小明,數位發展部,處長,○,兀,碁,€,瓦歷斯·諾幹,A-1\r\n';
    expect(big5.decode(encodeBig5(s))).toBe(s);
  });

  it('when a character has no CP950 code › it is listed, never written as "?"', () => {
    expect(big5Unencodable('王𡘙明堃').map((u) => [u.char, u.codePoint, u.index])).toEqual([
      ['𡘙', 'U+21619', 1],
      ['堃', 'U+5803', 3],
    ]);
    expect(() => encodeBig5('𡘙')).toThrow(/U\+21619 has no Big5 code/);
  });

  it('when a character is only in the HKSCS extension the WHATWG decoder reads › it is refused (CP950 shows it as private use)', () => {
    // 0x8840 decodes (WHATWG big5) to a character outside CP950.
    const hk = big5.decode(Uint8Array.from([0x88, 0x40]));
    expect(big5Unencodable(hk)).toHaveLength(1);
  });
});

describe('CSV cells a spreadsheet would read as a formula', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    // found from outside: full-width signs, and invisible characters a roster accepts before the sign
    ['＝HYPERLINK("http://x")', `'＝HYPERLINK("http://x")`],
    ['＋1', "'＋1"],
    ['\u00ad=1+1', "'\u00ad=1+1"],
    ['\u3164=1+1', "'\u3164=1+1"],
    [' =1+1', "' =1+1"],
    ['王小明', '王小明'],
    ['王小明=1', '王小明=1'],
  ])('when a name is %s › it is written as %s', (v, out) => {
    expect(neutralise(v)).toBe(out);
    expect(parse(csvText([[v]]), { relaxQuotes: false })).toEqual([[out]]);
  });

  it('when the service writes a number › it stays a number', () => {
    expect(neutralise(-1)).toBe('-1');
  });
});

const data = (name: string): ResultsData => ({
  lotteryId: 'L1',
  year: 115,
  agency: '數位發展部',
  title: '115年度抽籤',
  meetingDate: '中華民國115年1月22日',
  meetingName: '會議',
  method: 'random',
  count: 1,
  stages: [{ stage: 1, label: '實質審查', percent: '10', poolSize: 1, quota: 1 }],
  rows: [{ stage: 1, label: '實質審查', order: 1, id: 'A1', name, unit: '資訊處', title: '處長' }],
});

describe('the Big5 results file', () => {
  it('when a name has a character outside Big5 › 422 NOT_ENCODABLE naming the row and the character, pointing to UTF-8', () => {
    let err: unknown;
    try {
      resultsCsvBig5(data('林𡘙'));
    } catch (e) {
      err = e;
    }
    if (!isLotteryError(err)) throw new Error('expected a LotteryError');
    expect(err.code).toBe('NOT_ENCODABLE');
    expect(err.zh).toMatch(/UTF-8/);
    expect(err.problems).toEqual([
      expect.objectContaining({
        row: 2,
        field: 'name',
        code: 'NOT_BIG5',
        message: expect.objectContaining({ zh: expect.stringContaining('𡘙') }),
      }),
    ]);
  });
});

describe('the letter template (templates/letter.json)', () => {
  it('when the shipped template is loaded › it passes its own checks', () => {
    expect(loadLetterTemplate().subjects.length).toBeGreaterThan(0);
  });

  it('when a template names an unknown placeholder › loading stops with an error naming it and where', () => {
    const t = { ...loadLetterTemplate(), items: ['請洽{contcat}。'] };
    expect(() => checkLetterTemplate(t)).toThrow(/unknown placeholder \{contcat\} in "items\[0\]"/);
  });

  it('when a template lacks a key › loading stops naming the key', () => {
    const rest: Record<string, unknown> = { ...loadLetterTemplate() };
    delete rest.subjects;
    expect(() => checkLetterTemplate(rest)).toThrow(/"subjects" must be a non-empty list/);
  });
});

describe('the download’s file name (Content-Disposition)', () => {
  it('when the name is Chinese › an ASCII filename for old clients and the UTF-8 name as RFC 5987 filename*', () => {
    const cd = contentDisposition("113年度數位發展部抽籤結果(正本)'.xlsx", 'results-moda-113.xlsx');
    expect(cd).toBe(
      `attachment; filename="results-moda-113.xlsx"; filename*=UTF-8''${encodeURIComponent('113年度數位發展部抽籤結果')}%28%E6%AD%A3%E6%9C%AC%29%27.xlsx`,
    );
    expect(decodeURIComponent(cd.split("UTF-8''")[1] ?? '')).toBe("113年度數位發展部抽籤結果(正本)'.xlsx");
  });

  it('when the ASCII name holds a quote or a non-ASCII character › it is replaced, so the header cannot be split', () => {
    expect(contentDisposition('x', 'a"b\\c王.csv')).toMatch(/^attachment; filename="a_b_c_\.csv"; /);
  });
});
