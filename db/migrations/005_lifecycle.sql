-- issue 11, the lottery's life on the meeting day (docs/protocol.md §7): rehearsals, cancelling, a real lottery
-- created from a rehearsal's roster. The journal stays the record of truth (lottery.created's `rehearsal` and
-- `from`, lottery.cancelled); these columns are what the pages and the lists read.

-- A rehearsal (演練) is one from its creation and never turns into a real lottery.
ALTER TABLE lotteries ADD COLUMN rehearsal INTEGER NOT NULL DEFAULT 0 CHECK (rehearsal IN (0, 1));
-- A cancelled lottery keeps its status (draft or locked) and refuses every further action.
ALTER TABLE lotteries ADD COLUMN cancelled_at TEXT;
ALTER TABLE lotteries ADD COLUMN cancel_reason TEXT
  CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL));
-- The rehearsal this lottery's roster and exclusions were copied from.
ALTER TABLE lotteries ADD COLUMN copied_from TEXT REFERENCES lotteries(id);

-- A cancellation is final.
CREATE TRIGGER lotteries_cancel_final BEFORE UPDATE ON lotteries
WHEN OLD.cancelled_at IS NOT NULL AND (NEW.cancelled_at IS NOT OLD.cancelled_at
  OR NEW.cancel_reason IS NOT OLD.cancel_reason OR NEW.status != OLD.status)
BEGIN SELECT RAISE(ABORT, 'a cancelled lottery is final'); END;
-- Whether a lottery is a rehearsal, and where it was copied from, are fixed at creation.
CREATE TRIGGER lotteries_rehearsal_fixed BEFORE UPDATE ON lotteries
WHEN NEW.rehearsal != OLD.rehearsal OR NEW.copied_from IS NOT OLD.copied_from
BEGIN SELECT RAISE(ABORT, 'rehearsal and copied_from are fixed at creation'); END;
