import { bestPath, type ConnectionPath } from '../net/connectionPath';
import type { ParleyNode } from '../net/parleyNode';
import type { ParleyProtocols } from '../net/parleyProtocols';
import {
  PRESENCE_BUCKET_MS,
  presenceBucket,
  type PresenceHooks,
  type PresenceInfo,
} from '../net/presenceProtocol';
import { peerTag } from '../net/protocolService';
import type { Store } from '../store/store';
import { errorFields, type Logger } from '../util/logger';
import type { Directory } from '../contacts/directory';
import type { PrivacySettings } from './privacySettings';

/**
 * Presence for contacts (issue #5): online/offline and a coarse last-seen,
 * exchanged with contacts' devices only (/parley/presence/1.0.0) whenever a
 * connection to one opens and whenever our "invisible" setting changes.
 *
 * - Only contacts (not blocked) hear our presence or are listened to: the
 *   protocol's `allow` hook refuses anyone else before reading (co-members of
 *   a group who are not our contacts included).
 * - Invisible: we report offline with the last-seen of the moment we turned
 *   it on, and keep doing everything else (the connection itself is needed
 *   for delivery).
 * - A contact is online while one of its devices is connected and said it
 *   is online. Last-seen is kept per device in `devices.last_seen_at`, so it
 *   survives restarts, and shown only as a bucket (just now, today, this
 *   week, long ago): never a precise activity log.
 */

export type LastSeen = 'just-now' | 'today' | 'this-week' | 'long-ago';

/**
 * How a contact is reached right now (issue 13, deliver 2): one of its devices
 * is connected to us and online, by the best path of its connections (issue
 * 19: on the LAN, directly over the internet, or through a relay, named by
 * its PeerId; net/connectionPath.ts); or a contact connected to us is
 * connected to it (what we send is handed over through them at once); or
 * neither, since a time we saw ourselves (null: never seen online, e.g. it
 * stays invisible).
 */
export type ContactConnection =
  | { state: 'direct'; path: ConnectionPath }
  | { state: 'relayed'; viaPeer: string }
  | { state: 'offline'; since: number | null };

export interface ContactPresence {
  contactId: number;
  online: boolean;
  /** null when never seen (or while online). */
  lastSeen: LastSeen | null;
  connection: ContactConnection;
}

const JUST_NOW_MS = 15 * 60_000;
const DAY_MS = 24 * 3600_000;
const INVISIBLE_SINCE_KEY = 'presence.invisibleSince';

/** The coarse bucket of a last-seen time. */
export function lastSeenBucket(lastSeenAt: number, now: number): LastSeen {
  const ago = Math.max(0, now - lastSeenAt);
  if (ago < JUST_NOW_MS) return 'just-now';
  if (ago < DAY_MS) return 'today';
  if (ago < 7 * DAY_MS) return 'this-week';
  return 'long-ago';
}

export interface PresenceDeps {
  store: Pick<Store, 'devices' | 'settings' | 'tx'>;
  node: Pick<
    ParleyNode,
    'onPeer' | 'connectedPeers' | 'isConnected' | 'connections' | 'onConnectionsChanged'
  > & {
    services: Pick<ParleyProtocols, 'presence'>;
  };
  directory: Pick<Directory, 'isHolder'>;
  privacy: () => PrivacySettings;
  now: () => number;
  logger: Logger;
  /** Called after a contact's presence changed. */
  onChange: () => void;
  /** The connected contact device `peer` is reachable through (contacts/reachability.ts), or null. */
  reachableVia?: (peer: string) => string | null;
  /**
   * How often connected contact devices we have not heard from yet are asked
   * again, ms (default 5 s): a connection often opens before the two are
   * contacts (an invite, a request being accepted), and then the first
   * exchange is refused.
   */
  refreshMs?: number;
}

export class PresenceService {
  /** Devices that told us they are online, while connected. */
  private readonly online = new Set<string>();
  /** Connected devices we exchanged presence with on this connection. */
  private readonly heard = new Set<string>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly background = new Set<Promise<void>>();
  private unsubscribe: (() => void) | null = null;
  private deps: PresenceDeps | null = null;
  /** The path last reported for each online device ("lan", "internet", "relay:<peer>"). */
  private readonly paths = new Map<string, string>();

  /** Hooks for the node, which exists before this service is bound to it (bind()). */
  readonly hooks: PresenceHooks = {
    local: () => this.local(),
    allow: (peer) => this.deps?.directory.isHolder(peer) ?? false,
    onRemote: (peer, info) => this.onRemote(peer, info),
  };

  bind(deps: PresenceDeps): void {
    this.deps = deps;
  }

  /** Exchanges presence with every connected contact device, then follows connections. */
  start(): void {
    const deps = this.need();
    const unsubscribePeers = deps.node.onPeer(({ peerId, connected }) => {
      if (connected) this.exchange(peerId);
      else this.lost(peerId);
    });
    // A contact's path can change while it stays connected (relayed, then direct).
    const unsubscribeConnections = deps.node.onConnectionsChanged(() => this.pathsChanged());
    this.unsubscribe = () => {
      unsubscribePeers();
      unsubscribeConnections();
    };
    for (const peer of deps.node.connectedPeers()) this.exchange(peer);
    this.timer = setInterval(() => {
      for (const peer of deps.node.connectedPeers()) if (!this.heard.has(peer)) this.exchange(peer);
    }, deps.refreshMs ?? 5_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.background]);
    // We stop seeing them: online until now, offline since now as far as this device knows.
    const deps = this.deps;
    if (deps?.store.tx.open) for (const peer of this.online) this.wentOffline(peer, deps.now());
    this.online.clear();
    this.heard.clear();
    this.paths.clear();
  }

  /** After "invisible" changed: tell every connected contact device at once. */
  invisibleChanged(invisible: boolean): void {
    const deps = this.need();
    if (invisible) {
      deps.store.settings.set(INVISIBLE_SINCE_KEY, String(deps.now()));
    }
    for (const peer of deps.node.connectedPeers()) this.exchange(peer);
  }

  /** The device is connected and told us it is online (an invisible one never is). */
  isOnline(peer: string): boolean {
    return this.online.has(peer);
  }

  /** Presence of every contact (blocked ones are never online). */
  list(): ContactPresence[] {
    const deps = this.need();
    const rows = deps.store.devices.presenceRows();
    interface Entry {
      online: boolean;
      lastSeenAt: number | null;
      offlineSince: number | null;
      viaPeer: string | null;
      /** Remote addresses of the online devices' connections. */
      addresses: string[];
    }
    const byContact = new Map<number, Entry>();
    const addresses = this.remoteAddresses();
    for (const r of rows) {
      const entry = byContact.get(r.contactId) ?? {
        online: false,
        lastSeenAt: null,
        offlineSince: null,
        viaPeer: null,
        addresses: [],
      };
      const live = !r.blocked && r.peerId !== null;
      if (live && this.online.has(r.peerId ?? '')) {
        entry.online = true;
        entry.addresses.push(...(addresses.get(r.peerId ?? '') ?? []));
      }
      if (live && entry.viaPeer === null) entry.viaPeer = deps.reachableVia?.(r.peerId ?? '') ?? null;
      if (r.lastSeenAt !== null) entry.lastSeenAt = Math.max(entry.lastSeenAt ?? 0, r.lastSeenAt);
      if (r.offlineSince !== null) entry.offlineSince = Math.max(entry.offlineSince ?? 0, r.offlineSince);
      byContact.set(r.contactId, entry);
    }
    const now = deps.now();
    return [...byContact].map(([contactId, e]) => ({
      contactId,
      online: e.online,
      lastSeen: e.online || e.lastSeenAt === null ? null : lastSeenBucket(e.lastSeenAt, now),
      connection: e.online
        ? { state: 'direct' as const, path: bestPath(e.addresses) ?? { kind: 'lan' as const } }
        : e.viaPeer !== null
          ? { state: 'relayed' as const, viaPeer: e.viaPeer }
          : { state: 'offline' as const, since: e.offlineSince },
    }));
  }

  /** Remote addresses of our open connections, by peer. */
  private remoteAddresses(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const c of this.need().node.connections()) {
      const list = out.get(c.peerId) ?? [];
      list.push(c.remoteAddress);
      out.set(c.peerId, list);
    }
    return out;
  }

  /** A connection opened or closed: report when an online device's best path changed. */
  private pathsChanged(): void {
    const deps = this.deps;
    if (!deps) return;
    const addresses = this.remoteAddresses();
    let changed = false;
    for (const peer of this.online) {
      const path = bestPath(addresses.get(peer) ?? []);
      const key = path === null ? '' : path.kind === 'relay' ? `relay:${path.relay}` : path.kind;
      if (this.paths.get(peer) !== key) {
        this.paths.set(peer, key);
        changed = true;
      }
    }
    for (const peer of this.paths.keys()) if (!this.online.has(peer)) this.paths.delete(peer);
    if (changed) deps.onChange();
  }

  private local(): PresenceInfo {
    const deps = this.deps;
    const now = deps?.now() ?? Date.now();
    if (!deps?.privacy().invisible) return { state: 'online', lastSeenBucket: presenceBucket(now) };
    const since = Number(deps.store.settings.get(INVISIBLE_SINCE_KEY) ?? 0);
    return {
      state: 'offline',
      lastSeenBucket: presenceBucket(Number.isSafeInteger(since) && since <= now ? since : 0),
    };
  }

  private onRemote(peer: string, info: PresenceInfo): void {
    const deps = this.deps;
    if (!deps || !deps.directory.isHolder(peer)) return;
    const now = deps.now();
    // A bucket from the future (a skewed or lying clock) counts as now.
    const reported = Math.min(info.lastSeenBucket * PRESENCE_BUCKET_MS, now);
    this.heard.add(peer);
    const wasOnline = this.online.has(peer);
    if (info.state === 'online' && deps.node.isConnected(peer)) this.online.add(peer);
    else this.online.delete(peer);
    this.seen(peer, info.state === 'online' ? now : reported);
    if (wasOnline !== this.online.has(peer) || info.state === 'offline') deps.onChange();
  }

  private lost(peer: string): void {
    const deps = this.deps;
    this.heard.delete(peer);
    if (!deps || !this.online.delete(peer)) return;
    // Seen until now; an invisible device was never in `online`, so its last-seen stays what it said.
    this.wentOffline(peer, deps.now());
    deps.onChange();
  }

  private wentOffline(peer: string, at: number): void {
    this.need().store.devices.markOffline(peer, at);
  }

  private seen(peer: string, at: number): void {
    this.need().store.devices.markSeen(peer, at);
  }

  private exchange(peer: string): void {
    const deps = this.deps;
    if (!deps || !deps.directory.isHolder(peer)) return;
    const run = deps.node.services.presence
      .exchange(peer)
      .then(() => undefined)
      .catch((err: unknown) =>
        deps.logger.log('debug', 'presence.exchange_failed', { peer: peerTag(peer), ...errorFields(err) }),
      );
    this.background.add(run);
    void run.finally(() => this.background.delete(run));
  }

  private need(): PresenceDeps {
    if (!this.deps) throw new Error('presence service not bound');
    return this.deps;
  }
}
