import path from 'node:path';
import { MAX_FILE_LINES, MAX_FUNCTION_LINES, oversizeFiles, oversizeFunctions } from './size';

// Issue 10's limits: a file a newcomer can read in one sitting, a function that fits on a screen. The joints
// where the next features go (services, the verifier, the routes) were where the long files grew.
const SRC = path.join(__dirname, '../../src');

describe('the source stays readable', () => {
  it(`no file under src/ is over ${MAX_FILE_LINES} lines`, () => {
    expect(oversizeFiles(SRC)).toEqual([]);
  });

  it(`no function under src/ is over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(oversizeFunctions(SRC)).toEqual([]);
  });
});

describe('the gauge itself', () => {
  it('reports a long file, a long method and a long arrow by name', () => {
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const os = jest.requireActual<typeof import('node:os')>('node:os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'size-'));
    try {
      const body = (n: number): string =>
        Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
      fs.writeFileSync(
        path.join(dir, 'long.ts'),
        `export class A {\n  m(): void {\n${body(MAX_FUNCTION_LINES)}\n  }\n}\n` +
          `export const f = (): void => {\n${body(MAX_FUNCTION_LINES - 2)}\n};\n` +
          `${'// filler\n'.repeat(MAX_FILE_LINES)}`,
      );
      expect(oversizeFunctions(dir).map((o) => [o.name, o.lines])).toEqual([['m', MAX_FUNCTION_LINES + 2]]);
      expect(oversizeFiles(dir).map((o) => o.file)).toEqual(['long.ts']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
