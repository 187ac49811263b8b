import { describe, expect, it } from 'vitest';
import { activeDevices } from '../identity/deviceListVerify';
import { type ProfileCardFields, type ProfileCardV2, signProfileCardV2 } from '../identity/profileCardV2';
import { makeTestDevice, type TestDevice } from '../identity/testing/deviceListFixture';
import type { MessagingDeps } from '../runtime/messagingService';
import { listedPhone } from '../runtime/testing/listedPhone';
import { type MessagingPeer, peerPool, until } from '../runtime/testing/messagingPeer';
import { signProfileCard } from './profileCard';

/**
 * Profile cards version 2 between real peers on 127.0.0.1 (docs/protocol.md
 * §13.6): Bob caches a card of Ada's signed by her linked device, judged
 * against Ada's list as he holds it, and refuses every forgery (wrong seq,
 * another person's device, a removed signer, version 1 once Ada has a list,
 * an older version replayed). The linked device is listed in Ada's list by
 * the test (runtime/testing/listedPhone.ts); Ada's running device sends the
 * cards, as it relays any own device's card.
 */

const peer = peerPool();

async function befriend(a: MessagingPeer, b: MessagingPeer): Promise<void> {
  await b.running().service.acceptInvite(a.running().service.createInvite());
  await until(() => a.dmWith(b) !== null && b.dmWith(a) !== null, 20_000, 'DM');
}

function contactRow(of: MessagingPeer, who: MessagingPeer) {
  return of.t.db
    .prepare('SELECT display_name, status_text, profile_version FROM contacts WHERE identity_key = ?')
    .get(who.identity.publicKey) as {
    display_name: string;
    status_text: string | null;
    profile_version: number;
  };
}

describe('profile card version 2 between peers', () => {
  it('is taken when its signer is active at its seq in the list Bob holds, and every forgery is refused', async () => {
    const ada = peer('Ada');
    const bob = peer('Bob');
    await ada.online();
    await bob.online();
    await befriend(ada, bob);
    const ik = ada.identity.publicKey;
    const phone = (await listedPhone(ada.running())).device;
    await until(
      () => activeDevices(bob.running().devices.state(ik) ?? ({ devices: [] } as never)).length === 2,
      20_000,
      "Bob holds Ada's list with her phone",
    );
    const deps = (ada.running().service as unknown as { deps: MessagingDeps }).deps;
    const dm = ada.dmWith(bob) ?? -1;
    let version = 10;
    const fields = (statusText: string): ProfileCardFields => ({
      version: ++version,
      issuedAt: Date.now(),
      displayName: 'Ada',
      statusText,
      avatar: null,
    });
    const byDevice = (device: TestDevice, seq: number, f: ProfileCardFields): ProfileCardV2 =>
      signProfileCardV2(device.sign, {
        ...f,
        identityKey: ik,
        signerPeerId: device.peerId,
        signerAddedSeq: seq,
      });
    const send = async (card: ProfileCardV2 | null, v1 = false, f?: ProfileCardFields): Promise<void> => {
      const shown = f ?? (card as ProfileCardFields);
      const signed = v1 ? signProfileCard(ada.identity.privateKey, ik, shown) : null;
      deps.profileCard = () => ({ fields: shown, v1: signed, v2: card });
      await ada.running().service.publishProfile({ only: dm });
    };
    const marker = async (text: string): Promise<void> => {
      await ada.running().service.sendText(dm, text);
      await until(() => bob.messages(bob.dmWith(ada) ?? -1).some((m) => m.body === text), 20_000, text);
    };

    // Signed by the phone (seq 1), sent by Ada's first device: taken.
    const good = byDevice(phone, 1, fields('from the phone'));
    await send(good);
    await until(() => contactRow(bob, ada).status_text === 'from the phone', 20_000, 'card by the phone');
    const taken = contactRow(bob, ada);
    expect(taken.profile_version).toBe(good.version);

    // Wrong signer seq (the entry at 0 adds Ada's first device), another person's
    // device claiming seq 1, and a card whose fields were changed after signing.
    await send(byDevice(phone, 0, fields('wrong seq')));
    await send(byDevice(makeTestDevice(), 1, fields('someone else')));
    await send({ ...byDevice(phone, 1, fields('x')), statusText: 'edited after signing' });
    // Version 1 alone, validly signed by Ada's identity key: refused, Bob holds her list.
    await send(null, true, fields('version 1 only'));
    // An older version replayed.
    await send(byDevice(phone, 1, { ...fields('old'), version: 2 }));
    await marker('after the refused cards');
    expect(contactRow(bob, ada)).toEqual(taken);

    // The phone is removed: its later cards are refused, the cached one stays.
    ada.running().devices.appendRemove(phone.peerId);
    await until(
      () => activeDevices(bob.running().devices.state(ik) ?? ({ devices: [] } as never)).length === 1,
      20_000,
      'Bob learns the removal',
    );
    await send(byDevice(phone, 1, fields('after removal')));
    await marker('after the removed signer');
    expect(contactRow(bob, ada)).toEqual(taken);
  });
});
