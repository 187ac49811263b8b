import type { AbortOptions } from '@libp2p/interface';
import { wireBytes } from './bytes';
import { FRAME_VERSION } from './limits';
import { HistoryChunk, HistoryRequest } from './proto/history.generated';
import {
  decodeFrame,
  ensure,
  LocalCallbackError,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolComponents,
  type ProtocolFactory,
} from './protocolService';

/**
 * /parley/history/1.0.0: a newly linked device N pulls the sealed history
 * stream from the device E that granted it (docs/protocol.md §13.7).
 *
 *   HistoryRequest { version, transfer_id (16), from_chunk, mac (32) }
 *   HistoryChunk   { version, status, header (first OK frame), index, data } × n, then E closes
 *
 * E answers OK frames for chunks from_chunk … from_chunk + 15 (fewer at the
 * end of the stream) in order, the first one carrying the 51-byte stream
 * header, then closes: an answer of at most 16 MiB stays well inside the
 * request deadline even over a relay, and N asks again from where it is.
 * Or E answers one frame NOT_READY (the snapshot
 * is being made), GONE (no such transfer any more) or DENIED (not the PeerId
 * the transfer was granted to, or a wrong MAC; the same answer for an unknown
 * transfer id asked with a wrong MAC, so a guess learns nothing). Who may
 * fetch, the MAC check and reading chunks are the caller's (history/); the
 * edge already refused unknown and blocked peers. Payloads are opaque here:
 * history/ checks every chunk's tag.
 */

export const HISTORY_TRANSFER_ID_BYTES = 16;
export const HISTORY_MAC_BYTES = 32;
/** The stream header (history/historyStreamFormat.ts). */
export const HISTORY_WIRE_HEADER_BYTES = 51;

/** Chunks in one answer (16 × 1 MiB). */
export const HISTORY_CHUNKS_PER_ANSWER = 16;

export type HistoryRefusal = 'not-ready' | 'gone' | 'denied';

export type HistoryOpen =
  | { status: HistoryRefusal }
  | {
      status: 'ok';
      header: Uint8Array;
      chunkCount: number;
      /** Sealed chunk `index` (ciphertext and tag). */
      read(index: number): Promise<Uint8Array>;
      /** Called once the request is over (served or not). */
      close(): Promise<void>;
      /** Called after each chunk was written to the stream. */
      served?(index: number, bytes: number): void;
    };

/** The caller's side: opens a transfer for `requester` after checking the MAC, or refuses. */
export type HistorySource = (
  requester: string,
  request: { transferId: Uint8Array; fromChunk: number; mac: Uint8Array },
) => Promise<HistoryOpen>;

const REFUSALS: Record<HistoryRefusal, HistoryChunk.Status> = {
  'not-ready': HistoryChunk.Status.NOT_READY,
  gone: HistoryChunk.Status.GONE,
  denied: HistoryChunk.Status.DENIED,
};

function refusalOf(status: HistoryChunk.Status): HistoryRefusal | null {
  for (const [name, value] of Object.entries(REFUSALS)) if (value === status) return name as HistoryRefusal;
  return null;
}

export interface HistoryInit {
  /** Serves transfers; without one (until handle()) the node only fetches. */
  source?: HistorySource;
}

export function historyProtocol(init: HistoryInit = {}): ProtocolFactory<HistoryProtocol> {
  return (components) => new HistoryProtocol(components, init);
}

export class HistoryProtocol extends ProtocolService<HistorySource> {
  readonly name = 'history';

  constructor(components: ProtocolComponents, init: HistoryInit = {}) {
    super(components, { handler: init.source });
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    const request = decodeFrame(await readRequired(frames), HistoryRequest.decode);
    const { transferId, mac } = request;
    ensure(request.version === FRAME_VERSION, 'version 1');
    ensure(
      transferId !== undefined && transferId.length === HISTORY_TRANSFER_ID_BYTES,
      'transfer id is 16 bytes',
    );
    ensure(mac !== undefined && mac.length === HISTORY_MAC_BYTES, 'mac is 32 bytes');
    const source = this.served;
    const opened = await this.callHandler(() =>
      source(peer, { transferId, fromChunk: request.fromChunk, mac }),
    );
    if (opened.status !== 'ok') {
      await frames.write(HistoryChunk.encode({ version: FRAME_VERSION, status: REFUSALS[opened.status] }));
      await frames.close();
      return;
    }
    try {
      if (request.fromChunk >= opened.chunkCount) {
        // Nothing left to send: an empty answer would look like a cut stream, so say GONE.
        await frames.write(HistoryChunk.encode({ version: FRAME_VERSION, status: HistoryChunk.Status.GONE }));
        await frames.close();
        return;
      }
      const room = this.components.limits.maxFrameBytes.history - 128;
      const end = Math.min(opened.chunkCount, request.fromChunk + HISTORY_CHUNKS_PER_ANSWER);
      let next = this.callHandler(() => opened.read(request.fromChunk));
      for (let index = request.fromChunk; index < end; index++) {
        const data = await next;
        // Read ahead: the disk works on the next chunk while this one is sent.
        if (index + 1 < end) {
          next = this.callHandler(() => opened.read(index + 1));
          next.catch(() => undefined);
        }
        if (data.length > room) throw new RangeError('chunk larger than a frame');
        await frames.write(
          HistoryChunk.encode({
            version: FRAME_VERSION,
            status: HistoryChunk.Status.OK,
            ...(index === request.fromChunk ? { header: wireBytes(opened.header) } : {}),
            index,
            data: wireBytes(data),
          }),
        );
        opened.served?.(index, data.length);
      }
      this.countServed();
      await frames.close();
    } finally {
      await opened.close();
    }
  }

  /**
   * Fetches up to 16 chunks from `fromChunk` on: `onHeader` gets the header
   * of the answer first, then `onChunk` each chunk in order, before the next
   * is read (it consumes the bytes and keeps no reference). Returns 'ok' once
   * the server closed after the last chunk it sends, or its refusal; throws
   * NetError when the peer is unreachable, resets, times out or answers
   * malformed frames, and rethrows the callbacks' own errors (after
   * resetting the stream).
   */
  async fetch(
    peer: string,
    request: { transferId: Uint8Array; fromChunk: number; mac: Uint8Array },
    onHeader: (header: Uint8Array) => Promise<void> | void,
    onChunk: (index: number, data: Uint8Array) => Promise<void> | void,
    options?: AbortOptions,
  ): Promise<'ok' | HistoryRefusal> {
    if (request.transferId.length !== HISTORY_TRANSFER_ID_BYTES)
      throw new RangeError('transfer id is 16 bytes');
    if (request.mac.length !== HISTORY_MAC_BYTES) throw new RangeError('mac is 32 bytes');
    const first = request.fromChunk;
    if (!Number.isInteger(first) || first < 0 || first > 0xffff_ffff)
      throw new RangeError('chunk out of range');
    return this.request(
      peer,
      async (frames) => {
        await frames.write(
          HistoryRequest.encode({
            version: FRAME_VERSION,
            transferId: wireBytes(request.transferId),
            fromChunk: first,
            mac: wireBytes(request.mac),
          }),
        );
        await frames.close();
        let expected = first;
        for (;;) {
          const frame = await frames.read();
          if (frame === null) {
            ensure(expected > first, 'no chunk and no refusal');
            return 'ok';
          }
          const chunk = decodeFrame(frame, HistoryChunk.decode);
          ensure(chunk.version === FRAME_VERSION, 'version 1');
          if (chunk.status !== HistoryChunk.Status.OK) {
            const refusal = refusalOf(chunk.status);
            ensure(refusal !== null && expected === first, 'a refusal comes alone');
            return refusal;
          }
          ensure(expected < first + HISTORY_CHUNKS_PER_ANSWER, 'at most 16 chunks per answer');
          ensure(chunk.index === expected, 'chunks in order');
          ensure(chunk.data !== undefined, 'chunk without data');
          if (expected === first) {
            ensure(chunk.header?.length === HISTORY_WIRE_HEADER_BYTES, 'the first chunk carries the header');
          } else {
            ensure(chunk.header === undefined, 'only the first chunk carries the header');
          }
          try {
            if (chunk.header !== undefined) await onHeader(chunk.header);
            await onChunk(expected, chunk.data);
          } catch (err) {
            throw new LocalCallbackError({ cause: err });
          }
          expected += 1;
        }
      },
      options,
    );
  }
}
