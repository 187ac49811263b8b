import { describe, expect, it } from 'vitest';
import { until } from '../runtime/testing/messagingPeer';
import { contractCores } from '../runtime/testing/contractCore';

/**
 * The contacts area through the contract (what the renderer calls), with two
 * real cores on 127.0.0.1: every request, its validation and its errors.
 */

const make = contractCores('contacts');
const makeCore = (name: string, network = true) => make(name, { network });

describe('contacts area', () => {
  it('profile, safety number, verify, rename, block, remove, export and import', async () => {
    const a = await makeCore('Ada');
    const b = await makeCore('Bob');
    const invite = await a.call('contacts.createInvite', {});
    const { contactId: adaAtB, conversationId: dmAtB } = await b.call('contacts.acceptInvite', {
      invite: invite.link,
    });
    let bobAtA = -1;
    await until(
      () => {
        bobAtA = a.core.store().contacts.list()[0]?.id ?? -1;
        return bobAtA > 0;
      },
      10_000,
      'Bob becomes a contact of Ada',
    );

    // Profile and DM.
    const profile = await b.call('contacts.get', { contactId: adaAtB });
    expect(profile).toMatchObject({ name: 'Ada', verified: false, blocked: false, keyChanged: false });
    expect(profile.dm).toEqual({ conversationId: dmAtB, readOnly: false });
    expect(await b.call('contacts.forConversation', { conversationId: dmAtB })).toMatchObject({ id: adaAtB });

    // Both sides see the same number; Bob scans Ada's code.
    const atB = await b.call('contacts.safetyNumber', { contactId: adaAtB });
    const atA = await a.call('contacts.safetyNumber', { contactId: bobAtA });
    expect(atB.digits).toBe(atA.digits);
    expect(atB.groups.join('')).toBe(atB.digits);
    expect(
      await b.call('contacts.verify', { contactId: adaAtB, verified: true, qrData: atA.qrData }),
    ).toMatchObject({ verified: true });
    expect((await b.call('contacts.list', {}))[0]).toMatchObject({ verified: true, keyChanged: false });
    const mismatch = await b.fail('contacts.verify', {
      contactId: adaAtB,
      verified: true,
      qrData: atA.qrData.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
    });
    expect(mismatch.code).toBe('INVALID_PARAMS');
    expect(mismatch.message).toMatch(/does not match/);

    // Rename and reset; bad names are refused by the contract.
    expect((await b.call('contacts.rename', { contactId: adaAtB, name: 'Countess' })).name).toBe('Countess');
    expect((await b.call('contacts.list', {}))[0]?.name).toBe('Countess');
    expect((await b.call('contacts.rename', { contactId: adaAtB, name: null })).name).toBe('Ada');
    expect((await b.fail('contacts.rename', { contactId: adaAtB, name: 'x'.repeat(101) })).code).toBe(
      'INVALID_PARAMS',
    );
    expect((await b.fail('contacts.get', { contactId: 9999 })).message).toBe('No such contact.');

    // Block: the DM is read-only; unblock restores it.
    expect((await b.call('contacts.block', { contactId: adaAtB, blocked: true })).dm?.readOnly).toBe(true);
    const refused = await b.fail('messages.send', { conversationId: dmAtB, text: 'hi' });
    expect(refused).toEqual({
      code: 'INVALID_STATE',
      message: 'You blocked Ada. Unblock them to send messages.',
    });
    expect((await b.call('contacts.list', {}))[0]?.blocked).toBe(true);
    await b.call('contacts.block', { contactId: adaAtB, blocked: false });
    await b.call('messages.send', { conversationId: dmAtB, text: 'hi' });
    await until(() => b.events.some((e) => e.name === 'contacts.changed'), 5_000, 'contacts.changed');

    // Export, then import into another profile (no networking needed: nothing is sent).
    const { json } = await b.call('contacts.export', {});
    expect(JSON.parse(json)).toMatchObject({
      format: 'parley-contacts',
      version: 1,
      contacts: [{ displayName: 'Ada' }],
    });
    const c = await makeCore('Cy', false);
    expect(await c.call('contacts.import', { json })).toEqual({ added: 1, updated: 0, skipped: 0 });
    expect((await c.call('contacts.list', {})).map((x) => x.name)).toEqual(['Ada']);
    const bad = await c.fail('contacts.import', { json: '{"format":"parley-contacts"}' });
    expect(bad.code).toBe('INVALID_PARAMS');
    expect(bad.message).toMatch(/not a valid Parley contacts export/);
    expect((await c.fail('contacts.import', { json: '' })).message).toMatch(/The file is empty\./);

    // Remove: gone from the list, history and DM kept (read-only).
    await b.call('contacts.remove', { contactId: adaAtB });
    expect(await b.call('contacts.list', {})).toEqual([]);
    expect(await b.call('contacts.forConversation', { conversationId: dmAtB })).toBeNull();
    const page = await b.call('messages.page', { conversationId: dmAtB, at: { latest: true } });
    expect(page.messages.map((m) => m.body)).toContain('hi');
    expect((await b.fail('messages.send', { conversationId: dmAtB, text: 'again' })).code).toBe(
      'INVALID_STATE',
    );
  });

  it('answers LOCKED while the profile is locked', async () => {
    const a = await makeCore('Ada', false);
    await a.call('profile.lock', {});
    expect((await a.fail('contacts.export', {})).code).toBe('LOCKED');
  });
});
