import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors';
import { DEFAULT_SUITE } from '../mls';
import { listedDeviceIdentity } from '../mls/credentials';
import { generateEd25519 } from '../mls/crypto/nodeCryptoProvider';
import { generateKeyPackage } from '../mls/keyPackages';
import { listedPhone } from '../runtime/testing/listedPhone';
import { peerPool } from '../runtime/testing/messagingPeer';
import { makeTestDevice } from '../identity/testing/deviceListFixture';
import { silentLogger } from '../util/logger';
import { addOwnDeviceEverywhere, checkOwnDeviceKeyPackage, type OwnDeviceAddsDeps } from './ownDeviceAdds';

/**
 * §13.6 step 3 (own side): the KeyPackage an own device adds is checked
 * against the own list — one violating vector per rule — and the loop over
 * conversations skips what is done, goes on after a failed commit and stops
 * (to be tried again) when the device cannot be reached.
 */
const peer = peerPool();

const kpFor = async (identity: Parameters<typeof listedDeviceIdentity>[0]) =>
  (
    await generateKeyPackage(listedDeviceIdentity(identity), {
      suite: DEFAULT_SUITE,
      lastResort: false,
      now: Date.now(),
    })
  ).keyPackage;

describe('checkOwnDeviceKeyPackage', () => {
  it('takes the listed device’s own KeyPackage and refuses every other', async () => {
    const ann = peer('Ann');
    const bob = peer('Bob');
    const a = await ann.online();
    const b = await bob.online();
    const phone = await listedPhone(a);
    const ik = new Uint8Array(ann.identity.publicKey);
    const verifier = new Uint8Array(ann.store.mlsDevice.get()!.signaturePublicKey);
    const deps = {
      verifier,
      identityKey: ik,
      activeDevice: (p: string) => a.devices.activeDevices(ik).find((d) => d.peerId === p) ?? null,
    };
    const refused = (peerId: string, kp: Uint8Array) => {
      expect(() => checkOwnDeviceKeyPackage(deps, peerId, kp)).toThrow(ParleyError);
    };
    // Accepted: its credential is certified by the entry that added it.
    expect(() => checkOwnDeviceKeyPackage(deps, phone.device.peerId, phone.keyPackage)).not.toThrow();

    // A stranger claiming to be Ann's device at that entry: its keys are not the entry's.
    const strangerMls = generateEd25519();
    const stranger = makeTestDevice();
    const addedSeq = a.devices.headOf(ik)!.seq;
    refused(
      phone.device.peerId,
      await kpFor({
        identityKey: ik,
        peerId: stranger.peerId,
        signaturePublicKey: strangerMls.publicKey,
        signaturePrivateKey: strangerMls.signKey,
        addedSeq,
      }),
    );
    // The phone's PeerId with another MLS key: the list names a different one.
    refused(
      phone.device.peerId,
      await kpFor({
        identityKey: ik,
        peerId: phone.device.peerId,
        signaturePublicKey: strangerMls.publicKey,
        signaturePrivateKey: strangerMls.signKey,
        addedSeq,
      }),
    );
    // A device of another person's chain (Bob's listed phone), handed out under Ann's phone's PeerId.
    const bobsPhone = await listedPhone(b);
    refused(phone.device.peerId, bobsPhone.keyPackage);
    // Another own device's KeyPackage, fetched from the phone: not the device asked.
    const second = await listedPhone(a);
    refused(phone.device.peerId, second.keyPackage);
    // Garbage.
    refused(phone.device.peerId, new Uint8Array([1, 2, 3]));
    // A device no longer active (removed from the list): nothing is added for it any more.
    a.devices.appendRemove(phone.device.peerId);
    refused(phone.device.peerId, phone.keyPackage);
  });
});

describe('addOwnDeviceEverywhere', () => {
  const base = (over: Partial<OwnDeviceAddsDeps>): OwnDeviceAddsDeps => ({
    conversations: () => [1, 2, 3, 4],
    hasLeaf: () => false,
    fetchKeyPackage: async () => new Uint8Array([9]),
    verifier: new Uint8Array(32),
    identityKey: new Uint8Array(32),
    // The check itself is tested above; here every package is the device's own.
    activeDevice: () => ({ peerId: 'N', mlsSignatureKey: new Uint8Array(32) }),
    addOwnDevice: async () => ({ committed: true }),
    logger: silentLogger,
    ...over,
  });

  it('skips conversations holding the leaf or done, goes on after a failed commit', async () => {
    const asked: number[] = [];
    const deps = base({
      hasLeaf: (id) => id === 2,
      addOwnDevice: async (id) => {
        asked.push(id);
        if (id === 3) throw new ParleyError('INVALID_STATE', 'You are no longer in this group.');
        return { committed: true };
      },
    });
    const result = await addOwnDeviceEverywhere({ ...deps }, 'N', new Set([4]), () => undefined);
    expect(asked).toEqual([1, 3]);
    expect(result).toEqual({ added: [1], finished: true });
  });

  it('stops when the device cannot be reached, to be tried again', async () => {
    let fetched = 0;
    const result = await addOwnDeviceEverywhere(
      base({
        fetchKeyPackage: async () => {
          fetched += 1;
          if (fetched === 2) throw new Error('dial failed');
          return new Uint8Array([9]);
        },
      }),
      'N',
      new Set(),
      () => undefined,
    );
    expect(result).toEqual({ added: [1], finished: false });
  });

  it('stops at once for a device that is no longer active', async () => {
    const result = await addOwnDeviceEverywhere(
      base({ activeDevice: () => null }),
      'N',
      new Set(),
      () => undefined,
    );
    expect(result).toEqual({ added: [], finished: true });
  });
});
