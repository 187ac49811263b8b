import type { AbortOptions } from '@libp2p/interface';
import { wireBytes } from './bytes';
import { FRAME_VERSION } from './limits';
import { FileChunk, FileRequest } from './proto/file';
import {
  decodeFrame,
  ensure,
  LocalCallbackError,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolNeeds,
} from './protocolService';

/**
 * /parley/file/1.0.0: a member pulls the sealed chunks of a file from a
 * device that has it (docs/protocol.md "Files"). Payloads are opaque here:
 * chunks are AES-256-GCM sealed by core/files, which checks every tag.
 *
 *   FileRequest { version, file_id (16 bytes), first_index, count (1..64) }
 *   FileChunk   { version, status, index, data }   × n, then the server closes
 *
 * The server answers `count` OK frames in index order (fewer when the file
 * ends first), or one frame with a refusal (NOT_FOUND, DENIED, CANCELLED,
 * OUT_OF_RANGE). Who may fetch is the caller's decision (the source checks
 * that the requester is a device of a member of the file's conversation);
 * the edge already refused unknown and blocked peers. The client checks
 * every frame: status, the expected index, a data length within the chunk
 * limit; anything else is a malformed frame and the stream is reset.
 */

export const FILE_ID_BYTES = 16;
/** Chunks one request may ask for (64 × 256 KiB = 16 MiB, well inside the request deadline on a LAN). */
export const MAX_CHUNKS_PER_REQUEST = 64;

export type FileRefusal = 'not-found' | 'denied' | 'cancelled' | 'out-of-range';

/** What the source answers for one request. */
export type FileOpen =
  | { status: FileRefusal }
  | {
      status: 'ok';
      /** Chunks in the file: the answer stops at the last one. */
      chunkCount: number;
      read(index: number): Promise<Uint8Array>;
      /** Called once the request is over (served or not). */
      close(): Promise<void>;
      /** Called after each chunk was written to the stream. */
      served?(index: number): void;
    };

/** The caller's side: opens a file for `requester`, or refuses. */
export type FileSource = (requester: string, fileId: Uint8Array) => Promise<FileOpen>;

const REFUSALS: Record<FileRefusal, FileChunk.Status> = {
  'not-found': FileChunk.Status.NOT_FOUND,
  denied: FileChunk.Status.DENIED,
  cancelled: FileChunk.Status.CANCELLED,
  'out-of-range': FileChunk.Status.OUT_OF_RANGE,
};

function refusalOf(status: FileChunk.Status): FileRefusal | null {
  for (const [name, value] of Object.entries(REFUSALS)) if (value === status) return name as FileRefusal;
  return null;
}

export class FileProtocol extends ProtocolService {
  readonly name = 'file';

  constructor(
    needs: ProtocolNeeds,
    private readonly source: FileSource | undefined,
  ) {
    super(needs);
  }

  /** A node without a source (tests, relays) only fetches. */
  protected override get serves(): boolean {
    return this.source !== undefined;
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    const request = decodeFrame(await readRequired(frames), FileRequest.decode);
    const fileId = request.fileId;
    ensure(fileId !== undefined && fileId.length === FILE_ID_BYTES, 'file id is 16 bytes');
    ensure(request.count >= 1 && request.count <= MAX_CHUNKS_PER_REQUEST, 'count within 1..64');
    const source = this.source;
    if (!source) throw new Error('no file source');
    const opened = await this.callHandler(() => source(peer, fileId));
    const refuse = async (why: FileRefusal): Promise<void> => {
      await frames.write(FileChunk.encode({ version: FRAME_VERSION, status: REFUSALS[why] }));
      await frames.close();
    };
    if (opened.status !== 'ok') {
      await refuse(opened.status);
      return;
    }
    try {
      if (request.firstIndex >= opened.chunkCount) {
        await refuse('out-of-range');
        return;
      }
      const end = Math.min(opened.chunkCount, request.firstIndex + request.count);
      const room = this.needs.limits.maxFrameBytes.file - 64;
      for (let index = request.firstIndex; index < end; index++) {
        const data = await this.callHandler(() => opened.read(index));
        if (data.length > room) throw new RangeError('chunk larger than a frame');
        await frames.write(
          FileChunk.encode({
            version: FRAME_VERSION,
            status: FileChunk.Status.OK,
            index,
            data: wireBytes(data),
          }),
        );
        opened.served?.(index);
      }
      this.countServed();
      await frames.close();
    } finally {
      await opened.close();
    }
  }

  /**
   * Fetches chunks `first .. first + count - 1` (fewer if the file ends) from
   * `peer`, handing each to `onChunk` in order before the next is read.
   * Returns 'ok' or the source's refusal; throws NetError when the peer is
   * unreachable, resets, times out or answers malformed frames, and rethrows
   * `onChunk`'s own error (after resetting the stream).
   */
  async fetch(
    peer: string,
    fileId: Uint8Array,
    first: number,
    count: number,
    onChunk: (index: number, data: Uint8Array) => Promise<void> | void,
    options?: AbortOptions,
  ): Promise<'ok' | FileRefusal> {
    if (fileId.length !== FILE_ID_BYTES) throw new RangeError('file id is 16 bytes');
    if (!Number.isInteger(count) || count < 1 || count > MAX_CHUNKS_PER_REQUEST)
      throw new RangeError('count within 1..64');
    if (!Number.isInteger(first) || first < 0 || first > 0xffff_ffff)
      throw new RangeError('first index out of range');
    return this.request(
      peer,
      async (frames) => {
        await frames.write(
          FileRequest.encode({ version: FRAME_VERSION, fileId: wireBytes(fileId), firstIndex: first, count }),
        );
        await frames.close();
        let expected = first;
        for (;;) {
          const frame = await frames.read();
          if (frame === null) {
            ensure(expected > first, 'no chunk and no refusal');
            return 'ok';
          }
          const chunk = decodeFrame(frame, FileChunk.decode);
          if (chunk.status !== FileChunk.Status.OK) {
            const refusal = refusalOf(chunk.status);
            ensure(refusal !== null && expected === first, 'a refusal comes alone');
            return refusal;
          }
          ensure(expected < first + count, 'more chunks than asked for');
          ensure(chunk.index === expected, 'chunks in order');
          ensure(chunk.data !== undefined, 'chunk without data');
          try {
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
