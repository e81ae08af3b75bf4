-- The signed lottery record (抽籤紀錄), issued once per lottery after the last stage: the full copy for the
-- file (names, units, titles, exclusion reasons, the whole roster) and the public copy. The exact bytes are
-- kept, since their SHA-256 is journalled and the signature covers them.
CREATE TABLE records (
  lottery_id TEXT NOT NULL REFERENCES lotteries(id),
  kind       TEXT NOT NULL CHECK (kind IN ('full', 'public')),
  pdf        BLOB NOT NULL,
  sha256     TEXT NOT NULL,
  issued_at  TEXT NOT NULL,
  PRIMARY KEY (lottery_id, kind)
) STRICT;

CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'records are final'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'records are final'); END;
