import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { convergence } from './testing/convergence';

/**
 * Ordering without a server (docs/protocol.md §10), short version for every
 * run; the 5-member × 200-round version is convergence.long.test.ts.
 * PARLEY_SEED replays a failing run.
 */
const seed = Number(process.env.PARLEY_SEED ?? randomInt(2 ** 31));

describe('convergence (short)', () => {
  it('3 members, 20 rounds of concurrent commits, random delivery and restarts (classic)', async () => {
    try {
      const r = await convergence({ members: 3, rounds: 20, suite: 'classic', seed });
      expect(r.commits).toBeGreaterThan(20);
    } catch (err) {
      throw new Error(`convergence failed with PARLEY_SEED=${seed}: ${String(err)}`, { cause: err });
    }
  });

  it('3 members, 20 rounds settled by acks alone: no acceptance window ever passes', async () => {
    try {
      const r = await convergence({
        members: 3,
        rounds: 20,
        suite: 'classic',
        seed: seed + 2,
        settle: 'acks',
      });
      expect(r.settledByAcks).toBe(20);
      expect(r.acks).toBeGreaterThan(20);
    } catch (err) {
      throw new Error(`convergence failed with PARLEY_SEED=${seed} (+2): ${String(err)}`, { cause: err });
    }
  });

  it('3 members, 5 rounds with X-Wing', async () => {
    try {
      await convergence({ members: 3, rounds: 5, suite: 'xwing', seed: seed + 1 });
    } catch (err) {
      throw new Error(`convergence failed with PARLEY_SEED=${seed} (+1): ${String(err)}`, { cause: err });
    }
  });
});
