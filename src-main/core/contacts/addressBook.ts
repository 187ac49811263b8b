import { randomBytes } from 'node:crypto';
import type { AddressAnswer, AddressHooks, AddressUpdate, DeviceHead } from '../net/addressProtocol';
import { openAddressRecord, sealAddressRecord, type AddressRecord } from '../net/addressRecord';
import type { LanBeaconHooks } from '../net/lanBeacon';
import type { ParleyNode } from '../net/parleyNode';
import type { ParleyProtocols } from '../net/parleyProtocols';
import { peerTag } from '../net/protocolService';
import type { AddressRepository } from '../store/repositories/addressRepository';
import { errorFields, type Logger } from '../util/logger';
import { Reachability } from './reachability';

/**
 * Stable, current addresses between contacts (issue 13, deliver 1).
 *
 * - Our record: a signed, sequence-numbered libp2p peer record of the
 *   addresses we listen on (net/addressRecord.ts), made again whenever they
 *   change and given to every connected contact at once.
 * - Theirs: every record we get (from the device itself or passed on by a
 *   mutual contact) is kept if it is newer than what we had, written to the
 *   device's last known addresses and, for a contact that is not connected,
 *   dialled at once. A newer record is passed on to the connected contacts
 *   who may learn it (AddressRepository.mayShare).
 * - Asking: when a contact connects, and every `refreshMs` while some
 *   contact is not connected, we ask connected contacts for the latest
 *   records of the ones we miss; their answer also says which of those they
 *   are connected to right now ("reachable through <name>", Reachability).
 * - The LAN beacon key (net/beaconCodec.ts) travels in the same exchange,
 *   to contacts only, and is replaced once a device holding it is no longer
 *   a contact.
 */

/** What the address book needs of the node (built before it; its hooks are registered before the node starts). */
export type AddressBookNode = Pick<
  ParleyNode,
  | 'peerId'
  | 'addresses'
  | 'beacon'
  | 'onPeer'
  | 'connectedPeers'
  | 'isConnected'
  | 'freshAddresses'
  | 'addAddresses'
  | 'onAddressesChanged'
  | 'isRunning'
> & { services: Pick<ParleyProtocols, 'address'> };

export interface AddressBookDeps {
  repo: AddressRepository;
  node: AddressBookNode;
  /** The device key, to sign our records. */
  deviceKey: Uint8Array;
  /** The device told us it is online (not invisible): we may say it is reachable through us. */
  isOnline(peer: string): boolean;
  /** Called when who reaches whom through whom changed. */
  onChange(): void;
  logger: Logger;
  now: () => number;
  /**
   * How often, ms (default 5 s): connected contacts are asked about missing
   * ones, and a connection that opened before the two were contacts (an
   * invite being accepted) gets its first exchange.
   */
  refreshMs?: number;
  /**
   * Device-list heads in every exchange (issue 18, docs/protocol.md §13.4):
   * what we tell a peer, and what to do with the heads it tells us.
   */
  heads?: { local(peer: string): DeviceHead[]; onHeads(from: string, heads: DeviceHead[]): void };
}

/** Contacts asked per refresh (each answers for every missing contact). */
const ASKED_PER_REFRESH = 2;
const DEFAULT_REFRESH_MS = 5_000;
/** After a start, how long a record keeps the last record's relayed addresses while ours are not back, ms. */
const RELAYS_KEPT_MS = 30_000;
/** Records pushed to one peer are gathered this long before they go, ms. */
const PUSH_GATHER_MS = 50;

export class AddressBook {
  readonly reachability: Reachability;
  private own: AddressRecord | null = null;
  private beaconKey: Uint8Array | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => void) | null = null;
  private running = false;
  private readonly background = new Set<Promise<unknown>>();
  private readonly pending = new Map<string, Uint8Array[]>();
  private sealing: Promise<void> | null = null;
  private resealAfter: Promise<void> | null = null;
  private startedAt = 0;
  private askCursor = 0;
  /** Connected contact devices we exchanged with on their current connection. */
  private readonly exchanged = new Set<string>();

  constructor(private readonly deps: AddressBookDeps) {
    this.reachability = new Reachability(deps.now, deps.onChange, 3 * (deps.refreshMs ?? DEFAULT_REFRESH_MS));
  }

  private get node(): AddressBookNode {
    return this.deps.node;
  }

  /** Hooks for /parley/address/1.0.0 (registered with the node's address service; nothing is served before start). */
  readonly hooks: AddressHooks = {
    allow: (peer) => this.running && this.deps.repo.isContactDevice(peer),
    local: (peer) => {
      if (this.beaconKey) this.deps.repo.beaconGiven(peer);
      return {
        record: this.own?.envelope ?? null,
        beaconKey: this.beaconKey,
        heads: this.deps.heads?.local(peer) ?? [],
      };
    },
    onUpdate: (from, update) => this.onUpdate(from, update),
    lookup: (asker, peers) => this.lookup(asker, peers),
  };

  /** Hooks for the contacts' LAN beacon. */
  readonly beaconHooks: LanBeaconHooks = {
    local: () => (this.beaconKey && this.own ? { key: this.beaconKey, addresses: this.own.addresses } : null),
    known: () => this.deps.repo.contactBeaconKeys(),
    onSighting: (peer, addresses) => {
      if (!this.running || !this.deps.repo.isContactDevice(peer) || this.node.isConnected(peer)) return;
      this.track(this.node.freshAddresses(peer, addresses));
    },
  };

  /** Needs: the node started (its addresses known). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.deps.now();
    const { repo } = this.deps;
    const node = this.node;
    this.beaconKey = repo.ownBeaconKey();
    if (!this.beaconKey || repo.beaconHeldByStranger()) this.rotateBeaconKey();
    await this.refreshOwnRecord();
    const unsubscribePeers = node.onPeer(({ peerId, connected }) => {
      this.reachability.peerChanged(peerId, connected);
      if (!connected) this.exchanged.delete(peerId);
      else if (repo.isContactDevice(peerId)) this.track(this.exchange(peerId));
    });
    // A reservation granted (or lost) changes our addresses: contacts hear at
    // once, not at the next tick (issue 19; docs/protocol.md §14.5).
    // Not while the node stops: its relayed addresses go with its transports
    // then, and a record without them, kept by a contact, would leave that
    // contact no way to reach us through the relay at the next start.
    const unsubscribeAddresses = node.onAddressesChanged(() => {
      if (node.isRunning) this.track(this.refreshOwnRecord());
    });
    this.unsubscribe = () => {
      unsubscribePeers();
      unsubscribeAddresses();
    };
    for (const peer of node.connectedPeers()) if (repo.isContactDevice(peer)) this.track(this.exchange(peer));
    this.timer = setInterval(() => this.tick(), this.deps.refreshMs ?? DEFAULT_REFRESH_MS);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pending.clear();
    this.exchanged.clear();
    await Promise.allSettled([...this.background]);
  }

  /** Our current signed record (null before start). */
  ownRecord(): AddressRecord | null {
    return this.own;
  }

  /** Seals a new record when our addresses changed, and gives it to every connected contact. */
  refreshOwnRecord(): Promise<void> {
    if (this.sealing) {
      // Addresses may have changed after the one in flight read them: look again after it.
      this.resealAfter ??= this.sealing.then(() => {
        this.resealAfter = null;
        return this.refreshOwnRecord();
      });
      return this.resealAfter;
    }
    this.sealing = this.reseal().finally(() => {
      this.sealing = null;
    });
    return this.sealing;
  }

  private async reseal(minSeq = 0): Promise<void> {
    const { repo, now } = this.deps;
    const node = this.node;
    const stored = this.own ?? (await this.storedOwn());
    const addresses = this.withRelaysKept(node.addresses(), stored);
    if (stored && minSeq <= stored.seq && sameSet(stored.addresses, stripOwnPeer(addresses, node.peerId))) {
      this.own = stored;
      return;
    }
    // A sequence number that only grows, even if the clock goes back (RFC 0003 asks for "monotonically increasing").
    const seq = Math.max(now(), (stored?.seq ?? 0) + 1, minSeq + 1);
    const record = await sealAddressRecord(this.deps.deviceKey, addresses, seq);
    repo.putRecord(node.peerId, record.seq, record.envelope, now());
    this.own = record;
    this.deps.logger.log('info', 'net.address.record', {
      seq: record.seq,
      addresses: record.addresses.length,
    });
    if (!this.running) return;
    for (const peer of node.connectedPeers()) {
      if (repo.isContactDevice(peer)) this.track(this.exchange(peer, false));
    }
    node.beacon?.announce();
  }

  /**
   * Just after a start our reservations are not back yet (issue 19;
   * docs/protocol.md §14.5): a record made then would lack the relayed
   * addresses, and a contact behind another NAT who keeps it could never
   * reach us through the relay again (nobody else tells it). So for
   * `RELAYS_KEPT_MS` after start a record without relayed addresses keeps
   * those of our last record; a contact dialling one meanwhile gets
   * NO_RESERVATION and retries at once (net/dialScheduler.ts).
   */
  private withRelaysKept(addresses: string[], stored: AddressRecord | null): string[] {
    const relayed = (a: string) => a.includes('/p2p-circuit');
    if (!stored || addresses.some(relayed) || this.deps.now() - this.startedAt > RELAYS_KEPT_MS)
      return addresses;
    const own = `/p2p/${this.node.peerId}`;
    return [
      ...addresses,
      ...stored.addresses.filter(relayed).map((a) => (a.endsWith(own) ? a : `${a}${own}`)),
    ];
  }

  /** The record we made last time we ran (its seq is where the next one starts). */
  private async storedOwn(): Promise<AddressRecord | null> {
    const row = this.deps.repo.record(this.node.peerId);
    return row ? openAddressRecord(row.envelope) : null;
  }

  private rotateBeaconKey(): void {
    this.beaconKey = new Uint8Array(randomBytes(32));
    this.deps.repo.setOwnBeaconKey(this.beaconKey);
    this.deps.logger.log('info', 'net.beacon.key_rotated', {});
  }

  private tick(): void {
    if (!this.running) return;
    const { repo } = this.deps;
    const node = this.node;
    if (repo.beaconHeldByStranger()) {
      this.rotateBeaconKey();
      for (const peer of node.connectedPeers())
        if (repo.isContactDevice(peer)) this.track(this.exchange(peer, false));
      node.beacon?.announce();
    }
    this.track(this.refreshOwnRecord());
    this.reachability.expire();
    const connected = node.connectedPeers().filter((p) => repo.isContactDevice(p));
    const asked = new Set(connected.filter((p) => !this.exchanged.has(p)));
    if (this.missingContacts().length > 0) {
      for (let i = 0; i < Math.min(ASKED_PER_REFRESH, connected.length); i++) {
        const peer = connected[(this.askCursor + i) % connected.length];
        if (peer !== undefined) asked.add(peer);
      }
      this.askCursor += ASKED_PER_REFRESH;
    }
    for (const peer of asked) this.track(this.exchange(peer));
  }

  /** Contact devices we are not connected to. */
  private missingContacts(): string[] {
    return this.deps.repo.contactDevices().filter((p) => !this.node.isConnected(p));
  }

  /** Gives `peer` our record and beacon key, and (with `ask`) asks it about the contacts we miss. */
  private async exchange(peer: string, ask = true): Promise<void> {
    if (!this.running) return;
    const lookup = ask ? this.missingContacts().filter((p) => p !== peer) : [];
    try {
      const reply = await this.node.services.address.exchange(peer, {
        records: this.own ? [this.own.envelope] : [],
        lookup,
        beaconKey: this.beaconKey,
        heads: this.deps.heads?.local(peer) ?? [],
      });
      if (this.beaconKey) this.deps.repo.beaconGiven(peer);
      if (this.node.isConnected(peer)) this.exchanged.add(peer);
      if (ask) this.reachability.answered(peer, lookup, reply.reachable);
    } catch (err) {
      this.deps.logger.log('debug', 'net.address.exchange_failed', {
        peer: peerTag(peer),
        ...errorFields(err),
      });
    }
  }

  private onUpdate(from: string, update: AddressUpdate): void {
    if (!this.running) return;
    const { repo, now } = this.deps;
    if (update.beaconKey && repo.isContactDevice(from)) {
      const before = repo.contactBeaconKeys().get(from);
      repo.putBeaconKey(from, update.beaconKey, now());
      if (!before || Buffer.compare(Buffer.from(before), Buffer.from(update.beaconKey)) !== 0)
        this.node.beacon?.knownChanged();
    }
    for (const record of update.records) this.apply(record, from);
    if (update.heads.length > 0) this.deps.heads?.onHeads(from, update.heads);
  }

  private apply(record: AddressRecord, from: string): void {
    const { repo, now } = this.deps;
    const node = this.node;
    if (record.peerId === node.peerId) {
      // Someone holds a record of ours newer than what we have (a restored
      // profile, a clock that went back): ours must outrank it.
      if (this.own && record.seq >= this.own.seq) this.track(this.reseal(record.seq));
      return;
    }
    if (!repo.isDevice(record.peerId)) return;
    if (!repo.putRecord(record.peerId, record.seq, record.envelope, now())) return;
    repo.setDeviceAddresses(record.peerId, record.addresses);
    this.deps.logger.log('debug', 'net.address.learned', {
      peer: peerTag(record.peerId),
      from: peerTag(from),
      seq: record.seq,
    });
    if (repo.isContactDevice(record.peerId) && !node.isConnected(record.peerId)) {
      this.track(node.freshAddresses(record.peerId, record.addresses));
    } else {
      this.track(node.addAddresses(record.peerId, record.addresses));
    }
    this.passOn(record, from);
  }

  /** A newer record goes on to the connected contacts who may learn it, gathered per peer. */
  private passOn(record: AddressRecord, from: string): void {
    const { repo } = this.deps;
    const node = this.node;
    for (const peer of node.connectedPeers()) {
      if (peer === from || peer === record.peerId || !repo.isContactDevice(peer)) continue;
      if (!repo.mayShare(record.peerId, peer)) continue;
      const queue = this.pending.get(peer);
      if (queue) {
        queue.push(record.envelope);
        continue;
      }
      this.pending.set(peer, [record.envelope]);
      const timer = setTimeout(() => {
        const records = this.pending.get(peer) ?? [];
        this.pending.delete(peer);
        if (!this.running || records.length === 0) return;
        this.track(
          node.services.address.exchange(peer, { records }).catch((err: unknown) =>
            this.deps.logger.log('debug', 'net.address.push_failed', {
              peer: peerTag(peer),
              ...errorFields(err),
            }),
          ),
        );
      }, PUSH_GATHER_MS);
      timer.unref?.();
    }
  }

  private lookup(asker: string, peers: string[]): AddressAnswer {
    const { repo } = this.deps;
    const node = this.node;
    const records: Uint8Array[] = [];
    const reachable: string[] = [];
    for (const peer of peers) {
      if (peer === node.peerId || !repo.isDevice(peer) || !repo.mayShare(peer, asker)) continue;
      const stored = repo.record(peer);
      if (stored) records.push(stored.envelope);
      // Online through us only for the device's own contacts, and only when it shows itself online.
      if (node.isConnected(peer) && this.deps.isOnline(peer) && repo.areContacts(peer, asker))
        reachable.push(peer);
    }
    return { records, reachable };
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((err: unknown) =>
      this.deps.logger.log('debug', 'net.address.background_failed', errorFields(err)),
    );
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }
}

function stripOwnPeer(addresses: readonly string[], peer: string): string[] {
  const suffix = `/p2p/${peer}`;
  return addresses.map((a) => (a.endsWith(suffix) ? a.slice(0, -suffix.length) : a));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  return x.size === new Set(b).size && b.every((v) => x.has(v));
}
