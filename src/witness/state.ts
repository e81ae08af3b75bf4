import fs from 'node:fs';
import path from 'node:path';

/**
 * The remote witness's state directory (mode 0700), one small file per fact, each replaced atomically
 * (temporary file, fsync, rename) so that a crash leaves the old version or the new one, never half of one:
 *
 *   log-key          the pinned log verifier key (vkey text)
 *   checkpoint       the last checkpoint this witness cosigned (the signed note, with its own cosignature)
 *   refused          present once an inconsistency was found: the reason; no cosignature is ever made again
 *   evidence-<time>/ both notes, the proof answer and a README.txt, for each inconsistency found
 */
export const LOG_KEY = 'log-key';
export const CHECKPOINT = 'checkpoint';
export const REFUSED = 'refused';

export class StateDir {
  private constructor(readonly dir: string) {}

  /** Opens (creating, mode 0700) the directory. */
  static open(dir: string): StateDir {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
    // Whoever may write here could delete `refused` or replace `checkpoint`: the owner only.
    fs.chmodSync(dir, 0o700);
    return new StateDir(path.resolve(dir));
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  read(name: string): string | undefined {
    try {
      return fs.readFileSync(this.file(name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Replaces `name` with `text`: written to a temporary file, flushed, then renamed over the old one. */
  write(name: string, text: string): void {
    const tmp = this.file(`.${name}.${process.pid}.tmp`);
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file(name));
    syncDir(this.dir);
  }

  /** A new evidence directory with these files; returns its name. */
  writeEvidence(at: Date, files: Record<string, string>): string {
    const name = `evidence-${at.toISOString().replace(/[:.]/g, '-')}`;
    const dir = this.file(name);
    fs.mkdirSync(dir, { mode: 0o700 });
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text, { mode: 0o600 });
    syncDir(dir);
    return name;
  }
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems refuse to fsync a directory; the rename is still atomic.
  }
}
