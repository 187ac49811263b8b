import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { firstUnreadId } from '../../../src-renderer/src/features/chat/timeline';
import { until } from '../runtime/testing/messagingPeer';
import { contractCores, type ContractCore } from '../runtime/testing/contractCore';

/**
 * The reported bug, through two real cores as the shells use them: Ada is on
 * the home screen (her list was read) while Bob's text and files arrive; when
 * she opens the chat, the page must carry the read state of its own snapshot
 * so the "unread" marker sits before all the new rows and counts them all.
 */

const makeCore = contractCores('unread');
type TestCore = ContractCore;

/** Sends a file the way the renderer does: staged over the bridge, then committed. */
async function sendFile(c: TestCore, conversationId: number, name: string, bytes: Buffer): Promise<void> {
  const { stageId } = await c.call('files.stageBegin', { name, size: bytes.length, mime: 'image/png' });
  await c.call('files.stageChunk', { stageId, offset: 0, data: bytes.toString('base64') });
  await c.call('files.stageCommit', { stageId, conversationId });
}

describe('opening a chat after messages arrived on the home screen', () => {
  it('marks all new rows unread, text and files, even when the list was read before the last ones', async () => {
    const a = await makeCore('Ada');
    const b = await makeCore('Bob');
    const invite = await a.call('contacts.createInvite', {});
    const { conversationId: atB } = await b.call('contacts.acceptInvite', { invite: invite.link });
    let atA = -1;
    await until(
      () => {
        atA = a.core.store().conversations.list({})[0]?.id ?? -1;
        return atA !== -1;
      },
      20_000,
      'Ada joins the DM',
    );
    const count = () => a.core.store().messages.page(atA, { latest: true }, 100).messages.length;

    // Something read earlier, so the marker has a line to draw.
    await b.call('messages.send', { conversationId: atB, text: 'earlier' });
    await until(() => count() === 1, 20_000, 'earlier at Ada');
    await a.call('conversations.markRead', { conversationId: atA });

    // Ada is on the home screen: her list is read after Bob's text and first image…
    await b.call('messages.send', { conversationId: atB, text: 'photos and the report' });
    await sendFile(b, atB, 'harbour.png', randomBytes(2_000));
    await until(() => count() === 3, 20_000, 'text and first image at Ada');
    const home = await a.call('conversations.list', {});
    expect(home[0]?.unreadCount).toBe(2);

    // …and the rest arrives before she opens the chat.
    await sendFile(b, atB, 'sunset.png', randomBytes(3_000));
    await sendFile(b, atB, 'report.pdf', randomBytes(4_000));
    await b.call('messages.send', { conversationId: atB, text: 'that is all' });
    await until(() => count() === 6, 20_000, 'all five at Ada');

    const page = await a.call('messages.page', { conversationId: atA, at: { latest: true }, limit: 100 });
    expect(page.messages.map((m) => m.body)).toEqual([
      'earlier',
      'photos and the report',
      'harbour.png',
      'sunset.png',
      'report.pdf',
      'that is all',
    ]);
    expect(page.unread.count).toBe(5);
    // The marker the chat draws from this page: before Bob's text, not before the third-last row.
    expect(firstUnreadId(page.messages, page.unread.lastReadMessageId)).toBe(page.messages[1]?.id);

    // Reading up to what is on screen clears them; the home list agrees.
    const newest = Math.max(...page.messages.map((m) => m.id));
    expect(await a.call('conversations.markRead', { conversationId: atA, messageId: newest })).toEqual({
      unreadCount: 0,
    });
    const after = await a.call('messages.page', { conversationId: atA, at: { latest: true }, limit: 100 });
    expect(after.unread).toEqual({ count: 0, lastReadMessageId: newest });
  }, 90_000);
});
