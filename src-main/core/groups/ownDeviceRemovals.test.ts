import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors';
import { silentLogger } from '../util/logger';
import { removeOwnDevicesEverywhere } from './ownDeviceRemovals';

/**
 * §13.8 step 2's loop over conversations (the Remove commit itself and its
 * policy are mls/groupEngine.ts `removeOwnDevices`, tested in
 * mls/devicePolicy.test.ts): every open conversation is asked, one at a
 * time, and one that fails (left meanwhile, a role the policy refuses) does
 * not stop the others.
 */
describe('removeOwnDevicesEverywhere', () => {
  it('asks every open conversation in turn, counts the commits and goes on after a failure', async () => {
    const asked: Array<[number, readonly string[]]> = [];
    let running = 0;
    let overlapped = false;
    const n = await removeOwnDevicesEverywhere(
      {
        conversations: () => [1, 2, 3, 4],
        removeOwnDevices: async (id, peers) => {
          asked.push([id, peers]);
          running += 1;
          if (running > 1) overlapped = true;
          await new Promise((r) => setTimeout(r, 5));
          running -= 1;
          if (id === 2) throw new ParleyError('INVALID_STATE', 'You are no longer in this group.');
          return { committed: id !== 4 };
        },
        logger: silentLogger,
      },
      ['12D3KooWlaptop'],
    );
    expect(asked.map(([id]) => id)).toEqual([1, 2, 3, 4]);
    expect(asked.every(([, peers]) => peers.join() === '12D3KooWlaptop')).toBe(true);
    expect(overlapped).toBe(false);
    expect(n).toBe(2);
  });
});
