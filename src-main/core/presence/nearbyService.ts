import { ParleyError } from '../errors';
import { verifyDeviceCertificate } from '../identity/deviceCertificate';
import { HELLO_NAME_BYTES, type HelloHooks, type HelloInfo } from '../net/helloProtocol';
import type { ParleyNode } from '../net/parleyNode';
import type { ParleyProtocols } from '../net/parleyProtocols';
import { peerTag } from '../net/protocolService';
import type { Store } from '../store/store';
import { errorFields, type Logger } from '../util/logger';
import { truncateUtf8 } from '../util/utf8';
import type { Directory } from '../contacts/directory';
import type { DeviceProofs } from '../contacts/deviceProofs';
import type { WireDeviceListHead } from '../net/contactRequestProtocol';
import type { PrivacySettings } from './privacySettings';

/**
 * People nearby (issue #5): peers mDNS found on this network that are not our
 * contacts and told us their name over /parley/hello/1.0.0. A peer that is
 * not discoverable neither answers mDNS nor hello, so it never appears. The
 * only thing we can do with a nearby peer is send a contact request, which
 * waits for the other side's consent (and is rate-limited there).
 *
 * An entry lives while mDNS keeps finding the peer: it is dropped TTL after
 * the last discovery (mDNS answers come every query interval, 10 s).
 */

export interface NearbyPeer {
  peerId: string;
  displayName: string;
  /** Hex. */
  identityKey: string;
  /** We sent this peer a contact request (it waits for their consent). */
  requested: boolean;
}

export interface NearbyDeps {
  store: Store;
  node: Pick<ParleyNode, 'onDiscoveredPeer' | 'isDiscoverable'> & {
    services: Pick<ParleyProtocols, 'hello' | 'contactRequests'>;
  };
  directory: Pick<Directory, 'isHolder' | 'upsertDevice' | 'device'>;
  privacy: () => PrivacySettings;
  identity: { publicKey: Uint8Array };
  /** This device's certificate (kind 1 on device 0, kind 2 on a linked device), shown with every answer. */
  deviceCertificate: Uint8Array;
  /** Judges a nearby device against its person's device list (issue 18); without it, issue 14's rule. */
  proofs?: Pick<DeviceProofs, 'check' | 'keep'>;
  /** This person's device-list head, shown with every answer and request (§13.6). */
  deviceListHead?: () => WireDeviceListHead | null;
  /** Records that we answered or asked `peer`, so it may fetch our list for 10 minutes (§13.4). */
  noteContacted?: (peer: string) => void;
  /** The user's current display name. */
  displayName: () => string;
  now: () => number;
  logger: Logger;
  onChange: () => void;
  /** How long an entry stays after its last discovery, ms (default 60 s). */
  ttlMs?: number;
}

interface Entry extends HelloInfo {
  /** Verified: it binds this PeerId to the identity key. */
  deviceCertificate: Uint8Array;
  /** The person's device list fetched from it (issue 18), kept with the contact once requested. */
  entries: Uint8Array[] | null;
  seenAt: number;
  requested: boolean;
}

/** At most this many nearby peers are kept (a busy LAN must not grow memory without bound). */
const MAX_ENTRIES = 256;

export class NearbyService {
  private readonly entries = new Map<string, Entry>();
  private readonly asking = new Set<string>();
  private readonly background = new Set<Promise<void>>();
  private unsubscribe: (() => void) | null = null;
  private sweeper: ReturnType<typeof setInterval> | null = null;
  private deps: NearbyDeps | null = null;

  /** Hooks for the node, which exists before this service is bound to it (bind()). */
  readonly hooks: HelloHooks = {
    // Only while this device really is discoverable: the setting on AND mDNS
    // running. A node without mDNS (`parley node` by default, the web shell)
    // is not discoverable, so a stranger who found its TCP port learns
    // nothing from hello (issue #14 item 9).
    answer: (peer) => {
      const deps = this.deps;
      if (!deps || !deps.privacy().discoverable || !deps.node.isDiscoverable) return null;
      const displayName = truncateUtf8(deps.displayName(), HELLO_NAME_BYTES) || 'Parley user';
      const head = deps.deviceListHead?.() ?? null;
      // The asker may check this device against our list (§13.4, §13.6).
      deps.noteContacted?.(peer);
      return {
        displayName,
        identityKey: deps.identity.publicKey,
        deviceCertificate: deps.deviceCertificate,
        ...(head !== null ? { deviceListHead: head } : {}),
      };
    },
  };

  bind(deps: NearbyDeps): void {
    this.deps = deps;
  }

  start(): void {
    const deps = this.need();
    this.unsubscribe = deps.node.onDiscoveredPeer((peer) => this.discovered(peer));
    this.sweeper = setInterval(() => this.sweep(), Math.max(1_000, (deps.ttlMs ?? 60_000) / 4));
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    await Promise.allSettled([...this.background]);
  }

  /** A peer was found on the network: ask who it is (once per TTL), unless it is a contact. */
  discovered(peer: string): void {
    const deps = this.deps;
    if (!deps || deps.directory.isHolder(peer) || this.asking.has(peer)) return;
    const now = deps.now();
    const known = this.entries.get(peer);
    if (known && now - known.seenAt < (deps.ttlMs ?? 60_000) / 2) {
      known.seenAt = now;
      return;
    }
    if (!known && this.entries.size >= MAX_ENTRIES) return;
    this.asking.add(peer);
    const run = deps.node.services.hello
      .ask(peer)
      .then(async (info) => {
        // A name with an identity key the device cannot prove is not listed:
        // anyone could otherwise show up nearby with a contact's key. For a
        // person with a device list, only a device active in it (issue 18).
        const entries = await this.prove(deps, peer, info);
        if (entries === false || !info.deviceCertificate) throw new Error('unproven identity');
        const before = this.entries.get(peer);
        this.entries.set(peer, {
          ...info,
          deviceCertificate: info.deviceCertificate,
          entries,
          seenAt: deps.now(),
          requested: before?.requested ?? false,
        });
        if (!before || before.displayName !== info.displayName) deps.onChange();
      })
      .catch((err: unknown) => {
        deps.logger.log('debug', 'nearby.hello_failed', { peer: peerTag(peer), ...errorFields(err) });
        // No longer discoverable (or gone): off the list.
        if (this.entries.delete(peer)) deps.onChange();
      })
      .finally(() => this.asking.delete(peer));
    this.background.add(run);
    void run.finally(() => this.background.delete(run));
  }

  /** Nearby peers who are not (yet) our contacts, by name. */
  list(): NearbyPeer[] {
    const deps = this.need();
    this.sweep();
    return [...this.entries]
      .filter(([peer]) => !deps.directory.isHolder(peer))
      .map(([peerId, e]) => ({
        peerId,
        displayName: e.displayName,
        identityKey: Buffer.from(e.identityKey).toString('hex'),
        requested: e.requested,
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.peerId.localeCompare(b.peerId));
  }

  /**
   * Asks a nearby peer to become a contact. We record them as our contact
   * (sending is our consent) so their device may reach us and their DM's
   * Welcome is accepted; they add us only if their user accepts. Throws
   * ParleyError INVALID_PARAMS when the peer is not nearby, INVALID_STATE when
   * it refused; NetError when unreachable or rate-limited (the caller maps it).
   */
  async requestContact(peerId: string, message: string): Promise<void> {
    const deps = this.need();
    const entry = this.entries.get(peerId);
    if (!entry) throw new ParleyError('INVALID_PARAMS', 'That person is no longer nearby.');
    const existing = deps.directory.device(peerId);
    if (existing && !Buffer.from(existing.identityKey).equals(Buffer.from(entry.identityKey))) {
      throw new ParleyError('INVALID_STATE', 'That device belongs to someone else you know.');
    }
    const head = deps.deviceListHead?.() ?? null;
    deps.noteContacted?.(peerId);
    const status = await deps.node.services.contactRequests.send(peerId, {
      displayName: truncateUtf8(deps.displayName(), 256),
      identityKey: deps.identity.publicKey,
      message,
      deviceCertificate: deps.deviceCertificate,
      ...(head !== null ? { deviceListHead: head } : {}),
    });
    if (status !== 'received') throw new ParleyError('INVALID_STATE', 'They did not take the request.');
    deps.store.tx.run(() => {
      deps.store.contacts.upsert(Buffer.from(entry.identityKey), entry.displayName, deps.now());
      const bound = deps.directory.upsertDevice({
        peerId,
        identityKey: entry.identityKey,
        certificate: entry.deviceCertificate,
      });
      if (!bound) {
        throw new ParleyError('INVALID_STATE', 'That device belongs to someone else you know.');
      }
      if (entry.entries) deps.proofs?.keep(entry.identityKey, entry.entries, peerId);
    });
    entry.requested = true;
    deps.logger.log('info', 'nearby.contact_requested', { peer: peerTag(peerId) });
    deps.onChange();
  }

  /**
   * The nearby device's proof: the list fetched from it when its person is
   * new here (kept with the entry), null when nothing needs keeping, false
   * when it is not proven.
   */
  private async prove(deps: NearbyDeps, peer: string, info: HelloInfo): Promise<Uint8Array[] | null | false> {
    if (!deps.proofs) {
      const kind1 = verifyDeviceCertificate(info.deviceCertificate, {
        peerId: peer,
        identityKey: info.identityKey,
      });
      return kind1 ? null : false;
    }
    const proof = await deps.proofs.check({
      from: peer,
      identityKey: info.identityKey,
      certificate: info.deviceCertificate,
      head: info.deviceListHead,
    });
    return proof.status === 'proven' ? proof.entries : false;
  }

  private sweep(): void {
    const deps = this.deps;
    if (!deps) return;
    const cutoff = deps.now() - (deps.ttlMs ?? 60_000);
    let changed = false;
    for (const [peer, e] of this.entries) {
      if (e.seenAt < cutoff) {
        this.entries.delete(peer);
        changed = true;
      }
    }
    if (changed) deps.onChange();
  }

  private need(): NearbyDeps {
    if (!this.deps) throw new Error('nearby service not bound');
    return this.deps;
  }
}
