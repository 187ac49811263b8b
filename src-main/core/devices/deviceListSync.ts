import { decodeDeviceListEntry, entryHash, sameHead } from '../identity/deviceListEntry';
import type { DeviceHead } from '../net/addressProtocol';
import type { DeviceListAsk, DeviceListReply, DevicesProtocol } from '../net/devicesProtocol';
import { peerTag } from '../net/protocolService';
import type { AddressRepository } from '../store/repositories/addressRepository';
import type { DeviceRepository } from '../store/repositories/deviceRepository';
import { errorFields, type Logger } from '../util/logger';
import type { DeviceListNews, DeviceLists } from './deviceLists';

/**
 * How device lists travel (docs/protocol.md §13.4): serving
 * `/parley/devices/1.0.0` under "who may ask what", the heads this device
 * puts in the address exchange (its own, the echo of the receiver's person,
 * third persons' under the record rule), fetching the entries behind a newer
 * head from whoever showed it, and pushing the own list's new entries to the
 * devices connected now. A head is only a claim: nothing happens unless the
 * teller backs it with signed entries (DeviceLists.accept decides).
 */

export interface DeviceListSyncDeps {
  lists: DeviceLists;
  node: {
    peerId: string;
    connectedPeers(): string[];
    services: { devices: Pick<DevicesProtocol, 'exchange'> };
  };
  devices: Pick<DeviceRepository, 'identityKeyOf' | 'exists' | 'peersOfIdentity' | 'isContactDevice'>;
  addresses: Pick<AddressRepository, 'mayShare'>;
  /**
   * A stranger this device sent a contact request, an invite answer or a
   * hello to in the last 10 minutes (it may check our list, §13.4).
   */
  recentlyContacted?: (peer: string) => boolean;
  logger: Logger;
}

const REFUSED: DeviceListReply = { status: 'refused', entries: [] };
/** Heads of third persons per exchange (33 in all with the own head and the echo). */
const MAX_THIRD_HEADS = 31;

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export class DeviceListSync {
  private running = false;
  private offNews: (() => void) | null = null;
  /** One fetch at a time per person, so a burst of heads costs one round trip. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly deps: DeviceListSyncDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.offNews = this.deps.lists.on((news) => this.onNews(news));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.offNews?.();
    this.offNews = null;
    await Promise.allSettled([...this.background]);
  }

  /** Settles when every fetch and push started so far has (tests). */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /** The person behind a device: from `devices`, or from a list that names it. */
  private personOf(peer: string): Uint8Array | null {
    const ik = this.deps.devices.identityKeyOf(peer);
    return ik !== null ? new Uint8Array(ik) : this.deps.lists.personOf(peer);
  }

  /** `/parley/devices/1.0.0`'s handler: who may ask what (§13.4), then fetch or push. */
  readonly answer = (peer: string, ask: DeviceListAsk): DeviceListReply => {
    if (!this.running) return REFUSED;
    const { lists } = this.deps;
    const ik = ask.identityKey;
    const asker = this.personOf(peer);
    if (ask.push.length > 0) {
      if (!this.mayPush(peer, ik, asker, ask.push)) return REFUSED;
      const result = lists.accept(ik, ask.push, peer);
      this.deps.logger.log('debug', 'devices.push_in', { peer: peerTag(peer), status: result.status });
      if (result.status === 'unknown' || result.status === 'refused') return REFUSED;
      // Answer with what we hold beyond what was pushed.
      const stored = lists.encodingsAfter(ik, -1);
      const pushedLast = ask.push[ask.push.length - 1] as Uint8Array;
      const at = stored.findIndex((e) => same(e, pushedLast));
      return { status: 'ok', entries: at < 0 ? [] : stored.slice(at + 1) };
    }
    if (!this.mayFetch(peer, ik, asker)) return REFUSED;
    const stored = lists.encodingsAfter(ik, -1);
    if (stored.length === 0) return { status: 'not-found', entries: [] };
    const after = ask.after;
    if (after === null) return { status: 'ok', entries: stored };
    if (after.seq >= stored.length) return { status: 'ok', entries: [] };
    if (!same(entryHash(stored[after.seq] as Uint8Array), after.hash))
      return { status: 'stale-head', entries: [] };
    return { status: 'ok', entries: stored.slice(after.seq + 1) };
  };

  /**
   * Own list: to known peers (contacts' devices, co-members), to our own
   * devices, and to a stranger we just contacted. A person's list to a device
   * of that person. A third person's list only where the record rule of §11
   * would give the asker that person's addresses.
   */
  private mayFetch(peer: string, ik: Uint8Array, asker: Uint8Array | null): boolean {
    const { lists, devices, addresses } = this.deps;
    if (same(ik, lists.ownIdentityKey))
      return devices.exists(peer) || asker !== null || (this.deps.recentlyContacted?.(peer) ?? false);
    if (asker !== null && same(asker, ik)) return true;
    if (!devices.isContactDevice(peer, false)) return false;
    return devices.peersOfIdentity(ik).some((d) => addresses.mayShare(d, peer));
  }

  /**
   * A push from a device for its own person's list (or a list naming it: a
   * device just linked), and from a contact's device for a person we already
   * hold a list of.
   */
  private mayPush(
    peer: string,
    ik: Uint8Array,
    asker: Uint8Array | null,
    push: readonly Uint8Array[],
  ): boolean {
    if (asker !== null && same(asker, ik)) return true;
    if (this.deps.devices.isContactDevice(peer, false) && this.deps.lists.headOf(ik) !== null) return true;
    // A device named by the pushed entries pushes its person's list (accept verifies the rest).
    return push.some((b) => decodeDeviceListEntry(b)?.subjectPeerId === peer);
  }

  /** The heads for an address exchange with `peer`: ours, the echo of its person's, third persons' it may learn. */
  headsFor(peer: string): DeviceHead[] {
    const { lists, devices, addresses } = this.deps;
    const out: DeviceHead[] = [];
    const own = lists.ownIdentityKey;
    const push = (ik: Uint8Array): void => {
      const h = lists.headOf(ik);
      if (h !== null) out.push({ identityKey: ik, seq: h.seq, hash: h.hash });
    };
    push(own);
    const theirs = this.personOf(peer);
    if (theirs !== null && !same(theirs, own)) push(theirs);
    let third = 0;
    for (const ik of lists.persons()) {
      if (third >= MAX_THIRD_HEADS) break;
      if (same(ik, own) || (theirs !== null && same(ik, theirs))) continue;
      if (!devices.peersOfIdentity(ik).some((d) => d !== peer && addresses.mayShare(d, peer))) continue;
      push(ik);
      third += 1;
    }
    return out;
  }

  /** Heads someone showed us: fetch from them what we miss, and what differs (a fork to prove). */
  onHeads(from: string, heads: readonly DeviceHead[]): void {
    if (!this.running) return;
    const { lists } = this.deps;
    for (const h of heads) {
      const stored = lists.headOf(h.identityKey);
      if (stored !== null && sameHead(stored, h)) continue;
      if (stored === null && !lists.knowsPerson(h.identityKey)) continue;
      let after = stored;
      if (stored !== null && h.seq <= stored.seq) {
        // Not newer: only a different entry at that seq matters (another version of the list).
        const ours = lists.encodingsAfter(h.identityKey, h.seq - 1)[0];
        if (ours !== undefined && same(entryHash(ours), h.hash)) continue;
        after = null;
      }
      this.fetch(from, h.identityKey, after);
    }
  }

  /**
   * A device this one knows (an own device, a contact's, a co-member's)
   * connected: ask it for the own list beyond our head (§13.8 step 4). The
   * address exchange's echo tells the same, but a device that was removed
   * meanwhile is unknown to the others now, so they refuse its address
   * exchange and answer it only here, on the protocol open to strangers: this
   * is how a removed device learns it, from anyone who holds the entry.
   */
  onConnected(peer: string): void {
    if (!this.running || !this.deps.devices.exists(peer)) return;
    const own = this.deps.lists.ownIdentityKey;
    const head = this.deps.lists.headOf(own);
    if (head !== null) this.fetch(peer, own, head);
  }

  /**
   * Fetches the entries of a person's list after the head held here from
   * `from` (a group message named entries this device lacks, §13.6);
   * resolves when they were offered to the lists (or the fetch failed).
   */
  fetchEntries(from: string, ik: Uint8Array): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.fetch(from, ik, this.deps.lists.headOf(ik));
    return this.inFlight.get(hex(ik)) ?? Promise.resolve();
  }

  /** Fetches a person's entries from `from` (after our head, or from 0) and offers them to the lists. */
  private fetch(from: string, ik: Uint8Array, after: { seq: number; hash: Uint8Array } | null): void {
    const key = hex(ik);
    if (this.inFlight.has(key)) return;
    const run = (async () => {
      try {
        let reply = await this.deps.node.services.devices.exchange(from, {
          identityKey: ik,
          after,
          push: [],
        });
        if (reply.status === 'stale-head')
          reply = await this.deps.node.services.devices.exchange(from, {
            identityKey: ik,
            after: null,
            push: [],
          });
        if (reply.status !== 'ok' || !this.running) return;
        let result = this.deps.lists.accept(ik, reply.entries, from);
        if (result.status === 'incomplete' && after !== null) {
          const all = await this.deps.node.services.devices.exchange(from, {
            identityKey: ik,
            after: null,
            push: [],
          });
          if (all.status === 'ok' && this.running) result = this.deps.lists.accept(ik, all.entries, from);
        }
        this.deps.logger.log('debug', 'devices.fetched', { from: peerTag(from), status: result.status });
      } catch (err) {
        this.deps.logger.log('debug', 'devices.fetch_failed', { from: peerTag(from), ...errorFields(err) });
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, run);
    this.track(run);
  }

  /** Our own list changed here: the devices connected now get the new entries at once (§13.5). */
  private onNews(news: DeviceListNews): void {
    if (news.kind !== 'changed' || !same(news.identityKey, this.deps.lists.ownIdentityKey)) return;
    const entries = this.deps.lists.encodingsAfter(news.identityKey, -1);
    for (const peer of this.deps.node.connectedPeers()) {
      if (!this.deps.devices.exists(peer) && this.deps.lists.personOf(peer) === null) continue;
      this.track(
        this.deps.node.services.devices
          .exchange(peer, { identityKey: news.identityKey, after: null, push: entries })
          .catch((err: unknown) =>
            this.deps.logger.log('debug', 'devices.push_failed', {
              peer: peerTag(peer),
              ...errorFields(err),
            }),
          ),
      );
    }
  }

  private track(p: Promise<unknown>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }
}
