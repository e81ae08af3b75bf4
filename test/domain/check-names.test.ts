import fs from 'node:fs';
import path from 'node:path';
import {
  BUNDLE_CHECK_NAMES,
  CHECK_LABELS,
  CHECK_NAMES,
  checkLabel,
  DATABASE_CHECK_NAMES,
} from '../../src/domain/checks';
import { verifyBundle, verifyDatabase, type Report } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import {
  everyOption,
  fixtureBundle,
  fixturePhysicalBundle,
  fixtureSavedCheckpoint,
  fixtureSnapshot,
} from './fixture-bundle';

/**
 * protocol.md §8.2 is what an auditor, and the independent reference verifier, go by: it must name exactly the
 * checks the code can report, in the order they run. The emitted set is read three ways: the `CheckName`
 * union's runtime list, the name literals in src/domain/verify/, and the reports of runs that make every check
 * appear (pass or fail).
 */
const root = path.join(__dirname, '..', '..');

/** The first column of each table in §8.2, in order, `tables.lottery:ID` read as its prefix. */
function documentedTables(): string[][] {
  const doc = fs.readFileSync(path.join(root, 'docs', 'protocol.md'), 'utf8');
  const from = doc.indexOf('### 8.2 The checks');
  const to = doc.indexOf('### 8.3', from);
  expect(from).toBeGreaterThan(-1);
  expect(to).toBeGreaterThan(from);
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of doc.slice(from, to).split('\n')) {
    const row = /^\| `([a-z.]+)(?::ID)?`(?: \(v2\))? \|/.exec(line);
    if (row?.[1]) (current ??= []).push(row[1]);
    else if (!line.startsWith('|')) {
      if (current) tables.push(current);
      current = undefined;
    }
  }
  if (current) tables.push(current);
  return tables;
}

/** Every `name: '…'`, `` name: `….${…}` `` and `fromProblems('…'` the verifier's source writes. */
function namesInSource(): string[] {
  const dir = path.join(root, 'src', 'domain', 'verify');
  const out = new Set<string>();
  for (const f of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/(?:\bname: |\bfromProblems\(\s*)['`]([a-z.]+)[:'`]/g))
      if (m[1]) out.add(m[1]);
  }
  return [...out].sort();
}

const namesOf = (r: Report): string[] => r.checks.map((c) => c.name.split(':')[0] ?? c.name);

describe('the check names', () => {
  it('protocol.md §8.2 lists exactly the bundle checks, then the verify --db checks, each in the order they run', () => {
    const [bundle, database, ...more] = documentedTables();
    expect(more).toEqual([]);
    expect(bundle).toEqual([...BUNDLE_CHECK_NAMES]);
    expect(database).toEqual([...DATABASE_CHECK_NAMES]);
  });

  it('every name in the list has a label, and nothing else has one', () => {
    expect(Object.keys(CHECK_LABELS).sort()).toEqual([...CHECK_NAMES].sort());
    for (const n of CHECK_NAMES) expect(checkLabel(n)).toBe(CHECK_LABELS[n]);
    expect(checkLabel('tables.lottery:moda-113')).toBe(CHECK_LABELS['tables.lottery']);
    expect(checkLabel('constructor')).toEqual({ zh: 'constructor', en: 'constructor' });
  });

  it('the verifier’s source writes exactly the listed names', () => {
    expect(namesInSource()).toEqual([...CHECK_NAMES].sort());
  });

  it('runs that make every check appear report exactly the listed names', async () => {
    const b = fixtureBundle();
    const all = await verifyBundle(b, nodeVerifyDeps, everyOption(b));
    // A random draw runs every bundle check but the physical draw's own (protocol.md §6.1, §8.2)…
    const physicalOnly = ['randomness', 'physical.sheets', 'physical.balls'];
    expect(namesOf(all)).toEqual(BUNDLE_CHECK_NAMES.filter((n) => !physicalOnly.includes(n)));
    // …and a physical draw runs those in place of seed and entropy.form (its fixture has no record issued and
    // no dice, so record.journal and entropy.observed do not run).
    const p = fixturePhysicalBundle();
    const phys = await verifyBundle(p, nodeVerifyDeps, everyOption(p));
    const notRun = ['seed', 'entropy.form', 'record.journal', 'entropy.observed'];
    expect(namesOf(phys)).toEqual(BUNDLE_CHECK_NAMES.filter((n) => !notRun.includes(n)));
    const db = await verifyDatabase(
      fixtureSnapshot(b),
      nodeVerifyDeps,
      fixtureSavedCheckpoint(),
      b.checkpoint.publicKey,
    );
    expect(namesOf(db)).toEqual([...DATABASE_CHECK_NAMES]);
    // A bundle that cannot be read reports format alone, and a database with a lottery missing from its tables
    // reports it by the same name.
    expect(namesOf(await verifyBundle({}, nodeVerifyDeps))).toEqual(['format']);
    const missing = await verifyDatabase({ ...fixtureSnapshot(b), lotteries: [] }, nodeVerifyDeps);
    expect(missing.checks.map((c) => [c.name, c.ok])).toEqual([
      ['journal.chain', true],
      ['journal.sessions', true],
      [`tables.lottery:${b.lottery.id}`, false],
    ]);
    const emitted = new Set([...namesOf(all), ...namesOf(phys), ...namesOf(db)]);
    expect([...emitted].sort()).toEqual([...CHECK_NAMES].sort());
  });
});
