/**
 * What the witness device keeps, in this browser's IndexedDB (each browser profile its own): per lottery, the
 * key pair (a structured clone of the non-extractable CryptoKeys), the pinned log key and the last checkpoint
 * it has seen; per log key, a refusal once the log was caught inconsistent, so that it never cosigns that log
 * again.
 */
export interface Device {
  lottery: string;
  name: string;
  role: string;
  keyName: string;
  vkey: string;
  fingerprint: string;
  /** The log's verifier key as answered at registration: pinned, never replaced by a later answer. */
  logKey: string;
  keys: CryptoKeyPair;
  /** The last signed checkpoint note this device has checked (at registration, then each cosigned one). */
  checkpoint: string;
  registeredAt: string;
  cosigned?: { size: number; timestamp: number; note: string };
}

export interface Evidence {
  kind: 'asset-review-lottery/witness-evidence';
  lottery: string;
  at: string;
  reason: { zh: string; en: string };
  logKey: string;
  storedCheckpoint: string;
  serverCheckpoint: string;
  proof: unknown;
}

export interface Refusal {
  logKey: string;
  evidence: Evidence;
}

const DB = 'asset-review-lottery-witness';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('devices', { keyPath: 'lottery' });
      req.result.createObjectStore('refusals', { keyPath: 'logKey' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('indexedDB'));
  });
}

async function run<T>(
  store: string,
  mode: IDBTransactionMode,
  op: (s: IDBObjectStore) => IDBRequest,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const req = op(tx.objectStore(store));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error ?? new Error('indexedDB'));
      tx.onabort = () => reject(tx.error ?? new Error('indexedDB'));
    });
  } finally {
    db.close();
  }
}

export const getDevice = (lottery: string): Promise<Device | undefined> =>
  run('devices', 'readonly', (s) => s.get(lottery));
export const allDevices = (): Promise<Device[]> => run('devices', 'readonly', (s) => s.getAll());
export const putDevice = (d: Device): Promise<unknown> => run('devices', 'readwrite', (s) => s.put(d));
export const getRefusal = (logKey: string): Promise<Refusal | undefined> =>
  run('refusals', 'readonly', (s) => s.get(logKey));
export const putRefusal = (r: Refusal): Promise<unknown> => run('refusals', 'readwrite', (s) => s.put(r));
