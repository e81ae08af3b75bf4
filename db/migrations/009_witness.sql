-- The room's witnesses and their cosignatures (issue 13, docs/protocol.md §10). The ethics officer invites a
-- person with a one-time code (stored as its SHA-256 only: the code itself is shown once and never journalled);
-- the person registers an Ed25519 key with it; after the last stage their device cosigns the lottery's
-- checkpoint. A remote witness (an upper-level office) is registered by the ethics office without a code.
CREATE TABLE witness_invitations (
  code_hash  TEXT PRIMARY KEY CHECK (length(code_hash) = 64),
  lottery_id TEXT NOT NULL REFERENCES lotteries(id),
  name       TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('monitor', 'witness')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at    TEXT
) STRICT;
CREATE INDEX witness_invitations_by_lottery ON witness_invitations (lottery_id);
CREATE TRIGGER witness_invitations_no_delete BEFORE DELETE ON witness_invitations
BEGIN SELECT RAISE(ABORT, 'invitations are kept'); END;
-- An invitation is used once: the only change ever made to a row is setting used_at, from NULL.
CREATE TRIGGER witness_invitations_used_once BEFORE UPDATE ON witness_invitations
WHEN OLD.used_at IS NOT NULL OR NEW.used_at IS NULL
  OR NEW.code_hash IS NOT OLD.code_hash OR NEW.lottery_id IS NOT OLD.lottery_id OR NEW.name IS NOT OLD.name
  OR NEW.role IS NOT OLD.role OR NEW.created_at IS NOT OLD.created_at OR NEW.expires_at IS NOT OLD.expires_at
BEGIN SELECT RAISE(ABORT, 'an invitation is used once'); END;

-- Key names are ASCII (services/witness.ts), so NOCASE makes "Alice" and "alice" one name.
CREATE TABLE witnesses (
  key_name      TEXT PRIMARY KEY COLLATE NOCASE,
  public_key    BLOB NOT NULL UNIQUE CHECK (length(public_key) = 32),
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('monitor', 'witness', 'remote')),
  lottery_id    TEXT REFERENCES lotteries(id),
  code_hash     TEXT UNIQUE REFERENCES witness_invitations(code_hash),
  registered_at TEXT NOT NULL,
  revoked_at    TEXT,
  CHECK ((role = 'remote') = (lottery_id IS NULL))
) STRICT;
CREATE INDEX witnesses_by_lottery ON witnesses (lottery_id);
CREATE TRIGGER witnesses_no_delete BEFORE DELETE ON witnesses BEGIN SELECT RAISE(ABORT, 'witnesses are kept'); END;
-- A registration is a fact; the only change is its revocation, once.
CREATE TRIGGER witnesses_revoke_only BEFORE UPDATE ON witnesses
WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL
  OR NEW.key_name IS NOT OLD.key_name OR NEW.public_key IS NOT OLD.public_key OR NEW.name IS NOT OLD.name
  OR NEW.role IS NOT OLD.role OR NEW.lottery_id IS NOT OLD.lottery_id OR NEW.code_hash IS NOT OLD.code_hash
  OR NEW.registered_at IS NOT OLD.registered_at
BEGIN SELECT RAISE(ABORT, 'a witness is only ever revoked'); END;

-- One cosignature per witness key and tree size: the first valid one stays. `line` is the note's signature line
-- exactly as received, so the checkpoint can be served with it byte for byte.
CREATE TABLE cosignatures (
  key_name    TEXT NOT NULL REFERENCES witnesses(key_name),
  size        INTEGER NOT NULL CHECK (size > 0),
  root        BLOB NOT NULL CHECK (length(root) = 32),
  timestamp   INTEGER NOT NULL CHECK (timestamp >= 0),
  line        TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (key_name, size)
) STRICT;
CREATE INDEX cosignatures_by_size ON cosignatures (size);
CREATE TRIGGER cosignatures_no_update BEFORE UPDATE ON cosignatures BEGIN SELECT RAISE(ABORT, 'cosignatures are final'); END;
CREATE TRIGGER cosignatures_no_delete BEFORE DELETE ON cosignatures BEGIN SELECT RAISE(ABORT, 'cosignatures are final'); END;
