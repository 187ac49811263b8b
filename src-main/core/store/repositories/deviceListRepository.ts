import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/** A listed device as stored (migration 0019), with what `devices` knows of its presence. */
export interface StoredListedDevice {
  peerId: string;
  identityKey: Buffer;
  mlsSignatureKey: Buffer;
  platform: string;
  addedSeq: number;
  linkedAt: number;
  removedSeq: number | null;
  removedAt: number | null;
  removeReason: string | null;
  name: string | null;
  /** From `devices` when this profile has ever talked to the device; null otherwise. */
  lastSeenAt: number | null;
}

/** Evidence of a fork (docs/protocol.md §13.4): two validly signed entries at one seq. */
export interface StoredFork {
  id: number;
  identityKey: Buffer;
  seq: number;
  ours: Buffer;
  /** The other version's entries from `seq` on (u16 length, entry; repeated). */
  theirs: Buffer;
  toldBy: string | null;
  seenAt: number;
  resolvedAt: number | null;
}

interface ForkRow {
  id: number;
  identity_key: Buffer;
  seq: number;
  ours: Buffer;
  theirs: Buffer;
  told_by: string | null;
  seen_at: number;
  resolved_at: number | null;
}

const toFork = (r: ForkRow): StoredFork => ({
  id: r.id,
  identityKey: r.identity_key,
  seq: r.seq,
  ours: r.ours,
  theirs: r.theirs,
  toldBy: r.told_by,
  seenAt: r.seen_at,
  resolvedAt: r.resolved_at,
});

/**
 * Device lists at rest (issue 18, migration 0019): each person's verified
 * entries, the devices they name, and fork evidence. Only devices/ writes
 * here, after verification (identity/deviceListVerify.ts); these methods
 * trust what they are given.
 */
export class DeviceListRepository {
  constructor(private readonly db: Db) {}

  /** A person's entries (encodings) in seq order; empty when we hold no list. */
  entries(identityKey: Uint8Array): Buffer[] {
    return (
      prepared(this.db, 'SELECT entry FROM device_list_entries WHERE identity_key = ? ORDER BY seq').all(
        Buffer.from(identityKey),
      ) as { entry: Buffer }[]
    ).map((r) => r.entry);
  }

  /** The head we hold for a person, or null. */
  head(identityKey: Uint8Array): { seq: number; hash: Buffer } | null {
    const r = prepared(
      this.db,
      'SELECT seq, hash FROM device_list_entries WHERE identity_key = ? ORDER BY seq DESC LIMIT 1',
    ).get(Buffer.from(identityKey)) as { seq: number; hash: Buffer } | undefined;
    return r ?? null;
  }

  /** Every person we hold a list for. */
  persons(): Buffer[] {
    return (
      prepared(this.db, 'SELECT DISTINCT identity_key FROM device_list_entries').all() as {
        identity_key: Buffer;
      }[]
    ).map((r) => r.identity_key);
  }

  /** Appends verified entries (the caller checked they extend the head). */
  insertEntries(
    identityKey: Uint8Array,
    rows: readonly { seq: number; entry: Uint8Array; hash: Uint8Array }[],
  ): void {
    const insert = prepared(
      this.db,
      'INSERT INTO device_list_entries (identity_key, seq, entry, hash) VALUES (?, ?, ?, ?)',
    );
    const ik = Buffer.from(identityKey);
    for (const r of rows) insert.run(ik, r.seq, Buffer.from(r.entry), Buffer.from(r.hash));
  }

  /** Drops a person's entries from `seq` on (adopting another version of a forked list). */
  truncate(identityKey: Uint8Array, fromSeq: number): void {
    prepared(this.db, 'DELETE FROM device_list_entries WHERE identity_key = ? AND seq >= ?').run(
      Buffer.from(identityKey),
      fromSeq,
    );
  }

  /**
   * Makes the person's listed devices what the verified list says (names of
   * one's own devices are kept); devices no longer in it are dropped.
   */
  saveDevices(
    identityKey: Uint8Array,
    devices: readonly {
      peerId: string;
      mlsSignatureKey: Uint8Array;
      platform: string;
      addedSeq: number;
      addedAt: number;
      removedSeq?: number;
      removedAt?: number;
      removeReason?: string;
    }[],
  ): void {
    const ik = Buffer.from(identityKey);
    const upsert = prepared(
      this.db,
      `INSERT INTO device_list_devices
         (peer_id, identity_key, mls_signature_key, platform, added_seq, linked_at, removed_seq, removed_at, remove_reason)
       VALUES (@peerId, @ik, @mls, @platform, @addedSeq, @linkedAt, @removedSeq, @removedAt, @removeReason)
       ON CONFLICT (peer_id) DO UPDATE SET
         mls_signature_key = excluded.mls_signature_key, platform = excluded.platform,
         added_seq = excluded.added_seq, linked_at = excluded.linked_at, removed_seq = excluded.removed_seq,
         removed_at = excluded.removed_at, remove_reason = excluded.remove_reason
       WHERE device_list_devices.identity_key = excluded.identity_key`,
    );
    for (const d of devices) {
      upsert.run({
        peerId: d.peerId,
        ik,
        mls: Buffer.from(d.mlsSignatureKey),
        platform: d.platform,
        addedSeq: d.addedSeq,
        linkedAt: d.addedAt,
        removedSeq: d.removedSeq ?? null,
        removedAt: d.removedAt ?? null,
        removeReason: d.removeReason ?? null,
      });
    }
    const keep = new Set(devices.map((d) => d.peerId));
    const stale = (
      prepared(this.db, 'SELECT peer_id FROM device_list_devices WHERE identity_key = ?').all(ik) as {
        peer_id: string;
      }[]
    ).filter((r) => !keep.has(r.peer_id));
    const drop = prepared(this.db, 'DELETE FROM device_list_devices WHERE peer_id = ?');
    for (const r of stale) drop.run(r.peer_id);
  }

  /** Rule 5's index: the person whose list holds this PeerId or MLS signature key, if any. */
  ownerOf(peerId: string, mlsSignatureKey: Uint8Array): Buffer | null {
    const r = prepared(
      this.db,
      'SELECT identity_key FROM device_list_devices WHERE peer_id = ? OR mls_signature_key = ? LIMIT 1',
    ).get(peerId, Buffer.from(mlsSignatureKey)) as { identity_key: Buffer } | undefined;
    return r?.identity_key ?? null;
  }

  /** Some held list removed this PeerId. */
  isRemoved(peerId: string): boolean {
    return (
      prepared(
        this.db,
        'SELECT 1 FROM device_list_devices WHERE peer_id = ? AND removed_seq IS NOT NULL',
      ).get(peerId) !== undefined
    );
  }

  /** Every PeerId some held list removed. */
  removedPeers(): string[] {
    return (
      prepared(this.db, 'SELECT peer_id FROM device_list_devices WHERE removed_seq IS NOT NULL').all() as {
        peer_id: string;
      }[]
    ).map((r) => r.peer_id);
  }

  /** The person whose list names this PeerId (active or removed), if any. */
  ownerOfPeer(peerId: string): Buffer | null {
    const r = prepared(this.db, 'SELECT identity_key FROM device_list_devices WHERE peer_id = ?').get(
      peerId,
    ) as { identity_key: Buffer } | undefined;
    return r?.identity_key ?? null;
  }

  /** A person's listed devices in the order they were added, with last-seen times where known. */
  devices(identityKey: Uint8Array): StoredListedDevice[] {
    return (
      prepared(
        this.db,
        `SELECT l.*, d.last_seen_at FROM device_list_devices l LEFT JOIN devices d ON d.peer_id = l.peer_id
         WHERE l.identity_key = ? ORDER BY l.added_seq`,
      ).all(Buffer.from(identityKey)) as {
        peer_id: string;
        identity_key: Buffer;
        mls_signature_key: Buffer;
        platform: string;
        added_seq: number;
        linked_at: number;
        removed_seq: number | null;
        removed_at: number | null;
        remove_reason: string | null;
        name: string | null;
        last_seen_at: number | null;
      }[]
    ).map((r) => ({
      peerId: r.peer_id,
      identityKey: r.identity_key,
      mlsSignatureKey: r.mls_signature_key,
      platform: r.platform,
      addedSeq: r.added_seq,
      linkedAt: r.linked_at,
      removedSeq: r.removed_seq,
      removedAt: r.removed_at,
      removeReason: r.remove_reason,
      name: r.name,
      lastSeenAt: r.last_seen_at,
    }));
  }

  /** Names one of one's own devices (§13.10). */
  rename(peerId: string, name: string | null): boolean {
    return (
      prepared(this.db, 'UPDATE device_list_devices SET name = ? WHERE peer_id = ?').run(name, peerId)
        .changes > 0
    );
  }

  /**
   * Records a fork (one open fork per person and seq); a longer chain of the
   * other version replaces a shorter one. True when something was written.
   */
  recordFork(f: {
    identityKey: Uint8Array;
    seq: number;
    ours: Uint8Array;
    theirs: Uint8Array;
    toldBy: string | null;
    at: number;
  }): boolean {
    return (
      prepared(
        this.db,
        `INSERT INTO device_list_forks (identity_key, seq, ours, theirs, told_by, seen_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (identity_key, seq) WHERE resolved_at IS NULL DO UPDATE SET theirs = excluded.theirs
         WHERE length(excluded.theirs) > length(device_list_forks.theirs)`,
      ).run(Buffer.from(f.identityKey), f.seq, Buffer.from(f.ours), Buffer.from(f.theirs), f.toldBy, f.at)
        .changes > 0
    );
  }

  /** Open forks, of one person or of everyone. */
  openForks(identityKey?: Uint8Array): StoredFork[] {
    const rows =
      identityKey === undefined
        ? prepared(this.db, 'SELECT * FROM device_list_forks WHERE resolved_at IS NULL ORDER BY id').all()
        : prepared(
            this.db,
            'SELECT * FROM device_list_forks WHERE identity_key = ? AND resolved_at IS NULL ORDER BY id',
          ).all(Buffer.from(identityKey));
    return (rows as ForkRow[]).map(toFork);
  }

  /** Closes a person's open forks (the user chose). */
  resolveForks(identityKey: Uint8Array, at: number): number {
    return prepared(
      this.db,
      'UPDATE device_list_forks SET resolved_at = ? WHERE identity_key = ? AND resolved_at IS NULL',
    ).run(at, Buffer.from(identityKey)).changes;
  }
}
