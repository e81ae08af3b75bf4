import { configFromEnv } from '../../src/config';
import { maskName, parsePublicFields, publicColumns, publicPerson } from '../../src/domain/publish';

describe('masking a name for the public pages (王○明)', () => {
  it.each([
    ['王小明', '王○明'],
    ['王明', '王○'],
    ['歐陽小明', '歐○○明'],
    ['瓦歷斯·諾幹', '瓦○○·○幹'],
    ['John Smith', 'J○○○ ○○○○h'],
    ['𠀋小明', '𠀋○明'],
    ['林', '○'],
    ['', ''],
  ])('%s becomes %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
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
