/**
 * The journal's Merkle tree in the store (migration 008): grown in the entry's own transaction, caught up for a
 * database from before it, and append-only like the journal.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JournalEvent } from '../../src/domain/events';
import { memoryTree, rootAt } from '../../src/domain/log/merkle';
import { sha256Node } from '../../src/keys/signer';
import { leafInput, sha256Bytes } from '../../src/store/log-table';
import { Store } from '../../src/store/store';
import { ownConnection, tempDir } from '../helpers/app';

const stamp = { actor: 'cli', at: '2026-01-22T02:00:00.000Z' };
const added = (user: string): JournalEvent => ({ type: 'user.added', data: { user, role: 'admin' } });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

let dir: string;
let file: string;
let store: Store;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'log.sqlite');
  store = Store.open(file);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const journalTree = (s: Store): ReturnType<typeof memoryTree> =>
  memoryTree(
    sha256Bytes,
    [...s.journalRows()].map((r) => leafInput(String(r.hash))),
  );

describe('the log tree in the store', () => {
  it('has one leaf per entry, and the root a tree of the journal hashes has, at every size', () => {
    for (let i = 1; i <= 13; i++) store.write((tx) => tx.appendJournal(added(`u${i}`), stamp, sha256Node));
    expect(store.log.size()).toBe(13);
    const mem = journalTree(store);
    for (let n = 0; n <= 13; n++)
      expect(hex(rootAt(sha256Bytes, store.log.nodes, n))).toBe(hex(rootAt(sha256Bytes, mem, n)));
  });

  it('when a transaction rolls back › the tree does not keep its leaves', () => {
    store.write((tx) => tx.appendJournal(added('u1'), stamp, sha256Node));
    expect(() =>
      store.write((tx) => {
        tx.appendJournal(added('u2'), stamp, sha256Node);
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(store.log.size()).toBe(1);
  });

  it('when the database predates the tree › opening it builds the tree once', () => {
    for (let i = 1; i <= 6; i++) store.write((tx) => tx.appendJournal(added(`u${i}`), stamp, sha256Node));
    store.close();
    ownConnection(file, (db) => {
      db.exec('DROP TRIGGER log_nodes_no_delete; DELETE FROM log_nodes;');
      db.exec(
        "CREATE TRIGGER log_nodes_no_delete BEFORE DELETE ON log_nodes BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;",
      );
    });
    store = Store.open(file);
    expect(store.log.size()).toBe(6);
    expect(hex(rootAt(sha256Bytes, store.log.nodes, 6))).toBe(
      hex(rootAt(sha256Bytes, journalTree(store), 6)),
    );
  });

  it('refuses to change or delete a stored node, as the journal does', () => {
    store.write((tx) => tx.appendJournal(added('u1'), stamp, sha256Node));
    store.close();
    ownConnection(file, (db) => {
      expect(() => db.exec('UPDATE log_nodes SET hash = zeroblob(32)')).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM log_nodes')).toThrow(/append-only/);
    });
    store = Store.open(file);
  });
});
