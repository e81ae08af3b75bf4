-- lottery-draw/v2 (docs/protocol.md §4.1–4.2): the protocol a lottery was locked under, the ceremony, and the
-- pre-meeting notice.

-- Fixed at lock: every lock from now on is v2. Rows locked before this migration were locked under v1 (a v1
-- lottery not yet drawn must be unlocked and locked again: RELOCK_REQUIRED).
ALTER TABLE lotteries ADD COLUMN protocol TEXT
  CHECK (protocol IS NULL OR protocol IN ('lottery-draw/v1', 'lottery-draw/v2'));
UPDATE lotteries SET protocol = 'lottery-draw/v1' WHERE status != 'draft';

-- Each opening of a ceremony. The token is never stored, only its SHA-256; it is bound to the user who opened.
-- An opening ends when it is reopened (a new row) or adjourned, or when the lottery is unlocked; the open one
-- is the row with ended_at NULL, and there is at most one per lottery.
CREATE TABLE ceremonies (
  lottery_id  TEXT NOT NULL REFERENCES lotteries(id),
  seq         INTEGER NOT NULL,                  -- the ceremony.opened entry's seq
  token_hash  TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  user_id     TEXT NOT NULL REFERENCES users(id),
  commitment  TEXT NOT NULL,
  opened_at   TEXT NOT NULL,
  ended_at    TEXT,
  ended_how   TEXT CHECK (ended_how IS NULL OR ended_how IN ('reopened', 'adjourned')),
  end_reason  TEXT,                              -- the adjournment's reason
  ended_by    TEXT REFERENCES users(id),         -- who adjourned or reopened
  PRIMARY KEY (lottery_id, seq),
  CHECK ((ended_at IS NULL) = (ended_how IS NULL))
) STRICT;

CREATE UNIQUE INDEX ceremonies_one_open ON ceremonies(lottery_id) WHERE ended_at IS NULL;
CREATE TRIGGER ceremonies_no_delete BEFORE DELETE ON ceremonies BEGIN SELECT RAISE(ABORT, 'ceremonies are kept'); END;
-- Only ending an open ceremony is an update; nothing else about an opening changes.
CREATE TRIGGER ceremonies_end_only BEFORE UPDATE ON ceremonies
WHEN OLD.ended_at IS NOT NULL OR NEW.lottery_id != OLD.lottery_id OR NEW.seq != OLD.seq
  OR NEW.token_hash != OLD.token_hash OR NEW.user_id != OLD.user_id OR NEW.commitment != OLD.commitment
  OR NEW.opened_at != OLD.opened_at
BEGIN SELECT RAISE(ABORT, 'a ceremony opening can only be ended, once'); END;

-- The pre-meeting notice (抽籤公告): signed PDFs, one per issue (a re-lock makes a new commitment, so a new one).
CREATE TABLE notices (
  lottery_id TEXT NOT NULL REFERENCES lotteries(id),
  seq        INTEGER NOT NULL,                   -- the notice.issued entry's seq
  commitment TEXT NOT NULL,
  pdf        BLOB NOT NULL,
  sha256     TEXT NOT NULL,
  issued_at  TEXT NOT NULL,
  PRIMARY KEY (lottery_id, seq)
) STRICT;

CREATE TRIGGER notices_no_update BEFORE UPDATE ON notices BEGIN SELECT RAISE(ABORT, 'notices are final'); END;
CREATE TRIGGER notices_no_delete BEFORE DELETE ON notices BEGIN SELECT RAISE(ABORT, 'notices are final'); END;

-- Views read a lottery's locks and ceremony entries by type; without this each read scans the whole journal.
CREATE INDEX journal_type ON journal(type);
