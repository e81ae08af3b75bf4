import fs from 'node:fs';
import path from 'node:path';

/**
 * Files at rest. The database holds pre-draw secrets and credential hashes, and the key file signs the record:
 * neither may be readable by anyone but the service's own user. The service refuses to start otherwise, rather
 * than warn, because a warning at 3 a.m. is read by nobody.
 */
export function loosePermissions(files: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    let st: fs.Stats;
    try {
      st = fs.statSync(f);
    } catch {
      continue;
    }
    if ((st.mode & 0o077) !== 0) out.push(`${f} (mode ${(st.mode & 0o777).toString(8)})`);
  }
  return out;
}

export function filesAtRest(dbFile: string, keyFile: string): string[] {
  return [
    dbFile,
    `${dbFile}-wal`,
    `${dbFile}-shm`,
    keyFile,
    path.join(path.dirname(keyFile), 'lottery-signing-cert.pem'),
  ];
}

/**
 * `lottery backup DEST`: one consistent copy of the live database in one step (VACUUM INTO reads a single
 * snapshot; the page-by-page backup API restarts whenever a writer changes a page and never finished in 20 s
 * under writes in a trial here), written to a temporary file with mode 0600 and then renamed, so a half-written
 * backup never has the final name. The signing key is never copied: back it up separately.
 */
export function backupTo(db: { exec(sql: string): unknown }, dest: string): void {
  const target = path.resolve(dest);
  if (fs.existsSync(target)) throw new Error(`${target} exists: choose a new file name`);
  const tmp = `${target}.tmp-${process.pid}`;
  const old = process.umask(0o077);
  try {
    fs.rmSync(tmp, { force: true });
    db.exec(`VACUUM INTO '${tmp.replace(/'/g, "''")}'`);
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, target);
  } finally {
    process.umask(old);
    fs.rmSync(tmp, { force: true });
  }
}
