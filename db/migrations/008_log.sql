-- The witnessed log (issue 13, docs/protocol.md §10): the journal as an RFC 9162 Merkle tree. Leaf i is the
-- entry with seq i+1, and its leaf input is the 32 raw bytes of that entry's hash. The store keeps the hash of
-- every perfect subtree (2^level leaves starting at leaf idx·2^level), written in the same transaction as the
-- entry that completes it, so that a proof never rereads the journal. Like the journal, append-only.
CREATE TABLE log_nodes (
  level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
  idx   INTEGER NOT NULL CHECK (idx >= 0),
  hash  BLOB NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER log_nodes_no_update BEFORE UPDATE ON log_nodes BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_nodes_no_delete BEFORE DELETE ON log_nodes BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
