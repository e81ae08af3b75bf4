/** The command line's shared parsing: flags, their values, and which options each command knows. */
import path from 'node:path';
import { configFromEnv } from '../config';

/** Where a command writes, and (for --password-stdin) what it reads; tests pass their own. */
export interface Out {
  out: (s: string) => void;
  err: (s: string) => void;
  stdin?: AsyncIterable<Buffer | string>;
}

export type Flags = Map<string, string | true>;

export class UsageError extends Error {}

export function parseArgs(args: string[]): { positional: string[]; flags: Flags } {
  const positional: string[] = [];
  const flags: Flags = new Map<string, string | true>();
  const boolean = new Set(['json', 'help']);
  // An option given twice is refused: `--fingerprint WRONG --fingerprint RIGHT` must not quietly pin the last one.
  // A repeatable one (--witness-key) keeps every value, NUL-separated (no argument can hold a NUL): see list().
  const set = (name: string, v: string | true): void => {
    const had = flags.get(name);
    if (REPEATABLE.has(name) && typeof had === 'string' && typeof v === 'string')
      flags.set(name, `${had}\0${v}`);
    else if (flags.has(name)) throw new UsageError(`--${name} is given more than once`);
    else flags.set(name, v);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) set(a.slice(2, eq), a.slice(eq + 1));
      else {
        const name = a.slice(2);
        const next = args[i + 1];
        if (boolean.has(name) || next === undefined || next.startsWith('--')) set(name, true);
        else {
          set(name, next);
          i++;
        }
      }
    } else positional.push(a);
  }
  return { positional, flags };
}

/** Options that may be given more than once, each value kept (issue 13: one --witness-key per witness). */
const REPEATABLE = new Set(['witness-key']);

/** Every value of a repeatable option, in the order given; empty when it is absent. */
export function list(flags: Flags, name: string): string[] {
  const v = str(flags, name);
  return v === undefined ? [] : v.split('\0');
}

export function str(flags: Flags, name: string): string | undefined {
  const v = flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

export function dbPath(flags: Flags): string {
  return path.resolve(str(flags, 'db') ?? configFromEnv().dbFile);
}

/** Options each command knows: anything else is a usage error (a mistyped --checkpoint must not pass quietly). */
const OPTIONS: Record<string, string[]> = {
  serve: ['help'],
  user: ['name', 'role', 'display', 'json', 'db', 'password-stdin', 'help'],
  verify: [
    'db',
    'checkpoint',
    'key',
    'fingerprint',
    'commitment',
    'entropy',
    'pdf',
    'max-bytes',
    'log-key',
    'witness-key',
    'witnesses',
    'json',
    'help',
  ],
  backup: ['db', 'help'],
  witness: ['name', 'out', 'vkey', 'db', 'log', 'key', 'state', 'log-key', 'once', 'every', 'help'],
};

export function checkOptions(cmd: string, flags: Flags): void {
  const known = OPTIONS[cmd] ?? [];
  const unknown = [...flags.keys()].filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new UsageError(`unknown option ${unknown.map((u) => `--${u}`).join(', ')} for ${cmd}`);
}

/** A message for the terminal from anything thrown. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
