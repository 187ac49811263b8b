import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../core';
import { verifyDeviceList } from '../identity/deviceListVerify';
import { ProfileService } from '../profile/profileService';
import { until, type MessagingPeer, peerPool } from '../runtime/testing/messagingPeer';
import { Store } from '../store/store';
import { silentLogger } from '../util/logger';
import { LinkError } from './linkFailure';
import type { LinkHostEvent } from './linkHost';
import { linkThisDevice } from './linkThisDevice';

/**
 * Linking end to end on 127.0.0.1 (docs/protocol.md §13.5): Ann's running
 * device shows a code; a new install links with it and gets a profile of its
 * own, built from the grant, with its own keys; both hold the same list.
 */
const peer = peerPool();
const dirs: string[] = [];
const services: ProfileService[] = [];
afterEach(() => {
  for (const s of services.splice(0)) s.lock();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const PASS = 'correct horse battery staple';
const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

function newInstall(): ProfileService {
  const dir = mkdtempSync(join(tmpdir(), 'parley-link-'));
  dirs.push(dir);
  const s = new ProfileService({ dir, logger: silentLogger, kdfCost: FAST_KDF });
  services.push(s);
  return s;
}

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  await invitee.running().service.acceptInvite(inviter.running().service.createInvite());
}

describe('linking a new device, end to end', () => {
  it('the new install gets its own keys, the list, contacts, settings and conversations', async () => {
    const ann = peer('Ann');
    const bob = peer('Bob');
    const a = await ann.online();
    await bob.online();
    await befriend(ann, bob);
    await until(() => ann.dmWith(bob) !== null, 20_000, 'Ann has a DM with Bob');
    ann.store.contacts.rename(ann.contactId(bob)!, 'Bobby');
    ann.store.settings.set('chat.readReceipts', 'false');
    ann.store.settings.set('net.listenPort', '4999');

    const events: LinkHostEvent[] = [];
    a.linking.on((e) => {
      events.push(e);
      if (e.state === 'sas') a.linking.confirm(true);
    });
    const { text } = a.linking.showCode();
    const install = newInstall();
    let sasOnN = -1;
    const linked = await linkThisDevice({
      codeText: text,
      createProfile: (name, seed) => install.create(name, PASS, [], seed),
      deviceName: 'Laptop',
      platform: 'linux',
      wantFiles: true,
      confirmSas: async (sas) => {
        sasOnN = sas;
        return true;
      },
      listen: ['/ip4/127.0.0.1/tcp/0'],
    });
    const sasOnE = events.find((e) => e.state === 'sas');
    expect(sasOnE).toMatchObject({ sas: sasOnN });
    await until(() => events.some((e) => e.state === 'done'), 10_000, 'E sees done');

    // E lists N, signed by E, with N's own keys; N holds the same list.
    const own = a.devices.ownList();
    expect(own.map((e) => e.subjectPeerId)).toEqual([a.node.peerId, linked.peerId]);
    expect(a.devices.activeDevices(ann.identity.publicKey)).toHaveLength(2);
    expect(ann.store.devices.exists(linked.peerId)).toBe(true);

    const db = install.database();
    const n = new Store(db, { attachmentsDir: join(dirs[0]!, 'attachments'), logger: silentLogger });
    try {
      const entries = n.deviceLists.entries(ann.identity.publicKey);
      expect(entries.map((b) => Buffer.from(b).toString('hex'))).toEqual(
        own.map((e) => Buffer.from(e.bytes).toString('hex')),
      );
      expect(verifyDeviceList(entries).ok).toBe(true);
      expect(n.identity.get()?.publicKey).toEqual(ann.identity.publicKey);
      expect(n.identity.withPrivateKey()?.privateKey.length).toBe(0);
      // Its own device key and MLS key, not Ann's.
      expect(n.mlsDevice.get()?.peerId).toBe(linked.peerId);
      expect(n.mlsDevice.get()?.signaturePublicKey).not.toEqual(
        ann.store.mlsDevice.get()?.signaturePublicKey,
      );
      expect(n.deviceSecrets.get()?.deviceKey).not.toEqual(ann.store.deviceSecrets.get()?.deviceKey);
      const bobOnN = n.contacts.byIdentityKey(bob.identity.publicKey);
      expect(bobOnN?.localName).toBe('Bobby');
      expect(n.devices.existsForIdentity(bob.identity.publicKey)).toBe(true);
      expect(n.settings.get('chat.readReceipts')).toBe('false');
      expect(n.settings.get('net.listenPort')).toBeNull();
      expect(n.conversations.list().map((c) => c.kind)).toContain('dm');
      expect(linked.kHistory).toHaveLength(32);
    } finally {
      n.stop();
    }

    // The linked profile opens in a shell: contacts and conversations are there, and it goes
    // online as itself (§13.6: its own version 2 credential, no identity private key).
    install.lock();
    const core = createCore({
      profileDir: dirs[0]!,
      shell: 'web',
      version: 't',
      kdfCost: FAST_KDF,
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], startOffline: true },
    });
    try {
      expect((await core.dispatch('profile.unlock', { passphrase: PASS })).ok).toBe(true);
      await core.idle();
      expect(JSON.stringify(await core.dispatch('contacts.list', {}))).toContain('Bobby');
      const conversations = (await core.dispatch('conversations.list', {})) as {
        ok: boolean;
        value?: unknown[];
      };
      expect(conversations.value?.length).toBeGreaterThan(0);
      expect(await core.dispatch('net.goOnline', {})).toMatchObject({ ok: true });
    } finally {
      await core.close();
    }
  });

  it('stores nothing on the new install when the codes differ', async () => {
    const ann = peer('Ann');
    const a = await ann.online();
    a.linking.on((e) => e.state === 'sas' && a.linking.confirm(false));
    const { text } = a.linking.showCode();
    const install = newInstall();
    const attempt = linkThisDevice({
      codeText: text,
      createProfile: (name, seed) => install.create(name, PASS, [], seed),
      deviceName: 'Laptop',
      platform: 'linux',
      wantFiles: false,
      confirmSas: () => new Promise<boolean>(() => undefined),
      listen: ['/ip4/127.0.0.1/tcp/0'],
    });
    await expect(attempt).rejects.toBeInstanceOf(LinkError);
    expect(install.status().state).toBe('none');
    expect(a.devices.ownList()).toHaveLength(1);
  });
});
