import type { AbortOptions } from '@libp2p/interface';
import { FRAME_VERSION } from './limits';
import { Presence } from './proto/presence.generated';
import {
  AccessRevoked,
  decodeFrame,
  ensure,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolFactory,
  type ProtocolComponents,
} from './protocolService';

/**
 * /parley/presence/1.0.0: the opener sends its presence and the other side
 * answers with its own, so one round trip tells both. Deliberately coarse:
 * a state and a 5-minute "last seen" bucket, nothing that would turn presence
 * into an activity log for whoever watches it.
 */

export const PRESENCE_BUCKET_MS = 5 * 60_000;

export interface PresenceInfo {
  state: 'online' | 'offline';
  /** floor(last seen in ms since the epoch / PRESENCE_BUCKET_MS). */
  lastSeenBucket: number;
}

export interface PresenceHooks {
  /** What we tell others. */
  local(): PresenceInfo;
  /**
   * Whether this peer may learn our presence at all (issue #5: contacts
   * only). Asked before a byte is read; a refused peer's stream is reset and
   * counted as an unknown-peer stream. Default: every known peer.
   */
  allow?(peer: string): boolean;
  /** What a peer told us (also called when we asked). */
  onRemote?(peer: string, presence: PresenceInfo): void;
}

export function presenceBucket(ms: number): number {
  return Math.floor(ms / PRESENCE_BUCKET_MS);
}

function toWire(p: PresenceInfo): Presence {
  return {
    version: FRAME_VERSION,
    state: p.state === 'online' ? Presence.State.ONLINE : Presence.State.OFFLINE,
    lastSeenBucket: p.lastSeenBucket,
  };
}

function fromWire(p: Presence): PresenceInfo {
  ensure(p.state === Presence.State.ONLINE || p.state === Presence.State.OFFLINE, 'presence without a state');
  ensure(Number.isSafeInteger(p.lastSeenBucket) && p.lastSeenBucket >= 0, 'bad last-seen bucket');
  return {
    state: p.state === Presence.State.ONLINE ? 'online' : 'offline',
    lastSeenBucket: p.lastSeenBucket,
  };
}

/** The presence protocol as a node service; default hooks: online, last seen now, every known peer. */
export function presenceProtocol(hooks?: PresenceHooks): ProtocolFactory<PresenceProtocol> {
  return (components) =>
    new PresenceProtocol(
      components,
      hooks ?? { local: () => ({ state: 'online', lastSeenBucket: presenceBucket(components.clock()) }) },
    );
}

export class PresenceProtocol extends ProtocolService<PresenceHooks> {
  readonly name = 'presence';

  constructor(components: ProtocolComponents, hooks: PresenceHooks) {
    super(components, { handler: hooks });
  }

  private get hooks(): PresenceHooks {
    return this.served;
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    if (this.hooks.allow && !this.hooks.allow(peer)) {
      this.components.counters.add('unknownPeerStreams', this.name);
      throw new AccessRevoked();
    }
    const theirs = fromWire(decodeFrame(await readRequired(frames), Presence.decode));
    await this.callHandler(() => this.hooks.onRemote?.(peer, theirs));
    await frames.write(Presence.encode(toWire(this.hooks.local())));
    this.countServed();
    await frames.close();
  }

  /** Tells `peer` our presence and returns theirs. Throws NetError. */
  async exchange(peer: string, options?: AbortOptions): Promise<PresenceInfo> {
    const theirs = await this.request(
      peer,
      async (frames) => {
        await frames.write(Presence.encode(toWire(this.hooks.local())));
        await frames.close();
        return fromWire(decodeFrame(await readRequired(frames), Presence.decode));
      },
      options,
    );
    this.hooks.onRemote?.(peer, theirs);
    return theirs;
  }
}
