import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestName, RequestParams, RequestResult } from '../../../src-shared/contract';
import { createCore, type Core } from '../core';
import { until } from '../runtime/testing/messagingPeer';

/**
 * Issue #17 item 18, through the contract as the UI uses it: an invite the
 * other side accepted is reported used (so the dialog can take it off the
 * screen, naming who used it), and a third person holding the spent link is
 * told "already used", not "not valid or has expired" as for a garbage one.
 * Real cores on 127.0.0.1.
 */

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Peer {
  core: Core;
  call<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResult<N>>;
}

async function peer(name: string): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), `parley-invite-used-${name}-`));
  const core = createCore({
    profileDir: dir,
    shell: 'cli',
    version: 't',
    kdfCost: FAST_KDF,
    network: {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      tuning: { node: { dialTimeoutMs: 1_000, dialGraceMs: 100, reconnect: { baseMs: 100, maxMs: 500 } } },
    },
  });
  cleanup.push(async () => {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const call = async <N extends RequestName>(n: N, params: RequestParams<N>): Promise<RequestResult<N>> => {
    const reply = await core.dispatch(n, params);
    if (!reply.ok) throw new Error(`${n}: ${reply.error.code} ${reply.error.message}`);
    return reply.value as RequestResult<N>;
  };
  await call('profile.create', { displayName: name, passphrase: 'correct horse battery' });
  await core.idle();
  return { core, call };
}

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
