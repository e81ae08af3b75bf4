/**
 * The remote witness of an upper-level office (issue 13, docs/witness.md), run against a running log: it cosigns
 * what extends what it cosigned before, and refuses for good, with evidence, a history rewritten by someone who
 * holds the service's own keys.
 */
import type Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { main } from '../../src/cli/main';
import { witnessCommand, type RunDeps } from '../../src/cli/commands/witness';
import { jcs } from '../../src/domain/canonical';
import { makeEntry } from '../../src/domain/journal';
import { parseVerifierKey, SIG_COSIGNATURE_V1 } from '../../src/domain/log/note';
import { parseInterval } from '../../src/domain/log/witness';
import { sha256Node } from '../../src/keys/signer';
import { LogTable } from '../../src/store/log-table';
import { sha256Bytes } from '../../src/util/sha256';
import { ownConnection, tempDir } from '../helpers/app';
import { startLog, type RunningLog } from './witness-log';

jest.setTimeout(60_000);

async function run(args: string[], deps?: RunDeps): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (s: string) => (out += s), err: (s: string) => (err += s) };
  if (deps === undefined) return { code: await main(args, io), out, err };
  const { positional, flags } = parseArgs(args);
  positional.shift();
  return { code: await witnessCommand(positional, flags, io, deps), out, err };
}

/** Appends entries as the service would (another process's connection, as in production). */
async function append(db: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const name = `u${Date.now().toString(36)}${i}`;
    expect((await run(['user', 'add', '--name', name, '--role', 'auditor', '--db', db])).code).toBe(0);
  }
}

const journalSize = (db: string): number =>
  ownConnection(db, (c) => (c.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n);

/** The tree rebuilt from scratch over the journal as it now stands (what the attacker's copy of the code does). */
function rebuildTree(c: Database.Database): void {
  c.exec('DROP TRIGGER IF EXISTS log_nodes_no_delete; DELETE FROM log_nodes;');
  new LogTable((sql) => c.prepare(sql)).catchUp();
}

/**
 * The attack of issue 13, with the service's own keys: an earlier `user.added` now says `admin`, every later
 * hash re-chained, the Merkle tree recomputed; the restarted service signs the new tree with its log key.
 */
function rewriteHistory(db: string): number {
  return ownConnection(db, (c) => {
    c.exec('DROP TRIGGER journal_no_update');
    const rows = c
      .prepare('SELECT seq, at, type, actor, data, prev, hash FROM journal ORDER BY seq')
      .all() as Array<{
      seq: number;
      at: string;
      type: string;
      actor: string;
      data: string;
      prev: string;
      hash: string;
    }>;
    const target = rows.find((r) => r.type === 'user.added' && r.seq > 1);
    if (!target) throw new Error('no user.added to rewrite');
    const upd = c.prepare('UPDATE journal SET data = ?, prev = ?, hash = ? WHERE seq = ?');
    let prev = rows[target.seq - 2] as { seq: number; hash: string };
    for (const r of rows.slice(target.seq - 1)) {
      const data = JSON.parse(r.data) as Record<string, string>;
      if (r.seq === target.seq) data.role = 'admin';
      const e = makeEntry(prev, { at: r.at, type: r.type, actor: r.actor, data }, sha256Node);
      upd.run(jcs(e.data), e.prev, e.hash, r.seq);
      prev = e;
    }
    rebuildTree(c);
    return target.seq;
  });
}

/** Drops the last `n` entries and the tree's nodes over them: the log rolled back. */
function truncate(db: string, n: number): void {
  ownConnection(db, (c) => {
    c.exec('DROP TRIGGER journal_no_delete');
    c.prepare('DELETE FROM journal WHERE seq > (SELECT MAX(seq) FROM journal) - ?').run(n);
    rebuildTree(c);
  });
}

interface Office {
  dir: string;
  key: string;
  state: string;
  vkey: string;
  name: string;
}

async function newOffice(name = 'witness.example.gov.tw/ethics'): Promise<Office> {
  const dir = tempDir();
  const key = path.join(dir, 'witness.pem');
  const r = await run(['witness', 'keygen', '--name', name, '--out', key]);
  expect(r.code).toBe(0);
  return { dir, key, state: path.join(dir, 'state'), vkey: r.out.trim(), name };
}

/** Every request the witness made, `GET /path?query`. */
let requests: string[] = [];
const recording: typeof fetch = (input, init) => {
  const u = new URL(String(input));
  requests.push(`${init?.method ?? 'GET'} ${u.pathname}${u.search}`);
  return fetch(input, init);
};

const witness = (o: Office, log: RunningLog, extra: string[] = [], deps: RunDeps = {}) =>
  run(['witness', '--log', log.url, '--key', o.key, '--state', o.state, '--once', ...extra], {
    fetch: recording,
    ...deps,
  });

const saved = (o: Office): string => fs.readFileSync(path.join(o.state, 'checkpoint'), 'utf8');

describe('witness keygen', () => {
  it('writes an Ed25519 key with mode 0600, never over a file, and prints its cosigner vkey', async () => {
    const o = await newOffice();
    expect(fs.statSync(o.key).mode & 0o777).toBe(0o600);
    const k = parseVerifierKey(sha256Bytes, o.vkey);
    expect(k).toMatchObject({ name: 'witness.example.gov.tw/ethics', type: SIG_COSIGNATURE_V1 });
    const again = await run(['witness', 'keygen', '--name', 'x', '--out', o.key]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('is not overwritten');
    const bad = await run(['witness', 'keygen', '--name', 'has space', '--out', path.join(o.dir, 'b.pem')]);
    expect(bad.code).toBe(2);
    expect(fs.existsSync(path.join(o.dir, 'b.pem'))).toBe(false);
  });

  it('a key readable by others is refused', async () => {
    const o = await newOffice();
    fs.chmodSync(o.key, 0o644);
    const r = await run(['witness', '--log', 'http://127.0.0.1:9', '--key', o.key, '--state', o.state]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('chmod 600');
  });
});

describe('witness usage', () => {
  it('without --log, --key or --state: exit 2 and what is missing, in both languages', async () => {
    const r = await run(['witness', '--once']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('witness 需要 --log／witness needs --log');
    const extra = await run(['witness', 'keygen', '--name', 'a.example/w', '--out', 'x', '--log', 'u']);
    expect([extra.code, extra.err]).toEqual([
      2,
      expect.stringContaining('unknown option --log for witness keygen'),
    ]);
    const both = await run([
      'witness',
      '--log',
      'http://x',
      '--key',
      'k',
      '--state',
      's',
      '--once',
      '--every',
      '1m',
    ]);
    expect([both.code, both.err]).toEqual([2, expect.stringContaining('give --once or --every, not both')]);
  });
});

describe('--every', () => {
  it('reads 30s, 10m and 1h, and refuses what is not an interval', () => {
    expect([parseInterval('30s'), parseInterval('10m'), parseInterval('1h')]).toEqual([
      30_000, 600_000, 3_600_000,
    ]);
    for (const bad of ['0s', '5s', '10', 'm', '1d', '2h30m', '25h'])
      expect(parseInterval(bad)).toBeUndefined();
  });
});

describe('the remote witness against a running log', () => {
  let db: string;
  let log: RunningLog;
  let office: Office;

  beforeEach(async () => {
    db = path.join(tempDir(), 'l.sqlite');
    log = await startLog(db);
    await append(db, 2);
    office = await newOffice();
    await log.register('上級機關政風處', office.vkey);
  });
  afterEach(() => log.close());

  it('cosigns, keeps the note, verifies consistency on the next round, and the log journals both', async () => {
    const first = await witness(office, log, ['--log-key', log.vkey]);
    expect([first.code, first.err]).toEqual([0, '']);
    expect(first.out).toContain('the log stored this cosignature');
    expect(fs.statSync(office.state).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(office.state, 'log-key'), 'utf8').trim()).toBe(log.vkey);
    const size1 = Number(saved(office).split('\n')[1]);
    // The log journalled the cosignature as the entry after the tree it cosigned.
    expect(journalSize(db)).toBe(size1 + 1);
    expect(log.cosignedBy(office.name)).toEqual([size1]);

    await append(db, 3);
    requests = [];
    const second = await witness(office, log);
    expect([second.code, second.err]).toEqual([0, '']);
    expect(requests).toEqual([
      'GET /api/v1/log/checkpoint',
      `GET /api/v1/log/consistency?from=${size1}&to=${size1 + 4}`,
      'POST /api/v1/log/cosignatures',
    ]);
    expect(Number(saved(office).split('\n')[1])).toBe(size1 + 4);
    expect(log.cosignedBy(office.name)).toEqual([size1, size1 + 4]);
    // The log's own checkpoint of that tree now carries this office's cosignature, as saved.
    const note = await (await fetch(`${log.url}/api/v1/log/checkpoint?size=${size1 + 4}`)).text();
    expect(note).toContain(
      saved(office)
        .split('\n')
        .find((l) => l.startsWith(`\u2014 ${office.name} `)),
    );
  });

  it('a rewritten database: exit 1, evidence in the state directory, and it never cosigns that log again', async () => {
    expect((await witness(office, log, ['--log-key', log.vkey])).code).toBe(0);
    await append(db, 2);
    expect((await witness(office, log)).code).toBe(0);
    const cosigned = saved(office);
    const size = Number(cosigned.split('\n')[1]);

    await log.close();
    const rewritten = rewriteHistory(db);
    expect(rewritten).toBeLessThan(size);
    log = await startLog(db);
    await append(db, 1);
    const served = await (await fetch(`${log.url}/api/v1/log/checkpoint`)).text();
    // The rewritten tree carries a valid log signature: only the witness's memory can tell.
    const servedSize = Number(served.split('\n')[1]);
    expect(servedSize).toBe(size + 2);

    const r = await witness(office, log);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`consistency proof from ${size} to ${servedSize} entries fails`);
    expect(r.err).toContain('一致性證明不成立');
    const evidence = fs.readdirSync(office.state).filter((f) => f.startsWith('evidence-'));
    expect(evidence).toHaveLength(1);
    const ev = path.join(office.state, evidence[0] as string);
    expect(fs.readFileSync(path.join(ev, 'previous-checkpoint.txt'), 'utf8')).toBe(cosigned);
    expect(fs.readFileSync(path.join(ev, 'checkpoint.txt'), 'utf8')).toBe(served);
    const proof = JSON.parse(fs.readFileSync(path.join(ev, 'consistency.json'), 'utf8')) as { from: number };
    expect(proof.from).toBe(size);
    const readme = fs.readFileSync(path.join(ev, 'README.txt'), 'utf8');
    expect(readme).toContain('歷史');
    expect(readme).toContain('rewrote history');
    expect(saved(office)).toBe(cosigned);
    expect(fs.existsSync(path.join(office.state, 'refused'))).toBe(true);

    // Every later run: exit 1 at once, without asking the log anything.
    let fetched = 0;
    const spy: typeof fetch = (...a) => {
      fetched++;
      return fetch(...a);
    };
    const later = await witness(office, log, [], { fetch: spy });
    expect([later.code, fetched]).toEqual([1, 0]);
    expect(later.err).toContain('refused this log for good');
    expect(log.cosignedBy(office.name).filter((s) => s > size)).toEqual([]);
  });

  it('the same size with another root (rewritten, the cosignature entry dropped): exit 1 and refused', async () => {
    await append(db, 2);
    expect((await witness(office, log, ['--log-key', log.vkey])).code).toBe(0);
    await log.close();
    rewriteHistory(db);
    truncate(db, 1);
    log = await startLog(db);
    const r = await witness(office, log);
    expect(r.code).toBe(1);
    expect(r.err).toContain('two different root hashes');
    expect(fs.existsSync(path.join(office.state, 'refused'))).toBe(true);
  });

  it('a shrinking tree: exit 1 and refused', async () => {
    await append(db, 3);
    expect((await witness(office, log, ['--log-key', log.vkey])).code).toBe(0);
    await log.close();
    truncate(db, 2);
    log = await startLog(db);
    const r = await witness(office, log);
    expect(r.code).toBe(1);
    expect(r.err).toContain('the tree shrank');
    expect(fs.existsSync(path.join(office.state, 'refused'))).toBe(true);
  });

  it('a wrong pinned log key: exit 1, nothing cosigned, nothing pinned', async () => {
    const other = await startLog(path.join(tempDir(), 'other.sqlite'));
    await other.close();
    const r = await witness(office, log, ['--log-key', other.vkey]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no valid signature by the pinned log key');
    expect(fs.existsSync(path.join(office.state, 'log-key'))).toBe(false);
    expect(fs.existsSync(path.join(office.state, 'checkpoint'))).toBe(false);
    expect(log.cosignedBy(office.name)).toEqual([]);
    // Once pinned, another --log-key is refused too.
    expect((await witness(office, log, ['--log-key', log.vkey])).code).toBe(0);
    expect((await witness(office, log, ['--log-key', other.vkey])).code).toBe(1);
  });

  it('the first run without --log-key: exit 2, fail closed; a network failure: exit 2, state unchanged', async () => {
    const r = await witness(office, log);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the first run needs --log-key');
    expect((await witness(office, log, ['--log-key', log.vkey])).code).toBe(0);
    const before = saved(office);
    const url = log.url;
    await log.close();
    await append(db, 1);
    const down = await run(['witness', '--log', url, '--key', office.key, '--state', office.state, '--once']);
    expect(down.code).toBe(2);
    expect(down.err).toContain('cannot reach');
    expect(saved(office)).toBe(before);
    log = await startLog(db);
  });

  it('a post that fails: exit 2, the checkpoint kept; the next round posts the same cosignature again', async () => {
    const failingPost: typeof fetch = (input, init) =>
      init?.method === 'POST' ? Promise.reject(new Error('connection reset')) : recording(input, init);
    const r = await witness(office, log, ['--log-key', log.vkey], { fetch: failingPost });
    expect(r.code).toBe(2);
    expect(r.err).toContain('connection reset');
    const kept = saved(office);
    expect(log.cosignedBy(office.name)).toEqual([]);
    const again = await witness(office, log);
    expect([again.code, again.out]).toEqual([0, expect.stringContaining('the log stored this cosignature')]);
    expect(saved(office)).toBe(kept);
    expect(log.cosignedBy(office.name)).toEqual([Number(kept.split('\n')[1])]);
  });

  it('the ethics office registers a key once: a second registration of it is refused', async () => {
    const again = await run(['witness', 'register', '--name', '另一處', '--vkey', office.vkey, '--db', db]);
    expect(again.code).toBe(1);
    const bad = await run(['witness', 'register', '--name', 'x', '--vkey', log.vkey, '--db', db]);
    expect(bad.code).toBe(1);
  });

  it('an unregistered key: the log refuses the cosignature (403) and the office is told how to register', async () => {
    const stranger = await newOffice('stranger.example/w');
    const r = await witness(stranger, log, ['--log-key', log.vkey]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`witness register --name NAME --vkey ${stranger.vkey}`);
  });

  it('--every: a round per interval until stopped; a refusal ends the loop', async () => {
    let rounds = 0;
    const sleep = (ms: number): Promise<boolean> => {
      expect(ms).toBe(30_000);
      rounds++;
      return Promise.resolve(rounds < 2);
    };
    const r = await witness(office, log, ['--log-key', log.vkey], { sleep });
    expect(r.code).toBe(0);
    const loop = await run(
      ['witness', '--log', log.url, '--key', office.key, '--state', office.state, '--every', '30s'],
      { sleep },
    );
    expect(loop.code).toBe(0);
    expect(loop.out.match(/cosigned: /g)).toHaveLength(2);
  });
});
