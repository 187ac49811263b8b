import type { AbortOptions } from '@libp2p/interface';
import { wireBytes } from './bytes';
import { FRAME_VERSION } from './limits';
import { DeviceListRequest, DeviceListResponse } from './proto/devices.generated';
import {
  decodeFrame,
  ensure,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolFactory,
  type ProtocolComponents,
} from './protocolService';

/**
 * /parley/devices/1.0.0 (docs/protocol.md §13.4): a person's device list,
 * one round trip. A fetch names the person and the asker's head; the answer
 * carries the entries after it, or STALE_HEAD when the responder's entry at
 * that seq is another one (the asker then fetches from 0 and has a fork to
 * report). A push carries new entries; the responder takes them if it may
 * and answers with anything it holds beyond them.
 *
 * Open to peers the node does not know (a stranger that just got a contact
 * request checks the sender's list this way); who may ask about whom is the
 * handler's decision (devices/deviceListSync.ts), and every refusal is the
 * same REFUSED as for a person the responder does not know, so the protocol
 * does not reveal who knows whom. Rate-limited per peer and per node before a
 * byte is read. Entries are opaque here beyond their count and size: the
 * handler verifies them (identity/deviceListVerify.ts).
 */

export const DEVICE_LIST_MAX_ENTRIES = 1024;
export const DEVICE_LIST_MAX_ENTRY_BYTES = 1024;
const KEY_BYTES = 32;

export interface DeviceListAsk {
  identityKey: Uint8Array;
  /** The asker's head for that person; null: from entry 0. */
  after: { seq: number; hash: Uint8Array } | null;
  /** New entries, in seq order (a push); empty for a fetch. */
  push: Uint8Array[];
}

export type DeviceListStatus = 'ok' | 'not-found' | 'refused' | 'stale-head';

export interface DeviceListReply {
  status: DeviceListStatus;
  /** In seq order; only with `ok`. */
  entries: Uint8Array[];
}

/** Answers `peer` (authenticated by Noise). */
export type DevicesHandler = (peer: string, ask: DeviceListAsk) => DeviceListReply;

const STATUS_TO_WIRE: Record<DeviceListStatus, DeviceListResponse.Status> = {
  ok: DeviceListResponse.Status.OK,
  'not-found': DeviceListResponse.Status.NOT_FOUND,
  refused: DeviceListResponse.Status.REFUSED,
  'stale-head': DeviceListResponse.Status.STALE_HEAD,
};

const STATUS_FROM_WIRE = new Map<DeviceListResponse.Status, DeviceListStatus>(
  Object.entries(STATUS_TO_WIRE).map(([k, v]) => [v, k as DeviceListStatus]),
);

function checkEntries(entries: Uint8Array[], what: string): void {
  ensure(entries.length <= DEVICE_LIST_MAX_ENTRIES, `too many ${what}`);
  ensure(
    entries.every((e) => e.length > 0 && e.length <= DEVICE_LIST_MAX_ENTRY_BYTES),
    `${what}: an entry of 0 or over ${DEVICE_LIST_MAX_ENTRY_BYTES} bytes`,
  );
}

/** The devices protocol as a node service; the default handler refuses every request. */
export function devicesProtocol(
  answer: DevicesHandler = () => ({ status: 'refused', entries: [] }),
): ProtocolFactory<DevicesProtocol> {
  return (components) => new DevicesProtocol(components, answer);
}

export class DevicesProtocol extends ProtocolService<DevicesHandler> {
  readonly name = 'devices';

  constructor(components: ProtocolComponents, answer: DevicesHandler) {
    const { devicesPerPeer, devicesGlobal } = components.limits;
    super(components, {
      handler: answer,
      openToUnknownPeers: true,
      rateLimit: { perPeer: devicesPerPeer, global: devicesGlobal },
    });
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    const request = decodeFrame(await readRequired(frames), DeviceListRequest.decode);
    ensure(request.identityKey.length === KEY_BYTES, 'identity key must be 32 bytes');
    const hasSeq = request.afterSeq !== undefined;
    ensure(hasSeq === (request.afterHash !== undefined), 'after_seq and after_hash go together');
    ensure(request.afterHash === undefined || request.afterHash.length === KEY_BYTES, 'after_hash length');
    ensure((request.afterSeq ?? 0) < DEVICE_LIST_MAX_ENTRIES, 'after_seq beyond any list');
    checkEntries(request.push, 'pushed entries');
    const answer = this.served;
    const reply = await this.callHandler(async () =>
      answer(peer, {
        identityKey: request.identityKey,
        after:
          request.afterSeq === undefined || request.afterHash === undefined
            ? null
            : { seq: request.afterSeq, hash: request.afterHash },
        push: request.push,
      }),
    );
    const entries = reply.status === 'ok' ? reply.entries.slice(0, DEVICE_LIST_MAX_ENTRIES) : [];
    await frames.write(
      DeviceListResponse.encode({
        version: FRAME_VERSION,
        status: STATUS_TO_WIRE[reply.status],
        entries: entries.map(wireBytes),
      }),
    );
    this.countServed();
    await frames.close();
  }

  /** Asks `peer` for (or gives it) a person's entries. Throws NetError when unreachable or on a bad answer. */
  async exchange(peer: string, ask: DeviceListAsk, options?: AbortOptions): Promise<DeviceListReply> {
    ensure(ask.identityKey.length === KEY_BYTES, 'identity key must be 32 bytes');
    return this.request(
      peer,
      async (frames) => {
        await frames.write(
          DeviceListRequest.encode({
            version: FRAME_VERSION,
            identityKey: wireBytes(ask.identityKey),
            ...(ask.after ? { afterSeq: ask.after.seq, afterHash: wireBytes(ask.after.hash) } : {}),
            push: ask.push.slice(0, DEVICE_LIST_MAX_ENTRIES).map(wireBytes),
          }),
        );
        await frames.close();
        const response = decodeFrame(await readRequired(frames), DeviceListResponse.decode);
        const status = STATUS_FROM_WIRE.get(response.status);
        ensure(status !== undefined, 'unknown status');
        checkEntries(response.entries, 'entries');
        ensure(status === 'ok' || response.entries.length === 0, 'entries only with OK');
        return { status: status as DeviceListStatus, entries: response.entries };
      },
      options,
    );
  }
}
