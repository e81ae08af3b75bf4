/**
 * issue 13: a witness's device as the HTTP tests play it (a node:crypto Ed25519 key in place of the browser's
 * WebCrypto one), and the witness endpoints it calls. Shared by test/http/witness.test.ts and
 * witness-attacks.test.ts.
 */
import crypto from 'node:crypto';
import request from 'supertest';
import type { LotteryLogView } from '../../src/domain/log/lottery';
import {
  cosignatureBytes,
  cosignatureMessage,
  keyId,
  parseNote,
  SIG_COSIGNATURE_V1,
  signatureLine,
  type Note,
} from '../../src/domain/log/note';
import { logSignerFromPem } from '../../src/keys/log-key';
import { sha256Bytes } from '../../src/util/sha256';
import { auth, type TestApp } from './app';

export const ORIGIN = 'lottery.example.gov.tw/asset-review-lottery';
const logPem = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
/** A fresh log key named by ORIGIN, for the app under test. */
export const logSigner = logSignerFromPem(logPem.toString(), ORIGIN);

export interface Device {
  keyName: string;
  priv: crypto.KeyObject;
  pub: Uint8Array;
  b64: string;
}

export function device(keyName: string): Device {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const pub = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
  return { keyName, priv: privateKey, pub, b64: Buffer.from(pub).toString('base64') };
}

/** The device's cosignature line over the note's text, appended to the note as received. */
export function cosign(d: Device, note: string, timestamp: number, signWith = d.priv): string {
  const text = (parseNote(note) as Note).text;
  const sig = new Uint8Array(crypto.sign(null, cosignatureMessage(text, timestamp), signWith));
  const id = keyId(sha256Bytes, d.keyName, SIG_COSIGNATURE_V1, d.pub);
  return `${note}${signatureLine(d.keyName, id, cosignatureBytes(timestamp, sig))}\n`;
}

export async function invite(t: TestApp, id: string, name: string, role = 'witness'): Promise<string> {
  const r = await request(t.app)
    .post(`/api/v1/lotteries/${id}/witnesses/invitations`)
    .set(...auth(t.tokens.ethics))
    .send({ name, role })
    .expect(201);
  return (r.body as { code: string }).code;
}

export const register = (t: TestApp, code: string, d: Device): request.Test =>
  request(t.app).post('/api/v1/witness/register').send({ code, keyName: d.keyName, publicKey: d.b64 });

export const postNote = (t: TestApp, note: string): request.Test =>
  request(t.app).post('/api/v1/log/cosignatures').send({ note });

export async function logView(t: TestApp, id: string): Promise<LotteryLogView> {
  return (await request(t.app).get(`/api/v1/lotteries/${id}/log`).expect(200)).body as LotteryLogView;
}
