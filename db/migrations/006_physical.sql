-- Physical draws (實體抽籤, docs/protocol.md §6.3): numbered balls drawn from a drum, entered one by one.

-- How the winners are drawn. A physical lottery has no seed: once a stage is recorded its entropy and seed
-- columns hold '' (the CHECK of 001 asks only that they are not NULL), and its results come from the balls.
ALTER TABLE lotteries ADD COLUMN method TEXT NOT NULL DEFAULT 'random' CHECK (method IN ('random', 'physical'));

-- Each stage's numbered pool sheet: number n (1-based) is entries[n-1], the pool in id order. Issued at the lock
-- (stage 1) or when the stage before is recorded; an unlock voids stage 1's (the journal keeps it) and the next
-- lock issues a new one.
CREATE TABLE pool_sheets (
  lottery_id TEXT NOT NULL REFERENCES lotteries(id),
  stage      INTEGER NOT NULL CHECK (stage >= 1),
  entries    TEXT NOT NULL,                          -- JSON [id] in id order
  sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
  issued_at  TEXT NOT NULL,
  PRIMARY KEY (lottery_id, stage)
) STRICT;
CREATE TRIGGER pool_sheets_no_update BEFORE UPDATE ON pool_sheets BEGIN SELECT RAISE(ABORT, 'pool sheets are final'); END;

-- Every ball entered, in order (position counts undone ones too). An undone ball keeps its row, with why.
CREATE TABLE balls (
  lottery_id  TEXT NOT NULL REFERENCES lotteries(id),
  stage       INTEGER NOT NULL CHECK (stage >= 1),
  position    INTEGER NOT NULL CHECK (position >= 1),
  number      INTEGER NOT NULL CHECK (number >= 1),
  entry       TEXT NOT NULL,
  seq         INTEGER NOT NULL,                       -- the stage.ball entry's seq
  drawn_at    TEXT NOT NULL,
  undone_at   TEXT,
  undo_reason TEXT,
  PRIMARY KEY (lottery_id, stage, position),
  CHECK ((undone_at IS NULL) = (undo_reason IS NULL))
) STRICT;
CREATE TRIGGER balls_no_delete BEFORE DELETE ON balls BEGIN SELECT RAISE(ABORT, 'balls are kept'); END;
-- Only undoing a ball is an update, once.
CREATE TRIGGER balls_undo_only BEFORE UPDATE ON balls
WHEN OLD.undone_at IS NOT NULL OR NEW.number != OLD.number OR NEW.entry != OLD.entry OR NEW.position != OLD.position
  OR NEW.seq != OLD.seq OR NEW.drawn_at != OLD.drawn_at
BEGIN SELECT RAISE(ABORT, 'a ball is only ever undone, once'); END;
