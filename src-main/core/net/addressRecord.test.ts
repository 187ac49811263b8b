import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, openAddressRecord, sealAddressRecord } from './addressRecord';
import { generateDeviceKey, loadDeviceKey, peerIdOfDeviceKey } from './deviceKey';

describe('signed address records', () => {
  it('round-trips: the device, its sequence number and its addresses without the /p2p suffix', async () => {
    const key = await generateDeviceKey();
    const peer = peerIdOfDeviceKey(key);
    const relay = peerIdOfDeviceKey(await generateDeviceKey());
    const sealed = await sealAddressRecord(
      key,
      [`/ip4/192.168.1.7/tcp/4100/p2p/${peer}`, `/ip4/10.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit`],
      42,
    );
    const opened = await openAddressRecord(sealed.envelope);
    expect(opened).toEqual({
      peerId: peer,
      seq: 42,
      // A relayed address (issue 19) is carried as it is.
      addresses: ['/ip4/192.168.1.7/tcp/4100', `/ip4/10.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit`],
      envelope: sealed.envelope,
    });
  });

  it('refuses a changed byte, garbage, an empty or oversized record', async () => {
    const sealed = await sealAddressRecord(await generateDeviceKey(), ['/ip4/192.168.1.7/tcp/4100'], 1);
    for (let i = 0; i < sealed.envelope.length; i += 7) {
      const flipped = sealed.envelope.slice();
      flipped[i] = (flipped[i] ?? 0) ^ 0x01;
      expect(await openAddressRecord(flipped)).toBeNull();
    }
    expect(await openAddressRecord(new Uint8Array(0))).toBeNull();
    expect(await openAddressRecord(new Uint8Array(64).fill(7))).toBeNull();
    expect(await openAddressRecord(new Uint8Array(MAX_RECORD_BYTES + 1))).toBeNull();
  });

  it("refuses a record about one peer signed by another (a contact forging someone's addresses)", async () => {
    const mallory = loadDeviceKey(await generateDeviceKey());
    const victim = peerIdFromPrivateKey(loadDeviceKey(await generateDeviceKey()));
    const record = new PeerRecord({
      peerId: victim,
      multiaddrs: [multiaddr('/ip4/6.6.6.6/tcp/1')],
      seqNumber: 9n,
    });
    const forged = (await RecordEnvelope.seal(record, mallory)).marshal();
    expect(await openAddressRecord(forged)).toBeNull();
  });

  it('refuses sequence numbers beyond 2^53 and keeps records within the size limit', async () => {
    const key = await generateDeviceKey();
    const privateKey = loadDeviceKey(key);
    const huge = new PeerRecord({ peerId: peerIdFromPrivateKey(privateKey), seqNumber: 2n ** 60n });
    expect(await openAddressRecord((await RecordEnvelope.seal(huge, privateKey)).marshal())).toBeNull();
    const many = Array.from({ length: 40 }, (_, i) => `/dns4/${'h'.repeat(200)}${i}.example/tcp/4100`);
    const sealed = await sealAddressRecord(key, many, 2);
    expect(sealed.envelope.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(sealed.addresses.length).toBeGreaterThan(0);
    expect((await openAddressRecord(sealed.envelope))?.addresses).toEqual(sealed.addresses);
  });
});
