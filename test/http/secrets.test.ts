/**
 * Every answer and every log line of a full ceremony, captured: no trace of the draw secret before stage 1 is
 * drawn (hex in either case, base64, base64url), and no request body or declarant name in any log line.
 */
import request, { type Response } from 'supertest';
import { jsonLogger } from '../../src/util/log';
import { auth, example, makeApp } from '../helpers/app';

describe('secrets and logs over a whole ceremony', () => {
  it('the secret appears nowhere before stage 1, and logs carry neither bodies nor names', async () => {
    const lines: string[] = [];
    const t = makeApp({ log: jsonLogger((l) => lines.push(l)) });
    const seen: string[] = [];
    const keep = (r: Response): Response => {
      seen.push(
        JSON.stringify(r.headers) + (r.text ?? (Buffer.isBuffer(r.body) ? r.body.toString('latin1') : '')),
      );
      return r;
    };
    try {
      const api = (): ReturnType<typeof request> => request(t.app);
      const id = keep(
        await api()
          .post('/api/v1/lotteries')
          .set(...auth(t.tokens.ethics))
          .send({ year: 113, agency: '數位發展部', meeting: { date: t.today() } }),
      ).body.id as string;
      keep(
        await api()
          .put(`/api/v1/lotteries/${id}/roster?dryRun=1`)
          .set(...auth(t.tokens.ethics))
          .send({ entries: example.roster }),
      );
      keep(
        await api()
          .put(`/api/v1/lotteries/${id}/roster`)
          .set(...auth(t.tokens.ethics))
          .send({ entries: example.roster }),
      );
      keep(
        await api()
          .post(`/api/v1/lotteries/${id}/lock`)
          .set(...auth(t.tokens.ethics)),
      );
      keep(
        await api()
          .post(`/api/v1/lotteries/${id}/unlock`)
          .set(...auth(t.tokens.ethics))
          .send({ reason: '重新確認名冊' }),
      );
      keep(
        await api()
          .post(`/api/v1/lotteries/${id}/lock`)
          .set(...auth(t.tokens.ethics)),
      );
      const secret = t.store.lottery(id)?.secret as string;
      // Opening the ceremony and the server's read-back of the dice happen before the draw: neither may carry it.
      const opened = keep(
        await api()
          .post(`/api/v1/lotteries/${id}/ceremony`)
          .set(...auth(t.tokens.drawer))
          .send({}),
      ).body as { ceremonyToken: string; commitment: string };
      const cer = { ceremonyToken: opened.ceremonyToken, commitment: opened.commitment };
      keep(
        await api()
          .post(`/api/v1/lotteries/${id}/stages/1/entropy`)
          .set(...auth(t.tokens.drawer))
          .send({ entropy: '6 2 5 1 3 4 1 2 3 4' }),
      );
      for (const token of Object.values(t.tokens)) {
        for (const path of [
          `/api/v1/lotteries/${id}`,
          '/api/v1/lotteries',
          `/api/v1/lotteries/${id}/roster`,
          `/api/v1/lotteries/${id}/bundle`,
          '/api/v1/journal?limit=1000',
          '/api/v1/journal/verify',
          `/api/v1/lotteries/${id}/record.pdf`,
        ])
          keep(
            await api()
              .get(path)
              .set(...auth(token)),
          );
        keep(
          await api()
            .post(`/api/v1/lotteries/${id}/stages/2/draw`)
            .set(...auth(token))
            .send({}),
        );
        keep(
          await api()
            .post(`/api/v1/lotteries/${id}/stages/1/draw`)
            .set(...auth(token))
            .send({ entropy: '' }),
        );
      }
      for (const path of [
        `/api/v1/public/lotteries/${id}`,
        '/api/v1/journal/checkpoint',
        `/verify/${id}`,
        `/api/v1/public/lotteries/${id}/record.pdf`,
      ])
        keep(await api().get(path));
      const forms = [
        secret,
        secret.toUpperCase(),
        Buffer.from(secret, 'hex').toString('base64'),
        Buffer.from(secret, 'hex').toString('base64url'),
        Buffer.from(secret).toString('base64'),
      ];
      const before = [...seen, ...lines];
      expect(before.length).toBeGreaterThan(40);
      for (const text of before) for (const f of forms) expect(text.includes(f)).toBe(false);

      // The draw reveals it, and the ceremony goes on.
      keep(
        await api()
          .post(`/api/v1/lotteries/${id}/stages/1/draw`)
          .set(...auth(t.tokens.drawer))
          .send({ ...cer, entropy: '6 2 5 1 3 4 1 2 3 4' }),
      );
      keep(
        await api()
          .post(`/api/v1/lotteries/${id}/stages/2/draw`)
          .set(...auth(t.tokens.drawer))
          .send({ ceremonyToken: cer.ceremonyToken }),
      );
      keep(
        await api()
          .post(`/api/v1/lotteries/${id}/record`)
          .set(...auth(t.tokens.ethics))
          .send({}),
      );
      keep(await api().get(`/api/v1/public/lotteries/${id}`));
      expect(seen.some((s) => s.includes(secret))).toBe(true); // the capture would have seen it

      // Logs: one JSON object a line, no bodies, no names, no tokens.
      expect(lines.length).toBeGreaterThan(40);
      for (const line of lines) {
        expect(line.endsWith('\n')).toBe(true);
        expect(() => JSON.parse(line)).not.toThrow();
        for (const e of example.roster) expect(line.includes(e.name)).toBe(false);
        expect(line).not.toContain('6 2 5 1 3 4');
        expect(line).not.toContain('重新確認名冊');
        for (const token of Object.values(t.tokens)) expect(line).not.toContain(token);
      }
    } finally {
      t.close();
    }
  }, 60_000);

  it('a log value cannot forge a second line', () => {
    const lines: string[] = [];
    jsonLogger((l) => lines.push(l)).info('request', { path: '/x\n{"level":"error","msg":"forged"}' });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.split('\n').filter((l) => l !== '')).toHaveLength(1);
  });
});
