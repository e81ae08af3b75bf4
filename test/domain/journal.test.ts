import { ZERO_HASH } from '../../src/domain/canonical';
import {
  checkChain,
  entryPreimage,
  makeEntry,
  preimageFromParts,
  type JournalEntry,
  type RawEntry,
} from '../../src/domain/journal';
import { jcs } from '../../src/domain/canonical';
import { sha256 } from '../helpers/crypto';

function chain(n: number): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (let i = 0; i < n; i++) {
    const prev = out[out.length - 1];
    out.push(
      makeEntry(
        prev,
        {
          at: `2025-01-22T02:30:${String(i % 60).padStart(2, '0')}.000Z`,
          type: 'lottery.created',
          actor: 'cli',
          data: { lottery: `L${i}`, year: 113 },
        },
        sha256,
      ),
    );
  }
  return out;
}

const stored = (es: JournalEntry[]): RawEntry[] => es.map((e) => ({ ...e, data: jcs(e.data) }));

describe('the journal chain', () => {
  it('starts from the zero hash at seq 1 and links each entry to the one before', () => {
    const es = chain(3);
    expect(es[0]?.seq).toBe(1);
    expect(es[0]?.prev).toBe(ZERO_HASH);
    expect(es[1]?.prev).toBe(es[0]?.hash);
  });

  it('hashes JCS of {seq, at, type, actor, data, prev}', () => {
    const [e] = chain(1);
    if (!e) throw new Error('no entry');
    const pre = `{"actor":"cli","at":"${e.at}","data":{"lottery":"L0","year":113},"prev":"${ZERO_HASH}","seq":1,"type":"lottery.created"}`;
    expect(e.hash).toBe(sha256(pre));
  });

  it('verifies an intact chain and reports its head', async () => {
    const es = chain(5);
    const r = await checkChain(stored(es), sha256);
    expect(r).toEqual({ ok: true, length: 5, head: { seq: 5, hash: es[4]?.hash } });
  });

  describe('when a journal entry was altered', () => {
    it.each(['at', 'type', 'actor', 'data', 'prev', 'hash'] as const)(
      'verify reports the first broken seq (column %s)',
      async (col) => {
        const rows = stored(chain(6));
        const row = rows[3] as RawEntry;
        const edits: Record<typeof col, unknown> = {
          at: '2025-01-22T02:31:00.000Z',
          type: 'lottery.updated',
          actor: 'system',
          data: '{"lottery":"L3","year":114}',
          prev: 'f'.repeat(64),
          hash: 'e'.repeat(64),
        };
        rows[3] = { ...row, [col]: edits[col] };
        const r = await checkChain(rows, sha256);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.brokenAt).toBe(4);
      },
    );

    it('a data column rewritten with the same meaning but other bytes is still reported', async () => {
      const rows = stored(chain(4));
      const row = rows[1] as RawEntry;
      rows[1] = { ...row, data: '{"year":113,"lottery":"L1"}' };
      const r = await checkChain(rows, sha256);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.brokenAt).toBe(2);
        expect(r.reason).toMatch(/canonical/);
      }
    });

    it('a deleted entry fails at its own seq', async () => {
      const rows = stored(chain(5));
      rows.splice(2, 1);
      const r = await checkChain(rows, sha256);
      expect(r.ok ? 0 : r.brokenAt).toBe(3);
    });

    it('an entry re-hashed after editing breaks the next link', async () => {
      const es = chain(5);
      const e = es[1] as JournalEntry;
      const forged = makeEntry(
        { seq: 1, hash: es[0]?.hash ?? '' },
        { at: e.at, type: e.type, actor: e.actor, data: { lottery: 'FORGED', year: 113 } },
        sha256,
      );
      es[1] = forged;
      const r = await checkChain(stored(es), sha256);
      expect(r.ok ? 0 : r.brokenAt).toBe(3);
    });

    it('swapped entries fail at the first of them', async () => {
      const rows = stored(chain(5));
      const a = rows[1] as RawEntry;
      rows[1] = rows[2] as RawEntry;
      rows[2] = a;
      const r = await checkChain(rows, sha256);
      expect(r.ok ? 0 : r.brokenAt).toBe(2);
    });
  });

  it('an empty journal is intact with the zero head', async () => {
    expect(await checkChain([], sha256)).toEqual({ ok: true, length: 0, head: { seq: 0, hash: ZERO_HASH } });
  });
});

describe('the fast preimage', () => {
  it('equals JCS of the entry for awkward strings and data', () => {
    const awkward = ['', 'a"b\\c', '\u2028\u2029', '\u0001\u001f', '實質審查', '😀', '</script>'];
    let prev: { seq: number; hash: string } | undefined;
    for (const [i, s] of awkward.entries()) {
      const e = makeEntry(
        prev,
        {
          at: '2025-01-22T02:30:00.000Z',
          type: 'lottery.updated',
          actor: 'user:abc',
          data: { title: s, n: i, list: [s, { z: 1, a: s }] },
        },
        sha256,
      );
      expect(preimageFromParts(e, jcs(e.data))).toBe(entryPreimage(e));
      prev = e;
    }
  });
});
