/**
 * The lint fences must bite: a snippet placed (virtually) under src/domain that reads the clock, randomness or a
 * timer, and one under src/http or src/cli that imports the store's values, are refused by the project's own
 * ESLint config. If a rule is dropped from eslint.config.mjs, these fail.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

interface Message {
  ruleId: string | null;
  line: number;
  message: string;
}

/**
 * ESLint's verdict on each snippet as if it were the named file (never written), with the project's config. One
 * child process for all of them: ESLint loads eslint.config.mjs with import(), which jest's sandbox does not allow.
 */
function lintAll(snippets: Record<string, string>): Record<string, Message[]> {
  const script = `
    const { ESLint } = require('eslint');
    let input = '';
    process.stdin.on('data', (d) => (input += d));
    process.stdin.on('end', async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = {};
      for (const [file, code] of Object.entries(JSON.parse(input))) {
        const [r] = await eslint.lintText(code, { filePath: file });
        out[file] = r.messages.map((m) => ({ ruleId: m.ruleId, line: m.line, message: m.message }));
      }
      process.stdout.write(JSON.stringify(out));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    input: JSON.stringify(snippets),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`eslint failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, Message[]>;
}

const rulesOn = (ms: Message[], line: number): Array<string | null> =>
  ms.filter((m) => m.line === line).map((m) => m.ruleId);

const GLOBALS = [
  'Date',
  'process',
  'fetch',
  'crypto',
  'performance',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'queueMicrotask',
];
// One reference per line, so each global's refusal is checked on its own.
const DOMAIN_CODE =
  GLOBALS.map((g, i) => `export const g${i} = ${g};`).join('\n') +
  '\nexport const r = Math.random();\nexport const local = (crypto: number): number => crypto + 1;\n';

const STORE_CODE = [
  "import { Store } from '../store/store';",
  "import { backupTo } from '../../store/files';",
  "import Database from 'better-sqlite3';",
  "import type { Role } from '../store/store';",
  "import { type UserRow } from '../store/store';",
  "import type { Database as Db } from 'better-sqlite3';",
  'export const used = [Store, backupTo, Database];',
  'export type Used = [Role, UserRow, Db];',
  '',
].join('\n');
const EDGES = ['src/http/fence-probe.ts', 'src/cli/fence-probe.ts', 'src/cli/commands/fence-probe.ts'];
const RULE = '@typescript-eslint/no-restricted-imports';

let linted: Record<string, Message[]> = {};
beforeAll(() => {
  linted = lintAll({
    'src/domain/fence-probe.ts': DOMAIN_CODE,
    'src/services/fence-probe.ts': DOMAIN_CODE,
    ...Object.fromEntries(EDGES.map((f) => [f, STORE_CODE])),
    'src/compose-probe.ts': STORE_CODE.replaceAll("'../store/", "'./store/").replace(
      "'../../store/",
      "'./store/",
    ),
  });
});
const of = (file: string): Message[] => linted[file] ?? [];

it('lints every probe (a parse error would make the "not applied" checks pass vacuously)', () => {
  for (const [file, messages] of Object.entries(linted))
    expect({ file, fatal: messages.filter((m) => m.ruleId === null) }).toEqual({ file, fatal: [] });
  expect(Object.keys(linted)).toHaveLength(6);
});

describe('the src/domain fence', () => {
  it.each(GLOBALS.map((g, i) => [g, i + 1] as const))('refuses the global %s', (_g, line) => {
    expect(rulesOn(of('src/domain/fence-probe.ts'), line)).toContain('no-restricted-globals');
  });

  it('refuses Math.random', () => {
    expect(rulesOn(of('src/domain/fence-probe.ts'), GLOBALS.length + 1)).toContain(
      'no-restricted-properties',
    );
  });

  it('lets a parameter of the same name through (only the global is fenced)', () => {
    expect(rulesOn(of('src/domain/fence-probe.ts'), GLOBALS.length + 2)).toEqual([]);
  });

  it('is not applied outside src/domain', () => {
    expect(linted['src/services/fence-probe.ts']).toBeDefined();
    expect(of('src/services/fence-probe.ts').filter((m) => m.ruleId === 'no-restricted-globals')).toEqual([]);
  });
});

describe('the store fence around src/http and src/cli', () => {
  it.each(EDGES)(
    'refuses value imports of the store and better-sqlite3 in %s, and allows type imports',
    (file) => {
      const messages = of(file);
      expect(rulesOn(messages, 1)).toContain(RULE);
      expect(rulesOn(messages, 2)).toContain(RULE);
      expect(rulesOn(messages, 3)).toContain(RULE);
      expect(rulesOn(messages, 4)).not.toContain(RULE);
      expect(rulesOn(messages, 5)).not.toContain(RULE);
      expect(rulesOn(messages, 6)).not.toContain(RULE);
    },
  );

  it('is not applied outside http/ and cli/ (src/compose.ts opens the store)', () => {
    expect(linted['src/compose-probe.ts']).toBeDefined();
    expect(of('src/compose-probe.ts').filter((m) => m.ruleId === RULE)).toEqual([]);
  });
});
