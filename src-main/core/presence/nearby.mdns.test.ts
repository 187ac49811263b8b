import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deliveryMigrations } from '../delivery/schema';
import { generateIdentityKey } from '../identity/identityKey';
import { nonLoopbackInterfaces } from '../net/testing/netHarness';
import { Store } from '../store/store';
import { tempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import { writePrivacy } from './privacySettings';
import { startMessaging, type RunningMessaging } from '../runtime/startMessaging';
import { until } from '../runtime/testing/messagingPeer';

/**
 * "Discoverable on this network" and the nearby list over real mDNS. Multicast
 * must never leave this machine, so this runs only inside a private,
 * loopback-only network namespace:
 *   ../shared/tools/in-netns npx vitest run src-main/core/presence/nearby.mdns.test.ts
 * With any non-loopback interface present it skips (or fails, when IN_NETNS
 * says we should be inside one), like net/mdns.test.ts.
 */

const foreign = nonLoopbackInterfaces();
const inNetns = process.env['IN_NETNS'] !== undefined && process.env['IN_NETNS'] !== '';
const safe = foreign.length === 0;
const SKIP_MESSAGE =
  'nearby mDNS test skipped: run inside ../shared/tools/in-netns (non-loopback interfaces present)';
if (!safe && !inNetns) console.warn(`${SKIP_MESSAGE}: ${foreign.join(', ')}`);

describe('nearby mDNS guard', () => {
  it('refuses to run when IN_NETNS is set but the namespace has other interfaces', () => {
    if (inNetns) expect(foreign, 'IN_NETNS is set, yet non-loopback interfaces exist').toEqual([]);
  });
});

interface Peer {
  name: string;
  m: RunningMessaging;
  dispose(): Promise<void>;
}

async function start(name: string, discoverable: boolean): Promise<Peer> {
  const t = tempDatabase(deliveryMigrations);
  const store = new Store(t.db, { attachmentsDir: join(t.dir, 'attachments'), logger: silentLogger });
  writePrivacy(store, { discoverable });
  const m = await startMessaging({
    store,
    identity: { ...generateIdentityKey(), displayName: name },
    node: {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: { intervalMs: 250, serviceTag: '_parley-nearby-test._udp.local' },
      dialTimeoutMs: 1_000,
      dialGraceMs: 100,
    },
    keyPackagePoolSize: 2,
  });
  return {
    name,
    m,
    async dispose() {
      await m.stop();
      store.stop();
      t.dispose();
    },
  };
}

describe.skipIf(!safe)(safe ? 'nearby over mDNS (private namespace)' : SKIP_MESSAGE, () => {
  const peers: Peer[] = [];
  afterAll(async () => {
    for (const p of peers) await p.dispose();
  });

  it('lists discoverable peers by name; a hidden one neither answers nor shows, until switched on', async () => {
    const [ada, hidden, seeker] = await Promise.all([
      start('Ada', true),
      start('Hidden', false),
      start('Seeker', true),
    ]);
    peers.push(ada, hidden, seeker);
    expect(hidden.m.node.isDiscoverable).toBe(false);
    await until(
      () => seeker.m.network.nearby.list().some((p) => p.displayName === 'Ada'),
      15_000,
      'Ada nearby',
    );
    // Several query intervals later the hidden peer is still nowhere: no mDNS answer, no connection.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(seeker.m.network.nearby.list().map((p) => p.displayName)).toEqual(['Ada']);
    expect(seeker.m.node.isConnected(hidden.m.node.peerId)).toBe(false);
    expect(hidden.m.network.nearby.list()).toEqual([]);

    await hidden.m.network.setPrivacy({ discoverable: true });
    expect(hidden.m.node.isDiscoverable).toBe(true);
    await until(
      () => seeker.m.network.nearby.list().some((p) => p.displayName === 'Hidden'),
      15_000,
      'Hidden nearby after switching on',
    );
  });
});
