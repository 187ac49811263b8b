import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../store/store';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import { InboundContent } from './inboundContent';
import { recordSync, stampWins } from './selfSync';
import { decodeSync, MAX_SYNC_BYTES } from './syncContent';

/**
 * Hostile and edge input for own devices' sync (docs/protocol.md §13.6):
 * every refusal changes nothing (the contact, the settings, the stamps and
 * what waits to be sent stay as they were), one violating vector per rule.
 */

const ME = Buffer.alloc(32, 1);
const BOB = Buffer.alloc(32, 3);
const MINE = { peerId: '12D3KooWMine', identityKey: ME };
const PHONE = { peerId: '12D3KooWPhone', identityKey: ME };
const bytes = (x: unknown) => new Uint8Array(Buffer.from(JSON.stringify(x), 'utf8'));

let t: TempDatabase | null = null;
afterEach(() => {
  t?.dispose();
  t = null;
});

function setup() {
  t = tempDatabase();
  const store = new Store(t.db, { attachmentsDir: join(t.dir, 'attachments'), logger: silentLogger });
  const applied: string[] = [];
  const inbound = new InboundContent({
    store,
    logger: silentLogger,
    rich: { apply: () => undefined, afterMessage: () => undefined },
    profiles: { applyProfile: () => null, applyMemberHints: () => [] },
    selfKey: ME,
    onSyncApplied: (what) => applied.push(what),
  });
  const self = store.conversations.create({
    kind: 'group',
    groupId: Buffer.alloc(32, 9),
    createdAt: 1,
    selfGroup: true,
  });
  const dm = store.conversations.create({
    kind: 'group',
    name: 'Crew',
    groupId: Buffer.alloc(32, 8),
    createdAt: 1,
  });
  const bob = store.contacts.upsert(BOB, 'Bob', 1);
  const deliver = (
    conversationId: number,
    from: { peerId: string; identityKey: Uint8Array },
    body: unknown,
  ) => {
    const after: (() => void)[] = [];
    store.tx.run(() =>
      inbound.apply(conversationId, from, body instanceof Uint8Array ? body : bytes(body), 5_000, after),
    );
    for (const f of after) f();
  };
  const snapshot = () =>
    JSON.stringify({
      contact: store.contacts.get(bob),
      receipts: store.settings.get('chat.readReceipts'),
      stamp: store.syncState.stamp(`contact:${BOB.toString('hex')}:blocked`),
      highest: store.syncState.highestAt(),
    });
  return { store, self, dm, bob, deliver, snapshot, applied };
}

const block = (at: number, blocked = true) => ({
  v: 1,
  type: 'sync.contact',
  identityKey: BOB.toString('hex'),
  op: 'upsert',
  blocked,
  at,
});

describe('sync messages of the self group (§13.6)', () => {
  it('apply from an own device in the self group, and tell the shells', () => {
    const { store, self, bob, deliver, applied } = setup();
    deliver(self, PHONE, block(10));
    expect(store.contacts.get(bob).blocked).toBe(true);
    expect(applied).toEqual(['contacts']);
  });

  it('rule: a sync message from another person is refused, even in the self group', () => {
    const { self, deliver, snapshot } = setup();
    const before = snapshot();
    deliver(self, { peerId: '12D3KooWBob', identityKey: BOB }, block(10));
    expect(snapshot()).toBe(before);
  });

  it('rule: a sync message outside the self group does nothing (a contact cannot block on our behalf)', () => {
    const { dm, deliver, snapshot } = setup();
    const before = snapshot();
    deliver(dm, { peerId: '12D3KooWBob', identityKey: BOB }, block(10));
    deliver(dm, PHONE, block(10));
    expect(snapshot()).toBe(before);
  });

  it('rule: malformed, oversize, unknown-type, unknown-field and off-allowlist messages are refused', () => {
    const { self, deliver, snapshot } = setup();
    const before = snapshot();
    const vectors: unknown[] = [
      new Uint8Array(Buffer.from('{not json', 'utf8')),
      { ...block(10), identityKey: 'zz' },
      { ...block(10), at: -1 },
      { ...block(10), extra: true },
      { v: 2, type: 'sync.contact' },
      { v: 1, type: 'sync.everything', at: 1 },
      { v: 1, type: 'sync.setting', key: 'net.listenPort', value: 'true', at: 1 },
      { v: 1, type: 'sync.setting', key: 'chat.readReceipts', value: 'maybe', at: 1 },
      { v: 1, type: 'text', uid: '0'.repeat(32), sentAt: 1, body: 'hello' },
      new Uint8Array(Buffer.from(JSON.stringify({ ...block(10), pad: 'x'.repeat(MAX_SYNC_BYTES) }))),
    ];
    for (const v of vectors) deliver(self, PHONE, v);
    expect(snapshot()).toBe(before);
    expect(decodeSync(bytes({ v: 1, type: 'sync.everything', at: 1 }))).toBe('unknown-type');
    expect(decodeSync(new Uint8Array(MAX_SYNC_BYTES + 1))).toBe('oversize');
  });

  it('rule: an older stamp loses to the stored one (a replay or a late message changes nothing)', () => {
    const { store, self, bob, deliver } = setup();
    deliver(self, PHONE, block(20, true));
    deliver(self, PHONE, block(10, false));
    expect(store.contacts.get(bob).blocked).toBe(true);
    // The same `at`: the higher PeerId wins, on every device alike.
    deliver(self, { peerId: '12D3KooWAaa', identityKey: ME }, block(20, false));
    expect(store.contacts.get(bob).blocked).toBe(true);
    deliver(self, { peerId: '12D3KooWZzz', identityKey: ME }, block(20, false));
    expect(store.contacts.get(bob).blocked).toBe(false);
    expect(stampWins({ at: 5, peerId: 'a' }, { at: 4, peerId: 'z' })).toBe(true);
  });

  it('a device name only for one of our own listed devices; a contact never created by sync', () => {
    const { store, self, deliver, snapshot } = setup();
    const before = snapshot();
    deliver(self, PHONE, { v: 1, type: 'sync.deviceName', peerId: '12D3KooWNotOurs', name: 'x', at: 1 });
    deliver(self, PHONE, { ...block(10), identityKey: Buffer.alloc(32, 7).toString('hex') });
    expect(snapshot()).toBe(before);
    expect(store.contacts.byIdentityKey(Buffer.alloc(32, 7))).toBeNull();
  });

  it('records nothing while the person has one device, and raises `at` past every stamp seen', () => {
    const { store } = setup();
    expect(
      recordSync(store, MINE, 1_000, { type: 'sync.setting', key: 'chat.readReceipts', value: 'false' }),
    ).toBe(false);
    expect(store.syncState.pendingCount()).toBe(0);
  });
});
