-- Web sign-in: password hashes (scrypt, per-user salt), sessions and sign-in lockouts, all in SQLite so that
-- any server process on the file answers alike.
ALTER TABLE users ADD COLUMN password_hash TEXT;

CREATE TABLE sessions (
  id_hash    TEXT PRIMARY KEY,           -- SHA-256 of the cookie value: the table never holds a usable session id
  user_id    TEXT NOT NULL REFERENCES users(id),
  csrf       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen  TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
  user_id      TEXT NOT NULL REFERENCES users(id),
  address      TEXT NOT NULL,
  failures     INTEGER NOT NULL,
  locked_until TEXT,
  PRIMARY KEY (user_id, address)
) STRICT;
