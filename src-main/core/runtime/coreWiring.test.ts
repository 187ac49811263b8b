import { describe, expect, it } from 'vitest';
import { until } from './testing/messagingPeer';
import { contractCores, type ContractCore } from './testing/contractCore';

/**
 * Two real cores (profiles, encrypted databases, nodes on 127.0.0.1) talking
 * only through the contract, as the shells do.
 */

const makeCore = contractCores('wiring');
type TestCore = ContractCore;

describe('createCore with networking', () => {
  it('invite, DM, send: delivered through the contract, events fire, lock stops the node', async () => {
    const a = await makeCore('Ada');
    const b = await makeCore('Bob');
    expect((await a.call('net.status', {})).state).toBe('looking');

    const invite = await a.call('contacts.createInvite', {});
    expect(invite.link).toMatch(/^parley:\/\/invite\//);
    expect(invite.text).toContain(invite.link);
    // The whole shared sentence is accepted, not just the bare link.
    const accepted = await b.call('contacts.acceptInvite', { invite: invite.text });
    expect((await b.call('contacts.list', {})).map((c) => c.name)).toEqual(['Ada']);
    await until(() => a.events.some((e) => e.name === 'contacts.changed'), 10_000, 'contacts.changed at A');
    expect((await a.call('contacts.list', {})).map((c) => c.name)).toEqual(['Bob']);
    const status = await a.call('net.status', {});
    expect(status).toMatchObject({ state: 'connected', peers: 1 });
    expect(status.addresses[0]).toContain(status.peerId ?? '-');
    expect(a.events.some((e) => e.name === 'net.status')).toBe(true);

    // A joins the DM B started.
    let dmAtA = -1;
    await until(
      () => {
        const list = a.core.store().conversations.list({});
        dmAtA = list[0]?.id ?? -1;
        return list.length === 1;
      },
      20_000,
      'A joins the DM',
    );
    await until(
      () => a.events.some((e) => e.name === 'conversations.changed'),
      5_000,
      'conversations.changed',
    );

    const sent = await a.call('messages.send', { conversationId: dmAtA, text: 'hi Bob' });
    expect(sent).toMatchObject({ body: 'hi Bob', state: 'pending', sender: { self: true } });
    const page = async (c: TestCore, id: number) =>
      (await c.call('messages.page', { conversationId: id, at: { latest: true } })).messages;
    let bodiesAtB: string[] = [];
    await until(
      () => {
        void page(b, accepted.conversationId).then((m) => (bodiesAtB = m.map((x) => x.body ?? '')));
        return bodiesAtB.includes('hi Bob');
      },
      20_000,
      'B receives',
    );
    await until(
      () =>
        b.events.some(
          (e) =>
            e.name === 'messages.changed' &&
            JSON.stringify(e.payload) === JSON.stringify({ conversationId: accepted.conversationId }),
        ),
      5_000,
      'messages.changed at B',
    );
    let stateAtA = '';
    await until(
      () => {
        void page(a, dmAtA).then((m) => (stateAtA = m.find((x) => x.id === sent.id)?.state ?? ''));
        return stateAtA === 'delivered';
      },
      20_000,
      'delivered at A',
    );

    // Reply the other way.
    await b.call('messages.send', { conversationId: accepted.conversationId, text: 'hi Ada' });
    let bodiesAtA: string[] = [];
    await until(
      () => {
        void page(a, dmAtA).then((m) => (bodiesAtA = m.map((x) => x.body ?? '')));
        return bodiesAtA.includes('hi Ada');
      },
      20_000,
      'A receives',
    );

    // Errors are plain and clear.
    const bad = await b.core.dispatch('contacts.acceptInvite', { invite: 'parley://invite/nonsense' });
    expect(bad).toEqual({
      ok: false,
      error: { code: 'INVALID_PARAMS', message: 'This invite link is not valid or has expired.' },
    });
    const reused = await b.core.dispatch('contacts.acceptInvite', { invite: invite.link });
    expect(reused.ok).toBe(false);

    // Locking stops the node; B sees A go.
    await a.call('profile.lock', {});
    expect(a.events.at(-1)?.name).toBe('profile.changed');
    expect(
      a.events.some((e) => e.name === 'net.status' && JSON.stringify(e.payload).includes('offline')),
    ).toBe(true);
    await until(
      () => b.events.some((e) => e.name === 'net.status' && JSON.stringify(e.payload).includes('looking')),
      10_000,
      'B notices A left',
    );
    const lockedStatus = await a.core.dispatch('net.status', {});
    expect(lockedStatus.ok ? null : lockedStatus.error.code).toBe('LOCKED');
  }, 60_000);

  it('without network options: OFFLINE, no node', async () => {
    const { core } = await makeCore('Solo', { network: false });
    expect(await core.dispatch('net.status', {})).toEqual({
      ok: true,
      value: { state: 'offline', peers: 0, peerId: null, addresses: [], problem: null },
    });
    const reply = await core.dispatch('contacts.createInvite', {});
    expect(reply.ok ? null : reply.error.code).toBe('OFFLINE');
    const send = await core.dispatch('messages.send', { conversationId: 1, text: '' });
    expect(send.ok ? null : send.error.code).toBe('INVALID_PARAMS');
  }, 20_000);
});
