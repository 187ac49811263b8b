import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src-shared/contract';
import { until } from '../runtime/testing/messagingPeer';
import { systemText } from '../store/testing/systemText';
import { contractCores, type ContractCore } from '../runtime/testing/contractCore';

/**
 * The conversations area through the contract, with two real cores on
 * 127.0.0.1 as the shells use them: the timer request reaches the other
 * side, `notification` events follow the per-conversation mode and the
 * content preference, bad params get clear errors.
 */

const make = contractCores('conv');
type TestCore = ContractCore & { notifications(): EventPayload<'notifications.show'>[] };

async function makeCore(name: string): Promise<TestCore> {
  const c = await make(name);
  const notifications = () =>
    c.events
      .filter((e) => e.name === 'notifications.show')
      .map((e) => e.payload as EventPayload<'notifications.show'>);
  return { ...c, notifications };
}

const bodies = (c: TestCore, conversationId: number) =>
  c.core
    .store()
    .messages.page(conversationId, { latest: true })
    .messages.map((m) => systemText(m, c.core.store().self().publicKey));

describe('conversations area over two cores', () => {
  it('timer, notify modes, notification events and their content setting', async () => {
    const a = await makeCore('Ada');
    const b = await makeCore('Bob');
    const invite = await a.call('contacts.createInvite', {});
    const { conversationId: atB } = await b.call('contacts.acceptInvite', { invite: invite.link });
    let atA = -1;
    await until(
      () => {
        atA = a.core.store().conversations.list({})[0]?.id ?? -1;
        return atA > 0;
      },
      20_000,
      'Ada joins the DM',
    );

    // Bob writes; Ada is notified once, with who and what.
    await b.call('messages.send', { conversationId: atB, text: 'are you there?' });
    await until(() => a.notifications().length === 1, 20_000, 'first notification');
    expect(a.notifications()[0]).toMatchObject({ conversationId: atA, title: 'Bob', body: 'are you there?' });
    // Never for one's own message.
    await a.call('messages.send', { conversationId: atA, text: 'yes' });
    await until(() => bodies(b, atB).includes('yes'), 20_000, 'reply');

    // Mentions only: a plain message is quiet, one naming Ada is not.
    expect(await a.call('conversations.setNotify', { conversationId: atA, mode: 'mentions' })).toEqual({
      notify: 'mentions',
    });
    await b.call('messages.send', { conversationId: atB, text: 'just chatting' });
    await b.call('messages.send', { conversationId: atB, text: 'hey @Ada, look' });
    await until(() => a.notifications().length === 2, 20_000, 'mention notification');
    expect(a.notifications()[1]?.body).toBe('hey @Ada, look');

    // Content hidden on request.
    await a.call('conversations.setNotify', { conversationId: atA, mode: 'all' });
    expect(await a.call('notifications.setPrefs', { showContent: false })).toEqual({ showContent: false });
    expect(await a.call('notifications.getPrefs', {})).toEqual({ showContent: false });
    await b.call('messages.send', { conversationId: atB, text: 'the secret' });
    await until(() => a.notifications().length === 3, 20_000, 'hidden notification');
    expect(a.notifications()[2]).toMatchObject({ title: 'Parley', body: 'New message' });

    // Muted: nothing at all.
    await a.call('conversations.setNotify', { conversationId: atA, mode: 'muted' });
    await b.call('messages.send', { conversationId: atB, text: 'muted @Ada' });
    await until(() => bodies(a, atA).includes('muted @Ada'), 20_000, 'muted text');
    expect(a.notifications()).toHaveLength(3);
    expect(b.notifications().map((n) => n.body)).toEqual(['yes']);

    // The timer through the contract reaches the other core.
    expect(await a.call('conversations.setTimer', { conversationId: atA, ms: 86_400_000 })).toEqual({
      disappearAfterMs: 86_400_000,
    });
    await until(
      () => b.core.store().conversations.get(atB).disappearAfterMs === 86_400_000,
      20_000,
      'timer at Bob',
    );
    expect(bodies(b, atB)).toContain('Ada set disappearing messages to 1 day');

    // Mark everything read.
    expect(a.core.store().conversations.get(atA).unreadCount).toBeGreaterThan(0);
    await a.call('conversations.markAllRead', {});
    expect(a.core.store().conversations.get(atA).unreadCount).toBe(0);
  }, 90_000);

  it('refuses bad input with clear errors and changes nothing', async () => {
    const a = await makeCore('Ada');
    const bad = await a.raw('conversations.setTimer', { conversationId: 1, ms: 1234 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    const mode = await a.raw('conversations.setNotify', { conversationId: 1, mode: 'loud' });
    expect(mode).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    const missing = await a.raw('conversations.setNotify', { conversationId: 999, mode: 'muted' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    const prefs = await a.raw('notifications.setPrefs', { showContent: 'no' });
    expect(prefs).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(await a.call('notifications.getPrefs', {})).toEqual({ showContent: true });
  }, 30_000);
});
