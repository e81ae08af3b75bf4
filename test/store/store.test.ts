/**
 * The store on its own: the schema's guards on the journal, the write transaction (all or nothing, BEGIN
 * IMMEDIATE, the only way to append an entry), and the migrations. Each test opens its own file; tampering
 * goes through a connection of the test's own, as an attacker's would.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ZERO_HASH } from '../../src/domain/canonical';
import type { JournalEvent } from '../../src/domain/events';
import { checkChain, entryPreimage } from '../../src/domain/journal';
import { sha256Node } from '../../src/keys/signer';
import { MIGRATIONS_DIR, Store, type WriteTx } from '../../src/store/store';
import { ownConnection, tempDir } from '../helpers/app';

const stamp = { actor: 'cli', at: '2026-01-22T02:00:00.000Z' };
const added = (user: string): JournalEvent => ({ type: 'user.added', data: { user, role: 'admin' } });

let dir: string;
let file: string;
let store: Store;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'store.sqlite');
  store = Store.open(file);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function appendUsers(n: number): void {
  store.write((tx) => {
    for (let i = 1; i <= n; i++) tx.appendJournal(added(`u${i}`), stamp, sha256Node);
  });
}

describe('migrations', () => {
  it('bring an empty file to the current schema, numbered by the last migration', () => {
    const last = Math.max(
      ...fs
        .readdirSync(MIGRATIONS_DIR)
        .filter((f) => /^\d{3}_.+\.sql$/.test(f))
        .map((f) => Number(f.slice(0, 3))),
    );
    const { version, tables } = ownConnection(file, (db) => ({
      version: db.pragma('user_version', { simple: true }) as number,
      tables: (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>
      )
        .map((r) => r.name)
        .sort(),
    }));
    expect(version).toBe(last);
    expect(tables).toEqual(
      expect.arrayContaining([
        'ceremonies',
        'journal',
        'lotteries',
        'notices',
        'records',
        'results',
        'users',
      ]),
    );
  });

  it('are not applied twice: reopening a migrated file keeps its rows', () => {
    appendUsers(2);
    store.close();
    store = Store.open(file);
    expect(store.journalHead()?.seq).toBe(2);
  });
});

describe("the journal's triggers, against a hand on the file", () => {
  beforeEach(() => appendUsers(3));

  it('refuse an UPDATE of any entry', () => {
    expect(() =>
      ownConnection(file, (db) => db.prepare("UPDATE journal SET actor = 'system' WHERE seq = 2").run()),
    ).toThrow(/append-only/);
  });

  it('refuse a DELETE, even of the head', () => {
    expect(() => ownConnection(file, (db) => db.prepare('DELETE FROM journal WHERE seq = 3').run())).toThrow(
      /append-only/,
    );
  });

  it('refuse an INSERT whose seq does not follow the head', () => {
    const insert = (seq: number): unknown =>
      ownConnection(file, (db) =>
        db
          .prepare(
            "INSERT INTO journal (seq, at, type, actor, data, prev, hash) VALUES (?, 'x', 'user.added', 'cli', '{}', 'p', ?)",
          )
          .run(seq, `h${seq}`),
      );
    expect(() => insert(5)).toThrow(/must follow the head/);
    expect(() => insert(3)).toThrow();
    expect(store.journalHead()?.seq).toBe(3);
  });
});

describe('the write transaction', () => {
  it('chains every entry from the head: seq, prev and the hash of the preimage', async () => {
    appendUsers(2);
    const [a, b] = store.journalPage({ limit: 10 });
    expect(a).toMatchObject({ seq: 1, prev: ZERO_HASH, type: 'user.added', actor: 'cli', at: stamp.at });
    expect(b).toMatchObject({ seq: 2, prev: a?.hash });
    expect(b?.hash).toBe(
      sha256Node(
        entryPreimage({
          seq: 2,
          at: stamp.at,
          type: 'user.added',
          actor: 'cli',
          data: { user: 'u2', role: 'admin' },
          prev: a?.hash ?? '',
        }),
      ),
    );
    const chain = await checkChain(store.journalRows(), async (s) => sha256Node(s));
    expect(chain).toMatchObject({ ok: true, length: 2 });
  });

  it('drops optional data left undefined, rather than storing a null the hash would cover', () => {
    store.write((tx) =>
      tx.appendJournal(
        { type: 'record.issued', data: { lottery: 'L', sha256: 'a'.repeat(64), public: undefined } },
        stamp,
        sha256Node,
      ),
    );
    const [row] = [...store.journalRows()];
    expect(row?.data).toBe(`{"lottery":"L","sha256":"${'a'.repeat(64)}"}`);
  });

  it('rolls back the tables and the journal together when the callback throws', () => {
    appendUsers(1);
    const head = store.journalHead();
    expect(() =>
      store.write((tx) => {
        store.insertUser({ id: 'u9', name: 'nine', role: 'ethics', tokenHash: 't9', createdAt: stamp.at });
        tx.appendJournal(added('u9'), stamp, sha256Node);
        throw new Error('refused after writing');
      }),
    ).toThrow('refused after writing');
    expect(store.journalHead()).toEqual(head);
    expect(store.userByName('nine')).toBeUndefined();
  });

  it('takes the write lock at BEGIN (IMMEDIATE), before the callback reads anything', () => {
    const other = new Database(file, { timeout: 0 });
    try {
      store.write(() => {
        expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/locked|busy/i);
      });
      other.exec('BEGIN IMMEDIATE; ROLLBACK');
    } finally {
      other.close();
    }
  });
});

describe('appending to the journal outside a write transaction', () => {
  it('has no way in: the store itself has no appendJournal', () => {
    expect('appendJournal' in store).toBe(false);
    expect((store as unknown as Record<string, unknown>).appendJournal).toBeUndefined();
  });

  it('is refused to a transaction object kept past its transaction, and writes nothing', () => {
    let kept: WriteTx | undefined;
    store.write((tx) => {
      kept = tx;
    });
    expect(() => kept?.appendJournal(added('late'), stamp, sha256Node)).toThrow(
      /outside its write transaction/,
    );
    expect(store.journalHead()).toBeUndefined();
  });

  it('is refused to one kept past its transaction even while another write is open', () => {
    let kept: WriteTx | undefined;
    store.write((tx) => {
      kept = tx;
    });
    store.write(() => {
      expect(() => kept?.appendJournal(added('late'), stamp, sha256Node)).toThrow(
        /outside its write transaction/,
      );
    });
    expect(store.journalHead()).toBeUndefined();
  });
});

describe('backupTo', () => {
  it('writes one consistent copy with mode 0600, and refuses to overwrite a file', () => {
    appendUsers(2);
    const dest = path.join(dir, 'backup.sqlite');
    store.backupTo(dest);
    expect(fs.statSync(dest).mode & 0o777).toBe(0o600);
    const copy = Store.openReadOnly(dest);
    try {
      expect(copy.journalHead()).toEqual(store.journalHead());
    } finally {
      copy.close();
    }
    expect(() => store.backupTo(dest)).toThrow(/exists/);
  });
});
