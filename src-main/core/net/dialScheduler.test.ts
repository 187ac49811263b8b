import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../util/logger';
import { generateDeviceKey, peerIdOfDeviceKey } from './deviceKey';
import { DialScheduler } from './dialScheduler';
import { comparePeerIds } from './peerOrder';

let low = '';
let mid = '';
let high = '';

beforeAll(async () => {
  const ids = await Promise.all([1, 2, 3].map(async () => peerIdOfDeviceKey(await generateDeviceKey())));
  ids.sort(comparePeerIds);
  [low, mid, high] = ids as [string, string, string];
});

/** What the circuit relay transport throws when the relay holds no reservation for the peer (yet). */
function noReservation(): Error {
  return new AggregateError(
    [new Error('failed to connect via relay with status NO_RESERVATION')],
    'All multiaddr dials failed',
  );
}

function harness(
  self: string,
  dialResult: () => Promise<void> = async () => {},
  extra: { cannotDialUs?: (peer: string) => boolean } = {},
) {
  const connected = new Set<string>();
  const dials: { peer: string; at: number; relayedOnly: boolean }[] = [];
  const scheduler = new DialScheduler(
    {
      self,
      dial: async (peer, how) => {
        dials.push({ peer, at: Date.now(), relayedOnly: how.relayedOnly });
        await dialResult();
        connected.add(peer);
      },
      isConnected: (peer) => connected.has(peer),
      isBlocked: () => false,
      logger: silentLogger,
      random: () => 0,
      ...extra,
    },
    {
      graceMs: 1000,
      backoff: { baseMs: 100, maxMs: 10_000, factor: 2 },
      relayRetry: { intervalMs: 250, tries: 8 },
    },
  );
  scheduler.start();
  return { scheduler, connected, dials };
}

describe('DialScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the lower PeerId dials a discovered peer at once; the higher waits the grace period', async () => {
    const a = harness(mid);
    a.scheduler.discovered(high);
    a.scheduler.discovered(low);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.dials.map((d) => d.peer)).toEqual([high]);
    await vi.advanceTimersByTimeAsync(999);
    expect(a.dials.map((d) => d.peer)).toEqual([high, low]);
    expect(a.dials[1]?.at).toBe(1000);
  });

  it('the higher side does not dial when the lower one connected first', async () => {
    const a = harness(high);
    a.scheduler.discovered(low);
    await vi.advanceTimersByTimeAsync(500);
    a.connected.add(low);
    a.scheduler.connected(low);
    await vi.advanceTimersByTimeAsync(5000);
    expect(a.dials).toEqual([]);
  });

  it('redials a kept peer with exponential backoff until it answers', async () => {
    let failures = 3;
    const a = harness(low, async () => {
      if (failures-- > 0) throw new Error('refused');
    });
    a.scheduler.keep(high);
    await vi.advanceTimersByTimeAsync(10_000);
    // Dial at 0 fails; with random() = 0 each retry waits half the nominal delay: 100, 200, 400.
    expect(a.dials.map((d) => d.at)).toEqual([0, 100, 300, 700]);
    expect(a.connected.has(high)).toBe(true);
    a.connected.delete(high);
    a.scheduler.disconnected(high);
    await vi.advanceTimersByTimeAsync(10_000);
    // Backoff was reset by the success: the next retry comes after the base delay.
    expect(a.dials.at(-1)?.at).toBe(10_000 + 50);
  });

  it("a discovery does not wait out a kept peer's backoff: fresh addresses are dialled at once", async () => {
    let failures = 2;
    const a = harness(low, async () => {
      if (failures-- > 0) throw new Error('no valid addresses');
    });
    a.scheduler.keep(high);
    await vi.advanceTimersByTimeAsync(150);
    // Dials at 0 and 100 failed (stale addresses); the next retry is due at 300.
    expect(a.dials.map((d) => d.at)).toEqual([0, 100]);
    await vi.advanceTimersByTimeAsync(50);
    a.scheduler.discovered(high);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.dials.map((d) => d.at)).toEqual([0, 100, 200]);
    expect(a.connected.has(high)).toBe(true);
  });

  it('a discovery during a failing dial tries again right after it', async () => {
    let release: () => void = () => undefined;
    let first = true;
    const a = harness(low, () => {
      if (!first) return Promise.resolve();
      first = false;
      return new Promise<void>((_, reject) => {
        release = () => reject(new Error('stale address'));
      });
    });
    a.scheduler.keep(high);
    await vi.advanceTimersByTimeAsync(10);
    a.scheduler.discovered(high);
    release();
    await vi.advanceTimersByTimeAsync(1);
    expect(a.dials.map((d) => d.at)).toEqual([0, 10]);
    expect(a.connected.has(high)).toBe(true);
  });

  it('stops redialling a forgotten peer and dials nothing once stopped', async () => {
    const a = harness(low, async () => {
      throw new Error('down');
    });
    a.scheduler.keep(high);
    await vi.advanceTimersByTimeAsync(1);
    a.scheduler.forget(high);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(a.dials).toHaveLength(1);
    // Scheduled, but stopped before the timer fired: no dial.
    a.scheduler.keep(mid);
    a.scheduler.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(a.dials).toHaveLength(1);
  });

  describe('through a relay (issue 19; docs/protocol.md §14.4)', () => {
    it('a peer whose relay answers NO_RESERVATION is retried every 250 ms, through the relay only, not after the backoff', async () => {
      // Bob (the higher PeerId) starts with Ann's relayed address while Ann,
      // started at the same moment, has not reserved on the relay again yet.
      let failures = 5;
      const bob = harness(high, async () => {
        if (failures-- > 0) throw noReservation();
      });
      bob.scheduler.keep(low);
      await vi.advanceTimersByTimeAsync(5_000);
      // First dial after the grace period (1000: Ann could dial Bob here), then
      // every 250 ms with no grace and no doubling, until Ann has reserved.
      expect(bob.dials.map((d) => d.at)).toEqual([1000, 1250, 1500, 1750, 2000, 2250]);
      expect(bob.dials.map((d) => d.relayedOnly)).toEqual([false, true, true, true, true, true]);
      expect(bob.connected.has(low)).toBe(true);
    });

    it('the quick retries are bounded: after `tries` of them the ordinary backoff takes over', async () => {
      const bob = harness(low, async () => {
        throw noReservation();
      });
      bob.scheduler.keep(high);
      await vi.advanceTimersByTimeAsync(2_000 + 1);
      // 0, then 8 quick retries 250 ms apart (the last at 2000), then the backoff.
      expect(bob.dials.map((d) => d.at)).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
      await vi.advanceTimersByTimeAsync(10_000);
      const later = bob.dials.slice(9).map((d) => d.at);
      // The ordinary backoff again, as after one failure (100; no grace: Bob is the lower PeerId).
      expect(later[0]).toBe(2000 + 100);
      expect(later.length).toBeLessThan(10);
      expect(bob.dials.slice(9).every((d) => !d.relayedOnly)).toBe(true);
    });

    it('other failures keep the ordinary backoff', async () => {
      const bob = harness(low, async () => {
        throw new Error('connection refused');
      });
      bob.scheduler.keep(high);
      await vi.advanceTimersByTimeAsync(800);
      expect(bob.dials.map((d) => d.at)).toEqual([0, 100, 300, 700]);
    });

    it('a peer that cannot dial us (we are behind NAT, it is public) is dialled without the grace period', async () => {
      const ann = harness(high, async () => {}, { cannotDialUs: (peer) => peer === mid });
      ann.scheduler.keep(mid); // the relay: public, never dials Ann
      ann.scheduler.keep(low); // a LAN peer: it dials, Ann waits the grace period
      await vi.advanceTimersByTimeAsync(1);
      expect(ann.dials.map((d) => d.peer)).toEqual([mid]);
      ann.connected.delete(mid);
      ann.scheduler.disconnected(mid);
      await vi.advanceTimersByTimeAsync(60);
      // The redial after a drop has no grace either: 50 (half the 100 base).
      expect(ann.dials.map((d) => [d.peer, d.at])).toEqual([
        [mid, 0],
        [mid, 51],
      ]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(ann.dials.map((d) => d.peer)).toEqual([mid, mid, low]);
    });
  });
});
