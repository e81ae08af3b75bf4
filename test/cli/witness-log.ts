/**
 * A running log for the remote witness's tests: the log endpoints of issue 13 served over HTTP on a real
 * database (LogService on a Store, the log key beside the database), until the service's own routes are merged.
 * The contract is docs/api.md's: GET /api/v1/log/{key,checkpoint,consistency}, POST /api/v1/log/cosignatures.
 */
import express from 'express';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  signaturesBy,
  verifyCosignature,
} from '../../src/domain/log/note';
import {
  loadOrCreateLogKey,
  logKeyPathFor,
  logSignerFromPem,
  verifyEd25519Node,
} from '../../src/keys/log-key';
import { LogService } from '../../src/services/log';
import { Store } from '../../src/store/store';
import { sha256Bytes } from '../../src/util/sha256';

export interface RunningLog {
  url: string;
  /** The log's verifier key, as GET /api/v1/log/key answers. */
  vkey: string;
  /** Every request line served, `GET /path?query`. */
  requests: string[];
  /** The ethics office registers a remote witness's vkey. */
  register(name: string, vkey: string): Promise<void>;
  /** The tree sizes this key's stored cosignatures are on. */
  cosignedBy(keyName: string): number[];
  close(): Promise<void>;
}

export const ORIGIN = '127.0.0.1/asset-review-lottery';

export async function startLog(dbFile: string): Promise<RunningLog> {
  const store = Store.open(dbFile);
  const signer = logSignerFromPem(loadOrCreateLogKey(logKeyPathFor(dbFile)).pem, ORIGIN);
  const registryFile = path.join(path.dirname(dbFile), 'remote-witnesses.json');
  const registry = (): string[] =>
    fs.existsSync(registryFile) ? (JSON.parse(fs.readFileSync(registryFile, 'utf8')) as string[]) : [];
  const stored: Array<{ keyName: string; size: number; root: string; line: string; timestamp: number }> = [];
  const log = new LogService({
    store,
    signer,
    cosignatureLines: (size, root) =>
      stored.filter((s) => s.size === size && s.root === root).map((s) => s.line),
  });
  const requests: string[] = [];
  const app = express();
  app.use((req, _res, next) => {
    requests.push(`${req.method} ${req.originalUrl}`);
    next();
  });
  app.use(express.json());
  app.get('/api/v1/log/key', (_req, res) => void res.type('text/plain').send(log.verifierKey()));
  app.get('/api/v1/log/checkpoint', (_req, res) => void res.type('text/plain').send(log.checkpoint().note));
  app.get('/api/v1/log/consistency', (req, res) => {
    try {
      res.json(log.consistency(Number(req.query.from), Number(req.query.to)));
    } catch (e) {
      res.status(409).json({ detail: String(e) });
    }
  });
  app.post('/api/v1/log/cosignatures', (req, res) => {
    const note = parseNote(String((req.body as { note?: unknown }).note));
    const cp = note && parseCheckpoint(note.text);
    if (!note || !cp) return void res.status(422).json({});
    if (cp.size > log.size() || log.checkpointText(cp.size) !== note.text)
      return void res.status(409).json({});
    const out: Array<{ keyName: string; size: number; timestamp: number }> = [];
    for (const vkey of registry()) {
      const key = parseVerifierKey(sha256Bytes, vkey);
      const timestamp = key && verifyCosignature(note, key, verifyEd25519Node);
      if (!key || timestamp === undefined) continue;
      const root = note.text.split('\n')[2] ?? '';
      const line = (signaturesBy(note, key)[0] as { line: string }).line;
      if (!stored.some((s) => s.keyName === key.name && s.size === cp.size)) {
        stored.push({ keyName: key.name, size: cp.size, root, line, timestamp });
        out.push({ keyName: key.name, size: cp.size, timestamp });
      }
    }
    if (out.length === 0 && !registry().some((v) => note.signatures.some((s) => v.startsWith(`${s.name}+`))))
      return void res.status(403).json({});
    res.status(201).json({ stored: out });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  let closed = false;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    vkey: log.verifierKey(),
    requests,
    register(name, vkey) {
      void name;
      fs.writeFileSync(registryFile, JSON.stringify([...registry(), vkey]));
      return Promise.resolve();
    },
    cosignedBy: (keyName) => stored.filter((s) => s.keyName === keyName).map((s) => s.size),
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      store.close();
    },
  };
}
