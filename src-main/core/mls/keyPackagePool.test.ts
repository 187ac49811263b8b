import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { LAST_RESORT_EXTENSION } from './extensions';
import { addMembers, createGroup, exportRatchetTree } from './groupEngine';
import { joinGroup } from './join';
import { KeyPackagePool, loadOrCreateDeviceIdentity } from './keyPackagePool';
import { KEY_PACKAGE_LIFETIME_MS } from './keyPackages';
import { MlsStore } from './mlsStore';
import { isMlsRejection } from './rejection';
import { hex, makeUser, testPeerId } from './testing/mlsFixtures';
import { decodeKeyPackage } from './wire';
import { MlsGroupRepository } from '../store/repositories/mlsGroupRepository';
import { Transactor } from '../store/transactor';
import { KeyPackageRepository } from '../store/repositories/keyPackageRepository';
import { MlsDeviceRepository } from '../store/repositories/mlsDeviceRepository';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

function conversation(db: TempDatabase['db']): number {
  return Number(
    db.prepare("INSERT INTO conversations (kind, created_at, last_activity_at) VALUES ('group', 0, 0)").run()
      .lastInsertRowid,
  );
}

describe('KeyPackage pool', () => {
  it('hands each one-time package out once, then the last resort, and replenishes', async () => {
    t = tempDatabase();
    const bob = makeUser('bob');
    const pool = new KeyPackagePool(new KeyPackageRepository(t.db), bob.device);
    expect(await pool.replenish(3, 'classic')).toBe(4); // 3 one-time + 1 last resort
    expect(pool.counts('classic')).toEqual({ available: 3, handedOut: 0, consumed: 0, lastResort: 1 });
    expect(pool.takeForPeer('xwing')).toBeNull(); // no package of the other suite

    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const kp = pool.takeForPeer('classic')!;
      expect(kp.lastResort).toBe(false);
      expect(seen.has(hex(kp.ref))).toBe(false);
      seen.add(hex(kp.ref));
    }
    const lr1 = pool.takeForPeer('classic')!;
    const lr2 = pool.takeForPeer('classic')!;
    expect(lr1.lastResort).toBe(true);
    expect(hex(lr2.ref)).toBe(hex(lr1.ref));
    expect(decodeKeyPackage(lr1.keyPackage).extensions.map((e) => e.extensionType)).toContain(
      LAST_RESORT_EXTENSION,
    );
    expect(pool.counts('classic')).toMatchObject({ available: 0, handedOut: 3 });

    expect(await pool.replenish(3, 'classic')).toBe(3);
    expect(pool.counts('classic').available).toBe(3);
    const fresh = pool.takeForPeer('classic')!;
    expect(seen.has(hex(fresh.ref))).toBe(false);
  });

  it('joins with a handed-out package, deletes its private keys, and refuses the Welcome again', async () => {
    t = tempDatabase();
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const pool = new KeyPackagePool(new KeyPackageRepository(t.db), bob.device);
    const store = new MlsStore(new MlsGroupRepository(t.db), new Transactor(t.db));
    await pool.replenish(2, 'classic');
    const handed = pool.takeForPeer('classic')!;

    const group = await createGroup(alice.device, { suite: 'classic' });
    const added = await addMembers(group, [handed.keyPackage]);
    const found = pool.findForWelcome(added.welcome!);
    expect(hex(found.ref)).toBe(hex(handed.ref));
    const joined = await joinGroup(
      bob.device,
      added.welcome!,
      found.material,
      exportRatchetTree(added.state),
    );
    const conv = conversation(t.db);
    store.commitJoin(conv, joined, pool, found.ref);

    const row = t.db
      .prepare('SELECT private_keys, consumed_at FROM key_packages WHERE ref = ?')
      .get(handed.ref) as {
      private_keys: Buffer | null;
      consumed_at: number | null;
    };
    expect(row.private_keys).toBeNull();
    expect(row.consumed_at).not.toBeNull();
    expect(pool.counts('classic').consumed).toBe(1);
    const replay = (() => {
      try {
        pool.findForWelcome(added.welcome!);
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(isMlsRejection(replay, 'replay')).toBe(true);
    expect(store.load(conv)!.epoch).toBe(1);
  });

  it('keeps the last-resort keys after use, so it can be used again', async () => {
    t = tempDatabase();
    const bob = makeUser('bob');
    const pool = new KeyPackagePool(new KeyPackageRepository(t.db), bob.device);
    const store = new MlsStore(new MlsGroupRepository(t.db), new Transactor(t.db));
    await pool.replenish(0, 'classic');
    const lr = pool.takeForPeer('classic')!;
    expect(lr.lastResort).toBe(true);
    for (const creator of [makeUser('alice'), makeUser('carol')]) {
      const added = await addMembers(await createGroup(creator.device, { suite: 'classic' }), [
        lr.keyPackage,
      ]);
      const found = pool.findForWelcome(added.welcome!);
      const joined = await joinGroup(
        bob.device,
        added.welcome!,
        found.material,
        exportRatchetTree(added.state),
      );
      store.commitJoin(conversation(t.db), joined, pool, found.ref);
    }
    const row = t.db.prepare('SELECT private_keys FROM key_packages WHERE ref = ?').get(lr.ref) as {
      private_keys: Buffer | null;
    };
    expect(row.private_keys).not.toBeNull();
  });

  it('forgets expired packages and rotates the last resort before it expires', async () => {
    t = tempDatabase();
    let now = Date.now();
    const pool = new KeyPackagePool(new KeyPackageRepository(t.db), makeUser('bob').device, () => now);
    await pool.replenish(2, 'classic');
    const firstLastResort = t.db.prepare('SELECT ref FROM key_packages WHERE last_resort = 1').get() as {
      ref: Buffer;
    };
    now += KEY_PACKAGE_LIFETIME_MS - 12 * 3600_000; // half a day before expiry
    expect(pool.counts('classic').available).toBe(2);
    expect(pool.takeForPeer('classic')!.lastResort).toBe(true); // too close to expiry to hand out one-time ones
    const generated = await pool.replenish(2, 'classic');
    expect(generated).toBe(3);
    now += 24 * 3600_000; // the first batch has expired
    await pool.replenish(2, 'classic');
    const refs = (t.db.prepare('SELECT ref FROM key_packages').all() as { ref: Buffer }[]).map((r) =>
      hex(r.ref),
    );
    expect(refs).not.toContain(hex(firstLastResort.ref));
    expect(pool.counts('classic')).toMatchObject({ available: 2, lastResort: 1 });
  });

  it('keeps the device identity across restarts and re-certifies on a new PeerId', () => {
    t = tempDatabase();
    const user = makeUser('bob');
    const peer = testPeerId();
    const first = loadOrCreateDeviceIdentity(new MlsDeviceRepository(t.db), user.identity, peer);
    const again = loadOrCreateDeviceIdentity(new MlsDeviceRepository(t.db), user.identity, peer);
    expect(hex(again.signaturePublicKey)).toBe(hex(first.signaturePublicKey));
    expect(hex(again.signaturePrivateKey)).toBe(hex(first.signaturePrivateKey));
    const moved = loadOrCreateDeviceIdentity(new MlsDeviceRepository(t.db), user.identity, testPeerId());
    expect(hex(moved.signaturePublicKey)).not.toBe(hex(first.signaturePublicKey));
  });
});
