import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../store/store';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import { CONTENT_VERSION } from './content';
import { InboundContent } from './inboundContent';
import { applyRichContent } from './richContent';
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
afterEach(() => {
  t?.dispose();
  t = null;
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
