import { describe, expect, it } from 'vitest';
import { until } from '../runtime/testing/messagingPeer';
import { contractCores } from '../runtime/testing/contractCore';

/**
 * Issue #17 item 18, through the contract as the UI uses it: an invite the
 * other side accepted is reported used (so the dialog can take it off the
 * screen, naming who used it), and a third person holding the spent link is
 * told "already used", not "not valid or has expired" as for a garbage one.
 * Real cores on 127.0.0.1.
 */

const peer = contractCores('invite-used');

describe('a used invite', () => {
  it('is reported used by whom on the inviter, and "already used" to anyone who tries it again', async () => {
    const [ada, bob, cat] = await Promise.all([peer('Ada'), peer('Bob'), peer('Cat')]);
    const invite = await ada.call('contacts.createInvite', {});
    expect(await ada.call('contacts.inviteStatus', { link: invite.link })).toEqual({
      state: 'open',
      usedBy: null,
    });
    // Not this device's invite, or not an invite: nothing to report.
    const bobs = await bob.call('contacts.createInvite', {});
    expect(await ada.call('contacts.inviteStatus', { link: bobs.link })).toEqual({
      state: 'unknown',
      usedBy: null,
    });

    await bob.call('contacts.acceptInvite', { invite: invite.text });
    let state = '';
    await until(
      () => {
        void ada.call('contacts.inviteStatus', { link: invite.link }).then((s) => (state = s.state));
        return state === 'used';
      },
      10_000,
      'the invite used on Ada',
    );
    const [bobAtAda] = await ada.call('contacts.list', {});
    expect(await ada.call('contacts.inviteStatus', { link: invite.text })).toEqual({
      state: 'used',
      usedBy: { contactId: bobAtAda?.id, name: 'Bob' },
    });

    const again = await cat.core.dispatch('contacts.acceptInvite', { invite: invite.link });
    expect(again).toEqual({
      ok: false,
      error: { code: 'INVALID_STATE', message: 'This invite was already used. Ask for a new one.' },
    });
    expect(await cat.call('contacts.list', {})).toEqual([]);
    const garbage = await cat.core.dispatch('contacts.acceptInvite', { invite: 'parley://invite/nonsense' });
    expect(garbage).toEqual({
      ok: false,
      error: { code: 'INVALID_PARAMS', message: 'This invite link is not valid or has expired.' },
    });
  }, 60_000);
});
