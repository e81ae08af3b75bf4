import { configFromEnv } from '../../src/config';
import {
  maskName,
  parsePublicFields,
  publicColumns,
  publicPerson,
  surnameOnly,
} from '../../src/domain/publish';

describe('masking a name for the public pages (王○明)', () => {
  it.each([
    ['王小明', '王○明'],
    ['王明', '王○'],
    ['歐陽小明', '歐○○明'],
    ['瓦歷斯·諾幹', '瓦○○·○幹'],
    ['John Smith', 'J○○○ ○○○○h'],
    ['𠀋小明', '𠀋○明'],
    ['王小\u0301明', '王○明'],
    ['林', '○'],
    ['', ''],
  ])('%s becomes %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });
});

describe('showing only the surname for the public pages (name:surname, 王○○)', () => {
  it.each([
    ['王小明', '王○○'],
    ['王明', '王○'],
    // compound surnames are not guessed: only the first character is kept
    ['歐陽小明', '歐○○○'],
    ['瓦歷斯·諾幹', '瓦○○·○○'],
    ['𠀋小明', '𠀋○○'],
    ['王𠀋', '王○'],
    // found from outside: a combining accent belongs to its character, it is not a character of the given name
    ['王\u0301明', '王\u0301○'],
    ['林', '○'],
    ['', ''],
  ])('%s becomes %s', (name, masked) => {
    expect(surnameOnly(name)).toBe(masked);
  });

  it('when the office chooses name:surname › the public person carries the surname only, beside name:masked', () => {
    const fields = parsePublicFields('name:surname,title');
    expect(publicColumns(fields)).toEqual(['name', 'title']);
    expect(publicPerson({ id: 'A1', name: '歐陽小明', unit: '資訊處', title: '處長' }, fields)).toEqual({
      id: 'A1',
      name: '歐○○○',
      title: '處長',
    });
    expect(publicPerson({ id: 'A1', name: '歐陽小明' }, parsePublicFields('name:masked')).name).toBe(
      '歐○○明',
    );
  });

  it('when two ways of showing the name are listed › the service refuses to start', () => {
    expect(() => configFromEnv({ LOTTERY_PUBLIC_FIELDS: 'name:masked,name:surname' })).toThrow(
      /exclude each other/,
    );
    expect(() => configFromEnv({ LOTTERY_PUBLIC_FIELDS: 'name,name:surname' })).toThrow(/exclude each other/);
  });
});

describe('LOTTERY_PUBLIC_FIELDS', () => {
  it('reads a list, keeps what it names and drops the rest of a person', () => {
    const fields = parsePublicFields(' name:masked , unit ');
    expect(fields).toEqual(['name:masked', 'unit']);
    expect(publicColumns(fields)).toEqual(['name', 'unit']);
    expect(publicPerson({ id: 'A1', name: '王小明', unit: '資訊處', title: '處長' }, fields)).toEqual({
      id: 'A1',
      name: '王○明',
      unit: '資訊處',
    });
    expect(publicPerson({ id: 'A1', name: '王小明', title: '處長' }, parsePublicFields('title'))).toEqual({
      id: 'A1',
      title: '處長',
    });
  });

  it('an unknown field, or the name both plain and masked, stops the service from starting', () => {
    expect(() => configFromEnv({ LOTTERY_PUBLIC_FIELDS: 'name,email' })).toThrow(
      /LOTTERY_PUBLIC_FIELDS: unknown field email/,
    );
    expect(() => configFromEnv({ LOTTERY_PUBLIC_FIELDS: 'name,name:masked' })).toThrow(/exclude each other/);
    expect(configFromEnv({}).publicFields).toEqual(['name', 'unit', 'title']);
  });
});
