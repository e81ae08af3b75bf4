import { LotteryError, type FieldProblem } from '../../src/domain/errors';
import {
  DEFAULT_STAGES,
  defaultTitle,
  meetingJson,
  parseCreate,
  parseMeeting,
  parsePatch,
  rocDateInput,
  rocDateText,
} from '../../src/domain/input/definition';
import {
  canonicalEntropy,
  groupDigits,
  parseEntropy,
  parseEntropyDigits,
} from '../../src/domain/input/entropy';
import { MAX_ROSTER, parseRoster, type RosterInputRow } from '../../src/domain/input/roster';
import { clean, hasControl, looksLikeNationalId, reasonText } from '../../src/domain/input/text';

function refusal(f: () => unknown): LotteryError {
  try {
    f();
  } catch (e) {
    if (e instanceof LotteryError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const codes = (problems: readonly FieldProblem[] | undefined): string[] =>
  (problems ?? []).map((p) => `${p.row === undefined ? '' : `${p.row}:`}${p.field}:${p.code}`);

const rows = (...values: Array<Record<string, unknown>>): RosterInputRow[] =>
  values.map((v, i) => ({ row: i + 1, values: v }));

describe('text rules', () => {
  it('when a value is stored › it is trimmed and NFC-normalised (a decomposed é becomes one code point)', () => {
    expect(clean('  Cafe\u0301 ')).toBe('Café');
    expect(clean('  Cafe\u0301 ').length).toBe(4);
  });

  it.each([
    ['RLO, which shows "D013" as "310D"', 'D\u202e013'],
    ['an isolate', 'a\u2066b'],
    ['a left-to-right mark', 'a\u200eb'],
    ['the Arabic letter mark', 'a\u061cb'],
    ['a NUL', 'a\u0000b'],
    ['a tab', 'a\tb'],
    ['U+FFFD, a character already lost in decoding', 'a\ufffdb'],
    ['a lone surrogate', 'a\ud800b'],
  ])('when a value holds %s › it is a control character', (_what, s) => {
    expect(hasControl(s)).toBe(true);
  });

  it.each([['王小明'], ['Ａｂｃ full-width'], ['𠮷野家'], ['a-b_c.d']])(
    'when a value is ordinary text (%s) › it is not a control character',
    (s) => {
      expect(hasControl(s)).toBe(false);
    },
  );

  it.each([
    ['A123456789'],
    ['a223456789'],
    ['AB12345678'],
    ['Ａ１２３４５６７８９'],
    ['身分證A123456789已離職'],
  ])('when %s is in a value › it looks like a national ID', (s) => {
    expect(looksLikeNationalId(s)).toBe(true);
  });

  it.each([['A12345678'], ['XA123456789'], ['A1234567890'], ['A323456789'], ['D013']])(
    'when %s is in a value › it does not look like a national ID',
    (s) => {
      expect(looksLikeNationalId(s)).toBe(false);
    },
  );

  it('when a reason holds a bidi override › it is refused, naming the field', () => {
    const e = refusal(() => reasonText('離職\u202e', 'excluded'));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(codes(e.problems)).toEqual(['excluded:CONTROL_CHARACTER']);
  });

  it('when a reason is 500 characters (counted as code points) › it is kept; 501 is refused', () => {
    expect(reasonText('𠮷'.repeat(500), 'reason')).toHaveLength(1000);
    expect(codes(refusal(() => reasonText('x'.repeat(501), 'reason')).problems)).toEqual(['reason:TOO_LONG']);
  });
});

describe('a lottery definition', () => {
  it('when only year and agency are given › the title and the two default stages are filled in', () => {
    const def = parseCreate({ year: 113, agency: ' 法務部 ' });
    expect(def).toEqual({
      year: 113,
      agency: '法務部',
      title: defaultTitle(113),
      stages: DEFAULT_STAGES,
      meeting: {},
    });
    expect(def.stages).not.toBe(DEFAULT_STAGES);
  });

  it('when rates are written in another form › they are kept in the one written form', () => {
    const def = parseCreate({
      year: 113,
      agency: 'A',
      stages: [
        { label: 'one', percent: '010.50' },
        { stage: 2, label: 'two', percent: '2.0' },
      ],
    });
    expect(def.stages).toEqual([
      { stage: 1, label: 'one', percent: '10.5' },
      { stage: 2, label: 'two', percent: '2' },
    ]);
  });

  it('when every field is wrong › every problem is listed at once, in field order', () => {
    const e = refusal(() =>
      parseCreate({
        year: 1.5,
        agency: '',
        title: 7,
        stages: [{ label: 'x', percent: '0' }, 'y'],
        meeting: { date: '2025-02-30', chair: 'a\u202eb' },
        extra: true,
      }),
    );
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(codes(e.problems)).toEqual([
      'extra:UNKNOWN_FIELD',
      'year:BAD_YEAR',
      'agency:REQUIRED',
      'title:NOT_STRING',
      'stages[0].percent:BAD_PERCENT',
      'stages[1]:NOT_OBJECT',
      'meeting.chair:CONTROL_CHARACTER',
      'meeting.date:BAD_DATE',
    ]);
    expect(e.zh).toBe(
      '輸入資料不正確：extra, year, agency, title, stages[0].percent, stages[1], meeting.chair, meeting.date',
    );
  });

  it('when stage 1 is below 5% › the refusal is its own code citing the regulation, not a validation failure', () => {
    const e = refusal(() =>
      parseCreate({ year: 113, agency: 'A', stages: [{ label: 'x', percent: '4.9999' }] }),
    );
    expect(e.code).toBe('RATE_BELOW_LEGAL_FLOOR');
    expect(e.zh).toBe('第一階段抽籤比率 4.9999% 低於法定下限 5%（公職人員財產申報資料審核及查閱辦法第7條）');
    expect(
      parseCreate({ year: 113, agency: 'A', stages: [{ label: 'x', percent: '5' }] }).stages[0]?.percent,
    ).toBe('5');
  });

  it('when the body is not an object › it is refused as a whole', () => {
    for (const body of [null, [], 'x', 3])
      expect(codes(refusal(() => parseCreate(body)).problems)).toEqual(['body:NOT_OBJECT']);
  });

  it.each([
    [0, false],
    [1, true],
    [999, true],
    [1000, false],
    ['113', false],
  ])('when the year is %j › it is %s', (year, ok) => {
    const f = (): unknown => parseCreate({ year, agency: 'A' });
    if (ok) expect(f()).toHaveProperty('year', year);
    else expect(codes(refusal(f).problems)).toEqual(['year:BAD_YEAR']);
  });

  it('when a stage number is given out of place › it is refused', () => {
    const e = refusal(() =>
      parseCreate({ year: 113, agency: 'A', stages: [{ stage: 2, label: 'x', percent: '10' }] }),
    );
    expect(codes(e.problems)).toEqual(['stages[0].stage:BAD_STAGE']);
  });

  it('when there are no stages, or six › it is refused', () => {
    for (const stages of [[], Array.from({ length: 6 }, () => ({ label: 'x', percent: '10' })), 'x'])
      expect(codes(refusal(() => parseCreate({ year: 113, agency: 'A', stages })).problems)).toEqual([
        'stages:BAD_STAGES',
      ]);
  });
});

describe('the meeting', () => {
  it.each([
    ['2024-02-29', true],
    ['2025-02-29', false],
    ['2100-02-29', false],
    ['2000-02-29', true],
    ['2025-04-31', false],
    ['2025-12-31T23:59', true],
    ['2025-12-31 09:30', true],
    ['2025-12-31T24:00', false],
    ['2025-12-31T12:60', false],
    ['2025-13-01', false],
    ['2025-1-01', false],
    ['２０２５-01-01', false],
  ])('when the date is %s › it is accepted: %s', (date, ok) => {
    const problems: FieldProblem[] = [];
    const m = parseMeeting({ date }, problems);
    // Stored as ISO (issue 11): a typed space between the day and the time becomes the T.
    expect(m.date).toBe(ok ? date.replace(' ', 'T') : undefined);
    expect(codes(problems)).toEqual(ok ? [] : ['meeting.date:BAD_DATE']);
  });

  it.each([
    ['114/1/22', '2025-01-22'],
    ['114/01/22 14:30', '2025-01-22T14:30'],
    ['114-1-22', '2025-01-22'],
    ['114.1.22 9:05', '2025-01-22T09:05'],
    ['114年1月22日', '2025-01-22'],
    ['民國114年1月22日', '2025-01-22'],
    ['中華民國114年1月22日 14時30分', '2025-01-22T14:30'],
    ['114年1月22日下午2時30分', '2025-01-22T14:30'],
    ['114年1月22日 下午2時', '2025-01-22T14:00'],
    ['114年1月22日上午12時', '2025-01-22T00:00'],
    ['114年1月22日 上午9點半', '2025-01-22T09:30'],
    ['113/2/29', '2024-02-29'],
    ['2025/1/22', '2025-01-22'],
    ['2025/1/22 14:30', '2025-01-22T14:30'],
    [' 114 / 1 / 22 ', '2025-01-22'],
    ['1/1/1', '1912-01-01'],
  ])('when the date is typed as %s › it is stored as the ISO %s', (date, iso) => {
    const problems: FieldProblem[] = [];
    expect(parseMeeting({ date }, problems).date).toBe(iso);
    expect(problems).toEqual([]);
  });

  it.each([
    '114/2/29',
    '114/13/1',
    '114/1/32',
    '0/1/1',
    '114年1月22',
    '114/1/22 25:00',
    '114/1/22 下午13時',
    '114/1/22 14:60',
    '114/1/22 明天',
    '民國2025年1月22日',
    '2025-1-22',
    '114/1',
    '22/1/114',
  ])(
    'when the date is typed as %s › it is refused with a sentence about the date, and nothing is kept',
    (date) => {
      const problems: FieldProblem[] = [];
      expect(parseMeeting({ date }, problems).date).toBeUndefined();
      expect(codes(problems)).toEqual(['meeting.date:BAD_DATE']);
      expect(problems[0]?.message.zh).toContain('114/1/22');
    },
  );

  it('when a stored date is shown again › the form shows 114/1/22 14:30 and the page 民國114年1月22日 14:30', () => {
    expect(rocDateInput('2025-01-22T14:30')).toBe('114/1/22 14:30');
    expect(rocDateInput('2025-01-22')).toBe('114/1/22');
    expect(rocDateText('2025-01-22T14:30')).toBe('民國114年1月22日 14:30');
    expect(rocDateText('2025-01-02')).toBe('民國114年1月2日');
    expect(parseMeeting({ date: rocDateInput('2025-01-22T14:30') }, []).date).toBe('2025-01-22T14:30');
    expect(rocDateText(undefined)).toBe('');
  });

  it('when witnesses are given › each is cleaned, and an empty name is dropped', () => {
    const problems: FieldProblem[] = [];
    expect(parseMeeting({ witnesses: [' 甲 ', '', '乙'] }, problems)).toEqual({ witnesses: ['甲', '乙'] });
    expect(problems).toEqual([]);
  });

  it('when there are 51 witnesses, or they are not a list › it is refused', () => {
    for (const witnesses of [Array.from({ length: 51 }, () => 'x'), 'x']) {
      const problems: FieldProblem[] = [];
      parseMeeting({ witnesses }, problems);
      expect(codes(problems)).toEqual(['meeting.witnesses:NOT_ARRAY']);
    }
  });

  it('when a meeting field is unknown or too long › it is refused, prefixed with meeting.', () => {
    const problems: FieldProblem[] = [];
    parseMeeting({ room: 'x', venue: 'v'.repeat(201) }, problems);
    expect(codes(problems)).toEqual(['meeting.room:UNKNOWN_FIELD', 'meeting.venue:TOO_LONG']);
  });

  it('when the meeting is journalled › fields come in their fixed order, absent ones left out, witnesses last', () => {
    const json = meetingJson({ witnesses: ['w'], recorder: 'r', name: 'n', date: '2025-01-01' });
    expect(Object.keys(json)).toEqual(['name', 'date', 'recorder', 'witnesses']);
  });
});

describe('a PATCH of the definition', () => {
  const current = { name: '會議', chair: '主席', date: '2025-01-01' };

  it('when a meeting is given › it replaces the stored one field by field; a field sent empty is removed', () => {
    const patch = parsePatch({ meeting: { chair: '新主席', date: '' } }, current);
    expect(patch).toEqual({ meeting: { name: '會議', chair: '新主席' } });
  });

  it('when nothing is given › it is refused as nothing to change', () => {
    expect(codes(refusal(() => parsePatch({}, current)).problems)).toEqual(['body:NOTHING_TO_CHANGE']);
  });

  it('when the title is sent empty › it is refused (a title cannot be removed)', () => {
    expect(codes(refusal(() => parsePatch({ title: ' ' }, current)).problems)).toEqual(['title:REQUIRED']);
  });

  it('when year or agency is sent › it is refused: they are fixed at creation', () => {
    expect(codes(refusal(() => parsePatch({ year: 114, agency: 'B' }, current)).problems)).toEqual([
      'year:UNKNOWN_FIELD',
      'agency:UNKNOWN_FIELD',
    ]);
  });

  it('when stages lower stage 1 below the floor › it is refused like at creation', () => {
    expect(refusal(() => parsePatch({ stages: [{ label: 'x', percent: '1' }] }, current)).code).toBe(
      'RATE_BELOW_LEGAL_FLOOR',
    );
  });
});

describe('roster rows', () => {
  it('when ids are missing › each becomes its data-row number, padded to at least three digits', () => {
    const r = parseRoster(rows({ name: '甲' }, { name: '乙', id: 'X-1' }), { strictFields: true });
    expect(r.errors).toEqual([]);
    expect(r.entries.map((e) => e.id)).toEqual(['001', 'X-1']);
  });

  it('when an explicit id equals a generated one › the clash names the generated number', () => {
    const r = parseRoster(rows({ name: '甲' }, { name: '乙', id: '001' }), { strictFields: true });
    expect(codes(r.errors)).toEqual(['2:id:DUPLICATE_ID']);
    expect(r.errors[0]?.message.en).toBe('id 001 clashes with the number given to row 1');
    expect(r.entries).toEqual([]);
  });

  it('when two explicit ids repeat › the duplicate names the first row', () => {
    const r = parseRoster(rows({ name: '甲', id: 'A' }, { name: '乙', id: 'A' }), { strictFields: true });
    expect(r.errors[0]?.message).toEqual({ zh: '編號 A 與第 1 列重複', en: 'id A duplicates row 1' });
  });

  it.each([
    ['a Cyrillic А in the id', 'А01'],
    ['a full-width digit', 'A０1'],
    ['a space', 'A 1'],
    ['33 characters', 'A'.repeat(33)],
  ])('when an id has %s › it is BAD_ID', (_what, id) => {
    const r = parseRoster(rows({ name: '甲', id }), { strictFields: true });
    expect(codes(r.errors)).toEqual(['1:id:BAD_ID']);
  });

  it.each([
    ['a right-to-left override', '王\u202e明'],
    ['a first-strong isolate', '王\u2068明'],
    ['a NUL', '王\u0000明'],
    ['a replacement character', '王\ufffd明'],
  ])('when a name holds %s › it is CONTROL_CHARACTER, and the row is not kept', (_what, name) => {
    const r = parseRoster(rows({ name }, { name: '乙' }), { strictFields: true });
    expect(codes(r.errors)).toEqual(['1:name:CONTROL_CHARACTER']);
    expect(r.entries).toEqual([]);
  });

  it('when a name is the same person in another spelling (decomposed vs composed) › it is one name after NFC', () => {
    const r = parseRoster(rows({ name: 'Jose\u0301' }, { name: 'José' }), { strictFields: true });
    expect(r.errors).toEqual([]);
    expect(codes(r.warnings)).toEqual(['2:name:SAME_NAME']);
  });

  it('when a field looks like a national ID › it is refused without echoing the value', () => {
    const r = parseRoster(rows({ name: '甲', title: '身分證Ａ１２３４５６７８９' }), { strictFields: true });
    expect(codes(r.errors)).toEqual(['1:title:NATIONAL_ID']);
    expect(JSON.stringify(r.errors)).not.toMatch(/123456789|１２３/);
  });

  it('when a field is unknown › it is an error only when fields are strict', () => {
    expect(codes(parseRoster(rows({ name: '甲', nick: 'x' }), { strictFields: true }).errors)).toEqual([
      '1:nick:UNKNOWN_FIELD',
    ]);
    const loose = parseRoster(rows({ name: '甲', nick: 'x' }), { strictFields: false });
    expect(loose.errors).toEqual([]);
    expect(loose.entries).toEqual([{ id: '001', name: '甲' }]);
  });

  it('when a name is missing, empty or not text › each is reported once per row', () => {
    const r = parseRoster(rows({ unit: 'u' }, { name: '  ' }, { name: 7 }), { strictFields: true });
    expect(codes(r.errors)).toEqual(['1:name:REQUIRED', '2:name:REQUIRED', '3:name:NOT_STRING']);
  });

  it('when an exclusion reason is 500 characters › it is kept; a name of 201 is TOO_LONG', () => {
    const r = parseRoster(rows({ name: '甲', excluded: 'x'.repeat(500) }), { strictFields: true });
    expect(r.errors).toEqual([]);
    expect(codes(parseRoster(rows({ name: 'x'.repeat(201) }), { strictFields: true }).errors)).toEqual([
      '1:name:TOO_LONG',
    ]);
  });

  it('when rows came from a file › each problem carries the column letter of its cell', () => {
    const r = parseRoster(
      [{ row: 5, values: { name: '王\u202e', unit: 'u' }, columns: { name: 'C', unit: 'D' } }],
      {
        strictFields: true,
      },
    );
    expect(r.errors.map((p) => [p.row, p.column, p.field, p.code])).toEqual([
      [5, 'C', 'name', 'CONTROL_CHARACTER'],
    ]);
  });

  it('when there are more rows than the limit › the one error says so and no row is read', () => {
    const many = Array.from({ length: MAX_ROSTER + 1 }, (_, i) => ({ row: i + 1, values: { name: 'x' } }));
    expect(codes(parseRoster(many, { strictFields: true }).errors)).toEqual(['entries:TOO_MANY_ROWS']);
  });
});

describe('the entropy the room types', () => {
  it.each([
    ['6251341234', '6251341234'],
    ['62513 41234', '6251341234'],
    ['６２５１３４１２３４', '6251341234'],
    ['  6 2 5 1 3 4 1 2 3 4  ', '6251341234'],
    ['1'.repeat(64), '1'.repeat(64)],
  ])('when %j is typed › its canonical digits are %s', (typed, digits) => {
    expect(canonicalEntropy(typed)).toBe(digits);
    expect(parseEntropyDigits(typed)).toBe(digits);
  });

  it.each([
    ['nine digits', '625134123'],
    ['65 digits', '1'.repeat(65)],
    ['commas', '6,2,5,1,3,4,1,2,3,4'],
    ['hyphens', '62513-41234'],
    ['a variation selector after a digit', '6\ufe0f251341234'],
    ['a zero-width space', '62513\u200b41234'],
    ['a keycap emoji', '6\ufe0f\u20e3251341234'],
    ['a tab', '62513\t41234'],
    ['Arabic-Indic digits', '٦٢٥١٣٤١٢٣٤'],
  ])('when the dice hold %s › they are refused as ENTROPY_INVALID', (_what, typed) => {
    expect(canonicalEntropy(typed)).toBeUndefined();
    expect(refusal(() => parseEntropyDigits(typed)).code).toBe('ENTROPY_INVALID');
  });

  it('when too few digits are typed › the refusal says how many were given', () => {
    const e = refusal(() => parseEntropyDigits('1 2 3'));
    expect(e.en).toBe(
      'The dice must be 10 to 64 digits (0–9), optionally separated by spaces; commas, hyphens, letters, emoji and invisible characters are refused (3 digits given)',
    );
    expect(e.zh).toContain('（只有 3 個數字）');
    expect(refusal(() => parseEntropyDigits('1')).en).toMatch(/\(1 digit given\)$/);
  });

  it('when nothing is typed › the refusal says it is missing', () => {
    expect(refusal(() => parseEntropyDigits(undefined)).en).toMatch(/\(entropy is missing\)$/);
  });

  it('when digits are read aloud › they are grouped in fives from the left', () => {
    expect(groupDigits('62513412345')).toBe('62513 41234 5');
    expect(groupDigits('')).toBe('');
  });

  it('when a v1 entropy is read › free text is kept as typed, but control and format characters are refused', () => {
    expect(parseEntropy({ entropy: ' 1 2 3 ' })).toBe('1 2 3');
    for (const entropy of ['1\u202e23', '1\u200b23', ''])
      expect(codes(refusal(() => parseEntropy({ entropy })).problems)).toEqual(['entropy:BAD_ENTROPY']);
    expect(codes(refusal(() => parseEntropy({ entropy: '1', x: 1 })).problems)).toEqual(['x:UNKNOWN_FIELD']);
  });
});
