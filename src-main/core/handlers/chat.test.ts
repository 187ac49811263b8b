import { describe, expect, it } from 'vitest';
import { until } from '../runtime/testing/messagingPeer';
import { contractCores, type ContractCore } from '../runtime/testing/contractCore';

/**
 * Messages and the chat view (contract/areas/messages.ts, chat.ts, typing.ts) through two real cores, as the
 * shells use it: every request, the events the UI listens to, bad input.
 */

const makeCore = contractCores('chat');
type TestCore = ContractCore;

/** Polls an async read until it satisfies `ok`; bounded. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, label: string): Promise<T> {
  let last: T | undefined;
  let done = false;
  await until(
    () => {
      void read().then((v) => {
        last = v;
        done = ok(v);
      });
      return done;
    },
    20_000,
    label,
  );
  return last as T;
}

describe('chat area over the contract', () => {
  it('send with reply, react, edit, history, delete, receipts, typing events, preferences', async () => {
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
      'A joins',
    );
    const page = async (c: TestCore, id: number) =>
      (await c.call('messages.page', { conversationId: id, at: { latest: true } })).messages;

    expect(await a.call('chat.preferences.get', {})).toEqual({ readReceipts: true, typingIndicators: true });
    const first = await b.call('messages.send', { conversationId: atB, text: 'first\nline' });
    const firstAtA = (
      await eventually(
        () => page(a, atA),
        (m) => m.length === 1,
        'first at A',
      )
    )[0]!;
    expect(firstAtA.body).toBe('first\nline');

    // Reply with a mention of Bob.
    const members = await a.call('chat.members', { conversationId: atA });
    const bobKey = members.members.find((m) => !m.self)?.key ?? '';
    expect(members.members.map((m) => [m.name, m.self])).toEqual([
      ['Ada', true],
      ['Bob', false],
    ]);
    const reply = await a.call('messages.send', {
      conversationId: atA,
      text: '@Bob yes',
      replyToUid: first.uid,
      mentions: [bobKey],
    });
    const replyAtB = (
      await eventually(
        () => page(b, atB),
        (m) => m.length === 2,
        'reply at B',
      )
    )[1]!;
    const [extras] = await b.call('messages.extras', { conversationId: atB, messageIds: [replyAtB.id] });
    expect(extras).toMatchObject({
      reply: { messageId: first.id, senderName: 'You', excerpt: 'first line', deleted: false },
      mentionsMe: true,
      mentions: [{ name: 'Bob', self: true }],
    });

    // Reactions: the UI is told to refetch.
    await b.call('messages.react', { conversationId: atB, messageId: replyAtB.id, emoji: '🎉', on: true });
    await until(
      () => a.events.some((e) => e.name === 'messages.changed'),
      10_000,
      'messages.changed for a reaction',
    );
    const reacted = await eventually(
      () => a.call('messages.extras', { conversationId: atA, messageIds: [reply.id] }),
      (x) => x[0]?.reactions.length === 1,
      'reaction at A',
    );
    expect(reacted[0]?.reactions).toEqual([{ emoji: '🎉', count: 1, mine: false, names: ['Bob'] }]);
    // The page carries its rows' extras (system rows have none): a chat screen is one request.
    const withExtras = await a.call('messages.page', { conversationId: atA, at: { latest: true } });
    const rowIds = withExtras.messages.filter((m) => m.kind !== 'system').map((m) => m.id);
    expect(withExtras.extras).toEqual(
      await a.call('messages.extras', { conversationId: atA, messageIds: rowIds }),
    );
    expect(withExtras.extras.find((e) => e.messageId === reply.id)?.reactions).toEqual(reacted[0]?.reactions);

    // Edit and its history on the other side.
    const edited = await a.call('messages.edit', {
      conversationId: atA,
      messageId: reply.id,
      text: '@Bob yes!',
    });
    expect(edited.editedAt).not.toBeNull();
    await eventually(
      () => page(b, atB),
      (m) => m[1]?.body === '@Bob yes!' && m[1].editedAt !== null,
      'edit at B',
    );
    const history = await b.call('messages.history', { conversationId: atB, messageId: replyAtB.id });
    expect(history.versions.map((v) => v.body)).toEqual(['@Bob yes', '@Bob yes!']);

    // Bad input: a clear error, nothing changed.
    expect(
      await a.fail('messages.edit', { conversationId: atA, messageId: firstAtA.id, text: 'mine now' }),
    ).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(
      await a.fail('messages.react', { conversationId: atA, messageId: firstAtA.id, emoji: '<b>', on: true }),
    ).toMatchObject({ code: 'INVALID_PARAMS', message: 'A reaction is one emoji.' });
    expect(await a.fail('messages.send', { conversationId: atA, text: '   ' })).toMatchObject({
      code: 'INVALID_PARAMS',
    });
    expect(
      await a.fail('messages.send', { conversationId: atA, text: 'x', replyToUid: 'ab'.repeat(16) }),
    ).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(
      await a.fail('messages.delete', { conversationId: atA, messageIds: [firstAtA.id], scope: 'everyone' }),
    ).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(await a.fail('messages.history', { conversationId: atA + 99, messageId: reply.id })).toMatchObject(
      {
        code: 'INVALID_PARAMS',
      },
    );

    // Read: Bob's first message becomes 'read' at Bob once Ada marks the conversation read.
    await a.call('conversations.markRead', { conversationId: atA });
    await eventually(
      () => page(b, atB),
      (m) => m[0]?.state === 'read',
      'read at B',
    );
    const info = await b.call('messages.history', { conversationId: atB, messageId: first.id });
    expect(info.readBy.map((r) => r.name)).toEqual(['Ada']);

    // Typing reaches the other side as an event, with the name.
    await b.call('messages.typing', { conversationId: atB, typing: true });
    await until(
      () =>
        a.events.some(
          (e) =>
            e.name === 'typing.changed' &&
            JSON.stringify(e.payload) === JSON.stringify({ conversationId: atA, names: ['Bob'] }),
        ),
      10_000,
      'typing.changed at A',
    );
    expect((await a.call('chat.members', { conversationId: atA })).typing).toEqual(['Bob']);
    await b.call('messages.typing', { conversationId: atB, typing: false });
    await until(
      () =>
        a.events.some(
          (e) =>
            e.name === 'typing.changed' &&
            JSON.stringify(e.payload) === JSON.stringify({ conversationId: atA, names: [] }),
        ),
      10_000,
      'typing stopped at A',
    );

    // Delete for everyone, then for me.
    await a.call('messages.delete', { conversationId: atA, messageIds: [reply.id], scope: 'everyone' });
    await eventually(
      () => page(b, atB),
      (m) => m[1]?.deletedAt !== null && m[1]?.body === null,
      'deleted at B',
    );
    await b.call('messages.delete', { conversationId: atB, messageIds: [first.id], scope: 'me' });
    expect((await page(b, atB)).map((m) => m.id)).toEqual([replyAtB.id]);
    expect((await page(a, atA)).length).toBe(2);

    // Preferences are stored.
    expect(await a.call('chat.preferences.set', { typingIndicators: false })).toEqual({
      readReceipts: true,
      typingIndicators: false,
    });
    expect(await a.call('chat.preferences.get', {})).toEqual({ readReceipts: true, typingIndicators: false });
  }, 90_000);
});
