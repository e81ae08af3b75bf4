import vectors from '../fixtures/draw-v1.json';
import {
  commitment,
  drawAll,
  initialPool,
  rosterDigest,
  seed,
  select,
  uniform,
  type RosterEntry,
} from '../../src/domain/protocol';
import { exactProduct, quota, ruleText } from '../../src/domain/quota';
import { sha256 } from '../helpers/crypto';

const v1 = vectors.vector1;
const roster = v1.roster as RosterEntry[];

describe('lottery-draw/v1 against the shared vectors', () => {
  describe('vector 1: 21 declarants, one excluded', () => {
    it('gives the expected roster digest', () => {
      expect(rosterDigest(roster, sha256)).toBe(v1.expect.rosterDigest);
    });
    it('gives the roster digest whatever order the entries arrive in', () => {
      expect(rosterDigest([...roster].reverse(), sha256)).toBe(v1.expect.rosterDigest);
    });
    it('gives the expected commitment', () => {
      expect(commitment(v1.secret, sha256)).toBe(v1.expect.commitment);
    });
    it('gives the expected seed', () => {
      expect(
        seed(
          {
            lottery: v1.lottery,
            rosterDigest: v1.expect.rosterDigest,
            secret: v1.secret,
            entropy: v1.entropy,
          },
          sha256,
        ),
      ).toBe(v1.expect.seed);
    });
    it('draws the expected winners in both stages', () => {
      const rules = v1.expect.stages.map((s) => ({ stage: s.stage, percent: s.percent }));
      expect(drawAll(v1.expect.seed, rules, initialPool(roster))).toEqual(v1.expect.stages);
    });
    it('leaves the excluded entry out of the pool', () => {
      expect(initialPool(roster)).toHaveLength(20);
      expect(initialPool(roster)).not.toContain('D021');
    });
  });

  describe('vector 2: 1,180 declarants with a given seed', () => {
    const pool = Array.from({ length: 1180 }, (_, i) => `P${String(i + 1).padStart(4, '0')}`);
    it('draws the expected 118 and then 3', () => {
      const rules = vectors.vector2.expect.stages.map((s) => ({ stage: s.stage, percent: s.percent }));
      expect(drawAll(vectors.vector2.seed, rules, pool)).toEqual(vectors.vector2.expect.stages);
    });
    it('does not depend on the order the pool is given in', () => {
      expect(select(vectors.vector2.seed, 1, [...pool].reverse(), 118)).toEqual(
        vectors.vector2.expect.stages[0]?.winners,
      );
    });
  });

  describe('quotas', () => {
    it.each(vectors.quotas)('ceil($pool × $percent%) = $quota', ({ pool, percent, quota: q }) => {
      expect(quota(pool, percent)).toBe(q);
    });
    it('is exact where floats are not: 100 × 7% is 7', () => {
      expect(Math.ceil(100 * 0.07)).toBe(8); // the trap this module exists for
      expect(quota(100, '7')).toBe(7);
    });
    it('refuses percents outside (0, 100] and malformed ones', () => {
      for (const p of ['0', '100.0001', '101', '1e1', '-5', '5.', '.5', '12.34567', ' 5']) {
        expect(() => quota(10, p)).toThrow(RangeError);
      }
    });
    it('states the rule as arithmetic', () => {
      expect(ruleText(21, '10').zh).toBe('21 人 × 10% = 2.1，無條件進位為 3 人');
      expect(ruleText(20, '10').zh).toBe('20 人 × 10% = 2 人');
      expect(exactProduct(1000, '0.1')).toBe('1');
      expect(exactProduct(7, '12.5')).toBe('0.875');
      expect(exactProduct(3, '0.0001')).toBe('0.000003');
    });
  });

  describe('uniform', () => {
    it('rejects draws at or above the largest multiple of m below 2^32', () => {
      const m = 3; // 2^32 mod 3 = 1, so limit = 2^32 - 1 and 0xffffffff must be rejected
      const seq = [0xffffffff, 7];
      expect(uniform(() => seq.shift() ?? 0, m)).toBe(7 % 3);
    });
  });
});
