/**
 * Issue 12: after the header or request timeout the server answered 400 and only half-closed the socket, so a
 * client that never closed its side held the descriptor forever. Short timeouts here; the bounds are generous.
 */
import net from 'node:net';
import path from 'node:path';
import { configFromEnv, type Timeouts } from '../../src/config';
import { startServer, type Running } from '../../src/server';
import { silentLogger } from '../../src/util/log';
import { tempDir } from '../helpers/app';

// The idle timeout is left long, so these show the header, request and keep-alive timeouts themselves closing.
const SHORT: Timeouts = { headersMs: 300, requestMs: 600, keepAliveMs: 300, idleMs: 60_000 };
let running: Running;
beforeEach(async () => {
  running = await startServer(
    { ...configFromEnv({}), dbFile: path.join(tempDir(), 'l.sqlite'), port: 0, timeouts: SHORT },
    silentLogger,
    {},
  );
});
const clients: net.Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await running.close();
});

/**
 * A client that writes `bytes` and then neither writes nor closes (allowHalfOpen: our FIN does not close it).
 * Resolves with what it received once the server has ended its side ('end'), or 'held' after `boundMs`. Whether
 * the server let go of the descriptor too is what getConnections says (a half-close alone leaves it counted).
 */
function stubbornClient(bytes: string, boundMs = 8000): Promise<string> {
  const { port } = new URL(running.url);
  return new Promise((resolve) => {
    const socket = net.connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true }, () =>
      socket.write(bytes),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => resolve('held'), boundMs);
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    clients.push(socket);
  });
}

function connections(): Promise<number> {
  return new Promise((resolve, reject) =>
    running.server.getConnections((e, n) => (e ? reject(e) : resolve(n))),
  );
}

async function noConnectionsWithin(ms: number): Promise<number> {
  const until = Date.now() + ms;
  let n = await connections();
  while (n > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    n = await connections();
  }
  return n;
}

describe('a client that never closes its side', () => {
  it('when it sends half a header and stops › the server answers, closes the socket, and holds nothing', async () => {
    const got = await stubbornClient('GET /api/v1/public/lotteries HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(got).not.toBe('held');
    expect(await noConnectionsWithin(3000)).toBe(0);
  });

  it('when it sends the headers and part of the body › the server closes the socket after the request timeout', async () => {
    const got = await stubbornClient(
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=',
    );
    expect(got).not.toBe('held');
    expect(await noConnectionsWithin(3000)).toBe(0);
  });

  it('when it keeps an idle keep-alive connection after an answer › the server closes it', async () => {
    const got = await stubbornClient('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    expect(got).not.toBe('held');
    expect(got).toMatch(/^HTTP\/1\.1 \d{3} /);
    expect(await noConnectionsWithin(3000)).toBe(0);
  });

  it('when startServer has returned › requests reach the app, not the 503 placeholder', async () => {
    const got = await stubbornClient('GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(got).toMatch(/^HTTP\/1\.1 200 /);
  });
});
