-- Schema of asset-review-lottery. STRICT tables, foreign keys on (the store sets PRAGMA foreign_keys=ON).
-- The journal is the record of truth; the other tables are what the service reads, and `lottery verify --db`
-- checks them against a replay of the journal.

CREATE TABLE users (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  display     TEXT,
  role        TEXT NOT NULL CHECK (role IN ('admin', 'ethics', 'drawer', 'auditor')),
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  TEXT NOT NULL,
  revoked_at  TEXT
) STRICT;

CREATE TABLE lotteries (
  id            TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  year          INTEGER NOT NULL,
  agency        TEXT NOT NULL,
  title         TEXT NOT NULL,
  stages        TEXT NOT NULL,               -- JSON [{stage, label, percent}]
  meeting       TEXT NOT NULL DEFAULT '{}',  -- JSON {name, date, venue, chair, drawer, monitor, recorder, witnesses}
  status        TEXT NOT NULL CHECK (status IN ('draft', 'locked', 'drawing', 'drawn')),
  roster_digest TEXT,
  -- Pre-draw secret: never in any answer or log until stage 1 is drawn (then it is in the stage.drawn entry).
  secret        TEXT,
  commitment    TEXT,
  entropy       TEXT,
  seed          TEXT,
  created_at    TEXT NOT NULL,
  CHECK (status = 'draft' OR (secret IS NOT NULL AND commitment IS NOT NULL AND roster_digest IS NOT NULL)),
  CHECK (status IN ('draft', 'locked') OR (seed IS NOT NULL AND entropy IS NOT NULL))
) STRICT;

CREATE TABLE roster_entries (
  lottery_id TEXT NOT NULL REFERENCES lotteries(id),
  id         TEXT NOT NULL,
  name       TEXT NOT NULL,
  unit       TEXT,
  title      TEXT,
  category   TEXT,
  excluded   TEXT,
  PRIMARY KEY (lottery_id, id)
) STRICT;

CREATE TABLE results (
  lottery_id TEXT NOT NULL REFERENCES lotteries(id),
  stage      INTEGER NOT NULL CHECK (stage >= 1),
  pool_size  INTEGER NOT NULL,
  quota      INTEGER NOT NULL,
  winners    TEXT NOT NULL,   -- JSON [id] in draw order
  drawn_at   TEXT NOT NULL,
  PRIMARY KEY (lottery_id, stage)
) STRICT;

-- A drawn stage is final: the room saw it.
CREATE TRIGGER results_no_update BEFORE UPDATE ON results BEGIN SELECT RAISE(ABORT, 'results are final'); END;
CREATE TRIGGER results_no_delete BEFORE DELETE ON results BEGIN SELECT RAISE(ABORT, 'results are final'); END;

-- Column names are part of the contract: auditors may read this table straight from the file.
CREATE TABLE journal (
  seq   INTEGER PRIMARY KEY,
  at    TEXT NOT NULL,
  type  TEXT NOT NULL,
  actor TEXT NOT NULL,
  data  TEXT NOT NULL,   -- exactly JCS(data)
  prev  TEXT NOT NULL,
  hash  TEXT NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
-- Appends only at the end, with no gap: seq is the previous seq + 1.
CREATE TRIGGER journal_append_only BEFORE INSERT ON journal
WHEN NEW.seq != COALESCE((SELECT MAX(seq) FROM journal), 0) + 1
BEGIN SELECT RAISE(ABORT, 'journal seq must follow the head'); END;
