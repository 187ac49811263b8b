import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HistoryProgressEvent } from '../../../src-shared/contract/areas/devices';
import { ownDevice } from '../devices/ownDevice';
import { signPossession } from '../identity/deviceListBuild';
import { loadDeviceKey } from '../net/deviceKey';
import type { Store } from '../store/store';
import type { RunningMessaging } from './startMessaging';
import { until } from './testing/messagingPeer';
import { contractCores } from './testing/contractCore';

/**
 * Issue 18 (§13.7) through two real cores on 127.0.0.1: the history service is
 * composed into the running messaging (its protocol handler registered, the
 * workers given the profile folder and a second connection), and its progress
 * reaches the shells as `devices.historyProgress`. Linking (§13.5) will call
 * offerHistory/startHistoryTransfer with the keys of its exchange; here the
 * test makes its own.
 */

const makeCore = contractCores('history');

/**
 * What linking does on E (§13.5): N consents with its own device and MLS keys
 * to be listed in E's person's list, and E appends the add. Here the test
 * signs N's consent with the keys in N's store.
 */
function linkInto(eStore: Store, eLists: RunningLists, nStore: Store, nPeerId: string): void {
  const identityKey = eStore.self().publicKey;
  const head = eLists.headOf(identityKey);
  const secrets = nStore.deviceSecrets.get();
  const mls = nStore.mlsDevice.get();
  if (!head || !secrets || !mls) throw new Error('no list or keys');
  const n = ownDevice({
    identity: { publicKey: identityKey, privateKey: null },
    peerId: nPeerId,
    deviceKeyRaw: loadDeviceKey(secrets.deviceKey).raw,
    mls,
  });
  eLists.appendAdd({
    subjectPeerId: nPeerId,
    mlsSignatureKey: n.mlsSignatureKey,
    platform: 'linux',
    possession: signPossession({
      identityKey,
      seq: head.seq + 1,
      prev: head.hash,
      subjectPeerId: nPeerId,
      mlsSignatureKey: n.mlsSignatureKey,
      deviceSign: n.deviceSign,
      mlsSign: n.mlsSign,
    }),
  });
}

type RunningLists = RunningMessaging['devices'];

describe('history wiring', () => {
  it("refuses a device that is not one of the person's, then gives the linked one its history, with progress through the contract", async () => {
    const e = await makeCore('Ann');
    const n = await makeCore('Ann2');
    // E's history: a DM with Bob. N itself is nobody's contact: a device made with another
    // identity (N's own entry 0) cannot also be listed in Ann's list (§13.3 rule 5), and
    // since "Outside groups" (§13.6) E would hold N's list as soon as N became a contact.
    const bob = await makeCore('Bob');
    const invite = await e.call('contacts.createInvite', {});
    const { conversationId } = await bob.call('contacts.acceptInvite', { invite: invite.link });
    await bob.call('messages.send', { conversationId, text: 'history says hello' });
    let atE = -1;
    await until(
      () => {
        const list = e.core.store().conversations.list({});
        atE = list[0]?.id ?? -1;
        return list.length === 1 && e.core.store().messages.page(atE, { latest: true }).messages.length > 0;
      },
      20_000,
      'E has the DM and the message',
    );
    const eRun = await e.core.messaging.running();
    const nRun = await n.core.messaging.running();
    // What the grant stores on E (linking/grantSource.ts): N's devices row; N knows where E is.
    e.core.store().devices.upsert({
      peerId: nRun.node.peerId,
      identityKey: e.core.store().self().publicKey,
      addresses: nRun.node.addresses(),
      sealPublic: null,
      certificate: null,
      now: Date.now(),
    });
    await nRun.node.addAddresses(eRun.node.peerId, eRun.node.addresses());
    expect(eRun.history).not.toBeNull();
    // Before N is one of this person's devices, E refuses (§13.7: active devices of the same person only).
    const early = randomBytes(16);
    const earlyKey = randomBytes(32);
    void eRun.history?.offerHistory({ kHistory: earlyKey, transferId: early, peerId: nRun.node.peerId });
    await nRun.history?.startHistoryTransfer({
      kHistory: earlyKey,
      transferId: early,
      peer: eRun.node.peerId,
    });
    expect(n.core.store().historyTransfers.get(early)?.state).toBe('failed');
    expect(
      n.events.some(
        (x) =>
          x.name === 'devices.historyProgress' &&
          (x.payload as { phase: string; error?: string }).phase === 'failed' &&
          /refused/.test((x.payload as { error?: string }).error ?? ''),
      ),
    ).toBe(true);
    // Linked: N is an active device of E's person.
    linkInto(e.core.store(), eRun.devices, n.core.store(), nRun.node.peerId);
    const kHistory = randomBytes(32);
    const transferId = randomBytes(16);
    const ready = eRun.history?.offerHistory({ kHistory, transferId, peerId: nRun.node.peerId });
    await nRun.history?.startHistoryTransfer({ kHistory, transferId, peer: eRun.node.peerId });
    await ready;
    const progress = n.events
      .filter(
        (x) =>
          x.name === 'devices.historyProgress' &&
          (x.payload as { transferId: string }).transferId === transferId.toString('hex'),
      )
      .map((x) => x.payload);
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) expect(HistoryProgressEvent.safeParse(p).success).toBe(true);
    expect(progress.at(-1)).toMatchObject({ transferId: transferId.toString('hex'), phase: 'done' });
    expect(n.core.store().historyTransfers.get(transferId)?.state).toBe('done');
  }, 60_000);
});
