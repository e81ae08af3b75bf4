/**
 * A server process for the throughput benchmark: `bare` is an Express app answering a constant JSON of a given
 * size; `real` is the service on a prepared database. The parent asks for process.cpuUsage() over IPC, so the
 * server's own CPU per request is measured apart from the load generator's.
 */
import express from 'express';
import crypto from 'node:crypto';
import { buildApp } from '../http/app';
import { signerFromPem } from '../keys/signer';
import { openStore } from '../compose';
import fs from 'node:fs';

const [mode = 'bare', arg = ''] = process.argv.slice(2);
let app: express.Express;
if (mode === 'bare') {
  const body = fs.readFileSync(arg);
  app = express();
  app.disable('x-powered-by');
  app.get('/x', (_req, res) => {
    res.type('application/json').send(body);
  });
} else {
  const store = openStore(arg);
  const keyPem = fs.readFileSync(`${arg}.key.pem`, 'utf8');
  app = buildApp({
    store,
    signer: signerFromPem(keyPem),
    rateLimits: false,
    randomBytes: (n) => crypto.randomBytes(n),
  }).app;
}
const server = app.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.send?.({ port: typeof a === 'object' && a ? a.port : 0 });
});
process.on('message', (m) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (m === 'exit') process.exit(0);
});
