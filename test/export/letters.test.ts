import fs from 'node:fs';
import path from 'node:path';
import { LETTER_TEMPLATE_PATH, renderLetters, type LettersData } from '../../src/export/letters';
import { tempDir } from '../helpers/app';
import { pdfinfoPages, pdftotext } from '../helpers/poppler';

const data = (over: Partial<LettersData> = {}): LettersData => ({
  lotteryId: 'moda-113',
  year: 113,
  agency: '數位發展部',
  title: '113年度公職人員財產申報資料實質審查抽籤',
  meetingDate: '中華民國114年1月22日 10時00分',
  issuedAt: new Date('2025-01-23T02:00:00Z'),
  people: [
    {
      id: 'D001',
      name: '王小明',
      unit: '數位策略司',
      title: '司長',
      stages: [{ stage: 1, label: '實質審查' }],
    },
    {
      id: 'D002',
      name: '陳尘芬',
      unit: '韌性建設司',
      title: '司長',
      stages: [
        { stage: 1, label: '實質審查' },
        { stage: 2, label: '前後年度申報財產比對' },
      ],
    },
  ],
  ...over,
});

const flat = (s: string): string => s.replace(/\s+/g, '');

describe('the notification letters (通知)', () => {
  it('when rendered › one page per person, with the year, the meeting date in ROC and the stages drawn', async () => {
    const pdf = await renderLetters(data());
    expect(pdfinfoPages(pdf)).toBe(2);
    const [one, two] = pdftotext(pdf).split('\f').map(flat);
    expect(one).toContain('受文者：數位策略司司長王小明君');
    expect(one).toContain('抽中為113年度公職人員財產申報資料實質審查對象，特此通知');
    expect(one).toContain('中華民國114年1月22日10時00分');
    expect(one).toContain('發文日期：中華民國114年1月23日');
    expect(two).toContain('第一階段實質審查、第二階段前後年度申報財產比對');
    // A character the font lacks is printed as its code point, never dropped.
    expect(two).toContain('陳〔U+5C18〕芬');
  });

  it('when the office sets a contact (LOTTERY_CONTACT) › the letters name it instead of the template’s', async () => {
    const pdf = await renderLetters(data({ contact: '政風處 陳志明（02-2380-0000 分機 123）' }));
    const text = flat(pdftotext(pdf));
    expect(text).toContain('請洽政風處陳志明（02-2380-0000分機123）');
    expect(text).not.toContain('本機關政風單位');
  });

  it('when the template’s wording is too long for one page › the letters are refused rather than spill', async () => {
    const t = JSON.parse(fs.readFileSync(LETTER_TEMPLATE_PATH, 'utf8')) as { items: string[] };
    t.items = Array.from({ length: 80 }, () => '依據{article}辦理。');
    const file = path.join(tempDir(), 'letter.json');
    fs.writeFileSync(file, JSON.stringify(t));
    await expect(renderLetters(data(), file)).rejects.toThrow(/does not fit on one page/);
  });
});
