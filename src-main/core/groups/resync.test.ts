import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MlsDeviceIdentity } from '../mls';
import { ADA, BOB, ME, insertIdentity, tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import {
  groupsAwaitingResync,
  markGroupsForResync,
  ResyncRunner,
  resyncPending,
  type ResyncDeps,
} from './resync';
import { ResyncRepository } from '../store/repositories/resyncRepository';
import { ProfileRepositories } from '../store/profileRepositories';

/**
 * Whom a restored device asks for a group's GroupInfo, and when (issue 13,
 * finding 2): members connected now before the ones it would have to dial,
 * every conversation through connected members before any dial, and again
 * as soon as a device connects.
 */

let t: TempDatabase;
let asked: string[];
const connected = new Set<string>();

beforeEach(() => {
  t = tempDatabase();
  insertIdentity(t.db);
  asked = [];
  connected.clear();
});
afterEach(() => t.dispose());

/** A conversation with Ada's device (seen recently) and Bob's (seen long ago), marked for a resync. */
function restoredConversations(n: number): number[] {
  const device = t.db.prepare(
    'INSERT OR IGNORE INTO devices (peer_id, identity_key, last_seen_at, created_at) VALUES (?, ?, ?, 0)',
  );
  device.run('peer-ada', ADA, 2_000);
  device.run('peer-bob', BOB, 1_000);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = Number(
      t.db
        .prepare(
          `INSERT INTO conversations (kind, name, created_at, last_activity_at) VALUES ('group', ?, 0, 0)`,
        )
        .run(`g${i}`).lastInsertRowid,
    );
    for (const key of [ME, ADA, BOB]) {
      t.db
        .prepare('INSERT INTO members (conversation_id, identity_key, role, joined_at) VALUES (?, ?, ?, 0)')
        .run(id, key, 'member');
    }
    t.db
      .prepare(
        `INSERT INTO mls_groups (conversation_id, group_id, epoch, state, updated_at) VALUES (?, ?, 1, x'00', 0)`,
      )
      .run(id, Buffer.alloc(16, i + 1));
    ids.push(id);
  }
  markGroupsForResync(new ResyncRepository(t.db), null);
  return ids;
}

function deps(over: Partial<ResyncDeps> = {}): ResyncDeps {
  return {
    store: new ProfileRepositories(t.db),
    mls: { load: () => null, save: () => undefined },
    outbox: { enqueue: () => new Uint8Array(16) },
    device: {
      peerId: 'peer-me',
      identityKey: ME,
      credential: new Uint8Array(8),
    } as unknown as MlsDeviceIdentity,
    // Every member refuses: the order of the questions is what is checked.
    fetchGroupInfo: async (peer) => {
      asked.push(peer);
      return null;
    },
    forget: () => undefined,
    kick: () => undefined,
    logger: silentLogger,
    now: () => 0,
    isConnected: (peer) => connected.has(peer),
    ...over,
  };
}

describe('resync: whom to ask', () => {
  it('asks the member connected now before one seen more recently that it would have to dial', async () => {
    restoredConversations(1);
    connected.add('peer-bob');
    await resyncPending(deps());
    // Connected members first, for every conversation; then the others (dialling), each asked once.
    expect(asked).toEqual(['peer-bob', 'peer-ada']);
  });

  it('asks through connected members for every conversation before dialling anyone', async () => {
    restoredConversations(3);
    connected.add('peer-ada');
    await resyncPending(deps());
    expect(asked.slice(0, 3)).toEqual(['peer-ada', 'peer-ada', 'peer-ada']);
    expect(asked.slice(3)).toContain('peer-bob');
  });

  it('a device connecting runs the resync again at once, even in the middle of a pass', async () => {
    restoredConversations(1);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const runner = new ResyncRunner(
      deps({
        fetchGroupInfo: async (peer) => {
          asked.push(peer);
          await gate;
          return null;
        },
      }),
      3_600_000,
    );
    runner.start();
    await new Promise((r) => setTimeout(r, 10));
    expect(asked).toEqual(['peer-ada']);
    // Bob connects while the first pass is still waiting for Ada.
    connected.add('peer-bob');
    runner.poke();
    release();
    const end = Date.now() + 2_000;
    while (asked.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    // The first pass (Ada, then Bob by dialling: he was not connected when it began)... and the
    // second, started by the poke, asks Bob first since he is connected now.
    expect(asked.slice(0, 3)).toEqual(['peer-ada', 'peer-bob', 'peer-bob']);
    await runner.stop();
    expect(groupsAwaitingResync(new ResyncRepository(t.db))).toHaveLength(1);
  });

  it('a poke with nothing waiting does nothing', async () => {
    const runner = new ResyncRunner(deps(), 3_600_000);
    runner.poke();
    await runner.stop();
    expect(asked).toEqual([]);
  });
});
