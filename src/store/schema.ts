import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

/** The numbered SQL files that build the schema, applied in order; PRAGMA user_version says how far a file is. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'db', 'migrations');

/** Opens (creating with mode 0600 if new: the file holds pre-draw secrets and token hashes) with our pragmas. */
export function openConnection(file: string): Database.Database {
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', 0o600));
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Applies every migration above the file's user_version, each in its own transaction with its number. */
export function migrate(db: Database.Database): void {
  const files = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort();
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const f of files) {
    const n = Number(f.slice(0, 3));
    if (n <= current) continue;
    const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, f), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${n}`);
    }).immediate();
  }
}
