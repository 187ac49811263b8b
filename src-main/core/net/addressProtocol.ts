import type { AbortOptions } from '@libp2p/interface';
import { openAddressRecord, type AddressRecord } from './addressRecord';
import { wireBytes } from './bytes';
import { isPeerIdString } from './deviceKey';
import { FRAME_VERSION } from './limits';
import { AddressRequest, AddressResponse, type DeviceHead as WireHead } from './proto/address.generated';
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
 * /parley/address/1.0.0 (issue 13): contacts keep each other's addresses
 * current. One round trip, like presence: the opener sends the records it
 * has to give (its own first, or others' it passes on), its LAN beacon key
 * and the devices it is looking for; the other side takes them and answers
 * with its own record, what it knows of the devices asked for and which of
 * them are connected to it right now ("reachable through <name>").
 *
 * Every record is checked here (signature by the device it is about,
 * canonical encoding, limits, net/addressRecord.ts); a record that fails is
 * dropped, not served and not passed up, whoever sent it. Who may use the
 * protocol at all (contacts) and what may be shared with whom are the
 * caller's decisions (`AddressHooks`).
 */

/** Records per frame: the sender's own and 32 found ones. */
export const MAX_RECORDS_PER_FRAME = 33;
/** Devices asked for in one request. */
export const MAX_LOOKUPS = 32;
export const BEACON_KEY_BYTES = 32;
/** Device-list heads per frame (docs/protocol.md §13.4): own, echo, and third persons'. */
export const MAX_HEADS = 33;

/** A person's device-list head as it travels: whose, its last seq, the hash of its last entry. */
export interface DeviceHead {
  identityKey: Uint8Array;
  seq: number;
  hash: Uint8Array;
}

export interface AddressUpdate {
  /** Checked records, in the order sent (unverifiable ones dropped). */
  records: AddressRecord[];
  /** The sender's LAN beacon key, if it sent one. */
  beaconKey: Uint8Array | null;
  /** Device-list heads the sender holds (issue 18); only claims until backed by signed entries. */
  heads: DeviceHead[];
}

export interface AddressAnswer {
  /** Signed records (as stored) of devices asked for that the asker may learn about. */
  records: Uint8Array[];
  /** Of the devices asked for: connected to us right now, and willing to be seen online. */
  reachable: string[];
}

export interface AddressHooks {
  /** Whether this peer may use the protocol (contacts only); asked before a byte is read. */
  allow(peer: string): boolean;
  /** What we send `peer`: our current record, beacon key and the device-list heads it may see. */
  local(peer: string): { record: Uint8Array | null; beaconKey: Uint8Array | null; heads?: DeviceHead[] };
  /** What a peer sent or answered (already checked). */
  onUpdate(from: string, update: AddressUpdate): void;
  /** What we tell `asker` about `peers` (each a valid PeerId other than ours). */
  lookup(asker: string, peers: string[]): AddressAnswer;
}

export interface AddressExchange {
  /** Records to give (our own and any we pass on). */
  records: Uint8Array[];
  lookup?: string[];
  beaconKey?: Uint8Array | null;
  heads?: DeviceHead[];
}

export interface AddressReply extends AddressUpdate {
  reachable: string[];
}

async function checkRecords(records: Uint8Array[]): Promise<AddressRecord[]> {
  const out: AddressRecord[] = [];
  for (const bytes of records) {
    const record = await openAddressRecord(bytes);
    if (record) out.push(record);
  }
  return out;
}

/** Heads from a peer: at most MAX_HEADS, each well formed (a bad one resets the stream). */
function checkHeads(heads: WireHead[]): DeviceHead[] {
  ensure(heads.length <= MAX_HEADS, 'too many heads');
  for (const h of heads) {
    ensure(h.identityKey.length === 32 && h.hash.length === 32, 'head key or hash length');
    ensure(h.seq < 1024, 'head beyond any list');
  }
  return heads.map((h) => ({ identityKey: h.identityKey, seq: h.seq, hash: h.hash }));
}

const toWire = (heads: DeviceHead[] | undefined): WireHead[] =>
  (heads ?? []).slice(0, MAX_HEADS).map((h) => ({
    identityKey: wireBytes(h.identityKey),
    seq: h.seq,
    hash: wireBytes(h.hash),
  }));

function checkBeaconKey(key: Uint8Array | undefined): Uint8Array | null {
  if (key === undefined) return null;
  ensure(key.length === BEACON_KEY_BYTES, 'beacon key must be 32 bytes');
  return key;
}

/** Hooks that refuse everyone and know nothing (a node without an address book). */
const NO_ADDRESS_BOOK: AddressHooks = {
  allow: () => false,
  local: () => ({ record: null, beaconKey: null }),
  onUpdate: () => undefined,
  lookup: () => ({ records: [], reachable: [] }),
};

/** The address protocol as a node service; default hooks refuse everyone. */
export function addressProtocol(hooks: AddressHooks = NO_ADDRESS_BOOK): ProtocolFactory<AddressProtocol> {
  return (components) => new AddressProtocol(components, hooks);
}

export class AddressProtocol extends ProtocolService<AddressHooks> {
  readonly name = 'address';

  constructor(components: ProtocolComponents, hooks: AddressHooks) {
    super(components, { handler: hooks, rateLimit: { perPeer: components.limits.addressPerPeer } });
  }

  private get hooks(): AddressHooks {
    return this.served;
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    if (!this.hooks.allow(peer)) {
      this.components.counters.add('unknownPeerStreams', this.name);
      throw new AccessRevoked();
    }
    const request = decodeFrame(await readRequired(frames), AddressRequest.decode);
    ensure(request.records.length <= MAX_RECORDS_PER_FRAME, 'too many records');
    ensure(request.lookup.length <= MAX_LOOKUPS, 'too many lookups');
    ensure(request.lookup.every(isPeerIdString), 'lookup is not a PeerId');
    const beaconKey = checkBeaconKey(request.beaconKey);
    const heads = checkHeads(request.heads);
    const records = await checkRecords(request.records);
    const lookup = [...new Set(request.lookup)].filter((p) => p !== peer);
    const answer = await this.callHandler(() => {
      this.hooks.onUpdate(peer, { records, beaconKey, heads });
      return this.hooks.lookup(peer, lookup);
    });
    const local = this.hooks.local(peer);
    await frames.write(
      AddressResponse.encode({
        version: FRAME_VERSION,
        records: [...(local.record ? [local.record] : []), ...answer.records]
          .slice(0, MAX_RECORDS_PER_FRAME)
          .map(wireBytes),
        reachable: answer.reachable.slice(0, MAX_LOOKUPS),
        ...(local.beaconKey ? { beaconKey: wireBytes(local.beaconKey) } : {}),
        heads: toWire(local.heads),
      }),
    );
    this.countServed();
    await frames.close();
  }

  /**
   * Gives `peer` our records (and beacon key), asks it about `lookup`, and
   * hands its answer to `onUpdate` as well. Throws NetError.
   */
  async exchange(peer: string, request: AddressExchange, options?: AbortOptions): Promise<AddressReply> {
    const lookup = (request.lookup ?? []).filter((p) => p !== peer).slice(0, MAX_LOOKUPS);
    const reply = await this.request(
      peer,
      async (frames) => {
        await frames.write(
          AddressRequest.encode({
            version: FRAME_VERSION,
            records: request.records.slice(0, MAX_RECORDS_PER_FRAME).map(wireBytes),
            lookup,
            ...(request.beaconKey ? { beaconKey: wireBytes(request.beaconKey) } : {}),
            heads: toWire(request.heads),
          }),
        );
        await frames.close();
        const response = decodeFrame(await readRequired(frames), AddressResponse.decode);
        ensure(response.records.length <= MAX_RECORDS_PER_FRAME, 'too many records');
        ensure(response.reachable.length <= MAX_LOOKUPS, 'too many reachable peers');
        return {
          records: response.records,
          beaconKey: checkBeaconKey(response.beaconKey),
          heads: checkHeads(response.heads),
          // Only what was asked for counts: an answer cannot volunteer others.
          reachable: response.reachable.filter((p) => lookup.includes(p)),
        };
      },
      options,
    );
    const records = await checkRecords(reply.records);
    this.hooks.onUpdate(peer, { records, beaconKey: reply.beaconKey, heads: reply.heads });
    return { records, beaconKey: reply.beaconKey, heads: reply.heads, reachable: reply.reachable };
  }
}
