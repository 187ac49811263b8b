import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../store/store';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import { CONTENT_VERSION } from './content';
import { InboundContent } from './inboundContent';
import { applyRichContent } from './richContent';
import { setTimer } from './timers';
import type { TimerContent } from './content';
import { PendingContentRepository } from '../store/repositories/pendingContentRepository';

/**
 * What another device of one's own person sends (docs/protocol.md §13.6):
 * own devices are members of every group, so their messages arrive like
 * anyone's, but they are ours: shown as sent by us, and their read receipts
 * do not count as "read by the other members".
 */

const ME = Buffer.alloc(32, 1);
const BOB = Buffer.alloc(32, 3);
const uid = (n: number) => n.toString(16).padStart(32, '0');
const bytes = (x: unknown) => new Uint8Array(Buffer.from(JSON.stringify(x), 'utf8'));

let t: TempDatabase | null = null;
const more: TempDatabase[] = [];
afterEach(() => {
  t?.dispose();
  t = null;
  for (const d of more.splice(0)) d.dispose();
});

function setup(): { store: Store; inbound: InboundContent; conversationId: number } {
  t = tempDatabase();
  const store = new Store(t.db, { attachmentsDir: join(t.dir, 'attachments'), logger: silentLogger });
  const conversationId = store.conversations.create({ kind: 'group', name: 'Crew', createdAt: 1 });
  const inbound = new InboundContent({
    store,
    logger: silentLogger,
    rich: { apply: () => undefined, afterMessage: () => undefined },
    profiles: { applyProfile: () => null, applyMemberHints: () => [] },
    selfKey: ME,
  });
  return { store, inbound, conversationId };
}

const text = (n: number, body: string) =>
  bytes({ v: CONTENT_VERSION, type: 'text', uid: uid(n), sentAt: n, body });

describe('messages from own other devices (§13.6)', () => {
  it('a text from another own device is stored as sent by us; a contact’s as received', () => {
    const { store, inbound, conversationId } = setup();
    inbound.apply(conversationId, { peerId: 'laptop', identityKey: ME }, text(1, 'from my laptop'), 10, []);
    inbound.apply(conversationId, { peerId: 'bob-phone', identityKey: BOB }, text(2, 'from Bob'), 11, []);
    const mine = store.messages.getByUid(uid(1));
    const bobs = store.messages.getByUid(uid(2));
    expect(mine).toMatchObject({ outgoing: true, state: 'sent', body: 'from my laptop' });
    expect(bobs).toMatchObject({ outgoing: false, state: 'received' });
  });

  it('a read receipt from another own device does not mark our message read by others', () => {
    const { store, inbound, conversationId } = setup();
    inbound.apply(conversationId, { peerId: 'laptop', identityKey: ME }, text(1, 'hello'), 10, []);
    const ctx = {
      store,
      pending: new PendingContentRepository(t!.db),
      logger: silentLogger,
      selfKey: ME,
      preferences: () => ({ readReceipts: true, typingIndicators: true, linkPreviews: false }) as never,
    };
    const receipt = { v: CONTENT_VERSION, type: 'receipt', upToUid: uid(1), readAt: 20 } as const;
    applyRichContent(ctx, conversationId, ME, receipt, 20);
    expect(store.messages.getByUid(uid(1))?.state).toBe('sent');
    applyRichContent(ctx, conversationId, BOB, receipt, 21);
    expect(store.messages.getByUid(uid(1))?.state).toBe('read');
  });
});

describe('two own devices change the disappearing timer at one stamp (§13.6)', () => {
  /** One device of this person: its own database, a group where the person is owner, its own PeerId. */
  function device(peerId: string) {
    const db = tempDatabase();
    more.push(db);
    const store = new Store(db.db, { attachmentsDir: join(db.dir, 'attachments'), logger: silentLogger });
    const conversationId = store.conversations.create({ kind: 'group', name: 'Crew', createdAt: 1 });
    store.groupMembers.replace(conversationId, [{ identityKey: ME, role: 'owner' }], 1);
    const inbound = new InboundContent({
      store,
      logger: silentLogger,
      rich: { apply: () => undefined, afterMessage: () => undefined },
      profiles: { applyProfile: () => null, applyMemberHints: () => [] },
      selfKey: ME,
    });
    const sent: TimerContent[] = [];
    const set = (ms: number | null, at: number) =>
      setTimer(
        {
          sendContent: async (_id, content, row) => {
            sent.push(content);
            store.tx.run(() => row(1));
            return 1;
          },
        },
        store,
        conversationId,
        ms,
        { selfKey: ME, selfPeerId: peerId, now: () => at },
      );
    const receive = (from: string, content: TimerContent) =>
      store.tx.run(() =>
        inbound.apply(conversationId, { peerId: from, identityKey: ME }, bytes(content), 500, []),
      );
    return { peerId, store, conversationId, sent, set, receive };
  }

  it('both devices end on the same setting: the change of the greater PeerId, each shown as ours', async () => {
    // Two PeerIds of one person; which is greater decides, not which arrives last.
    const laptop = device('12D3KooWAaaaLaptop');
    const phone = device('12D3KooWZzzzPhone');
    await laptop.set(60_000, 100);
    await phone.set(3_600_000, 100);
    expect(laptop.sent[0]?.sentAt).toBe(100);
    expect(phone.sent[0]?.sentAt).toBe(100);
    // Each receives the other's change (crossing in flight).
    laptop.receive(phone.peerId, phone.sent[0]!);
    phone.receive(laptop.peerId, laptop.sent[0]!);
    const after = (d: ReturnType<typeof device>) => d.store.conversations.disappearAfter(d.conversationId);
    expect(after(laptop)).toBe(3_600_000);
    expect(after(phone)).toBe(3_600_000);
    // The laptop shows the phone's change as its own person's ("You"), stored outgoing.
    const notice = laptop.store.messages.getByUid(phone.sent[0]!.uid);
    expect(notice).toMatchObject({ outgoing: true, kind: 'system' });
    // The next change, made after seeing both, wins on both whatever the PeerIds.
    await laptop.set(null, 100);
    expect(laptop.sent[1]?.sentAt).toBe(101);
    phone.receive(laptop.peerId, laptop.sent[1]!);
    expect(after(laptop)).toBeNull();
    expect(after(phone)).toBeNull();
  });
});
