import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replacementPending } from '../devices/restoreReplacement';
import { thisDeviceRemoval } from '../devices/thisDeviceRemoval';
import { isParleyError } from '../errors';
import { groupsAwaitingResync, previousPeerId } from '../groups/resync';
import { startMessaging, type RunningMessaging } from '../runtime/startMessaging';
import { makeMessagingPeer, until, type MessagingPeer } from '../runtime/testing/messagingPeer';
import { openEncryptedDatabase, type Db } from '../store/encryptedDatabase';
import { deriveKek, newKdfParams, wrapDataKey } from '../store/keyDerivation';
import { newProfileHeader, writeProfileHeader } from '../store/profileHeader';
import { Store } from '../store/store';
import { rowText } from '../store/testing/systemText';
import { silentLogger } from '../util/logger';
import { createBackup } from './createBackup';
import { restoreBackup } from './restoreBackup';
import { FAST_KDF, PASSWORD } from './testing/sampleProfile';
import { ResyncRepository } from '../store/repositories/resyncRepository';

/**
 * Issue #8's "messaging continues" test: Ada and Bob talk in a DM and a group;
 * Ada's profile is backed up while her app runs and restored elsewhere while
 * the original keeps running. The restored profile is a new device: it
 * rejoins both groups by external commit (groups/resync.ts) through
 * /parley/groupinfo/1.0.0, and the conversation goes on with Bob.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function peer(name: string): MessagingPeer {
  const p = makeMessagingPeer(name, { groups: { acceptMs: 200, tickMs: 100 } });
  cleanups.push(() => p.dispose());
  return p;
}

const bodies = (db: Db, conversationId: number): string[] =>
  (
    db
      .prepare('SELECT body, event FROM messages WHERE conversation_id = ? ORDER BY id')
      .all(conversationId) as {
      body: string | null;
      event: string | null;
    }[]
  ).map((r) => rowText(r));

describe('restore on a second device while the first still runs', () => {
  it('rejoins every group with a new device key, replaces the old leaf, and keeps messaging with a peer', async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    await Promise.all([a.online(), b.online()]);
    const invite = a.running().service.createInvite();
    await b.running().service.acceptInvite(invite);
    await until(() => a.dmWith(b) !== null, 20_000, 'Ada joins the DM');
    const ab = a.dmWith(b) ?? -1;
    const ba = b.dmWith(a) ?? -1;
    await a.running().service.sendText(ab, 'before the backup');
    await until(() => bodies(b.t.db, ba).includes('before the backup'), 20_000, 'first DM');
    const group = await a.running().service.createGroup('Team', [a.contactId(b) ?? -1]);
    await until(() => b.groups().length === 1, 20_000, 'Bob joins the group');
    const [bg = -1] = b.groups();
    await b.running().service.sendText(bg, 'group hello');
    await until(() => bodies(a.t.db, group).includes('group hello'), 20_000, 'group message');
    const oldPeerId = a.running().node.peerId;

    // Back up Ada's live profile (a profile header wrapping her database key, as ProfileService writes).
    const kdf = newKdfParams(FAST_KDF);
    writeProfileHeader(
      join(a.t.dir, 'profile.json'),
      newProfileHeader(kdf, wrapDataKey(a.t.key, await deriveKek('unlock passphrase', kdf), kdf), new Date()),
    );
    const root = mkdtempSync(join(tmpdir(), 'parley-restore-messaging-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const archive = join(root, 'ada.parley-backup');
    await createBackup({
      profileDir: a.t.dir,
      connection: { path: a.t.path, key: Buffer.from(a.t.key) },
      out: archive,
      password: PASSWORD,
      appVersion: 'test',
      kdf: FAST_KDF,
    });
    const restoredDir = join(root, 'ada-restored');
    const result = await restoreBackup({ file: archive, password: PASSWORD, targetDir: restoredDir });
    expect(result.groupsToResync).toBe(2);
    expect(result.previousPeerId).toBe(oldPeerId);

    // Start the restored profile (the original keeps running).
    const db = openEncryptedDatabase(join(restoredDir, 'parley.db'), Buffer.from(a.t.key), { create: false });
    const store = new Store(db, { attachmentsDir: join(restoredDir, 'attachments'), logger: silentLogger });
    cleanups.push(() => {
      store.stop();
      db.close();
    });
    expect(groupsAwaitingResync(new ResyncRepository(db)).sort()).toEqual([ab, group].sort());
    expect(previousPeerId(new ResyncRepository(db))).toBe(oldPeerId);
    // Everything Ada had is there before any network traffic.
    expect(bodies(db, ab)).toEqual(['before the backup']);
    expect(bodies(db, group)).toContain('group hello');

    const restored: RunningMessaging = await startMessaging({
      store,
      identity: a.identity,
      node: {
        listen: ['/ip4/127.0.0.1/tcp/0'],
        dialTimeoutMs: 1_000,
        dialGraceMs: 100,
        reconnect: { baseMs: 100, maxMs: 500 },
      },
      delivery: {
        backoff: { baseMs: 100, maxMs: 1_000, factor: 2 },
        sendTimeoutMs: 5_000,
        fetchIntervalMs: 500,
      },
      keyPackagePoolSize: 3,
      groups: { acceptMs: 200, tickMs: 100 },
    });
    cleanups.push(() => restored.stop());
    // On a LAN the two devices find each other by mDNS; here the restored one is told where the original listens.
    await restored.node.keepConnected(oldPeerId, a.running().node.addresses());
    expect(restored.node.peerId).not.toBe(oldPeerId);
    expect(restored.node.peerId).toBe(result.peerId);
    // §13.9 Replace: the list says so (add(N) signed by the backup's device, then its remove by N).
    const ownList = restored.devices.ownList();
    const [added, removed] = ownList.slice(-2);
    expect(added).toMatchObject({ op: 'add', subjectPeerId: restored.node.peerId, signerPeerId: oldPeerId });
    expect(removed).toMatchObject({
      op: 'remove',
      subjectPeerId: oldPeerId,
      reason: 'replaced',
      signerPeerId: restored.node.peerId,
    });
    expect(restored.devices.activeDevices(a.identity.publicKey).map((d) => d.peerId)).toEqual([
      restored.node.peerId,
    ]);
    expect(replacementPending(store.settings)).toBe(false);

    // Until rejoined, sending is refused with a clear message, never with the restored state.
    if (groupsAwaitingResync(new ResyncRepository(db)).includes(group)) {
      try {
        await restored.service.sendText(group, 'too early');
        throw new Error('sent before the resync');
      } catch (err) {
        expect(isParleyError(err)).toBe(true);
      }
    }

    // The runner rejoins both groups through Bob (GroupInfo over /parley/groupinfo/1.0.0).
    for (let i = 0; i < 100 && groupsAwaitingResync(new ResyncRepository(db)).length > 0; i++)
      await restored.resync.runOnce();
    expect(groupsAwaitingResync(new ResyncRepository(db))).toEqual([]);

    // Bob accepted the external commits: the new device replaced the old leaf.
    const bobView = () =>
      b
        .running()
        .service.groups.state(bg)
        ?.members.map((m) => m.peerId) ?? [];
    await until(() => bobView().includes(restored.node.peerId), 20_000, 'Bob sees the new device');
    expect(bobView()).not.toContain(oldPeerId);

    // Messaging continues both ways in the group and the DM.
    await restored.service.sendText(group, 'after the restore');
    await until(() => bodies(b.t.db, bg).includes('after the restore'), 20_000, 'restored → Bob');
    await b.running().service.sendText(bg, 'welcome back');
    await until(() => bodies(db, group).includes('welcome back'), 20_000, 'Bob → restored');
    await restored.service.sendText(ab, 'dm after restore');
    await until(() => bodies(b.t.db, ba).includes('dm after restore'), 20_000, 'DM restored → Bob');

    // Bob takes the new list: the old device is removed from Ada's devices, the new one listed.
    await until(
      () =>
        b
          .running()
          .devices.activeDevices(a.identity.publicKey)
          .map((d) => d.peerId)
          .join() === restored.node.peerId,
      20_000,
      'Bob takes the replacement',
    );
    // The original device is told, by the commit that removed its leaf (it marks the conversations
    // left with a line saying why) or by its own list (§13.8 step 4: removed, reason "replaced"),
    // whichever reaches it first; it refuses to send, so the two devices never both encrypt from one leaf.
    const leftAt = (id: number) =>
      (a.t.db.prepare('SELECT left_at FROM conversations WHERE id = ?').get(id) as { left_at: number | null })
        .left_at;
    await until(
      () => (leftAt(group) !== null && leftAt(ab) !== null) || thisDeviceRemoval(a.store.settings) !== null,
      20_000,
      'the old device learns it was replaced',
    );
    // Refused where it marked the conversation left; where its list told it first, the app stops its
    // node and wipes (runtime/messagingHost.ts, not in this harness) and Bob refuses what it sends.
    await a
      .running()
      .service.sendText(group, 'from the old device')
      .catch((err: unknown) => expect(err).toMatchObject({ code: 'INVALID_STATE' }));
    await restored.service.sendText(group, 'the last word');
    await until(() => bodies(b.t.db, bg).includes('the last word'), 20_000, 'restored → Bob again');
    expect(bodies(b.t.db, bg)).not.toContain('from the old device');
  }, 120_000);
});
