import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { convergence } from './testing/convergence';

/** Issue 4 item 6: 5 members, 200 rounds. PARLEY_SEED replays a failing run. */
const seed = Number(process.env.PARLEY_SEED ?? randomInt(2 ** 31));

async function run(
  suite: 'classic' | 'xwing',
  rounds: number,
  s: number,
  settle: 'window' | 'acks' = 'window',
): Promise<void> {
  try {
    const r = await convergence({ members: 5, rounds, suite, seed: s, settle });
    console.log(`convergence ${suite}`, JSON.stringify(r));
    expect(r.switches).toBeGreaterThan(0);
  } catch (err) {
    throw new Error(`convergence failed with PARLEY_SEED=${s}: ${String(err)}`, { cause: err });
  }
}

describe('convergence', () => {
  it('5 members, 200 rounds of concurrent commits, random delivery and restarts (classic)', async () => {
    await run('classic', 200, seed);
  });

  it('the same 200 rounds with X-Wing', async () => {
    await run('xwing', 200, seed + 1);
  });

  it('200 rounds settled by commit acks alone, no window (classic)', async () => {
    await run('classic', 200, seed + 2, 'acks');
  });
});
