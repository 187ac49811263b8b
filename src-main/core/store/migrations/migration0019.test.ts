import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { DeviceListRepository } from '../repositories/deviceListRepository';
import { ADA, BOB, insertIdentity, tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migration0019 } from './0019-device-lists';
import { migrations } from './index';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

const before = migrations.filter((m) => m.version < 19);

describe('migration 0019 (device lists)', () => {
  it('adds the device-list tables to a profile of version 18 and keeps its rows', () => {
    t = tempDatabase(before);
    insertIdentity(t.db, 'Old profile');
    migrate(t.db, [...before, migration0019]);
    expect(schemaVersion(t.db)).toBe(19);
    expect(t.db.prepare('SELECT display_name FROM identity').get()).toEqual({ display_name: 'Old profile' });
    // No list yet: the profile signs entry 0 on its next start (devices/deviceLists.ts, §13.11).
    expect(new DeviceListRepository(t.db).head(ADA)).toBeNull();
  });

  it('refuses rows that no verified list can have', () => {
    t = tempDatabase();
    const insert = t.db.prepare(
      'INSERT INTO device_list_entries (identity_key, seq, entry, hash) VALUES (?, ?, ?, ?)',
    );
    expect(() => insert.run(ADA, 1024, Buffer.alloc(10), Buffer.alloc(32))).toThrow(/CHECK/);
    expect(() => insert.run(ADA, 0, Buffer.alloc(1025), Buffer.alloc(32))).toThrow(/CHECK/);
    insert.run(ADA, 0, Buffer.alloc(10), Buffer.alloc(32));
    expect(() => insert.run(ADA, 0, Buffer.alloc(10), Buffer.alloc(32))).toThrow(/UNIQUE/);
    // One MLS key, one PeerId over all lists (§13.3 rule 5).
    const repo = new DeviceListRepository(t.db);
    const device = { mlsSignatureKey: Buffer.alloc(32, 7), platform: 'linux', addedSeq: 0, addedAt: 1 };
    repo.saveDevices(ADA, [{ peerId: 'p1', ...device }]);
    expect(() => repo.saveDevices(BOB, [{ peerId: 'p2', ...device }])).toThrow(/UNIQUE/);
    // Another person's row is never taken over by an upsert.
    repo.saveDevices(BOB, [{ peerId: 'p1', ...device, mlsSignatureKey: Buffer.alloc(32, 8) }]);
    expect(repo.ownerOfPeer('p1')).toEqual(ADA);
  });

  it('keeps one open fork per person and seq, growing only with a longer other version', () => {
    t = tempDatabase();
    const repo = new DeviceListRepository(t.db);
    const fork = { identityKey: ADA, seq: 2, ours: Buffer.alloc(5, 1), toldBy: 'x', at: 1 };
    expect(repo.recordFork({ ...fork, theirs: Buffer.alloc(10) })).toBe(true);
    expect(repo.recordFork({ ...fork, theirs: Buffer.alloc(10, 1) })).toBe(false);
    expect(repo.recordFork({ ...fork, theirs: Buffer.alloc(20) })).toBe(true);
    expect(repo.openForks(ADA)).toHaveLength(1);
    expect(repo.resolveForks(ADA, 5)).toBe(1);
    expect(repo.openForks()).toEqual([]);
    expect(repo.recordFork({ ...fork, theirs: Buffer.alloc(10) })).toBe(true);
  });
});
