import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { BundleUnreadable, readBundleJson } from '../../src/domain/bundle';
import { verifyBundle, type Report } from '../../src/domain/verify';
import { bytesBase64 } from '../../src/domain/log/note';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { browserVerifyDeps } from '../../src/web/verify-deps';
import { drawnLottery, makeApp, type TestApp } from '../helpers/app';
import {
  noteText,
  rewriteWithServiceKeys,
  withLog,
  witness,
  type AnyBundle,
  type Witness,
  type WitnessLog,
} from '../helpers/witness-log';
import { fixtureBundle, fixtureFingerprint } from './fixture-bundle';

/**
 * issue 13, "Done when": the keyholder rewrites a drawn lottery (a new secret, the same dice, another winner) and
 * re-signs everything the service signs. Every check of before passes on it; only the witnesses' cosignatures,
 * over the tree's root at N_L, catch it, in the TypeScript verifier, the CLI and the Python reference.
 */
let t: TestApp;
let w: WitnessLog;
let a: Witness;
let b: Witness;
let honest: AnyBundle;
let fingerprint: string;

const failing = (r: Report): string[] => r.checks.filter((c) => !c.ok).map((c) => c.name);
const detail = (r: Report, name: string): string => r.checks.find((c) => c.name === name)?.detail ?? '';
const LOG_CHECKS = ['log.key', 'log.checkpoint', 'log.inclusion', 'log.consistency'];

beforeAll(async () => {
  t = makeApp();
  w = withLog(t);
  const id = await drawnLottery(t);
  fingerprint = t.services.keyFingerprint();
  const before = w.services.bundle(id) as unknown as AnyBundle;
  // The room's two witnesses cosign the lottery's checkpoint (N_L) on their own devices.
  a = witness('monitor.a');
  b = witness('witness.b');
  const size = Number(noteText(before.log.checkpoint).split('\n')[1]);
  const text = noteText(before.log.checkpoint);
  w.lines.set(size, [a.cosign(text, 1764547200), b.cosign(text, 1764547260)]);
  honest = w.services.bundle(id) as unknown as AnyBundle;
});
afterAll(() => t.close());

const pins = (): { witnessKeys: string[]; witnesses: number } => ({
  witnessKeys: [a.vkey, b.vkey],
  witnesses: 2,
});

describe('the witnessed log in the bundle', () => {
  it('carries the key, the cosigned note at N_L, a proof per lottery entry and the consistency from S_open', () => {
    expect(Object.keys(honest.log)).toEqual([
      'key',
      'checkpoint',
      'cosignatures',
      'inclusion',
      'consistency',
    ]);
    expect(honest.log.key).toBe(w.signer.verifierKey);
    const lines = honest.log.checkpoint.split('\n');
    expect(lines[0]).toBe(w.signer.name);
    const drawn = honest.journal.filter((e) => e.type === 'stage.drawn').pop();
    expect(Number(lines[1])).toBe(drawn?.seq);
    expect(honest.log.checkpoint).toContain(`\u2014 monitor.a `);
    const mine = honest.journal.filter(
      (e) => e.data.lottery === honest.lottery.id && e.seq <= Number(lines[1]),
    );
    expect(honest.log.inclusion.map((p) => p.seq)).toEqual(mine.map((e) => e.seq));
    const opened = honest.journal.filter((e) => e.type === 'ceremony.opened').pop();
    expect(honest.log.consistency).toMatchObject({ from: opened?.seq, to: drawn?.seq });
  });

  it('verifies with the witnesses pinned, and names who cosigned', async () => {
    const r = await verifyBundle(honest, nodeVerifyDeps, { trustedFingerprint: fingerprint, ...pins() });
    expect(failing(r)).toEqual([]);
    expect(r.checks.slice(-5).map((c) => c.name)).toEqual([...LOG_CHECKS, 'log.cosigned']);
    expect(detail(r, 'log.cosigned')).toMatch(/^2 of 2 pinned witnesses cosigned/);
    const pinnedKey = await verifyBundle(honest, nodeVerifyDeps, {
      trustedFingerprint: fingerprint,
      logKey: w.signer.verifierKey,
    });
    expect(failing(pinnedKey)).toEqual([]);
  });
});

describe('the rewriting attack (issue 13)', () => {
  it('the keyholder’s rewrite passes every check of before, and fails log.cosigned once the witnesses are pinned', async () => {
    const forged = rewriteWithServiceKeys(honest, w.signer);
    expect(forged.stages.map((s) => s.winners)).not.toEqual(honest.stages.map((s) => s.winners));
    expect(forged.entropy).toBe(honest.entropy);
    // The hole: with the office's fingerprint and the log's key pinned, everything holds.
    const hole = await verifyBundle(forged, nodeVerifyDeps, {
      trustedFingerprint: fingerprint,
      logKey: w.signer.verifierKey,
    });
    expect(failing(hole)).toEqual([]);
    // The fix: the witnesses' keys.
    const r = await verifyBundle(forged, nodeVerifyDeps, { trustedFingerprint: fingerprint, ...pins() });
    expect(failing(r)).toEqual(['log.cosigned']);
    expect(detail(r, 'log.cosigned')).toMatch(/0 of the 2 pinned witness keys cosigned .* 2 needed/);
  });

  const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
  const python = path.resolve(__dirname, '..', '..', 'docs', 'reference', 'verify_bundle.py');
  it.each([
    ['the CLI', (args: string[]) => spawnSync(process.execPath, [cli, 'verify', ...args])],
    ['the Python reference', (args: string[]) => spawnSync('python3', [python, ...args])],
  ])('%s rejects the rewritten bundle given --witness-key a --witness-key b --witnesses 2', (_who, run) => {
    const dir = t.dir;
    const files = { honest: path.join(dir, 'honest.json'), forged: path.join(dir, 'forged.json') };
    fs.writeFileSync(files.honest, JSON.stringify(honest));
    fs.writeFileSync(files.forged, JSON.stringify(rewriteWithServiceKeys(honest, w.signer)));
    fs.writeFileSync(path.join(dir, 'a.vkey'), `${a.vkey}\n`);
    fs.writeFileSync(path.join(dir, 'b.vkey'), `${b.vkey}\n`);
    const flags = ['--fingerprint', fingerprint, '--json'];
    const witnesses = [
      '--witness-key',
      path.join(dir, 'a.vkey'),
      '--witness-key',
      path.join(dir, 'b.vkey'),
      '--witnesses',
      '2',
    ];
    const failed = (r: ReturnType<typeof spawnSync>): string[] =>
      (JSON.parse(r.stdout.toString()) as { checks: Array<{ name: string; ok: boolean }> }).checks
        .filter((c) => !c.ok)
        .map((c) => c.name);
    const ok = run([files.honest, ...flags, ...witnesses]);
    expect(failed(ok)).toEqual([]);
    expect(ok.status).toBe(0);
    const hole = run([files.forged, ...flags, '--log-key', w.signer.verifierKey]);
    expect(failed(hole)).toEqual([]);
    const r = run([files.forged, ...flags, ...witnesses]);
    expect(failed(r)).toEqual(['log.cosigned']);
    expect(r.status).toBe(1);
  });
});

describe('the log checks fail closed', () => {
  const verify = (x: unknown, opts = {}): Promise<Report> =>
    verifyBundle(x, nodeVerifyDeps, { trustedFingerprint: fingerprint, ...opts });

  it('a bundle from before issue 13 has no log checks, unless a log flag asks: then "the bundle has no log"', async () => {
    const old = fixtureBundle();
    const plain = await verifyBundle(old, nodeVerifyDeps, { trustedFingerprint: fixtureFingerprint() });
    expect(plain.checks.filter((c) => c.name.startsWith('log.'))).toEqual([]);
    const asked = await verifyBundle(old, nodeVerifyDeps, {
      trustedFingerprint: fixtureFingerprint(),
      ...pins(),
    });
    expect(failing(asked)).toEqual([...LOG_CHECKS, 'log.cosigned']);
    expect(detail(asked, 'log.cosigned')).toMatch(/the bundle has no log/);
  });

  it('an unpinned key’s cosignature does not count, a quorum above the keys fails, no key pinned fails', async () => {
    const c = witness('stranger');
    const r1 = await verify(honest, { witnessKeys: [c.vkey], witnesses: 1 });
    expect(failing(r1)).toEqual(['log.cosigned']);
    const r2 = await verify(honest, { witnessKeys: [a.vkey], witnesses: 2 });
    expect(failing(r2)).toEqual(['log.cosigned']);
    const r3 = await verify(honest, { witnesses: 1 });
    expect(detail(r3, 'log.cosigned')).toBe('no witness key pinned (--witness-key FILE)');
    const r4 = await verify(honest, { witnessKeys: [a.vkey, a.vkey, b.vkey] });
    expect(failing(r4)).toEqual([]);
  });

  it('a cosignature over another tree does not count', async () => {
    const x = structuredClone(honest);
    const text = noteText(x.log.checkpoint).replace(/\n[^\n]+\n$/, `\n${bytesBase64(new Uint8Array(32))}\n`);
    const lines =
      x.log.checkpoint
        .split('\n\n')[1]
        ?.split('\n')
        .filter((l) => l.startsWith('\u2014 ')) ?? [];
    x.log.checkpoint = `${noteText(x.log.checkpoint)}\n${[lines[0], a.cosign(text, 1), b.cosign(noteText(x.log.checkpoint), 2)].join('\n')}\n`;
    const r = await verify(x, pins());
    expect(failing(r)).toEqual(['log.cosigned']);
    expect(detail(r, 'log.cosigned')).toContain('no valid cosignature by monitor.a');
  });

  it('a wrong inclusion proof, a missing one, a proof of another lottery’s entry', async () => {
    const x = structuredClone(honest);
    (x.log.inclusion[0] as { proof: string[] }).proof[0] = bytesBase64(new Uint8Array(32));
    expect(failing(await verify(x))).toEqual(['log.inclusion']);
    const y = structuredClone(honest);
    const gone = y.log.inclusion.pop();
    expect(detail(await verify(y), 'log.inclusion')).toBe(`no inclusion proof for seq ${gone?.seq}`);
    const z = structuredClone(honest);
    z.log.inclusion.push({ seq: 1, proof: [] });
    expect(detail(await verify(z), 'log.inclusion')).toMatch(
      /a proof for seq 1, which is not an entry of this lottery/,
    );
  });

  it('another log key, a note at another size, a consistency proof from elsewhere', async () => {
    const r = await verify(honest, { logKey: witness('x').vkey });
    expect(failing(r)).toEqual(['log.key']);
    const x = structuredClone(honest);
    (x.log as unknown as { consistency: { from: number } }).consistency.from -= 1;
    expect(failing(await verify(x))).toEqual(['log.consistency']);
    const y = structuredClone(honest);
    y.log.checkpoint = y.log.checkpoint.replace(/\n\u2014 [^\n]+\n/, '\n\u2014 x AAAAAA==\n');
    expect(failing(await verify(y))).toContain('log.checkpoint');
  });

  it('an unknown key in log makes the bundle unreadable, a malformed log fails format', async () => {
    const x = structuredClone(honest) as AnyBundle & { log: Record<string, unknown> };
    x.log.extra = 1;
    const text = JSON.stringify(x);
    expect(() => readBundleJson(text, Buffer.byteLength(text))).toThrow(BundleUnreadable);
    const y = structuredClone(honest) as unknown as { log: Record<string, unknown> };
    y.log.inclusion = [{ seq: '1', proof: [] }];
    const r = await verify(y);
    expect(failing(r)).toEqual(['format']);
    expect(detail(r, 'format')).toBe('log.inclusion is malformed');
  });
});

describe('verify’s log flags', () => {
  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await main(['verify', ...args], { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  };
  const file = (name: string, text: string): string => {
    const f = path.join(t.dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it('take --log-key as the key itself or a file, --witness-key once per witness, --witnesses K', async () => {
    const bundle = file('flags.json', JSON.stringify(honest));
    const base = [bundle, '--fingerprint', fingerprint];
    const keyFile = file('log.vkey', `${w.signer.verifierKey}\n`);
    expect((await cli([...base, '--log-key', keyFile])).code).toBe(0);
    expect((await cli([...base, '--log-key', w.signer.verifierKey])).code).toBe(0);
    const ws = ['--witness-key', file('a.vkey', a.vkey), '--witness-key', file('b.vkey', b.vkey)];
    expect((await cli([...base, ...ws])).code).toBe(0);
    expect((await cli([...base, ...ws.slice(0, 2), '--witnesses', '2'])).code).toBe(1);
    const text = (await cli([...base, ...ws, '--witnesses', '2'])).out;
    expect(text).toContain('log.cosigned');
    expect(text).toContain('見證人共同簽署檢查點');
  });

  it('refuse what is not a key of its type, a quorum that is not a number, and log flags with --db (exit 2)', async () => {
    const bundle = file('flags.json', JSON.stringify(honest));
    const base = [bundle, '--fingerprint', fingerprint];
    // A cosigner key (0x04) is not the log's key (0x01), and the other way round.
    expect((await cli([...base, '--log-key', a.vkey])).code).toBe(2);
    expect((await cli([...base, '--witness-key', file('log.vkey', w.signer.verifierKey)])).code).toBe(2);
    // --witness-key takes a file, never the key text itself.
    expect((await cli([...base, '--witness-key', a.vkey])).code).toBe(2);
    expect((await cli([...base, '--witness-key', path.join(t.dir, 'missing.vkey')])).code).toBe(2);
    expect((await cli([...base, '--witnesses', 'two'])).code).toBe(2);
    expect((await cli(['--db', t.dbFile, '--witnesses', '1'])).code).toBe(2);
    expect((await cli([...base, '--log-key', 'x', '--log-key', 'y'])).code).toBe(2);
  });
});

describe('the browser verifier’s WebCrypto, run under Node’s', () => {
  it('answers Ed25519 with a Promise, and gives the same report as node:crypto', async () => {
    const opts = { trustedFingerprint: fingerprint, ...pins() };
    const web = await verifyBundle(honest, browserVerifyDeps, opts);
    const node = await verifyBundle(honest, nodeVerifyDeps, opts);
    expect(web.checks.map((c) => [c.name, c.ok])).toEqual(node.checks.map((c) => [c.name, c.ok]));
    expect(failing(web)).toEqual([]);
    const forged = await verifyBundle(rewriteWithServiceKeys(honest, w.signer), browserVerifyDeps, opts);
    expect(failing(forged)).toEqual(['log.cosigned']);
  });
});
