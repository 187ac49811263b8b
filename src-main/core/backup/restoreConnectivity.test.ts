import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { groupsAwaitingResync } from '../groups/resync';
import { startMessaging } from '../runtime/startMessaging';
import { makeMessagingPeer, until, type MessagingPeer } from '../runtime/testing/messagingPeer';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import { deriveKek, newKdfParams, wrapDataKey } from '../store/keyDerivation';
import { newProfileHeader, writeProfileHeader } from '../store/profileHeader';
import { Store } from '../store/store';
import { silentLogger } from '../util/logger';
import { createBackup } from './createBackup';
import { restoreBackup } from './restoreBackup';
import { FAST_KDF, PASSWORD } from './testing/sampleProfile';
import { ResyncRepository } from '../store/repositories/resyncRepository';

/**
 * Issue 13, finding 2, the walk-through as it happened: Ann and Bob had both
 * restarted (each app listening on tcp/0) before Ann made her backup; the
 * restored profile "was connected to only one peer" (Carl) and its DM with
 * Bob stayed read-only: Bob's address in the backup was from before his
 * restart, and nobody knew the restored device's new PeerId to dial it. A
 * profile now keeps its port (and contacts exchange address records), so the
 * restored device reaches every member and rejoins every conversation.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function peer(name: string): MessagingPeer {
  // As the app: tcp/0 on every start.
  const p = makeMessagingPeer(name, { anyPort: true });
  cleanups.push(() => p.dispose());
  return p;
}

const bodies = (p: MessagingPeer, id: number) => p.messages(id).map((m) => m.body ?? '');

describe('restore after the contacts restarted', () => {
  it('reaches every member and rejoins every conversation', async () => {
    const [ann, bob, carl] = [peer('Ann'), peer('Bob'), peer('Carl')];
    await Promise.all([ann.online(), bob.online(), carl.online()]);
    await bob.running().service.acceptInvite(ann.running().service.createInvite());
    await carl.running().service.acceptInvite(ann.running().service.createInvite());
    await until(() => ann.contactId(bob) !== null && ann.contactId(carl) !== null, 20_000, 'contacts');
    await until(() => ann.dmWith(bob) !== null && ann.dmWith(carl) !== null, 20_000, 'DMs');
    await ann.running().service.createGroup('Crew', [ann.contactId(bob) ?? -1, ann.contactId(carl) ?? -1]);
    await until(() => bob.groups().length === 1 && carl.groups().length === 1, 20_000, 'the group');

    // Ann and Bob restart close together; Carl stays up.
    await Promise.all([ann.offline(), bob.offline()]);
    await Promise.all([ann.online(), bob.online()]);
    await until(
      () => ann.running().node.isConnected(bob.running().node.peerId),
      20_000,
      'Ann and Bob reconnect',
    );

    // Ann backs up and closes her app; the backup is restored on a new device.
    const kdf = newKdfParams(FAST_KDF);
    writeProfileHeader(
      join(ann.t.dir, 'profile.json'),
      newProfileHeader(
        kdf,
        wrapDataKey(ann.t.key, await deriveKek('unlock passphrase', kdf), kdf),
        new Date(),
      ),
    );
    const root = mkdtempSync(join(tmpdir(), 'parley-restore-connectivity-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const archive = join(root, 'ann.parley-backup');
    await createBackup({
      profileDir: ann.t.dir,
      connection: { path: ann.t.path, key: Buffer.from(ann.t.key) },
      out: archive,
      password: PASSWORD,
      appVersion: 'test',
      kdf: FAST_KDF,
    });
    await ann.offline();
    await restoreBackup({ file: archive, password: PASSWORD, targetDir: join(root, 'restored') });
    const db = openEncryptedDatabase(join(root, 'restored', 'parley.db'), Buffer.from(ann.t.key), {
      create: false,
    });
    const store = new Store(db, {
      attachmentsDir: join(root, 'restored', 'attachments'),
      logger: silentLogger,
    });
    cleanups.push(() => {
      store.stop();
      db.close();
    });
    const restored = await startMessaging({
      store,
      identity: ann.identity,
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
    });
    cleanups.push(() => restored.stop());

    const members = [bob.running().node.peerId, carl.running().node.peerId];
    await until(
      () => members.every((p) => restored.node.isConnected(p)),
      10_000,
      'the restored device connected to Bob and Carl',
    );
    await until(
      () => groupsAwaitingResync(new ResyncRepository(db)).length === 0,
      10_000,
      'every conversation rejoined',
    );

    // The DM with Bob works both ways.
    const dm = (
      db
        .prepare(`SELECT id FROM conversations WHERE kind = 'dm' AND contact_id = ?`)
        .get(ann.contactId(bob)) as {
        id: number;
      }
    ).id;
    await restored.service.sendText(dm, 'Ann on a new laptop');
    await until(() => bodies(bob, bob.dmWith(ann) ?? -1).includes('Ann on a new laptop'), 10_000, 'to Bob');
    await bob.running().service.sendText(bob.dmWith(ann) ?? -1, 'welcome back');
    await until(
      () =>
        (db
          .prepare('SELECT 1 FROM messages WHERE conversation_id = ? AND body = ?')
          .get(dm, 'welcome back') ?? null) !== null,
      10_000,
      'from Bob',
    );
    expect(groupsAwaitingResync(new ResyncRepository(db))).toEqual([]);
  }, 120_000);
});
