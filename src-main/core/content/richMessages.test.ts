import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../search/searchQuery';
import { SearchRepository } from '../search/searchRepository';
import { writeChatPreferences } from './chatPreferences';
import { CONTENT_VERSION, MAX_TEXT_CHARS, type Content } from './content';
import { MessageExtrasPresenter } from '../handlers/messageExtrasPresenter';
import type { RichEvent } from './richMessaging';
import { until, type MessagingPeer, peerPool } from '../runtime/testing/messagingPeer';

/**
 * Rich messages end to end (issue #6 item 1): real peers over 127.0.0.1,
 * each with its own encrypted database, content inside MLS application
 * messages.
 */

const newPeer = peerPool();

function peer(name: string): MessagingPeer {
  const p = newPeer(name);
  // The profile's identity row, as createCore's profile would have it (names, mentions of self).
  p.store.db
    .prepare(
      `INSERT OR IGNORE INTO identity (id, display_name, public_key, private_key, created_at)
       VALUES (1, ?, ?, ?, 0)`,
    )
    .run(name, p.identity.publicKey, p.identity.privateKey);
  return p;
}

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  const invite = inviter.running().service.createInvite();
  await invitee.running().service.acceptInvite(invite);
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

const byBody = (p: MessagingPeer, conversationId: number, body: string) =>
  p.messages(conversationId).find((m) => m.body === body);
const byUid = (p: MessagingPeer, uid: string) => p.store.messages.getByUid(uid);
const extras = (p: MessagingPeer, conversationId: number, id: number) =>
  new MessageExtrasPresenter(p.store, () => p.identity.publicKey).extras(conversationId, [id])[0];
const history = (p: MessagingPeer, conversationId: number, id: number) =>
  new MessageExtrasPresenter(p.store, () => p.identity.publicKey).history(conversationId, id);
const searchHits = (p: MessagingPeer, text: string) =>
  new SearchRepository(p.store.db).search(parseSearchQuery(text)).hits.length;
const uid = () => randomBytes(16).toString('hex');

/** Sends a text and waits until `to` has it: everything `from` sent before has been processed by then. */
async function marker(
  from: MessagingPeer,
  fromConv: number,
  to: MessagingPeer,
  toConv: number,
): Promise<void> {
  const body = `marker ${uid()}`;
  await from.running().service.sendText(fromConv, body);
  await until(() => byBody(to, toConv, body) !== undefined, 20_000, 'marker');
}

describe('rich messages between two peers', () => {
  it('replies, reactions, edits, deletes, receipts, typing; hostile content changes nothing', async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    await Promise.all([a.online(), b.online()]);
    await befriend(a, b);
    const ab = a.dmWith(b) ?? -1;
    const ba = b.dmWith(a) ?? -1;
    const aRich = a.running().service.rich;
    const bRich = b.running().service.rich;
    const bEvents: RichEvent[] = [];
    bRich.on((e) => bEvents.push(e));

    // Text with line breaks, emoji and a URL arrives exactly as typed.
    const text = 'line one\nline two 🎉 <b>not bold</b> https://example.org/?a=1&b=2';
    const first = await a.running().service.sendText(ab, text);
    await until(() => byUid(b, first.uid) !== null, 20_000, 'first text');
    expect(byUid(b, first.uid)?.body).toBe(text);

    // Reply: the quote points at the original on both sides.
    const bFirst = byUid(b, first.uid)!;
    const reply = await b.running().service.sendText(ba, 'answer', { replyToUid: first.uid });
    await until(() => byUid(a, reply.uid) !== null, 20_000, 'reply');
    expect(byUid(a, reply.uid)?.replyToUid).toBe(first.uid);
    expect(extras(a, ab, byUid(a, reply.uid)!.id)?.reply).toMatchObject({
      messageId: first.id,
      senderName: 'You',
      excerpt: 'line one line two 🎉 <b>not bold</b> https://example.org/?a=1&b=2',
      deleted: false,
    });

    // Reactions: several per user, add and remove; counts and "mine" on both sides.
    await bRich.react(ba, bFirst.id, '👍', true);
    await bRich.react(ba, bFirst.id, '❤️', true);
    await aRich.react(ab, first.id, '👍', true);
    await until(() => a.store.messages.reactions(first.id).length === 3, 20_000, 'reactions on A');
    await until(() => b.store.messages.reactions(bFirst.id).length === 3, 20_000, 'reactions on B');
    expect(extras(b, ba, bFirst.id)?.reactions).toEqual([
      { emoji: '👍', count: 2, mine: true, names: ['You', 'Ada'] },
      { emoji: '❤️', count: 1, mine: true, names: ['You'] },
    ]);
    await bRich.react(ba, bFirst.id, '❤️', false);
    await until(() => a.store.messages.reactions(first.id).length === 2, 20_000, 'reaction removed on A');
    expect(extras(a, ab, first.id)?.reactions).toEqual([
      { emoji: '👍', count: 2, mine: true, names: ['Bob', 'You'] },
    ]);
    expect(bEvents.some((e) => e.type === 'changed' && e.conversationId === ba)).toBe(true);
    await expect(aRich.react(ab, first.id, 'not an emoji', true)).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });

    // Edit: new text on both sides, "edited" set, history kept.
    await aRich.edit(ab, first.id, 'line one, corrected');
    await until(() => byUid(b, first.uid)?.body === 'line one, corrected', 20_000, 'edit on B');
    expect(byUid(b, first.uid)?.editedAt).not.toBeNull();
    expect(a.store.messages.get(first.id)?.editedAt).not.toBeNull();
    expect(history(b, ba, bFirst.id).versions.map((v) => v.body)).toEqual([text, 'line one, corrected']);
    expect(history(a, ab, first.id).versions.map((v) => v.body)).toEqual([text, 'line one, corrected']);
    await expect(bRich.edit(ba, bFirst.id, 'not yours')).rejects.toMatchObject({ code: 'INVALID_PARAMS' });

    // Hostile: Bob forges an edit and a delete of Ada's message; nobody applies them.
    const forged: Content[] = [
      { v: CONTENT_VERSION, type: 'edit', targetUid: first.uid, body: 'forged', sentAt: Date.now() },
      { v: CONTENT_VERSION, type: 'delete', targetUid: first.uid, sentAt: Date.now() },
    ];
    for (const c of forged) await b.running().service.sendContent(ba, c);
    // Malformed and oversized content: dropped, the conversation carries on.
    await b.running().service.sendContent(ba, {
      v: CONTENT_VERSION,
      type: 'edit',
      targetUid: reply.uid,
      body: 'x'.repeat(MAX_TEXT_CHARS + 1),
      sentAt: Date.now(),
    });
    await b.running().service.sendContent(ba, {
      v: CONTENT_VERSION,
      type: 'reaction',
      targetUid: reply.uid,
      emoji: '<img src=x onerror=alert(1)>',
      on: true,
      sentAt: Date.now(),
    } as Content);
    await marker(b, ba, a, ab);
    expect(a.store.messages.get(first.id)).toMatchObject({ body: 'line one, corrected', deletedAt: null });
    expect(byUid(a, reply.uid)?.body).toBe('answer');
    expect(a.store.messages.reactions(byUid(a, reply.uid)!.id)).toEqual([]);

    // Reaction to a message not here yet: kept, applied when the message arrives.
    const later = uid();
    await b.running().service.sendContent(ba, {
      v: CONTENT_VERSION,
      type: 'reaction',
      targetUid: later,
      emoji: '🎉',
      on: true,
      sentAt: Date.now(),
    });
    await marker(b, ba, a, ab);
    expect(a.store.db.prepare('SELECT count(*) AS n FROM pending_content').get()).toEqual({ n: 1 });
    await b.running().service.sendContent(ba, {
      v: CONTENT_VERSION,
      type: 'text',
      uid: later,
      sentAt: Date.now(),
      body: 'arrives after its reaction',
    });
    await until(() => byUid(a, later) !== null, 20_000, 'late original');
    expect(a.store.messages.reactions(byUid(a, later)!.id).map((r) => r.emoji)).toEqual(['🎉']);
    expect(a.store.db.prepare('SELECT count(*) AS n FROM pending_content').get()).toEqual({ n: 0 });

    // Delete for everyone: a marker stays, the text leaves the search index on both sides.
    const secret = await a.running().service.sendText(ab, 'zebracorn secret');
    await until(() => byUid(b, secret.uid) !== null, 20_000, 'secret');
    expect(searchHits(b, 'zebracorn')).toBe(1);
    await aRich.deleteForEveryone(ab, secret.id);
    await until(() => byUid(b, secret.uid)?.deletedAt != null, 20_000, 'delete on B');
    expect(byUid(b, secret.uid)?.body).toBeNull();
    expect(searchHits(b, 'zebracorn')).toBe(0);
    expect(searchHits(a, 'zebracorn')).toBe(0);

    // Delete for me: gone here, still there.
    const mine = await a.running().service.sendText(ab, 'only mine to forget');
    await until(() => byUid(b, mine.uid) !== null, 20_000, 'mine');
    aRich.deleteForMe(ab, [mine.id]);
    expect(byUid(a, mine.uid)).toBeNull();
    expect(byUid(b, mine.uid)?.body).toBe('only mine to forget');

    // Read receipts: Bob reads, Ada's messages become 'read'.
    const readMe = await a.running().service.sendText(ab, 'please read');
    await until(() => byUid(b, readMe.uid) !== null, 20_000, 'readMe');
    b.store.conversations.markRead(ba);
    expect(await bRich.markRead(ba)).toBe(true);
    // One receipt per read: nothing new read, nothing sent.
    expect(await bRich.markRead(ba)).toBe(false);
    await until(() => a.store.messages.get(readMe.id)?.state === 'read', 20_000, 'read on A');
    expect(a.store.messages.get(first.id)?.state).toBe('read');

    // Receipts off: Bob reads without telling.
    writeChatPreferences(b.store.settings, { readReceipts: false });
    const unseen = await a.running().service.sendText(ab, 'read silently');
    await until(() => byUid(b, unseen.uid) !== null, 20_000, 'unseen');
    await until(() => a.store.messages.get(unseen.id)?.state === 'delivered', 20_000, 'delivered');
    b.store.conversations.markRead(ba);
    expect(await bRich.markRead(ba)).toBe(false);
    await marker(b, ba, a, ab);
    expect(a.store.messages.get(unseen.id)?.state).toBe('delivered');
    writeChatPreferences(b.store.settings, { readReceipts: true });

    // Typing off: nothing is sent.
    writeChatPreferences(b.store.settings, { typingIndicators: false });
    await bRich.setTyping(ba, true);
    await marker(b, ba, a, ab);
    expect(aRich.typingNames(ab)).toEqual([]);
    writeChatPreferences(b.store.settings, { typingIndicators: true });

    // Typing: shows up on the other side, then expires without a stop.
    await aRich.setTyping(ab, true);
    await until(() => bRich.typingNames(ba).includes('Ada'), 20_000, 'typing shown');
    expect(bEvents.some((e) => e.type === 'typing' && e.names.includes('Ada'))).toBe(true);
    aRich.stop(); // No idle stop will be sent: Bob's side must expire it alone.
    await until(() => bRich.typingNames(ba).length === 0, 20_000, 'typing expired');
  }, 120_000);
});

describe('rich messages in a group', () => {
  it('mentions stand out for the mentioned member; reactions overtaking their message are kept', async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    const c = peer('Cy');
    await Promise.all([a.online(), b.online(), c.online()]);
    await befriend(a, b);
    await befriend(a, c);
    await befriend(b, c);
    const ga = await a.running().service.createGroup('trio', [a.contactId(b) ?? -1, a.contactId(c) ?? -1]);
    await until(() => b.groups().length === 1 && c.groups().length === 1, 20_000, 'group joins');
    const gb = b.groups()[0] ?? -1;
    const gc = c.groups()[0] ?? -1;

    const cKey = c.identity.publicKey.toString('hex');
    const outsider = randomBytes(32).toString('hex');
    const m = await a.running().service.sendText(ga, '@Cy look at this', { mentions: [cKey, outsider] });
    await until(() => byUid(b, m.uid) !== null && byUid(c, m.uid) !== null, 20_000, 'mention');
    // Only members can be mentioned.
    expect(a.store.messages.mentions(m.id)).toEqual([cKey]);
    expect(extras(c, gc, byUid(c, m.uid)!.id)).toMatchObject({
      mentionsMe: true,
      mentions: [{ key: cKey, name: 'Cy', self: true }],
    });
    expect(extras(b, gb, byUid(b, m.uid)!.id)?.mentionsMe).toBe(false);

    // A read receipt in a group: 'read' once every other member has read.
    b.store.conversations.markRead(gb);
    await b.running().service.rich.markRead(gb);
    await marker(b, gb, a, ga);
    expect(a.store.messages.get(m.id)?.state).not.toBe('read');
    c.store.conversations.markRead(gc);
    await c.running().service.rich.markRead(gc);
    await until(() => a.store.messages.get(m.id)?.state === 'read', 20_000, 'read by all');

    // Cy goes offline; Ada's next message waits with a holder while Bob reacts to it at once.
    await c.offline();
    const held = await a.running().service.sendText(ga, 'while you were out');
    await until(() => byUid(b, held.uid) !== null, 20_000, 'held text on B');
    await b.running().service.rich.react(gb, byUid(b, held.uid)!.id, '👀', true);
    await c.online();
    await until(
      () => {
        const here = byUid(c, held.uid);
        return here !== null && c.store.messages.reactions(here.id).length === 1;
      },
      30_000,
      'reaction applied on Cy',
    );
    expect(c.store.messages.reactions(byUid(c, held.uid)!.id)[0]?.emoji).toBe('👀');
  }, 150_000);
});
