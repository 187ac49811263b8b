import type { DeviceLists } from '../devices/deviceLists';
import { verifyDeviceCertificate } from '../identity/deviceCertificate';
import { entryHash } from '../identity/deviceListEntry';
import { type DeviceListState, verifyDeviceList } from '../identity/deviceListVerify';
import { proveListedDevice } from '../identity/listedDeviceProof';
import type { WireDeviceListHead } from '../net/contactRequestProtocol';
import type { DeviceListAsk, DeviceListReply } from '../net/devicesProtocol';
import { peerTag } from '../net/protocolService';
import { errorFields, type Logger } from '../util/logger';

/**
 * Proof that a device outside any group belongs to the identity it claims
 * (docs/protocol.md §13.6, "Outside groups"): what a contact request, an
 * invite answer or a hello shows (a certificate, and the sender's person's
 * device-list head) judged against that person's list.
 *
 *  - A person whose list this device holds: the claimed head must extend it
 *    (a newer or different head is fetched from the sender and taken only as
 *    an extension, devices/DeviceLists.accept), and the device must be active
 *    in it (identity/listedDeviceProof.ts).
 *  - A person new to this device that shows a head: the list is fetched from
 *    the sender itself (it serves its own list to whom it just contacted,
 *    §13.4), verified from entry 0 (rule 5 included) and must reach the
 *    claimed head; the device must be active in it. The list is stored once
 *    the person becomes a contact (`keep`), not before: strangers do not
 *    fill the database.
 *  - No head and no list (an older build): issue 14's rule, a kind 1
 *    certificate by the identity key.
 */

export interface DeviceClaim {
  /** The PeerId the transport authenticated. */
  from: string;
  identityKey: Uint8Array;
  certificate?: Uint8Array | undefined;
  head?: WireDeviceListHead | undefined;
}

export type DeviceProof =
  /** `entries`: the verified list of a person not held yet, to keep once they are a contact. */
  | { status: 'proven'; entries: Uint8Array[] | null }
  /** Nothing proves it (no list, no valid certificate): a stranger's claim worth nothing. */
  | { status: 'unproven' }
  /** A list says no (unlisted, removed, a kind 1 certificate for a non-zero device) or could not be had. */
  | { status: 'refused'; reason: string };

export interface DeviceProofsDeps {
  lists: Pick<DeviceLists, 'state' | 'accept'>;
  /** Fetches a held person's entries after the stored head from a device (devices/deviceListSync.ts). */
  fetchEntries: (from: string, identityKey: Uint8Array) => Promise<void>;
  /** One `/parley/devices/1.0.0` round trip (for a person not held). */
  exchange: (peer: string, ask: DeviceListAsk) => Promise<DeviceListReply>;
  /** Rule 5: whose held list already has this PeerId or MLS key. */
  claimedBy: (device: { peerId: string; mlsSignatureKey: Uint8Array }) => Uint8Array | undefined;
  logger: Logger;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

function atHead(state: DeviceListState, head: WireDeviceListHead): boolean {
  return state.head.seq === head.seq && same(state.head.hash, head.hash);
}

export class DeviceProofs {
  constructor(private readonly deps: DeviceProofsDeps) {}

  async check(claim: DeviceClaim): Promise<DeviceProof> {
    const held = this.deps.lists.state(claim.identityKey);
    const result = held !== null ? await this.againstHeld(claim, held) : await this.againstFetched(claim);
    if (result.status === 'refused')
      this.deps.logger.log('warn', 'contacts.device_refused', {
        peer: peerTag(claim.from),
        reason: result.reason,
      });
    return result;
  }

  /** Stores a proven person's list once they are a contact (call inside the transaction that made them one). */
  keep(identityKey: Uint8Array, entries: readonly Uint8Array[], from: string): void {
    const r = this.deps.lists.accept(identityKey, entries, from);
    if (r.status !== 'extended' && r.status !== 'unchanged')
      this.deps.logger.log('warn', 'contacts.device_list_not_kept', {
        peer: peerTag(from),
        status: r.status,
      });
  }

  private async againstHeld(claim: DeviceClaim, held: DeviceListState): Promise<DeviceProof> {
    let state = held;
    const stale = claim.head !== undefined && !atHead(held, claim.head);
    const named = held.devices.some((d) => d.peerId === claim.from);
    if (stale || !named) {
      // A newer (or other) head, or a device we have not seen: its entries, from the sender.
      await this.deps.fetchEntries(claim.from, claim.identityKey).catch((err: unknown) => {
        this.deps.logger.log('debug', 'contacts.device_list_fetch_failed', errorFields(err));
      });
      state = this.deps.lists.state(claim.identityKey) ?? held;
    }
    const proof = proveListedDevice(state, claim.from, claim.certificate);
    return proof.ok ? { status: 'proven', entries: null } : { status: 'refused', reason: proof.reason };
  }

  private async againstFetched(claim: DeviceClaim): Promise<DeviceProof> {
    const { head } = claim;
    if (head === undefined) {
      // Issue 14's rule for a person without a list (an older build): the identity key's certificate.
      const kind1 = verifyDeviceCertificate(claim.certificate, {
        peerId: claim.from,
        identityKey: claim.identityKey,
      });
      return kind1 ? { status: 'proven', entries: null } : { status: 'unproven' };
    }
    let reply: DeviceListReply;
    try {
      reply = await this.deps.exchange(claim.from, { identityKey: claim.identityKey, after: null, push: [] });
    } catch (err) {
      this.deps.logger.log('debug', 'contacts.device_list_fetch_failed', errorFields(err));
      return { status: 'refused', reason: 'list not served' };
    }
    if (reply.status !== 'ok') return { status: 'refused', reason: `list ${reply.status}` };
    const v = verifyDeviceList(reply.entries, { claimedBy: this.deps.claimedBy });
    if (!v.ok) return { status: 'refused', reason: `list rule ${v.rule}` };
    // The list must reach the head the sender showed (a shorter or other list is not its list).
    const atSeq = reply.entries[head.seq];
    if (atSeq === undefined || !same(entryHash(atSeq), head.hash))
      return { status: 'refused', reason: 'head not in the list' };
    if (!same(v.state.identityKey, claim.identityKey))
      return { status: 'refused', reason: 'list of another person' };
    const proof = proveListedDevice(v.state, claim.from, claim.certificate);
    return proof.ok
      ? { status: 'proven', entries: reply.entries }
      : { status: 'refused', reason: proof.reason };
  }
}
