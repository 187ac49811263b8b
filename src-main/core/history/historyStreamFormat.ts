import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { LENGTH_BYTES, MAX_CHUNK_INDEX, TAG_BYTES, openChunk } from '../backup/archiveFormat';
import { HistoryError } from './historyError';

/**
 * The sealed history stream (docs/protocol.md §13.7): the backup archive's
 * STREAM construction (docs/backup-format.md §4, backup/archiveFormat.ts:
 * AES-256-GCM, nonce = prefix ‖ u32 index ‖ last flag, AAD = the header)
 * under its own 51-byte header and a key from the link exchange instead of
 * a password.
 *
 *   "PARLEYHT" | u16 version (1) | u16 flags (0) | transfer_id[16] | nonce prefix[7]
 *   | u32 chunk size | u32 chunk count | u64 plaintext bytes
 *
 * The chunk count is in the header, so the receiver knows which chunk is the
 * last (it must open with the last flag) and can ask for chunks by index in
 * any order after a restart; the stream's bytes are fixed once written.
 */

export const HISTORY_MAGIC = Buffer.from('PARLEYHT', 'latin1');
export const HISTORY_STREAM_VERSION = 1;
export const HISTORY_HEADER_BYTES = 51;
export const TRANSFER_ID_BYTES = 16;
export const HISTORY_KEY_BYTES = 32;
/** 1 MiB chunks: one HistoryChunk frame each (frames ≤ 1 MiB + 1 KiB). */
export const HISTORY_CHUNK_BYTES = 1024 * 1024;
/** Bounds a reader accepts from a header, so a forged one cannot ask for a huge buffer. */
export const MIN_HISTORY_CHUNK_BYTES = 1024;
export const MAX_HISTORY_CHUNK_BYTES = 1024 * 1024;

export interface HistoryHeader {
  transferId: Buffer;
  noncePrefix: Buffer;
  chunkBytes: number;
  chunkCount: number;
  plaintextBytes: number;
}

export function encodeHistoryHeader(h: HistoryHeader): Buffer {
  const out = Buffer.alloc(HISTORY_HEADER_BYTES);
  let at = HISTORY_MAGIC.copy(out, 0);
  at = out.writeUInt16BE(HISTORY_STREAM_VERSION, at);
  at = out.writeUInt16BE(0, at);
  at += h.transferId.copy(out, at);
  at += h.noncePrefix.copy(out, at);
  at = out.writeUInt32BE(h.chunkBytes, at);
  at = out.writeUInt32BE(h.chunkCount, at);
  out.writeBigUInt64BE(BigInt(h.plaintextBytes), at);
  return out;
}

/** Chunks a plaintext of `bytes` is cut into: whole chunks, the last one holding the rest (never empty). */
export function chunkCountFor(bytes: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(bytes / chunkBytes));
}

/**
 * Parses and checks a header against the transfer it is for. HistoryError
 * 'damaged' for anything that is not a consistent version 1 header of this
 * transfer (the header is authenticated by every chunk's AAD as well).
 */
export function decodeHistoryHeader(bytes: Uint8Array, transferId: Uint8Array): HistoryHeader {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) =>
    new HistoryError('damaged', `The history stream's header is invalid (${why}).`);
  if (b.length !== HISTORY_HEADER_BYTES) throw bad('length');
  if (!b.subarray(0, 8).equals(HISTORY_MAGIC)) throw bad('magic');
  if (b.readUInt16BE(8) !== HISTORY_STREAM_VERSION) {
    throw new HistoryError(
      'too_new',
      `The other device sent its history in a newer format (${b.readUInt16BE(8)}). Update Parley on this device.`,
    );
  }
  if (b.readUInt16BE(10) !== 0) throw bad('flags');
  const header: HistoryHeader = {
    transferId: Buffer.from(b.subarray(12, 28)),
    noncePrefix: Buffer.from(b.subarray(28, 35)),
    chunkBytes: b.readUInt32BE(35),
    chunkCount: b.readUInt32BE(39),
    plaintextBytes: Number(b.readBigUInt64BE(43)),
  };
  if (!header.transferId.equals(Buffer.from(transferId))) throw bad('another transfer');
  if (header.chunkBytes < MIN_HISTORY_CHUNK_BYTES || header.chunkBytes > MAX_HISTORY_CHUNK_BYTES)
    throw bad('chunk size');
  if (
    !Number.isSafeInteger(header.plaintextBytes) ||
    header.chunkCount < 1 ||
    header.chunkCount > MAX_CHUNK_INDEX ||
    header.chunkCount !== chunkCountFor(header.plaintextBytes, header.chunkBytes)
  )
    throw bad('sizes');
  return header;
}

/** The stream key: HKDF-SHA256(k_history, salt = transfer_id, info = "parley/v1/history-stream") (RFC 5869). */
export function historyStreamKey(kHistory: Uint8Array, transferId: Uint8Array): Buffer {
  checkInputs(kHistory, transferId);
  return Buffer.from(hkdfSync('sha256', kHistory, transferId, 'parley/v1/history-stream', 32));
}

/**
 * The request MAC (§13.7): HMAC-SHA256(HKDF-Expand(k_history,
 * "parley/v1/history-mac", 32), transfer_id | u32be(from_chunk)) (RFC 2104,
 * RFC 5869 §2.3). Proves the asker holds k_history; binding the chunk index
 * keeps a recorded request from being replayed for another range.
 */
export function historyRequestMac(kHistory: Uint8Array, transferId: Uint8Array, fromChunk: number): Buffer {
  checkInputs(kHistory, transferId);
  const macKey = Buffer.from(hkdfSync('sha256', kHistory, Buffer.alloc(0), 'parley/v1/history-mac', 32));
  const index = Buffer.alloc(4);
  index.writeUInt32BE(fromChunk >>> 0, 0);
  return createHmac('sha256', macKey).update(transferId).update(index).digest();
}

export function historyMacMatches(
  kHistory: Uint8Array,
  transferId: Uint8Array,
  fromChunk: number,
  mac: Uint8Array,
): boolean {
  const expected = historyRequestMac(kHistory, transferId, fromChunk);
  return mac.length === expected.length && timingSafeEqual(expected, mac);
}

function checkInputs(kHistory: Uint8Array, transferId: Uint8Array): void {
  if (kHistory.length !== HISTORY_KEY_BYTES) throw new RangeError('k_history is 32 bytes');
  if (transferId.length !== TRANSFER_ID_BYTES) throw new RangeError('transfer id is 16 bytes');
}

/** Where sealed chunk `index` starts in the stream file (every chunk but the last is full). */
export function chunkOffset(header: Pick<HistoryHeader, 'chunkBytes'>, index: number): number {
  return HISTORY_HEADER_BYTES + index * (LENGTH_BYTES + header.chunkBytes + TAG_BYTES);
}

/** The plaintext of chunk `index`, or null when it does not authenticate (a flipped bit, a wrong key). */
export function openHistoryChunk(
  key: Buffer,
  headerBytes: Buffer,
  header: HistoryHeader,
  index: number,
  sealed: Uint8Array,
): Buffer | null {
  if (index >= header.chunkCount) return null;
  if (sealed.length > header.chunkBytes + TAG_BYTES) return null;
  return openChunk(
    key,
    headerBytes,
    header.noncePrefix,
    index,
    index === header.chunkCount - 1,
    Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength),
  );
}
