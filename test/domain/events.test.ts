import fs from 'node:fs';
import path from 'node:path';
import { EVENT_FIELDS, EVENT_TYPES, eventData, type Presence } from '../../src/domain/events';

/**
 * protocol.md §7's table of entry types is what auditors re-implement from; EVENT_FIELDS is what the journal
 * writer accepts. This reads the table and holds the two to each other, so neither can change alone.
 */

type Fields = Record<string, Presence>;

/** `lottery, stages:[{stage, label}], certificate?` → its top-level names; `?` marks one optional. */
function names(group: string): Fields {
  const out: Fields = {};
  let depth = 0;
  let current = '';
  const take = (): void => {
    const m = /^\s*([A-Za-z][A-Za-z0-9]*)(\?)?/.exec(current);
    if (m?.[1]) out[m[1]] = m[2] ? 'optional' : 'required';
    current = '';
  };
  for (const ch of group) {
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) take();
    else current += ch;
  }
  take();
  return out;
}

/**
 * One data cell: its shapes (each code span that is a `{…}`), and the names its prose adds as sometimes present,
 * the code spans after "also" or "among": "and under v2 also `protocol: …`", "for stage 1 also `entropy` and
 * `secret`", "plus the new value of each field changed among `title`, `stages`, `meeting`".
 */
function dataCell(cell: string): { shapes: Fields[]; optional: string[] } {
  const spans = [...cell.matchAll(/`([^`]*)`/g)].map((m) => ({ text: m[1] ?? '', at: m.index }));
  const isShape = (t: string): boolean => t.startsWith('{') && t.endsWith('}');
  const shapes = spans.filter((s) => isShape(s.text)).map((s) => names(s.text.slice(1, -1)));
  const prose = /\b(?:also|among)\b/.exec(cell);
  const optional = prose
    ? spans
        .filter((s) => s.at > prose.index && !isShape(s.text))
        .map((s) => /^[A-Za-z][A-Za-z0-9]*/.exec(s.text)?.[0] ?? '')
        .filter((n) => n !== '')
    : [];
  return { shapes, optional };
}

/** The union of several shapes of one type: a field in only some of them is optional. */
function merge(shapes: Fields[]): Fields {
  const out: Fields = {};
  for (const shape of shapes)
    for (const [k, v] of Object.entries(shape))
      out[k] = v === 'optional' || shapes.some((s) => !(k in s)) ? 'optional' : (out[k] ?? 'required');
  return out;
}

function protocolTable(): Map<string, Fields> {
  const md = fs.readFileSync(path.join(__dirname, '../../docs/protocol.md'), 'utf8');
  const at = md.indexOf('Entry types and their `data`');
  if (at < 0) throw new Error('protocol.md has no "Entry types and their `data`" table');
  const lines = md.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const table: Map<string, Fields> = new Map();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [, typeCell = '', data = ''] = line.split('|');
    const types = [...typeCell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    const { shapes, optional } = dataCell(data);
    if (types.length > 1) {
      // A shared row lists one shape per type, in the same order: `user.locked`, `user.unlocked`.
      expect([types.join(', '), shapes.length]).toEqual([types.join(', '), types.length]);
      types.forEach((t, i) => table.set(t, shapes[i] ?? {}));
    } else {
      const fields = merge(shapes);
      for (const k of optional) fields[k] = 'optional';
      table.set(types[0] ?? '', fields);
    }
  }
  return table;
}

describe('journal entry types: the code against protocol.md §7', () => {
  const table = protocolTable();

  it('when the table is read › it lists exactly the types of the union', () => {
    expect([...table.keys()].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('when the table is read › the types come in the same order as EVENT_TYPES', () => {
    expect([...table.keys()]).toEqual([...EVENT_TYPES]);
  });

  it.each([...EVENT_TYPES])('when %s is written › its data fields are the ones the table states', (type) => {
    const fromDocs = table.get(type);
    const fromCode: Fields = { ...EVENT_FIELDS[type] };
    const sorted = (f: Fields | undefined): Array<[string, Presence]> =>
      Object.entries(f ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    expect(sorted(fromCode)).toEqual(sorted(fromDocs));
  });

  it('when the table parser meets each form of cell › it reads names, nesting, `?` and the prose', () => {
    // The parser itself, on the forms the table uses, so that a parser that read nothing could not pass above.
    expect(names('lottery, stages:[{stage, label, percent}], meeting')).toEqual({
      lottery: 'required',
      stages: 'required',
      meeting: 'required',
    });
    expect(names('publicKey, certificate?')).toEqual({ publicKey: 'required', certificate: 'optional' });
    expect(merge([names('lottery, sha256'), names('lottery, sha256, public: true')])).toEqual({
      lottery: 'required',
      sha256: 'required',
      public: 'optional',
    });
    expect(
      dataCell(' `{lottery}` plus the new value of each field changed among `title`, `stages`, `meeting` '),
    ).toEqual({ shapes: [{ lottery: 'required' }], optional: ['title', 'stages', 'meeting'] });
    expect(
      dataCell(' `{lottery, commitment}`, and under v2 also `protocol: "lottery-draw/v2"` ').optional,
    ).toEqual(['protocol']);
    // A code span that is not a shape, outside "also"/"among", adds nothing: `JCS({"publicKey": publicKey})`.
    expect(dataCell(' `{publicKey}`: `endorsement` is RS256 over `JCS({"publicKey": publicKey})` ')).toEqual({
      shapes: [{ publicKey: 'required' }],
      optional: [],
    });
    expect(table.get('lottery.created')).toHaveProperty('stages', 'required');
  });
});

describe('the data as the journal stores it', () => {
  it('when an optional field is left undefined › it is dropped, never written as null', () => {
    const data = eventData({
      type: 'record.issued',
      data: { lottery: 'L', sha256: 'a'.repeat(64), public: undefined },
    });
    expect(data).toEqual({ lottery: 'L', sha256: 'a'.repeat(64) });
    expect(Object.keys(data)).toEqual(['lottery', 'sha256']);
  });

  it('when an optional field is given › it is kept', () => {
    expect(
      eventData({ type: 'record.issued', data: { lottery: 'L', sha256: 'b'.repeat(64), public: true } }),
    ).toEqual({ lottery: 'L', sha256: 'b'.repeat(64), public: true });
  });
});
