import type { Db } from '../store/encryptedDatabase';
import { ParleyError } from '../errors';
import { decodeDeviceCredential } from '../identity/credential';
import { createDeviceIdentity, type MlsDeviceIdentity } from './credentials';
import { welcomeKeyPackageRefs, type JoinKeyMaterial } from './join';
import { generateKeyPackage, type GeneratedKeyPackage } from './keyPackages';
import { MlsRejection } from './rejection';
import { DEFAULT_SUITE, suiteInfo, type MlsSuiteName } from './suites';

/**
 * This device's KeyPackages (RFC 9420 §10, §16.8) in `key_packages`:
 *
 *  - a pool of one-time packages: each is handed out at most once (the
 *    UPDATE that marks it is the same statement that picks it), and its
 *    private keys are deleted when a Welcome uses it;
 *  - one last-resort package (extensions.ts LAST_RESORT_EXTENSION), handed
 *    out only when the pool is empty and kept after use, so a device is
 *    never unreachable; it is rotated before it expires.
 *
 * This module offers the pool; the network layer (`keypackage` protocol)
 * serves takeForPeer() to peers and calls replenish() when it runs low.
 */

export const DEFAULT_POOL_SIZE = 20;
/** A package is not handed out when it would expire within this margin. */
const HAND_OUT_MARGIN_MS = 24 * 3600_000;
/** The last-resort package is replaced this long before it expires. */
const LAST_RESORT_ROTATE_MS = 14 * 24 * 3600_000;

export interface HandedOutKeyPackage {
  readonly ref: Uint8Array;
  /** MLSMessage(KeyPackage) bytes for the peer. */
  readonly keyPackage: Uint8Array;
  readonly lastResort: boolean;
}

export interface PoolCounts {
  /** One-time packages not handed out yet. */
  readonly available: number;
  /** Handed out, not used by a Welcome yet. */
  readonly handedOut: number;
  readonly consumed: number;
  /** Valid last-resort packages (normally 1). */
  readonly lastResort: number;
}

interface Row {
  id: number;
  ref: Buffer;
  key_package: Buffer;
  private_keys: Buffer | null;
  last_resort: number;
  consumed_at: number | null;
}

export class KeyPackagePool {
  constructor(
    private readonly db: Db,
    private readonly device: MlsDeviceIdentity,
    private readonly now: () => number = Date.now,
  ) {}

  private async insert(count: number, suite: MlsSuiteName, lastResort: boolean): Promise<void> {
    const generated: GeneratedKeyPackage[] = [];
    for (let i = 0; i < count; i++) {
      generated.push(await generateKeyPackage(this.device, { suite, lastResort, now: this.now() }));
    }
    const stmt = this.db.prepare(
      `INSERT INTO key_packages (ref, key_package, private_keys, last_resort, ciphersuite, expires_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const id = suiteInfo(suite).id;
    this.db.transaction(() => {
      for (const g of generated) {
        stmt.run(g.ref, g.keyPackage, g.privateKeys, lastResort ? 1 : 0, id, g.expiresAt, this.now());
      }
    })();
    for (const g of generated) g.privateKeys.fill(0);
  }

  /** Adds `count` one-time packages. */
  async generate(count: number, suite: MlsSuiteName = DEFAULT_SUITE): Promise<void> {
    await this.insert(count, suite, false);
  }

  /**
   * Keeps the pool usable: forgets expired packages (and their keys), makes
   * sure a last-resort package is valid for a while yet, and tops the
   * one-time packages not handed out up to `target`. Returns how many
   * packages were generated.
   */
  async replenish(target: number = DEFAULT_POOL_SIZE, suite: MlsSuiteName = DEFAULT_SUITE): Promise<number> {
    const id = suiteInfo(suite).id;
    const now = this.now();
    this.db.prepare('DELETE FROM key_packages WHERE expires_at <= ?').run(now);
    const lastResortOk = this.db
      .prepare('SELECT 1 FROM key_packages WHERE ciphersuite = ? AND last_resort = 1 AND expires_at > ?')
      .get(id, now + LAST_RESORT_ROTATE_MS);
    let generated = 0;
    if (!lastResortOk) {
      await this.insert(1, suite, true);
      generated++;
    }
    const { n } = this.db
      .prepare(
        `SELECT count(*) AS n FROM key_packages
         WHERE ciphersuite = ? AND last_resort = 0 AND handed_out_at IS NULL AND expires_at > ?`,
      )
      .get(id, now + HAND_OUT_MARGIN_MS) as { n: number };
    if (n < target) {
      await this.insert(target - n, suite, false);
      generated += target - n;
    }
    return generated;
  }

  /**
   * A package for a peer who wants to add this device: a one-time package
   * never handed out before, or, when there is none, the last-resort one.
   * Null when the pool is empty and there is no last-resort package.
   */
  takeForPeer(suite: MlsSuiteName = DEFAULT_SUITE): HandedOutKeyPackage | null {
    const id = suiteInfo(suite).id;
    const now = this.now();
    return this.db.transaction((): HandedOutKeyPackage | null => {
      const oneTime = this.db
        .prepare(
          `UPDATE key_packages SET handed_out_at = ?
           WHERE id = (SELECT id FROM key_packages
                       WHERE ciphersuite = ? AND last_resort = 0 AND handed_out_at IS NULL AND consumed_at IS NULL
                         AND expires_at > ?
                       ORDER BY id LIMIT 1)
           RETURNING ref, key_package`,
        )
        .get(now, id, now + HAND_OUT_MARGIN_MS) as Pick<Row, 'ref' | 'key_package'> | undefined;
      if (oneTime)
        return {
          ref: new Uint8Array(oneTime.ref),
          keyPackage: new Uint8Array(oneTime.key_package),
          lastResort: false,
        };
      const lastResort = this.db
        .prepare(
          `UPDATE key_packages SET handed_out_at = ?
           WHERE id = (SELECT id FROM key_packages WHERE ciphersuite = ? AND last_resort = 1 AND expires_at > ?
                       ORDER BY expires_at DESC LIMIT 1)
           RETURNING ref, key_package`,
        )
        .get(now, id, now) as Pick<Row, 'ref' | 'key_package'> | undefined;
      return lastResort
        ? {
            ref: new Uint8Array(lastResort.ref),
            keyPackage: new Uint8Array(lastResort.key_package),
            lastResort: true,
          }
        : null;
    })();
  }

  /**
   * Which of our packages a Welcome is for, with its private keys. A
   * Welcome for a package already used (keys deleted) is a replay.
   */
  findForWelcome(welcome: Uint8Array): { ref: Uint8Array; material: JoinKeyMaterial; lastResort: boolean } {
    const refs = welcomeKeyPackageRefs(welcome);
    const stmt = this.db.prepare(
      'SELECT id, ref, key_package, private_keys, last_resort, consumed_at FROM key_packages WHERE ref = ?',
    );
    let used = false;
    for (const ref of refs) {
      const row = stmt.get(ref) as Row | undefined;
      if (!row) continue;
      if (!row.private_keys) {
        used = true;
        continue;
      }
      return {
        ref: new Uint8Array(row.ref),
        material: {
          keyPackage: new Uint8Array(row.key_package),
          privateKeys: new Uint8Array(row.private_keys),
        },
        lastResort: row.last_resort === 1,
      };
    }
    throw new MlsRejection(
      used ? 'replay' : 'unknown-key-package',
      used ? 'the Welcome is for a KeyPackage already used' : 'the Welcome is for none of our KeyPackages',
    );
  }

  /**
   * Marks a package used and deletes its private keys (the last-resort one
   * keeps them). Call inside the transaction that stores the joined group,
   * so a crash either keeps both the keys and no group, or neither.
   */
  consume(ref: Uint8Array): void {
    const info = this.db
      .prepare(
        `UPDATE key_packages
         SET consumed_at = coalesce(consumed_at, ?), private_keys = CASE WHEN last_resort = 1 THEN private_keys END
         WHERE ref = ?`,
      )
      .run(this.now(), ref);
    if (info.changes !== 1) throw new ParleyError('INVALID_STATE', 'No such KeyPackage.');
  }

  counts(suite: MlsSuiteName = DEFAULT_SUITE): PoolCounts {
    const id = suiteInfo(suite).id;
    const row = this.db
      .prepare(
        `SELECT
           sum(last_resort = 0 AND handed_out_at IS NULL AND consumed_at IS NULL) AS available,
           sum(last_resort = 0 AND handed_out_at IS NOT NULL AND consumed_at IS NULL) AS handedOut,
           sum(last_resort = 0 AND consumed_at IS NOT NULL) AS consumed,
           sum(last_resort = 1) AS lastResort
         FROM key_packages WHERE ciphersuite = ? AND expires_at > ?`,
      )
      .get(id, this.now()) as Record<keyof PoolCounts, number | null>;
    return {
      available: row.available ?? 0,
      handedOut: row.handedOut ?? 0,
      consumed: row.consumed ?? 0,
      lastResort: row.lastResort ?? 0,
    };
  }
}

interface DeviceRow {
  peer_id: string;
  signature_public: Buffer;
  signature_private: Buffer;
  credential: Buffer;
}

/**
 * This device's MLS signing identity from `mls_device`, created (and
 * certified by the identity key) on first use, or again when the identity
 * key or PeerId changed.
 */
export function loadOrCreateDeviceIdentity(
  db: Db,
  identity: { publicKey: Uint8Array; privateKey: Uint8Array },
  peerId: string,
  now: number = Date.now(),
): MlsDeviceIdentity {
  const row = db
    .prepare('SELECT peer_id, signature_public, signature_private, credential FROM mls_device WHERE id = 1')
    .get() as DeviceRow | undefined;
  if (row && row.peer_id === peerId) {
    const device: MlsDeviceIdentity = {
      identityKey: new Uint8Array(identity.publicKey),
      peerId,
      signaturePublicKey: new Uint8Array(row.signature_public),
      signaturePrivateKey: new Uint8Array(row.signature_private),
      credential: new Uint8Array(row.credential),
    };
    // The credential names the identity key: if that changed, certify anew.
    const certified = decodeDeviceCredential(row.credential);
    if (certified && Buffer.from(certified.identityKey).equals(Buffer.from(identity.publicKey)))
      return device;
  }
  const device = createDeviceIdentity(identity.privateKey, identity.publicKey, peerId);
  db.prepare(
    `INSERT INTO mls_device (id, peer_id, signature_public, signature_private, credential, created_at)
     VALUES (1, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET peer_id = excluded.peer_id, signature_public = excluded.signature_public,
       signature_private = excluded.signature_private, credential = excluded.credential, created_at = excluded.created_at`,
  ).run(peerId, device.signaturePublicKey, device.signaturePrivateKey, device.credential, now);
  return device;
}
