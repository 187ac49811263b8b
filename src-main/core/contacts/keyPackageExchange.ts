import { ParleyError } from '../errors';
import { keyPackageDevice, type KeyPackagePool } from '../mls';
import type { ParleyProtocols } from '../net/parleyProtocols';
import { peerTag } from '../net/protocolService';
import { errorFields, type Logger } from '../util/logger';
import type { Directory } from './directory';

export interface KeyPackageExchangeDeps {
  pool: KeyPackagePool;
  net: { services: Pick<ParleyProtocols, 'keyPackages'> };
  directory: Pick<Directory, 'isKnown' | 'device'>;
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

  /** A one-time KeyPackage from a device (UNREACHABLE-like net errors pass through). */
  async fetch(peer: string): Promise<Uint8Array> {
    const kp = await this.deps.net.services.keyPackages.fetch(peer);
    if (!kp) throw new ParleyError('INVALID_STATE', 'That device has no KeyPackage to hand out right now.');
    // The package must be certified for the device we asked, by the identity we know it as:
    // a device must not slip another user into a group under a contact's name.
    const certified = keyPackageDevice(kp);
    const known = this.deps.directory.device(peer);
    if (
      !certified ||
      certified.peerId !== peer ||
      !known ||
      !Buffer.from(known.identityKey).equals(Buffer.from(certified.identityKey))
    ) {
      this.deps.logger.log('warn', 'messaging.key_package_mismatch', { peer: peerTag(peer) });
      throw new ParleyError('INVALID_STATE', 'That device handed out a KeyPackage that is not its own.');
    }
    return kp;
  }
}
