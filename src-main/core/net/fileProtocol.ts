import type { AbortOptions } from '@libp2p/interface';
import { Uint8ArrayList } from 'uint8arraylist';
import { wireBytes } from './bytes';
import { encodeLength } from './frameStream';
import { FRAME_VERSION } from './limits';
import { FileChunk, FileRequest } from './proto/file.generated';
import {
  decodeFrame,
  ensure,
  LocalCallbackError,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolFactory,
  type ProtocolComponents,
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
 *
 * How the server stays fast without changing the wire: it reads the stored
 * chunks in runs (one disk read per READ_RUN_CHUNKS) and reads the next run
 * while the current one is being sent, and it writes each OK frame as the
 * protobuf fields before `data` followed by the chunk itself, so a chunk is
 * never copied into an encoding buffer (the bytes are exactly those of
 * `FileChunk.encode`, see okChunkHeader). A run's buffer goes back to the
 * source (`recycle`) once the transport holds no view of it
 * (plaintextHandedOver.ts), so a long transfer reads into the same few
 * buffers instead of allocating one per run.
 */

export const FILE_ID_BYTES = 16;
/** Chunks one request may ask for (64 × 256 KiB = 16 MiB, well inside the request deadline on a LAN). */
export const MAX_CHUNKS_PER_REQUEST = 64;

export type FileRefusal = 'not-found' | 'denied' | 'cancelled' | 'out-of-range';

/** Stored chunks the server reads at once (1 MiB of 256 KiB chunks). */
export const READ_RUN_CHUNKS = 4;

/** What the source answers for one request. */
export type FileOpen =
  | { status: FileRefusal }
  | {
      status: 'ok';
      /** Chunks in the file: the answer stops at the last one. */
      chunkCount: number;
      /** The sealed chunks `first .. first + count - 1` (all inside the file), in order. */
      read(first: number, count: number): Promise<Uint8Array[]>;
      /** Called once the request is over (served or not). */
      close(): Promise<void>;
      /** Called after each chunk was written to the stream. */
      served?(index: number): void;
      /**
       * Hands back the chunks of a run read() returned once the transport holds
       * no view of them any more (encrypted and gone: InboundContext.handedOver),
       * so the source may read the next run into the same memory. Runs still
       * held when the request ends are not handed back (they are dropped).
       */
      recycle?(run: Uint8Array[]): void;
    };

/** The caller's side: opens a file for `requester`, or refuses. */
export type FileSource = (requester: string, fileId: Uint8Array) => Promise<FileOpen>;

const REFUSALS: Record<FileRefusal, FileChunk.Status> = {
  'not-found': FileChunk.Status.NOT_FOUND,
  denied: FileChunk.Status.DENIED,
  cancelled: FileChunk.Status.CANCELLED,
  'out-of-range': FileChunk.Status.OUT_OF_RANGE,
};

/**
 * The bytes FileChunk.encode writes before `data` for
 * `{ version: FRAME_VERSION, status: OK, index, data }` with `dataLength`
 * bytes of data: fields 1 (version), 2 (status), 3 (index, left out when 0
 * as proto3 does for a default value), then the tag and length of field 4.
 * Protobuf encoding: tag = field << 3 | wire type; varints are LEB128.
 */
export function okChunkHeader(index: number, dataLength: number): Uint8Array {
  const parts: number[] = [0x08, FRAME_VERSION, 0x10, OK_STATUS_VALUE];
  if (index !== 0) parts.push(0x18, ...encodeLength(index));
  parts.push(0x22, ...encodeLength(dataLength));
  return Uint8Array.from(parts);
}

/** The wire value of FileChunk.Status.OK (file.proto). */
const OK_STATUS_VALUE = 1;

type DecodedChunk = Omit<FileChunk, 'data'> & { data?: Uint8ArrayList };

/**
 * Decodes a FileChunk frame. The encoding okChunkHeader describes (what
 * every Parley server sends) is read in place, its data left in the pieces
 * it arrived in; any other valid encoding (fields in another order, unknown
 * fields) goes through the generated decoder, which needs the frame joined.
 */
function decodeChunk(frame: Uint8ArrayList): DecodedChunk {
  const fast = decodeOkChunk(frame);
  if (fast !== null) return fast;
  const chunk = decodeFrame(frame.subarray(), FileChunk.decode);
  const { data, ...rest } = chunk;
  return data === undefined ? rest : { ...rest, data: new Uint8ArrayList(data) };
}

function decodeOkChunk(frame: Uint8ArrayList): DecodedChunk | null {
  const length = frame.byteLength;
  let at = 0;
  const byte = (): number => (at < length ? frame.get(at++) : -1);
  // LEB128 of at most 5 bytes (a uint32); -1 when malformed.
  const varint = (): number => {
    let value = 0;
    for (let i = 0, scale = 1; i < 5; i++, scale *= 0x80) {
      const b = byte();
      if (b < 0) return -1;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
    }
    return -1;
  };
  if (byte() !== 0x08 || varint() !== FRAME_VERSION || byte() !== 0x10 || varint() !== OK_STATUS_VALUE)
    return null;
  let tag = byte();
  let index = 0;
  if (tag === 0x18) {
    index = varint();
    if (index < 0 || index > 0xffff_ffff) return null;
    tag = byte();
  }
  if (tag !== 0x22) return null;
  const size = varint();
  if (size !== length - at) return null;
  return {
    version: FRAME_VERSION,
    status: FileChunk.Status.OK,
    index,
    data: frame.sublist(at),
  };
}

function refusalOf(status: FileChunk.Status): FileRefusal | null {
  for (const [name, value] of Object.entries(REFUSALS)) if (value === status) return name as FileRefusal;
  return null;
}

export interface FileInit {
  /** Serves chunks to members; without one (until handle()) the node only fetches (tests, relays). */
  source?: FileSource;
}

/** The file protocol as a node service (ParleyNode.create's `services`). */
export function fileProtocol(init: FileInit = {}): ProtocolFactory<FileProtocol> {
  return (components) => new FileProtocol(components, init);
}

export class FileProtocol extends ProtocolService<FileSource> {
  readonly name = 'file';

  constructor(components: ProtocolComponents, init: FileInit = {}) {
    super(components, { handler: init.source });
  }

  protected async serve({ peer, frames, handedOver }: InboundContext): Promise<void> {
    const request = decodeFrame(await readRequired(frames), FileRequest.decode);
    const fileId = request.fileId;
    ensure(fileId !== undefined && fileId.length === FILE_ID_BYTES, 'file id is 16 bytes');
    ensure(request.count >= 1 && request.count <= MAX_CHUNKS_PER_REQUEST, 'count within 1..64');
    const source = this.served;
    const opened = await this.callHandler(() => source(peer, fileId));
    const refuse = async (why: FileRefusal): Promise<void> => {
      await frames.write(FileChunk.encode({ version: FRAME_VERSION, status: REFUSALS[why] }));
      await frames.close();
    };
    if (opened.status !== 'ok') {
      await refuse(opened.status);
      return;
    }
    let reading: Promise<Uint8Array[]> | undefined;
    // Runs written but perhaps still held by the transport, oldest first.
    const written: Uint8Array[][] = [];
    const recycle = (): void => {
      if (opened.recycle === undefined || written.length === 0 || !handedOver()) return;
      for (const run of written.splice(0)) opened.recycle(run);
    };
    try {
      if (request.firstIndex >= opened.chunkCount) {
        await refuse('out-of-range');
        return;
      }
      const end = Math.min(opened.chunkCount, request.firstIndex + request.count);
      const room = this.components.limits.maxFrameBytes.file - 64;
      const readRun = (first: number): Promise<Uint8Array[]> => {
        const count = Math.min(READ_RUN_CHUNKS, end - first);
        return this.callHandler(async () => {
          const chunks = await opened.read(first, count);
          if (chunks.length !== count) throw new RangeError('the source read the wrong number of chunks');
          return chunks;
        });
      };
      let at = request.firstIndex;
      let run = readRun(at);
      reading = run;
      while (at < end) {
        const chunks: Uint8Array[] = await run;
        const next: number = at + chunks.length;
        // Read ahead: the disk works on the next run while this one is sent
        // (into a buffer handed back by now, if there is one).
        reading = undefined;
        if (next < end) {
          recycle();
          run = readRun(next);
          run.catch(() => undefined);
          reading = run;
        }
        for (const [i, data] of chunks.entries()) {
          if (data.length > room) throw new RangeError('chunk larger than a frame');
          await frames.write(new Uint8ArrayList(okChunkHeader(at + i, data.length), data));
          opened.served?.(at + i);
        }
        written.push(chunks);
        recycle();
        at = next;
      }
      this.countServed();
      await frames.close();
      recycle();
    } finally {
      // A read still running holds the file open; let it finish first.
      await reading?.catch(() => undefined);
      await opened.close();
    }
  }

  /**
   * Fetches chunks `first .. first + count - 1` (fewer if the file ends) from
   * `peer`, handing each to `onChunk` in order before the next is read. The
   * data are views of the pieces the frame arrived in: `onChunk` consumes
   * them and keeps no reference.
   * Returns 'ok' or the source's refusal; throws NetError when the peer is
   * unreachable, resets, times out or answers malformed frames, and rethrows
   * `onChunk`'s own error (after resetting the stream).
   */
  async fetch(
    peer: string,
    fileId: Uint8Array,
    first: number,
    count: number,
    onChunk: (index: number, data: Uint8ArrayList) => Promise<void> | void,
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
        // Over WebRTC the source sends all `count` chunks however slowly we take
        // them (no per-stream flow control, streamFlow.ts): hold what we asked for.
        frames.expectUpTo(count * (this.components.limits.maxFrameBytes.file + 8));
        await frames.close();
        let expected = first;
        for (;;) {
          const frame = await frames.readPieces();
          if (frame === null) {
            ensure(expected > first, 'no chunk and no refusal');
            return 'ok';
          }
          const chunk = decodeChunk(frame);
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
