import { describe, expect, it } from 'vitest';
import type { JoinStatusView } from '../../../src-shared/contract/areas/devices';
import { until } from './testing/messagingPeer';
import { contractCores, type ContractCore } from './testing/contractCore';

/**
 * Issue 18 (§13.5 → §13.7) through two whole cores on 127.0.0.1, driven by
 * the contract as the shells drive them: Ann's device E shows a link code
 * (Settings → Devices), a new install N pastes it ("I already use Parley"),
 * both users confirm the same short code, N's profile is made from the grant,
 * and the history follows under the link's own keys, with nobody starting it
 * by hand: E offers it when N confirms the grant, N fetches it.
 */
const makeCore = contractCores('linkwire');
const PASS = 'another horse battery';

async function annWithHistory(): Promise<{ e: ContractCore; bob: ContractCore; texts: string[] }> {
  const e = await makeCore('Ann');
  const bob = await makeCore('Bob');
  const invite = await e.call('contacts.createInvite', {});
  const { conversationId } = await bob.call('contacts.acceptInvite', { invite: invite.link });
  const texts = ['history one', 'history two', 'the third and last'];
  for (const text of texts) await bob.call('messages.send', { conversationId, text });
  await until(
    () => {
      const dm = e.core.store().conversations.list({})[0];
      return dm !== undefined && e.core.store().messages.page(dm.id, { latest: true }).messages.length >= 3;
    },
    20_000,
    'Ann has the three messages',
  );
  return { e, bob, texts };
}

/** Links a fresh install to E through the contract; both users confirm. */
async function link(e: ContractCore, n: ContractCore, withFiles: boolean): Promise<void> {
  const shown = await e.call('devices.linkCode', {});
  expect(shown.state).toBe('code');
  // The files choice is answered with the short code (§13.10), after the start's default.
  const started = await n.call('devices.joinStart', {
    code: shown.code ?? '',
    passphrase: PASS,
    deviceName: 'Laptop',
    withFiles: !withFiles,
  });
  expect(started.state).toBe('connecting');
  await until(() => last(n, 'devices.joinProgress') === 'sas', 20_000, 'N shows the short code');
  await until(() => last(e, 'devices.linkProgress') === 'sas', 20_000, 'E shows the short code');
  const onN = await n.call('devices.joinStatus', {});
  const onE = await e.call('devices.linkStatus', {});
  // The same six digits on both screens (§13.5's SAS).
  expect(onN.sas).toMatch(/^\d{3} \d{3}$/);
  expect(onN.sas).toBe(onE.sas);
  await e.call('devices.confirmSas', { match: true });
  await n.call('devices.joinConfirmSas', { match: true, withFiles });
  await until(() => last(n, 'devices.joinProgress') === 'done', 30_000, 'N is linked');
}

/** The state the last event of `name` carried (the shells follow the same events). */
const last = (c: ContractCore, name: 'devices.joinProgress' | 'devices.linkProgress'): string | undefined =>
  (c.events.filter((x) => x.name === name).at(-1)?.payload as { state?: string } | undefined)?.state;

const joinStates = (n: ContractCore): string[] =>
  n.events.filter((x) => x.name === 'devices.joinProgress').map((x) => (x.payload as JoinStatusView).state);

describe('link, then history, through the contract', () => {
  it('a pasted code links a new install, which gets its profile and then the history by itself', async () => {
    const { e, bob, texts } = await annWithHistory();
    const n = await makeCore('Ann-laptop', { profile: false });
    await link(e, n, false);
    // E pushed the new entry to Bob, who is connected, right after the grant (§13.5): his view of
    // Ann's devices has the laptop without waiting for the next address exchange.
    const ann = bob.core.store().contacts.byIdentityKey(e.core.store().self().publicKey);
    const bobSeesAnn = () => bob.core.store().deviceLists.entries(e.core.store().self().publicKey).length;
    await until(() => bobSeesAnn() === 2, 10_000, "Bob holds Ann's new entry");
    expect((await bob.call('devices.ofContact', { contactId: ann!.id })).devices).toHaveLength(2);
    expect(joinStates(n)).toEqual(expect.arrayContaining(['connecting', 'sas', 'waiting', 'done']));
    // The profile exists, unlocked, as Ann, with her contact.
    expect(n.core.profile.status().state).toBe('unlocked');
    expect(JSON.stringify(await n.call('contacts.list', {}))).toContain('Bob');
    // The history arrives without anyone asking for it: progress ends in done.
    await until(
      () =>
        n.events.some(
          (x) => x.name === 'devices.historyProgress' && (x.payload as { phase: string }).phase === 'done',
        ),
      60_000,
      'the history is imported on N',
    );
    // The import wrote on a worker's connection: the shells are told to refetch the list and the
    // messages (else the list would say "No messages yet" over an imported conversation).
    const firstProgress = n.events.findIndex((x) => x.name === 'devices.historyProgress');
    const after = n.events.slice(firstProgress).map((x) => x.name);
    expect(after).toContain('conversations.changed');
    expect(after).toContain('messages.changed');
    const dm = n.core.store().conversations.list({})[0];
    expect(dm).toBeDefined();
    const onN = n.core
      .store()
      .messages.page(dm!.id, { latest: true })
      .messages.map((m) => m.body);
    for (const t of texts) expect(onN).toContain(t);
    // The choice "without files" was recorded with the transfer.
    const [transfer] = n.core.store().historyTransfers.inStates('receive', ['done']);
    expect(transfer?.withFiles).toBe(false);
  }, 120_000);

  it('a history cut off by closing the new device carries on when it opens again', async () => {
    const { e, texts } = await annWithHistory();
    const n = await makeCore('Ann-laptop', { profile: false });
    await link(e, n, true);
    // Closed at once (the snapshot on E is still being made): nothing of the history is lost.
    const dir = n.core.profile.dir;
    await n.core.close();
    const { createCore } = await import('../core');
    const again = createCore({
      profileDir: dir,
      shell: 'cli',
      version: 't',
      kdfCost: { memoryKiB: 1024, iterations: 1, parallelism: 1 },
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false },
    });
    const phases: string[] = [];
    again.onEvent((name, payload) => {
      if (name === 'devices.historyProgress') phases.push((payload as { phase: string }).phase);
    });
    try {
      expect((await again.dispatch('profile.unlock', { passphrase: PASS })).ok).toBe(true);
      await until(() => phases.includes('done'), 60_000, 'the history completes after the restart');
      const dm = again.store().conversations.list({})[0];
      const onN = again
        .store()
        .messages.page(dm!.id, { latest: true })
        .messages.map((m) => m.body);
      for (const t of texts) expect(onN).toContain(t);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('codes that differ link nothing: no profile on the new install, no device on E', async () => {
    const e = await makeCore('Ann');
    const n = await makeCore('Ann-laptop', { profile: false });
    const shown = await e.call('devices.linkCode', {});
    await n.call('devices.joinStart', { code: shown.code ?? '', passphrase: PASS, withFiles: true });
    await until(() => last(n, 'devices.joinProgress') === 'sas', 20_000, 'N shows the short code');
    const ended = await n.call('devices.joinConfirmSas', { match: false });
    expect(ended).toMatchObject({ state: 'failed', reason: 'declined' });
    await until(() => last(e, 'devices.linkProgress') === 'failed', 20_000, 'E hears the codes differ');
    expect(n.core.profile.status().state).toBe('none');
    expect((await e.call('devices.list', {})).devices).toHaveLength(1);
  }, 60_000);

  it('refuses bad input before anything is linked: a weak passphrase, a garbled code, an existing profile', async () => {
    const e = await makeCore('Ann');
    const n = await makeCore('Ann-laptop', { profile: false });
    const shown = await e.call('devices.linkCode', {});
    expect(
      await n.fail('devices.joinStart', { code: shown.code, passphrase: 'short', withFiles: true }),
    ).toMatchObject({ code: 'WEAK_PASSPHRASE' });
    expect(
      await n.fail('devices.joinStart', { code: 'x'.repeat(5000), passphrase: PASS, withFiles: true }),
    ).toMatchObject({ code: 'INVALID_PARAMS' });
    await n.call('devices.joinStart', {
      code: 'parley://link/not-a-code',
      passphrase: PASS,
      withFiles: true,
    });
    await until(() => last(n, 'devices.joinProgress') === 'failed', 10_000, 'a garbled code fails');
    expect((await n.call('devices.joinStatus', {})).message).toMatch(/code/i);
    expect(n.core.profile.status().state).toBe('none');
    expect(
      await e.fail('devices.joinStart', { code: shown.code, passphrase: PASS, withFiles: true }),
    ).toMatchObject({ code: 'INVALID_STATE' });
    expect(await n.fail('devices.joinConfirmSas', { match: true })).toMatchObject({ code: 'INVALID_STATE' });
  }, 60_000);
});
