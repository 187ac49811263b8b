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

function harness(self: string, dialResult: () => Promise<void> = async () => {}) {
  const connected = new Set<string>();
  const dials: { peer: string; at: number }[] = [];
  const scheduler = new DialScheduler(
    {
      self,
      dial: async (peer) => {
        dials.push({ peer, at: Date.now() });
        await dialResult();
        connected.add(peer);
      },
      isConnected: (peer) => connected.has(peer),
      isBlocked: () => false,
      logger: silentLogger,
      random: () => 0,
    },
    { graceMs: 1000, backoff: { baseMs: 100, maxMs: 10_000, factor: 2 } },
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
});
