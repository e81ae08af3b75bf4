/**
 * Measures source size the way issue 10 states its limits: no file under
 * src/ over 400 lines, and no function (declaration, method, arrow or
 * function expression) over 80 lines, outside generated code and the bench's
 * data tables. Shared by the architecture test and by hand:
 *   npx tsc test/architecture/size.ts --outDir /tmp/size --module commonjs --esModuleInterop && node /tmp/size/size.js src
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 80;

export interface Oversize {
  file: string;
  name: string;
  lines: number;
}

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name)) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

export function oversizeFiles(root: string): Oversize[] {
  return sourceFiles(root)
    .map((f) => ({
      file: path.relative(root, f),
      name: '(file)',
      lines: lineCount(fs.readFileSync(f, 'utf8')),
    }))
    .filter((o) => o.lines > MAX_FILE_LINES);
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(sf);
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(sf);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `<anonymous at line ${line + 1}>`;
}

export function oversizeFunctions(root: string): Oversize[] {
  const out: Oversize[] = [];
  for (const f of sourceFiles(root)) {
    const sf = ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isFunctionDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isFunctionExpression(node) ||
        ts.isArrowFunction(node) ||
        ts.isConstructorDeclaration(node) ||
        ts.isGetAccessorDeclaration(node) ||
        ts.isSetAccessorDeclaration(node)
      ) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = end - start + 1;
        if (lines > MAX_FUNCTION_LINES)
          out.push({ file: path.relative(root, f), name: nameOf(node, sf), lines });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? 'src');
  for (const o of [...oversizeFiles(root), ...oversizeFunctions(root)])
    console.log(`${o.lines}\t${o.file}\t${o.name}`);
}
