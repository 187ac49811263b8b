import { judgeDeviceClaim, type DeviceClaimLists } from '../devices/deviceClaims';
import { ParleyError } from '../errors';
import { keyPackageCredential, type KeyPackagePool } from '../mls';
import type { ParleyProtocols } from '../net/parleyProtocols';
import { peerTag } from '../net/protocolService';
import { errorFields, type Logger } from '../util/logger';
import type { Directory } from './directory';

export interface KeyPackageExchangeDeps {
  pool: KeyPackagePool;
  net: { services: Pick<ParleyProtocols, 'keyPackages'> };
  directory: Pick<Directory, 'isKnown' | 'device'>;
  /**
   * The device lists held here (devices/deviceClaims.ts): a fetched package
   * must name a device active in its person's list (docs/protocol.md §13.6).
   */
  lists: DeviceClaimLists & { personOf(peerId: string): Uint8Array | null };
  /** Fetches a person's list entries from a peer (/parley/devices/1.0.0) before judging. */
  fetchDeviceEntries?: (from: string, identityKey: Uint8Array) => Promise<void>;
  logger: Logger;
  /** One-time KeyPackages kept available for peers (default 20). */
  poolSize?: number;
}

/**
 * One-time KeyPackages both ways (RFC 9420 §10): handing ours to known
 * devices (the node's `keypackage` protocol provider), keeping the pool
 * full, and fetching a device's package before adding it to a group, checked
 * to be certified for that device by the identity we know it as.
 */
export class KeyPackageExchange {
  private replenishing: Promise<void> | null = null;

  constructor(private readonly deps: KeyPackageExchangeDeps) {}

  /** The node's KeyPackage provider: one-time packages for known peers; the pool is topped up after. */
  keyPackageFor = async (requester: string): Promise<Uint8Array | null> => {
    if (!this.deps.directory.isKnown(requester)) return null;
    const kp = this.deps.pool.takeForPeer();
    this.replenish();
    return kp?.keyPackage ?? null;
  };

  /** Keeps the KeyPackage pool full (one top-up at a time). */
  replenish(): Promise<void> {
    if (!this.replenishing) {
      this.replenishing = this.deps.pool
        .replenish(this.deps.poolSize ?? 20)
        .then(() => undefined)
        .catch((err: unknown) =>
          this.deps.logger.log('error', 'messaging.replenish_failed', errorFields(err)),
        )
        .finally(() => {
          this.replenishing = null;
        });
    }
    return this.replenishing;
  }

  /** Waits for a top-up under way. */
  async stop(): Promise<void> {
    await this.replenishing;
  }

  /**
   * A one-time KeyPackage from a device (UNREACHABLE-like net errors pass
   * through), checked before it can go into any group: its credential names
   * the device we asked and the person we know that device as (so no device
   * slips another user into a group under a contact's name), and that
   * person's device list, as held here, has the device active (§13.6). List
   * entries this device lacks are fetched from the device itself first, which
   * serves its own person's list (§13.4).
   */
  async fetch(peer: string): Promise<Uint8Array> {
    const kp = await this.deps.net.services.keyPackages.fetch(peer);
    if (!kp) throw new ParleyError('INVALID_STATE', 'That device has no KeyPackage to hand out right now.');
    const claim = keyPackageCredential(kp);
    const person = this.deps.directory.device(peer)?.identityKey ?? this.deps.lists.personOf(peer);
    if (
      !claim ||
      claim.peerId !== peer ||
      !person ||
      !Buffer.from(person).equals(Buffer.from(claim.identityKey))
    ) {
      this.deps.logger.log('warn', 'messaging.key_package_mismatch', { peer: peerTag(peer) });
      throw new ParleyError('INVALID_STATE', 'That device handed out a KeyPackage that is not its own.');
    }
    let verdict = judgeDeviceClaim(this.deps.lists, claim);
    if (!verdict.ok && verdict.missing && this.deps.fetchDeviceEntries) {
      await this.deps.fetchDeviceEntries(peer, claim.identityKey);
      verdict = judgeDeviceClaim(this.deps.lists, claim);
    }
    if (verdict.ok) return kp;
    const reason = verdict.missing ? 'its device list entry could not be fetched' : verdict.reason;
    this.deps.logger.log('warn', 'messaging.key_package_refused', {
      peer: peerTag(peer),
      version: claim.version,
      reason,
    });
    throw new ParleyError(
      'INVALID_STATE',
      verdict.missing
        ? 'That device could not be checked against its device list. Try again when it is online.'
        : `That device is not one of its person's devices (${reason}).`,
    );
  }
}
