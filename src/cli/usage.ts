export const USAGE = `lottery — 財產申報實質審查公開抽籤系統

Usage:
  lottery serve                                   start the service (PORT, LOTTERY_DB, HOST)
  lottery user add --name NAME --role ROLE [--display NAME] [--json] [--db PATH]
                                                  roles: admin, ethics, drawer, auditor; prints the token once
    lottery user add ... --password-stdin         also set a web sign-in password (10+ characters), read from
                                                  standard input; one transaction: a refusal creates nothing
  lottery user passwd NAME [--db PATH]            set NAME's sign-in password, read from standard input (10+)
  lottery user role NAME ROLE [--db PATH]         change NAME's role (the last active admin keeps theirs)
  lottery user unlock NAME [--db PATH]            lift sign-in lockouts of NAME
  lottery user list [--json] [--db PATH]
  lottery user deactivate NAME [--db PATH]        deactivate NAME (also: user revoke NAME); never the last admin
    lottery backup DEST [--db PATH]                 consistent copy of the live database (mode 0600; not the key)
  lottery verify BUNDLE.json --fingerprint SHA256:HEX | --key PUBLIC.pem
                 [--commitment HEX] [--entropy DICE] [--checkpoint SAVED.json] [--pdf RECORD.pdf] [--max-bytes N] [--json]
                                                  --fingerprint: the key fingerprint printed on the notice (抽籤公告)
                                                  and the record (抽籤紀錄); without a trust anchor key.pinned fails
                                                  --commitment: 16+ hex digits written down from the notice
                                                  --entropy: the dice as read aloud and written into the minutes
                                                  --checkpoint: a checkpoint saved earlier (GET /api/v1/journal/checkpoint)
                                                  --max-bytes: largest bundle read, in bytes (default 64 MiB)
                 [--log-key FILE|VKEY] [--witness-key FILE ...] [--witnesses K]
                                                  --log-key: the log's verifier key printed on the notice and the record
                                                  --witness-key: a file holding a witness's cosigner key (repeatable)
                                                  --witnesses: how many of them must have cosigned (default: all)
  lottery verify --db PATH [--checkpoint FILE] [--json]
                                                  exit 0: every check holds; 1: a check fails; 2: unreadable input
  lottery witness keygen --name NAME --out FILE   a remote witness's Ed25519 key (0600); prints its vkey
  lottery witness register --name NAME --vkey VKEY [--db PATH]
                                                  (ethics office, on the server) register a remote witness key
  lottery witness --log URL --key FILE --state DIR [--log-key VKEY|FILE] [--once | --every 10m]
                                                  check the log's checkpoint against the pinned key and the last one
                                                  cosigned (consistency proof), cosign, post; docs/witness.md
                                                  exit 0: cosigned; 1: log inconsistent or refused (evidence in DIR)
                                                  or not trusted; 2: network or usage
`;
