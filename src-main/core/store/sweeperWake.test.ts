import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { wakeSweeper } from '../content/timers';
import { silentLogger } from '../util/logger';
import { Store } from './store';
import { ADA, insertIdentity, tempDatabase, type TempDatabase } from './testing/tempDatabase';

/**
 * The sweeper idles up to a minute between checks; a new message under a
 * short timer wakes it for that message's expiry instead (wakeSweeper, called
 * after every batch of new messages).
 */

let t: TempDatabase;
let store: Store;
let now: number;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  t = tempDatabase();
  insertIdentity(t.db);
  mkdirSync(join(t.dir, 'attachments'), { recursive: true });
  now = 1_000_000;
  store = new Store(t.db, {
    attachmentsDir: join(t.dir, 'attachments'),
    logger: silentLogger,
    now: () => now,
  });
});
afterEach(() => {
  store.stop();
  t.dispose();
  vi.useRealTimers();
});

const count = () => (t.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
/** Lets the sweep's own awaits (file removal, setImmediate between batches) finish. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('wakeSweeper', () => {
  it('sweeps a message when it expires rather than at the next idle check', async () => {
    await store.sweeper.start();
    const c = store.conversations.create({ kind: 'dm', createdAt: 0 });
    store.conversations.setDisappearing(c, 5_000);
    store.messages.insert({
      conversationId: c,
      uid: 'a'.repeat(32),
      senderKey: ADA,
      outgoing: false,
      body: 'brief',
      sentAt: now,
      receivedAt: now,
      state: 'received',
    });
    wakeSweeper(store);

    now += 4_000;
    await vi.advanceTimersByTimeAsync(4_000);
    await settle();
    expect(count()).toBe(1);

    now += 1_100;
    await vi.advanceTimersByTimeAsync(1_100);
    await settle();
    expect(count()).toBe(0);
  });

  it('does nothing without timed messages, and never after stop', async () => {
    await store.sweeper.start();
    wakeSweeper(store);
    store.sweeper.stop();
    store.sweeper.wakeBy(now);
    expect(vi.getTimerCount()).toBe(0);
  });
});
