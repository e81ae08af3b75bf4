import request from 'supertest';
import { auth, createLoaded, openCeremony, type TestApp } from './app';

/**
 * A physical draw (實體抽籤) drawn to the end through the API: created with method "physical", loaded with the
 * example roster, locked, and its balls entered stage by stage by the drawer, with one mistyped ball undone.
 * Returns the lottery id.
 */
export async function physicalDrawn(
  t: TestApp,
  body: Record<string, unknown> = { year: 113, agency: '新北市政府' },
  balls: number[][] = [[7, 3], [2]],
): Promise<string> {
  const id = await createLoaded(t, { ...body, method: 'physical' });
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/lock`)
    .set(...auth(t.tokens.ethics))
    .expect(200);
  const { ceremonyToken } = await openCeremony(t, id);
  const post = (stage: number, path: string, b: Record<string, unknown>, status: number): Promise<unknown> =>
    request(t.app)
      .post(`/api/v1/lotteries/${id}/stages/${stage}/${path}`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken, ...b })
      .expect(status);
  for (const [i, numbers] of balls.entries()) {
    const stage = i + 1;
    for (const [k, number] of numbers.entries()) {
      if (stage === 1 && k === 0) {
        // A mistyped ball, withdrawn with its reason before the next one.
        const wrong = number === 1 ? 2 : 1;
        await post(stage, 'balls', { number: wrong }, 201);
        await post(stage, 'balls/undo', { number: wrong, reason: '誤植球號' }, 200);
      }
      await post(stage, 'balls', { number }, 201);
    }
  }
  return id;
}
