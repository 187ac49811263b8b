import { entryHash } from '../../identity/deviceListEntry';
import { verifyDeviceList } from '../../identity/deviceListVerify';
import { listedDeviceIdentity } from '../../mls/credentials';
import { generateEd25519 } from '../../mls/crypto/nodeCryptoProvider';
import { loadDeviceKey, peerIdOfDeviceKey } from '../../net/deviceKey';
import { linkTestDevice } from '../../devices/testing/ownListHelpers';
import { ed25519SignerFromSeed } from '../../util/ed25519';
import { loadOrCreateDeviceSecrets } from '../startMessaging';
import type { MessagingPeer, MessagingPeerOptions } from './messagingPeer';

/**
 * Test helper for issue 18 while a linked device cannot start messaging by
 * itself (§13.6 step 3 is another part's): a second RUNNING device of
 * `first`'s person. It has its own device key, seal key and MLS signature
 * key; `first` lists it (an `add` entry signed by `first`, what a link
 * writes); its profile holds the person's list (entries 0 and 1, so it never
 * signs an entry 0 of its own), a version 2 credential naming its entry,
 * and each side a `devices` row for the other (what the grant writes). The
 * identity key pair is shared only because this harness's start asks for
 * one; nothing this helper exercises signs with it on the twin.
 */
export async function startOwnTwin(
  makePeer: (name: string, options?: MessagingPeerOptions) => MessagingPeer,
  first: MessagingPeer,
  name: string,
): Promise<MessagingPeer> {
  const firstRun = first.running();
  const twin = makePeer(name, { identity: first.identity });
  const now = Date.now();
  const secrets = await loadOrCreateDeviceSecrets(twin.store.deviceSecrets, now);
  const peerId = peerIdOfDeviceKey(secrets.deviceKey);
  const raw = loadDeviceKey(secrets.deviceKey).raw;
  const mls = generateEd25519();
  linkTestDevice(firstRun.devices, {
    peerId,
    deviceKey: raw,
    sign: ed25519SignerFromSeed(raw.subarray(0, 32)),
    mlsSignatureKey: mls.publicKey,
    mlsSign: ed25519SignerFromSeed(mls.signKey),
  });
  const ik = first.identity.publicKey;
  const entries = firstRun.devices.entriesOf(ik).map((e) => e.bytes);
  const verdict = verifyDeviceList(entries);
  if (!verdict.ok) throw new Error('the own list does not verify');
  const identity = listedDeviceIdentity({
    identityKey: ik,
    peerId,
    signaturePublicKey: mls.publicKey,
    signaturePrivateKey: mls.signKey,
    addedSeq: entries.length - 1,
  });
  twin.store.tx.run(() => {
    twin.store.deviceLists.insertEntries(
      ik,
      entries.map((entry, seq) => ({ seq, entry, hash: entryHash(entry) })),
    );
    twin.store.deviceLists.saveDevices(ik, verdict.state.devices);
    twin.store.mlsDevice.put({ ...identity, now });
    twin.store.linkGrant.insertDevice(
      ik,
      { peerId: firstRun.node.peerId, certificate: null, sealPublic: null, addresses: '[]' },
      now,
    );
  });
  first.store.linkGrant.insertDevice(
    ik,
    { peerId, certificate: null, sealPublic: null, addresses: '[]' },
    now,
  );
  const twinRun = await twin.online();
  await twinRun.node.keepConnected(firstRun.node.peerId, firstRun.node.addresses());
  await firstRun.node.keepConnected(peerId, twinRun.node.addresses());
  return twin;
}
