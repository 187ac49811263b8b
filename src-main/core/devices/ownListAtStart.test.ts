import { describe, expect, it } from 'vitest';
import { verifyDeviceList } from '../identity/deviceListVerify';
import { peerPool } from '../runtime/testing/messagingPeer';

const peer = peerPool();

describe('the own device list at start (§13.11)', () => {
  it('a profile signs entry 0 for this device on its first start, with its MLS key, and keeps it across restarts', async () => {
    const ann = peer('Ann');
    const m = await ann.online();
    const list = m.devices.ownList();
    expect(list).toHaveLength(1);
    const mls = ann.store.mlsDevice.get();
    expect(list[0]).toMatchObject({
      op: 'add',
      seq: 0,
      subjectPeerId: m.node.peerId,
      mlsSignatureKey: new Uint8Array(mls?.signaturePublicKey ?? []),
    });
    const verdict = verifyDeviceList(list.map((e) => e.bytes));
    expect(verdict.ok).toBe(true);
    const head = m.devices.headOf(ann.identity.publicKey);
    await ann.offline();
    const again = await ann.online();
    expect(again.devices.headOf(ann.identity.publicKey)).toEqual(head);
    expect(again.devices.activeDevices(ann.identity.publicKey).map((d) => d.peerId)).toEqual([m.node.peerId]);
  });
});
