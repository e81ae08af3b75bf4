/**
 * The one place that wires the store, the services, sign-in and the signer for the server, the CLI and the bench.
 * The clock, the randomness and the hasher are chosen here (the domain and the services take them as deps), so
 * a test or the bench that needs a fixed clock or seeded bytes passes its own Runtime instead of re-wiring.
 */
import crypto from 'node:crypto';
import type { Config } from './config';
import type { AppOptions } from './http/app';
import { isTestCertificate } from './keys/certs';
import { logOrigin } from './domain/log/origin';
import { parseVerifierKey } from './domain/log/note';
import { loadOrCreateLogKey, logKeyPathFor, logSignerFromPem, type LogSigner } from './keys/log-key';
import { sha256Bytes } from './util/sha256';
import { loadSigning, type SigningSetup } from './keys/material';
import { keyPathFor, loadOrCreateKey, sha256Node, signerFromPem, type Signer } from './keys/signer';
import { Auth } from './services/auth';
import { Services, type Deps } from './services/services';
import { Store } from './store/store';

/** The impure edges the services and sign-in are given: wall clock, CSPRNG, SHA-256. */
export interface Runtime {
  clock: () => Date;
  randomBytes: (n: number) => Buffer;
  sha256: Deps['sha256'];
}

export const nodeRuntime: Runtime = {
  clock: () => new Date(),
  randomBytes: (n) => crypto.randomBytes(n),
  sha256: sha256Node,
};

/** What the services need besides the runtime; the optional parts are only passed on when set. */
export interface ServiceWiring {
  store: Store;
  signer: Signer;
  publicUrl?: string;
  publicFields?: Deps['publicFields'];
  fault?: Deps['fault'];
  /** NODE_ENV=production (Config.production). */
  production?: boolean;
  /** The signer's certificate is the local test CA's; by default, read from the certificate itself. */
  testCertificate?: boolean;
  /** LOTTERY_CONTACT (Config.letterContact). */
  letterContact?: string;
  /** issue 13: the witnessed log's key (keys/log-key.ts). */
  logSigner?: LogSigner;
}

/** Services on a store, with the runtime's clock, randomness and hasher. */
export function composeServices(w: ServiceWiring, runtime: Runtime = nodeRuntime): Services {
  return new Services({
    store: w.store,
    signer: w.signer,
    clock: runtime.clock,
    randomBytes: runtime.randomBytes,
    sha256: runtime.sha256,
    ...(w.publicUrl ? { publicUrl: w.publicUrl } : {}),
    ...(w.publicFields ? { publicFields: w.publicFields } : {}),
    ...(w.fault ? { fault: w.fault } : {}),
    ...(w.letterContact ? { letterContact: w.letterContact } : {}),
    ...(w.logSigner ? { logSigner: w.logSigner } : {}),
    production: w.production === true,
    testCertificate:
      w.testCertificate ?? (w.signer.certificatePem ? isTestCertificate(w.signer.certificatePem) : true),
  });
}

/** Sign-in (passwords, sessions, lockouts) on a store, with the same runtime as the services. */
export function composeAuth(store: Store, runtime: Runtime = nodeRuntime): Auth {
  return new Auth({
    store,
    clock: runtime.clock,
    randomBytes: runtime.randomBytes,
    sha256: runtime.sha256,
  });
}

export interface Opened {
  store: Store;
  services: Services;
  auth: Auth;
}

/**
 * The CLI's read-write handle on a database: its signing key beside it (made on first use, as the server
 * would), services without a public URL (the CLI issues no record), and sign-in for passwords and lockouts.
 */
export function openDatabase(
  dbFile: string,
  runtime: Runtime = nodeRuntime,
  env: NodeJS.ProcessEnv = process.env,
): Opened {
  const store = Store.open(dbFile);
  const signer = signerFromPem(loadOrCreateKey(keyPathFor(dbFile)).pem);
  // The log key is wired (made beside the database if absent) but not journalled here: the CLI serves no log,
  // and a shell without the service's environment would journal it under the wrong origin. The server and every
  // app journal it (log.key) at start.
  const logSigner = cliLogSigner(store, dbFile, env);
  return {
    store,
    services: composeServices({ store, signer, logSigner }, runtime),
    auth: composeAuth(store, runtime),
  };
}

/**
 * The CLI's log signer. Its name is the origin; a shell rarely has the service's environment, so unless
 * LOTTERY_LOG_ORIGIN is set, the CLI keeps the name the journal last gave this same key: a `lottery user` run
 * must not journal a new `log.key` under a localhost origin and the server another at its next start.
 */
function cliLogSigner(store: Store, dbFile: string, env: NodeJS.ProcessEnv): LogSigner {
  const pem = loadOrCreateLogKey(logKeyPathFor(dbFile)).pem;
  const fallback = logOrigin(
    (env.LOTTERY_PUBLIC_URL ?? `http://localhost:${env.PORT ?? 3000}`).replace(/\/+$/, ''),
    env.LOTTERY_LOG_ORIGIN,
  );
  if (env.LOTTERY_LOG_ORIGIN !== undefined) return logSignerFromPem(pem, fallback);
  const mine = logSignerFromPem(pem, fallback);
  const last = store.read(
    () => store.journalPage({ before: Number.MAX_SAFE_INTEGER, limit: 1, type: 'log.key' })[0],
  );
  const key = typeof last?.data.key === 'string' ? parseVerifierKey(sha256Bytes, last.data.key) : undefined;
  const same = key !== undefined && Buffer.from(key.publicKey).equals(Buffer.from(mine.publicKey));
  return same ? logSignerFromPem(pem, key.name) : mine;
}

/** A database opened for reading only (verify --db, backup): nothing it does can change the journal. */
export function openDatabaseReadOnly(dbFile: string): Store {
  return Store.openReadOnly(dbFile);
}

/** A store opened read-write, for a caller that builds its own app on it (the bench's server child). */
export function openStore(dbFile: string): Store {
  return Store.open(dbFile);
}

/**
 * A consistent copy of the live database at dest (mode 0600). The signing key is not in it.
 */
export function backupDatabase(store: Store, dest: string): void {
  store.backupTo(dest);
}

/** The server's store, signing material and app options, from its config and environment. */
export interface ServerWiring {
  store: Store;
  setup: SigningSetup;
  /** The log key file was made on this start. */
  logKeyCreated: boolean;
  app: Omit<AppOptions, 'log'>;
}

/**
 * Opens the server's database and signing material and says how the app is built on them. The signing setup is
 * read after the store is open, as it always was (the log lines about the key follow in the caller).
 */
export function composeServer(config: Config, env: NodeJS.ProcessEnv, now: Date): ServerWiring {
  const store = Store.open(config.dbFile);
  const setup = loadSigning(config.dbFile, env, now);
  // issue 13: the log's Ed25519 key beside the RSA key, made on first start (0600); its name is the origin.
  const logKey = loadOrCreateLogKey(logKeyPathFor(config.dbFile));
  return {
    store,
    setup,
    logKeyCreated: logKey.created,
    app: {
      store,
      signer: setup.signer,
      logSigner: logSignerFromPem(logKey.pem, config.logOrigin),
      publicUrl: config.publicUrl,
      publicFields: config.publicFields,
      trustProxy: config.trustProxy,
      production: config.production,
      ...(config.letterContact ? { letterContact: config.letterContact } : {}),
      testCertificate:
        setup.source === 'local-test-ca' ||
        (setup.signer.certificatePem ? isTestCertificate(setup.signer.certificatePem) : true),
      ...(env.LOTTERY_RATE_LIMITS === 'off' ? { rateLimits: false } : {}),
      // Crash testing only: kill the process at a named point inside a write transaction.
      ...(env.LOTTERY_FAULT_INJECTION === '1' && env.LOTTERY_FAULT_POINT
        ? {
            fault: (p: string) =>
              p === env.LOTTERY_FAULT_POINT ? process.kill(process.pid, 'SIGKILL') : undefined,
          }
        : {}),
    },
  };
}
