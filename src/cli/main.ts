#!/usr/bin/env node
/**
 * `lottery`: the command line. This file only dispatches; each command is a file under commands/, the shared
 * flag parsing is args.ts, and the store, services and keys come from src/compose.ts.
 */
import { isLotteryError } from '../domain/errors';
import { checkOptions, parseArgs, UsageError, type Flags, type Out } from './args';
import { backupCommand } from './commands/backup';
import { serveCommand } from './commands/serve';
import { userCommand } from './commands/user';
import { verifyCommand } from './commands/verify';
import { witnessCommand } from './commands/witness';
import { jsonFailure } from './report';
import { USAGE } from './usage';

export { UsageError };

function dispatch(cmd: string, positional: string[], flags: Flags, io: Out): Promise<number> | number {
  if (cmd === 'serve') return serveCommand(io);
  if (cmd === 'user') return userCommand(positional, flags, io);
  if (cmd === 'verify') return verifyCommand(positional, flags, io);
  if (cmd === 'backup') return backupCommand(positional, flags, io);
  if (cmd === 'witness') return witnessCommand(positional, flags, io);
  throw new UsageError(`unknown command ${cmd}`);
}

export async function main(
  args: string[],
  io: Out = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
): Promise<number> {
  try {
    const { positional, flags } = parseArgs(args);
    const cmd = positional.shift();
    if (cmd === undefined || cmd === 'help' || flags.get('help') === true) {
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    checkOptions(cmd, flags);
    return await dispatch(cmd, positional, flags, io);
  } catch (e) {
    if (e instanceof UsageError) {
      // A program reading --json gets the same shape as for unreadable input, not only text on stderr.
      if (args.includes('--json')) io.out(jsonFailure(e.message));
      io.err(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (isLotteryError(e)) {
      io.err(`${e.code}: ${e.zh} / ${e.en}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(70);
    },
  );
}
