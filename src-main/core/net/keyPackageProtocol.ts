import type { AbortOptions } from '@libp2p/interface';
import { wireBytes } from './bytes';
import { FRAME_VERSION } from './limits';
import { KeyPackageRequest, KeyPackageResponse } from './proto/keypackage.generated';
import {
  decodeFrame,
  ensure,
  HandlerError,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolFactory,
  type ProtocolComponents,
} from './protocolService';

/**
 * /parley/keypackage/1.0.0: a contact asks for one of this device's one-time
 * MLS KeyPackages (to add it to a group). The caller's provider hands one out
 * (and marks it used) or returns null when the pool is empty and there is no
 * last-resort package. Rate-limited per peer because the pool is finite.
 */

/** Returns a KeyPackage for `requester`, or null when none is available. */
export type KeyPackageProvider = (requester: string) => Promise<Uint8Array | null>;

export interface KeyPackageInit {
  /** Hands out one of our KeyPackages (or registered later with handle()). */
  provide?: KeyPackageProvider;
  /**
   * Peers the per-peer limit does not apply to: this person's own active
   * devices (docs/protocol.md §13.6). A new device is added to every
   * conversation with one KeyPackage each, so the limit of 8 then one per
   * 30 s would keep it out of the ninth and later for minutes.
   */
  unlimitedFor?: (peer: string) => boolean;
}

/** The keypackage protocol as a node service (ParleyNode.create's `services`). */
export function keyPackageProtocol(init: KeyPackageInit = {}): ProtocolFactory<KeyPackageProtocol> {
  return (components) => new KeyPackageProtocol(components, init);
}

export class KeyPackageProtocol extends ProtocolService<KeyPackageProvider> {
  readonly name = 'keypackage';

  constructor(components: ProtocolComponents, init: KeyPackageInit = {}) {
    // The pool is finite: rate-limited per peer, except for the person's own devices.
    super(components, {
      handler: init.provide,
      rateLimit: { perPeer: components.limits.keyPackagePerPeer, exempt: init.unlimitedFor },
    });
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    decodeFrame(await readRequired(frames), KeyPackageRequest.decode);
    const provide = this.served;
    const keyPackage = await this.callHandler(() => provide(peer));
    const room = this.components.limits.maxFrameBytes.keypackage - 16;
    if (keyPackage !== null && (keyPackage.length === 0 || keyPackage.length > room)) {
      throw new HandlerError(false, { cause: new RangeError('key package empty or too large') });
    }
    const response: Partial<KeyPackageResponse> =
      keyPackage === null
        ? { version: FRAME_VERSION, error: KeyPackageResponse.Error.NONE_AVAILABLE }
        : { version: FRAME_VERSION, keyPackage: wireBytes(keyPackage) };
    await frames.write(KeyPackageResponse.encode(response));
    this.countServed();
    await frames.close();
  }

  /** One KeyPackage from `peer`, or null when it has none. Throws NetError. */
  async fetch(peer: string, options?: AbortOptions): Promise<Uint8Array | null> {
    return this.request(
      peer,
      async (frames) => {
        await frames.write(KeyPackageRequest.encode({ version: FRAME_VERSION }));
        await frames.close();
        const response = decodeFrame(await readRequired(frames), KeyPackageResponse.decode);
        const hasPackage = response.keyPackage !== undefined && response.keyPackage.length > 0;
        const noneAvailable = response.error === KeyPackageResponse.Error.NONE_AVAILABLE;
        ensure(hasPackage !== noneAvailable, 'exactly one of key package and error');
        return hasPackage ? (response.keyPackage ?? null) : null;
      },
      options,
    );
  }
}
