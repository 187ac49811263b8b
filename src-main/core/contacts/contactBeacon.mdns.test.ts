import { describe, expect, it } from 'vitest';
import { nonLoopbackInterfaces } from '../net/testing/netHarness';
import { AddressRepository } from '../store/repositories/addressRepository';
import { writePrivacy } from '../presence/privacySettings';
import { until, type MessagingPeer, peerPool } from '../runtime/testing/messagingPeer';

/**
 * mDNS for contacts with "Discoverable on this network" off (issue 13,
 * deliver 1): two contacts who lost every address of each other find each
 * other again by their LAN beacons, while a stranger on the same LAN learns
 * nothing and is found by nobody. Multicast must never leave this machine, so
 * this runs only inside a private, loopback-only network namespace:
 *   ../shared/tools/in-netns npx vitest run src-main/core/contacts/contactBeacon.mdns.test.ts
 * With any non-loopback interface present it skips (or fails, when IN_NETNS
 * says we should be inside one), like net/mdns.test.ts.
 */

const foreign = nonLoopbackInterfaces();
const inNetns = process.env['IN_NETNS'] !== undefined && process.env['IN_NETNS'] !== '';
const safe = foreign.length === 0;
const SKIP_MESSAGE =
  'contact beacon mDNS test skipped: run inside ../shared/tools/in-netns (non-loopback interfaces present)';
if (!safe && !inNetns) console.warn(`${SKIP_MESSAGE}: ${foreign.join(', ')}`);

describe('contact beacon mDNS guard', () => {
  it('refuses to run when IN_NETNS is set but the namespace has other interfaces', () => {
    if (inNetns) expect(foreign, 'IN_NETNS is set, yet non-loopback interfaces exist').toEqual([]);
  });
});

const peer = peerPool();
const MDNS = {
  mdns: {
    intervalMs: 250,
    serviceTag: '_parley-beacon-test-d._udp.local',
    beaconService: '_parley-beacon-test._udp.local',
  },
};

/** A peer with mDNS whose user turned "Discoverable on this network" off before it ever started. */
function hidden(name: string): MessagingPeer {
  const p = peer(name, { node: MDNS });
  writePrivacy(p.store, { discoverable: false });
  return p;
}

/** Forgets every address `p` knows for `other`'s device (and its record): only the LAN can help now. */
function forgetAddresses(p: MessagingPeer, other: string): void {
  p.t.db.prepare(`UPDATE devices SET addresses = '[]' WHERE peer_id = ?`).run(other);
  p.t.db.prepare('DELETE FROM address_records WHERE peer_id = ?').run(other);
}

describe.skipIf(!safe)(
  safe ? 'contacts find each other by LAN beacon (private namespace)' : SKIP_MESSAGE,
  () => {
    it('two hidden contacts who lost each other reconnect by beacon; a hidden stranger stays unseen', async () => {
      const ann = hidden('Ann');
      const bob = hidden('Bob');
      const eve = hidden('Eve');
      await Promise.all([ann.online(), bob.online(), eve.online()]);
      expect(ann.running().node.isDiscoverable).toBe(false);
      const { conversationId } = await bob
        .running()
        .service.acceptInvite(ann.running().service.createInvite());
      await until(() => ann.dmWith(bob) !== null, 20_000, 'Ann joins the DM');
      const annPeer = ann.running().node.peerId;
      const bobPeer = bob.running().node.peerId;
      const evePeer = eve.running().node.peerId;
      // The address exchange on connecting gave each the other's beacon key.
      await until(
        () =>
          new AddressRepository(ann.t.db).contactBeaconKeys().has(bobPeer) &&
          new AddressRepository(bob.t.db).contactBeaconKeys().has(annPeer),
        10_000,
        'beacon keys exchanged',
      );

      await Promise.all([ann.offline(), bob.offline()]);
      forgetAddresses(ann, bobPeer);
      forgetAddresses(bob, annPeer);
      await Promise.all([ann.online(), bob.online()]);
      await until(
        () => ann.running().node.isConnected(bobPeer) && bob.running().node.isConnected(annPeer),
        10_000,
        'Ann and Bob connected by beacon',
      );
      // Once connected, the other's signed record says where it is now, and it is stored.
      await until(
        () => (ann.running().directory.device(bobPeer)?.addresses.length ?? 0) > 0,
        5_000,
        "Bob's addresses stored again",
      );
      await ann.running().service.sendText(ann.dmWith(bob) ?? -1, 'found you on the LAN');
      await until(
        () => bob.messages(conversationId).some((m) => m.body === 'found you on the LAN'),
        10_000,
        'the message',
      );

      // Eve is on the same LAN all along: nobody connected to her, nobody lists her, she lists nobody.
      for (const p of [ann, bob]) {
        expect(p.running().node.isConnected(evePeer)).toBe(false);
        expect(p.running().network.nearby.list()).toEqual([]);
      }
      expect(eve.running().node.connectedPeers()).toEqual([]);
      expect(eve.running().network.nearby.list()).toEqual([]);
    });
  },
);
