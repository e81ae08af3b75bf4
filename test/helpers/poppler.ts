import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './app';

/** poppler-utils and NSS tools, as a recipient of the record would use them (.ci/run installs them). */
export function pdftotext(pdf: Buffer, opts: string[] = []): string {
  const dir = tempDir();
  const f = path.join(dir, 'in.pdf');
  fs.writeFileSync(f, pdf);
  return execFileSync('pdftotext', [...opts, '-enc', 'UTF-8', f, '-']).toString('utf8');
}

export function pdffonts(pdf: Buffer): string {
  const f = path.join(tempDir(), 'in.pdf');
  fs.writeFileSync(f, pdf);
  return execFileSync('pdffonts', [f]).toString('utf8');
}

export function pdfinfoPages(pdf: Buffer): number {
  const f = path.join(tempDir(), 'in.pdf');
  fs.writeFileSync(f, pdf);
  const m = /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [f]).toString('utf8'));
  return Number(m?.[1]);
}

/** An NSS database that trusts the given CA, for pdfsig's "Certificate is Trusted." */
export function nssTrusting(caPem: string): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'ca.pem'), caPem);
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  execFileSync('certutil', [
    '-A',
    '-d',
    `sql:${dir}`,
    '-n',
    'lottery-test-ca',
    '-t',
    'CT,C,C',
    '-i',
    path.join(dir, 'ca.pem'),
  ]);
  return dir;
}

/** pdfsig exits 0 even for a bad signature, so its text is what tells. */
export function pdfsig(pdf: Buffer, nssDir?: string): string {
  const f = path.join(tempDir(), 'in.pdf');
  fs.writeFileSync(f, pdf);
  const r = spawnSync('pdfsig', [...(nssDir ? ['-nssdir', `sql:${nssDir}`] : []), f]);
  return r.stdout.toString('utf8') + r.stderr.toString('utf8');
}

export function pageToPng(pdf: Buffer, page: number, dpi: number): Buffer {
  const dir = tempDir();
  const f = path.join(dir, 'in.pdf');
  fs.writeFileSync(f, pdf);
  execFileSync('pdftoppm', [
    '-r',
    String(dpi),
    '-f',
    String(page),
    '-l',
    String(page),
    '-png',
    '-singlefile',
    f,
    path.join(dir, 'page'),
  ]);
  return fs.readFileSync(path.join(dir, 'page.png'));
}
