import { isStartable, type PeerDiscovery, type PeerInfo, type Startable } from '@libp2p/interface';
import { mdns, type MulticastDNSComponents } from '@libp2p/mdns';

/**
 * mDNS that can be switched on and off while the node runs ("Discoverable on
 * this network"). While off there is no socket at all, so the node neither
 * announces itself nor answers queries. It is a libp2p service only to get the
 * components @libp2p/mdns needs (address manager, logger); libp2p starting it
 * does not turn it on: ParleyNode does, once its protocols are registered, so
 * no discovered peer arrives before the node can serve it.
 *
 * It deliberately does not expose the peer-discovery symbol: ParleyNode, not
 * libp2p, decides what to do with a discovered peer (who dials, when).
 */

export interface MdnsSwitchInit {
  /** DNS-SD service name; Parley's own so we find Parley peers, not every libp2p node. */
  serviceTag: string;
  /** How often to query, in ms. */
  intervalMs: number;
}

export const PARLEY_MDNS_SERVICE_TAG = '_parley._udp.local';

export class MdnsSwitch implements Startable {
  readonly [Symbol.toStringTag] = 'parley/mdns-switch';
  private inner: PeerDiscovery | undefined;
  private running = false;
  private wanted = false;
  /** Start/stop calls are chained so a quick on-off-on never interleaves. */
  private queue: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(peer: PeerInfo) => void>();

  constructor(
    private readonly components: MulticastDNSComponents,
    private readonly init: MdnsSwitchInit,
  ) {}

  private readonly onPeer = (evt: CustomEvent<PeerInfo>): void => {
    for (const listener of this.listeners) listener(evt.detail);
  };

  /** libp2p lifecycle: nothing to do on start (see above). */
  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.set(false);
  }

  /** Turns mDNS on or off; resolves once the socket is open or closed. */
  set(on: boolean): Promise<void> {
    this.wanted = on;
    // A failed earlier switch must not wedge every later one.
    const next = this.queue.catch(() => undefined).then(() => this.apply());
    this.queue = next;
    return next;
  }

  get active(): boolean {
    return this.running;
  }

  onDiscovered(listener: (peer: PeerInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async apply(): Promise<void> {
    if (this.wanted === this.running) return;
    if (this.wanted) {
      this.inner ??= mdns({
        serviceTag: this.init.serviceTag,
        interval: this.init.intervalMs,
      })(this.components);
      this.inner.addEventListener('peer', this.onPeer);
      if (isStartable(this.inner)) await this.inner.start();
      this.running = true;
    } else if (this.inner !== undefined) {
      this.inner.removeEventListener('peer', this.onPeer);
      if (isStartable(this.inner)) await this.inner.stop();
      this.running = false;
    }
  }
}

export function mdnsSwitch(init: MdnsSwitchInit): (components: MulticastDNSComponents) => MdnsSwitch {
  return (components) => new MdnsSwitch(components, init);
}
