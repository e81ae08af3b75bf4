import type Database from 'better-sqlite3';

type Stmt = (sql: string) => Database.Statement;

/** The room's and the remote witnesses (migration 009, issue 13). Only services/witness.ts writes them. */
export type WitnessRole = 'monitor' | 'witness' | 'remote';

export interface InvitationRow {
  codeHash: string;
  lotteryId: string;
  name: string;
  role: 'monitor' | 'witness';
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface WitnessRow {
  keyName: string;
  publicKey: Uint8Array;
  name: string;
  role: WitnessRole;
  lotteryId: string | null;
  /** The invitation it registered with; null for a remote witness. */
  codeHash: string | null;
  registeredAt: string;
  revokedAt: string | null;
}

export interface CosignatureRow {
  keyName: string;
  size: number;
  root: Uint8Array;
  timestamp: number;
  line: string;
  receivedAt: string;
}

interface InvitationDbRow {
  code_hash: string;
  lottery_id: string;
  name: string;
  role: 'monitor' | 'witness';
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

interface WitnessDbRow {
  key_name: string;
  public_key: Buffer;
  name: string;
  role: WitnessRole;
  lottery_id: string | null;
  code_hash: string | null;
  registered_at: string;
  revoked_at: string | null;
}

interface CosignatureDbRow {
  key_name: string;
  size: number;
  root: Buffer;
  timestamp: number;
  line: string;
  received_at: string;
}

const toInvitation = (r: InvitationDbRow): InvitationRow => ({
  codeHash: r.code_hash,
  lotteryId: r.lottery_id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
});

const toWitness = (r: WitnessDbRow): WitnessRow => ({
  keyName: r.key_name,
  publicKey: new Uint8Array(r.public_key),
  name: r.name,
  role: r.role,
  lotteryId: r.lottery_id,
  codeHash: r.code_hash,
  registeredAt: r.registered_at,
  revokedAt: r.revoked_at,
});

const toCosignature = (r: CosignatureDbRow): CosignatureRow => ({
  keyName: r.key_name,
  size: r.size,
  root: new Uint8Array(r.root),
  timestamp: r.timestamp,
  line: r.line,
  receivedAt: r.received_at,
});

const W_COLUMNS = 'key_name, public_key, name, role, lottery_id, code_hash, registered_at, revoked_at';

/** Invitations and registered witness keys (`store.witnesses`). */
export class WitnessTables {
  constructor(private readonly stmt: Stmt) {}

  insertInvitation(i: Omit<InvitationRow, 'usedAt'>): void {
    this.stmt(
      'INSERT INTO witness_invitations (code_hash, lottery_id, name, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(i.codeHash, i.lotteryId, i.name, i.role, i.createdAt, i.expiresAt);
  }

  invitation(codeHash: string): InvitationRow | undefined {
    const r = this.stmt('SELECT * FROM witness_invitations WHERE code_hash = ?').get(codeHash) as
      InvitationDbRow | undefined;
    return r ? toInvitation(r) : undefined;
  }

  invitationsOf(lotteryId: string): InvitationRow[] {
    const rows = this.stmt(
      'SELECT * FROM witness_invitations WHERE lottery_id = ? ORDER BY created_at, rowid',
    ).all(lotteryId) as InvitationDbRow[];
    return rows.map(toInvitation);
  }

  /** Marks an unused invitation used; false when it was already (the trigger refuses a second use too). */
  useInvitation(codeHash: string, at: string): boolean {
    return (
      this.stmt('UPDATE witness_invitations SET used_at = ? WHERE code_hash = ? AND used_at IS NULL').run(
        at,
        codeHash,
      ).changes === 1
    );
  }

  insert(w: Omit<WitnessRow, 'revokedAt'>): void {
    this.stmt(
      'INSERT INTO witnesses (key_name, public_key, name, role, lottery_id, code_hash, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(w.keyName, Buffer.from(w.publicKey), w.name, w.role, w.lotteryId, w.codeHash, w.registeredAt);
  }

  /** By key name, case-insensitively (the column is NOCASE): a look-alike by case is the same name. */
  byKeyName(keyName: string): WitnessRow | undefined {
    const r = this.stmt(`SELECT ${W_COLUMNS} FROM witnesses WHERE key_name = ?`).get(keyName) as
      WitnessDbRow | undefined;
    return r ? toWitness(r) : undefined;
  }

  byPublicKey(publicKey: Uint8Array): WitnessRow | undefined {
    const r = this.stmt(`SELECT ${W_COLUMNS} FROM witnesses WHERE public_key = ?`).get(
      Buffer.from(publicKey),
    ) as WitnessDbRow | undefined;
    return r ? toWitness(r) : undefined;
  }

  /** The witnesses not revoked: the keys a cosignature may be by. */
  active(): WitnessRow[] {
    const rows = this.stmt(
      `SELECT ${W_COLUMNS} FROM witnesses WHERE revoked_at IS NULL ORDER BY key_name`,
    ).all() as WitnessDbRow[];
    return rows.map(toWitness);
  }

  /** A lottery's room witnesses, revoked ones too, in registration order. */
  ofLottery(lotteryId: string): WitnessRow[] {
    const rows = this.stmt(
      `SELECT ${W_COLUMNS} FROM witnesses WHERE lottery_id = ? ORDER BY registered_at, key_name`,
    ).all(lotteryId) as WitnessDbRow[];
    return rows.map(toWitness);
  }

  revoke(keyName: string, at: string): boolean {
    return (
      this.stmt('UPDATE witnesses SET revoked_at = ? WHERE key_name = ? AND revoked_at IS NULL').run(
        at,
        keyName,
      ).changes === 1
    );
  }
}

/** A root given as 64 hex characters or as the checkpoint's base64 (44 characters): its 32 bytes. */
function rootBytes(root: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(root)) return Buffer.from(root, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(root)) return Buffer.from(root, 'base64');
  return undefined;
}

/** Stored cosignatures (`store.cosignatures`): one per witness key and tree size, final. */
export class CosignatureTable {
  constructor(private readonly stmt: Stmt) {}

  insert(c: CosignatureRow): void {
    this.stmt(
      'INSERT INTO cosignatures (key_name, size, root, timestamp, line, received_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(c.keyName, c.size, Buffer.from(c.root), c.timestamp, c.line, c.receivedAt);
  }

  get(keyName: string, size: number): CosignatureRow | undefined {
    const r = this.stmt('SELECT * FROM cosignatures WHERE key_name = ? AND size = ?').get(keyName, size) as
      CosignatureDbRow | undefined;
    return r ? toCosignature(r) : undefined;
  }

  /**
   * The signature lines stored for the tree (size, root), sorted by key name: what the checkpoint note carries
   * after the log's own line. `root` is hex (as the journal writes it) or base64 (as the note does).
   */
  linesFor(size: number, root: string): string[] {
    const r = rootBytes(root);
    if (!r) return [];
    const rows = this.stmt(
      'SELECT key_name, line FROM cosignatures WHERE size = ? AND root = ? ORDER BY key_name COLLATE BINARY',
    ).all(size, r) as Array<{ key_name: string; line: string }>;
    return rows.map((x) => x.line);
  }

  /** Every cosignature of the tree of `size` entries, in key name order. */
  atSize(size: number): CosignatureRow[] {
    const rows = this.stmt('SELECT * FROM cosignatures WHERE size = ? ORDER BY key_name COLLATE BINARY').all(
      size,
    ) as CosignatureDbRow[];
    return rows.map(toCosignature);
  }

  /** Every cosignature by one of these keys, in key and size order. */
  byKeys(keyNames: readonly string[]): CosignatureRow[] {
    if (keyNames.length === 0) return [];
    const rows = this.stmt(
      `SELECT * FROM cosignatures WHERE key_name IN (${keyNames.map(() => '?').join(', ')}) ORDER BY key_name, size`,
    ).all(...keyNames) as CosignatureDbRow[];
    return rows.map(toCosignature);
  }
}
