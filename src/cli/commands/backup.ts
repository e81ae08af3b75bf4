/** `lottery backup DEST`: a consistent copy of the live database; the signing key is backed up apart. */
import path from 'node:path';
import { backupDatabase, openDatabaseReadOnly } from '../../compose';
import { keyPathFor } from '../../keys/signer';
import type { Store } from '../../store/store';
import { dbPath, messageOf, UsageError, type Flags, type Out } from '../args';
import { safeText } from '../escape';

export function backupCommand(positional: string[], flags: Flags, io: Out): number {
  const dest = positional[0];
  if (!dest || positional.length > 1) throw new UsageError('backup needs one DEST file');
  let store: Store;
  try {
    store = openDatabaseReadOnly(dbPath(flags));
  } catch (e) {
    io.err(`cannot open database: ${safeText(messageOf(e))}\n`);
    return 2;
  }
  try {
    backupDatabase(store, dest);
  } catch (e) {
    io.err(`backup failed: ${safeText(messageOf(e))}\n`);
    return 1;
  } finally {
    store.close();
  }
  io.out(
    `backup written to ${path.resolve(dest)} (mode 0600). The signing key is not in it: back up ${keyPathFor(dbPath(flags))} separately.\n`,
  );
  return 0;
}
