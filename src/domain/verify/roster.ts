import type { Bundle } from '../bundle';
import { compareBytes } from '../canonical';
import { ENTRY_ID } from '../grammar';
import { clean, hasControl } from '../input/text';
import { rosterPreimage, type RosterEntry } from '../protocol';
import type { Check, VerifyDeps } from './report';

/** roster.order: well-formed unique ids in byte order, so that the digest is over one canonical list. */
export function rosterOrder(b: Bundle): Check {
  let problem = '';
  for (let i = 0; i < b.roster.length && !problem; i++) {
    const e = b.roster[i] as RosterEntry;
    if (!ENTRY_ID.test(e.id)) problem = `entry ${i + 1} has a malformed id`;
    else if (e.name === '') problem = `entry ${i + 1} has an empty name`;
    else if (Object.values(e).some((v) => v === '' || clean(v) !== v || hasControl(v)))
      problem = `entry ${i + 1} (${e.id}) has a value that is empty, not trimmed and NFC, or holds control characters`;
    else if (i > 0 && compareBytes((b.roster[i - 1] as RosterEntry).id, e.id) >= 0)
      problem = `entry ${i + 1} (${e.id}) is not after ${(b.roster[i - 1] as RosterEntry).id}: ids must be unique and sorted`;
  }
  return {
    name: 'roster.order',
    ok: problem === '',
    detail: problem || `${b.roster.length} entries, unique ids in ascending order`,
  };
}

/** roster.digest: the roster the bundle ships is the one whose digest was locked (protocol.md §2). */
export async function rosterDigest(b: Bundle, deps: VerifyDeps): Promise<Check> {
  const digest = await deps.sha256(rosterPreimage(b.roster));
  return {
    name: 'roster.digest',
    ok: digest === b.rosterDigest,
    detail:
      digest === b.rosterDigest
        ? `H(JCS(roster)) = ${digest}`
        : `H(JCS(roster)) = ${digest}, bundle says ${b.rosterDigest}`,
  };
}
