/**
 * The witness endpoints of issue 13 (docs/api.md: invitations, registration, the lottery's log, consistency,
 * cosignatures, the public view's cosigners) answered inside the browser contexts by playwright routes, built on
 * the real pieces (the harness's store and its Merkle tree, LogService, a fresh Ed25519 log key, the domain's
 * cosignature check). Used only while the server side is not in this branch; and, in every run, to serve a
 * forged log (a rewritten history under a fresh log signature) for the refusal case.
 */
import crypto from 'node:crypto';
import type { BrowserContext, Route } from 'playwright-core';
import { memoryTree, rootAt, inclusionProof, consistencyProof } from '../../src/domain/log/merkle';
import {
  bytesBase64,
  formatCheckpoint,
  formatVerifierKey,
  parseNote,
  parseVerifierKey,
  SIG_COSIGNATURE_V1,
  verifyCosignature,
} from '../../src/domain/log/note';
import { logSignerFromPem, verifyEd25519Node, type LogSigner } from '../../src/keys/log-key';
import { LogService } from '../../src/services/log';
import { sha256Bytes } from '../../src/util/sha256';
import type { Harness } from './harness';

interface Witness {
  lottery: string;
  name: string;
  role: string;
  keyName: string;
  vkey: string;
  fingerprint: string;
}

export interface LogStub {
  signer: LogSigner;
  witnesses: Map<string, Witness>;
  cosigned: Array<{ keyName: string; size: number; timestamp: number; line: string; text: string }>;
  /** Serve a rewritten history (leaf 0 changed) under a fresh log signature. */
  forged: boolean;
  install(c: BrowserContext, all: boolean): Promise<void>;
}

const json = (route: Route, status: number, body: unknown): Promise<void> =>
  route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });

/**
 * The attacker of the issue holds the service's own keys: the log key the app signs with (services.log, a
 * LogService, keeps it in its deps), so that a forged tree carries a valid log signature. An app without one
 * (before issue 13's log is wired): a fresh key, which the stubbed endpoints then serve.
 */
function serviceSigner(h: Harness): LogSigner | undefined {
  const log = (h.services as unknown as { log?: { d?: { signer?: LogSigner } } }).log;
  return log?.d?.signer;
}

export function logStub(h: Harness): LogStub {
  const pem = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
  const signer = serviceSigner(h) ?? logSignerFromPem(String(pem), '127.0.0.1/asset-review-lottery');
  const log = new LogService({ store: h.store, signer });
  const codes = new Map<string, { lottery: string; name: string; role: string }>();
  const stub: LogStub = { signer, witnesses: new Map(), cosigned: [], forged: false, install };

  /** The tree as the server (honest or forged) holds it. */
  const leaves = (): Uint8Array[] =>
    [...h.store.journalRows()].map((e) => Buffer.from(String(e.hash), 'hex'));
  const tree = () => {
    const l = leaves();
    if (stub.forged) l[0] = sha256Bytes(Buffer.from('a rewritten first entry'));
    return memoryTree(sha256Bytes, l);
  };
  const note = (size: number): string => {
    const text = formatCheckpoint({ origin: signer.name, size, root: rootAt(sha256Bytes, tree(), size) });
    const lines = stub.cosigned.filter((c) => c.size === size && !stub.forged).map((c) => c.line);
    return `${text}\n${[signer.signLine(text), ...lines].join('\n')}\n`;
  };

  function lotteryLog(id: string): unknown {
    const entries = h.services.journalPage({ lottery: id, limit: 1000 }).entries;
    const draws = entries.filter((e) => e.type === 'stage.drawn' || e.type === 'stage.recorded');
    const l = h.services.getLottery(id);
    if (l.status !== 'drawn' || draws.length === 0) return undefined;
    const size = Math.max(...draws.map((e) => e.seq));
    const t = tree();
    const mine = entries.filter((e) => e.seq <= size);
    return {
      logKey: signer.verifierKey,
      size,
      checkpoint: note(size),
      entries: mine.map((e) => ({ seq: e.seq, hash: e.hash, type: e.type })),
      inclusion: mine.map((e) => ({
        seq: e.seq,
        proof: inclusionProof(sha256Bytes, t, e.seq - 1, size).map(bytesBase64),
      })),
      drawn: {
        commitment: l.commitment ?? '',
        entropy: l.entropy ?? '',
        winners: (l.results ?? []).map((r) => ({ stage: r.stage, ids: r.winners.map((w) => w.id) })),
      },
    };
  }

  function cosign(body: { note?: string }): [number, unknown] {
    const n = parseNote(body.note ?? '');
    const size = Number(n?.text.split('\n')[1]);
    if (!n || n.text !== log.checkpointText(size)) return [409, { code: 'CONFLICT' }];
    const stored = [];
    for (const w of stub.witnesses.values()) {
      const key = parseVerifierKey(sha256Bytes, w.vkey);
      const ts = key && verifyCosignature(n, key, verifyEd25519Node);
      const line = n.signatures.find((s) => s.name === w.keyName)?.line;
      if (ts === undefined || !line) continue;
      stub.cosigned.push({ keyName: w.keyName, size, timestamp: ts, line, text: n.text });
      stored.push({ keyName: w.keyName, size, timestamp: ts });
    }
    return stored.length ? [201, { stored }] : [403, { code: 'FORBIDDEN' }];
  }

  async function install(c: BrowserContext, all: boolean): Promise<void> {
    const base = /^(https?:\/\/[^/]+)/;
    await c.route(/\/api\/v1\/lotteries\/([^/]+)\/log$/, async (route) => {
      if (!all && !stub.forged) return route.fallback();
      const id = decodeURIComponent(/lotteries\/([^/]+)\/log$/.exec(route.request().url())?.[1] ?? '');
      const a = lotteryLog(id);
      return a ? json(route, 200, a) : json(route, 409, { code: 'CONFLICT' });
    });
    await c.route(/\/api\/v1\/log\/consistency\?/, async (route) => {
      if (!all && !stub.forged) return route.fallback();
      const q = new URL(route.request().url()).searchParams;
      const [from, to] = [Number(q.get('from')), Number(q.get('to'))];
      const proof = consistencyProof(sha256Bytes, tree(), from, to).map(bytesBase64);
      return json(route, 200, { from, to, proof });
    });
    if (!all) return;
    await c.route(/\/api\/v1\/lotteries\/([^/]+)\/witnesses\/invitations$/, async (route) => {
      const id = decodeURIComponent(/lotteries\/([^/]+)\/witnesses/.exec(route.request().url())?.[1] ?? '');
      const b = route.request().postDataJSON() as { name: string; role: string };
      const code = crypto.randomBytes(16).toString('base64url');
      codes.set(code, { lottery: id, name: b.name, role: b.role });
      const origin = base.exec(route.request().url())?.[1] ?? '';
      return json(route, 201, { code, url: `${origin}/witness/register?code=${code}` });
    });
    await c.route(/\/api\/v1\/witness\/register$/, async (route) => {
      const b = route.request().postDataJSON() as { code: string; keyName: string; publicKey: string };
      const inv = codes.get(b.code);
      if (!inv) return json(route, 403, { code: 'FORBIDDEN' });
      codes.delete(b.code);
      const pub = Buffer.from(b.publicKey, 'base64');
      const vkey = formatVerifierKey(sha256Bytes, b.keyName, SIG_COSIGNATURE_V1, pub);
      const fingerprint = `SHA256:${Buffer.from(sha256Bytes(pub)).toString('hex')}`;
      stub.witnesses.set(b.keyName, { ...inv, keyName: b.keyName, vkey, fingerprint });
      return json(route, 201, {
        ...inv,
        keyName: b.keyName,
        vkey,
        logKey: signer.verifierKey,
        checkpoint: note(log.size()),
      });
    });
    await c.route(/\/api\/v1\/log\/cosignatures$/, async (route) => {
      const [status, body] = cosign(route.request().postDataJSON() as { note?: string });
      return json(route, status, body);
    });
    await c.route(/\/api\/v1\/public\/lotteries\/[^/]+$/, async (route) => {
      const r = await route.fetch();
      const body = (await r.json()) as Record<string, unknown>;
      const cosigners = stub.cosigned.map((c) => {
        const w = stub.witnesses.get(c.keyName);
        return {
          name: w?.name,
          role: w?.role,
          fingerprint: w?.fingerprint,
          size: c.size,
          timestamp: c.timestamp,
        };
      });
      return route.fulfill({ response: r, json: { ...body, cosigners } });
    });
    await c.route(/\/api\/v1\/lotteries\/[^/]+\/witnesses$/, (route) =>
      json(
        route,
        200,
        [...stub.witnesses.values()].map((w) => ({ ...w, registeredAt: '', cosigned: null })),
      ),
    );
  }
  return stub;
}
