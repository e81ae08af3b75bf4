import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { main } from '../../src/cli/main';
import { auth, drawnLottery, makeApp, type TestApp } from '../helpers/app';

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  return main(args, { out: (s) => (out += s), err: (s) => (err += s) }).then((code) => ({ code, out, err }));
}

let t: TestApp;
let bundleText: string;
let fingerprint: string;
beforeAll(async () => {
  t = makeApp();
  const id = await drawnLottery(t);
  const res = await request(t.app)
    .get(`/api/v1/lotteries/${id}/bundle`)
    .set(...auth(t.tokens.auditor))
    .expect(200);
  bundleText = JSON.stringify(res.body);
  fingerprint = t.services.keyFingerprint();
});
afterAll(() => t.close());

const write = (name: string, data: string | Buffer): string => {
  const f = path.join(t.dir, name);
  fs.writeFileSync(f, data);
  return f;
};

describe('lottery verify reads a hostile bundle strictly', () => {
  it('a sparse 65 MiB file is refused by its size (exit 2) without being opened', async () => {
    const f = path.join(t.dir, 'huge.json');
    fs.writeFileSync(f, '');
    fs.truncateSync(f, 65 * 1024 * 1024);
    const open = jest.spyOn(fs, 'openSync');
    const read = jest.spyOn(fs, 'readFileSync');
    try {
      const r = await run(['verify', f]);
      expect(r.code).toBe(2);
      expect(open.mock.calls.filter((c) => c[0] === f)).toEqual([]);
      expect(read.mock.calls.filter((c) => c[0] === f)).toEqual([]);
      expect(r.err).toMatch(
        /^無法讀取 unreadable input: bundle is 68157440 bytes, larger than --max-bytes 67108864/,
      );
    } finally {
      open.mockRestore();
      read.mockRestore();
    }
  });

  it('--max-bytes sets the limit: the size itself passes, one byte less is exit 2', async () => {
    const f = write('bundle.json', bundleText);
    const size = fs.statSync(f).size;
    expect((await run(['verify', f, '--max-bytes', String(size), '--fingerprint', fingerprint])).code).toBe(
      0,
    );
    const r = await run([
      'verify',
      f,
      '--max-bytes',
      String(size - 1),
      '--fingerprint',
      fingerprint,
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toEqual({
      ok: false,
      protocol: null,
      checks: [],
      warnings: [],
      error: expect.stringMatching(/larger than --max-bytes/) as unknown,
    });
    expect((await run(['verify', write('small.json', '{"format":1}'), '--max-bytes', '5'])).code).toBe(2);
  });

  it.each(['0', '-5', 'abc', '1.5', '1e3', '99999999999999999'])(
    '--max-bytes %s is a usage error (exit 2)',
    async (v) => {
      const r = await run(['verify', write('b.json', bundleText), `--max-bytes=${v}`]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--max-bytes needs a positive integer/);
    },
  );

  it('a bundle with a BOM is exit 2, and says so', async () => {
    const f = write('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bundleText)]));
    const r = await run(['verify', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/byte-order mark \(BOM\)/);
  });

  it('a bundle with a duplicate key is exit 2, naming the key and its path', async () => {
    // The same "format" twice: a verifier keeping the first and one keeping the last must not both say OK.
    const f = write('dup.json', bundleText.replace(/^\{/, '{"format":"x",'));
    const r = await run(['verify', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^無法讀取 unreadable input: duplicate key "format" at \$ \(重複的鍵\)/);
    const j = await run(['verify', f, '--json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.out)).toMatchObject({ ok: false, protocol: null, checks: [], warnings: [] });
  });

  it.each([
    ['a __proto__ key at top level', (b: string) => b.replace(/^\{/, '{"__proto__":{"polluted":true},')],
    ['an unknown key in a stage', (b: string) => b.replace('"poolSize":20,', '"poolSize":20,"note":"x",')],
    ['-0', (b: string) => b.replace('"poolSize":20,', '"poolSize":-0,')],
    ['an unsafe integer', (b: string) => b.replace('"poolSize":20,', '"poolSize":9007199254740993,')],
  ])('a bundle with %s is unreadable (exit 2), not a failed check', async (_what, edit) => {
    const text = edit(bundleText);
    expect(text).not.toBe(bundleText);
    const r = await run(['verify', write('edited.json', text), '--fingerprint', fingerprint, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, protocol: null, checks: [], warnings: [] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a bundle that is not UTF-8 is exit 2', async () => {
    const f = write('latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    const r = await run(['verify', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not valid UTF-8/);
  });
});
