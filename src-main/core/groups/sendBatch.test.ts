import { describe, expect, it } from 'vitest';
import { CONTENT_VERSION } from '../content/content';
import { peerPool, until } from '../runtime/testing/messagingPeer';

/**
 * Sends that wait for a conversation together are stored together
 * (GroupOps.send: one transaction for the group state and all their rows).
 * What a user sees must not change: each send resolves with its own message,
 * the recipient gets all of them once and in the order they were sent, and
 * one message that cannot be stored fails alone.
 */

const peer = peerPool();

describe('sends stored together', () => {
  it('a burst of concurrent sends arrives once, in order; a message that cannot be stored fails alone', async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    await Promise.all([a.online(), b.online()]);
    const { conversationId: ba } = await b.running().service.acceptInvite(a.running().service.createInvite());
    await until(() => a.dmWith(b) !== null, 20_000, 'Ada joins the DM');
    const ab = a.dmWith(b) ?? -1;
    const service = a.running().service;

    const texts = [...Array(30).keys()].map((i) => `burst ${i}`);
    const sends = texts.map((t) => service.sendText(ab, t));
    // One in the middle whose row cannot be written (its caller's transaction work throws).
    const broken = service.sendContent(
      ab,
      { v: CONTENT_VERSION, type: 'text', uid: 'f'.repeat(32), sentAt: Date.now(), body: 'never stored' },
      () => {
        throw new Error('row refused');
      },
    );
    const more = ['after 0', 'after 1'].map((t) => service.sendText(ab, t));
    await expect(broken).rejects.toThrow('row refused');
    const sent = await Promise.all([...sends, ...more]);
    expect(sent.map((m) => m.body)).toEqual([...texts, 'after 0', 'after 1']);
    expect(new Set(sent.map((m) => m.id)).size).toBe(32);

    const expected = [...texts, 'after 0', 'after 1'];
    const received = () =>
      b
        .messages(ba)
        .filter((m) => !m.outgoing)
        .map((m) => m.body ?? '');
    await until(() => received().length >= expected.length, 20_000, 'all 32 at Bob');
    expect(received()).toEqual(expected);
    expect(a.messages(ab).some((m) => m.body === 'never stored')).toBe(false);
    await until(
      () => a.messages(ab).filter((m) => m.outgoing && m.state === 'delivered').length === 32,
      20_000,
      'all delivered',
    );
  });
});
