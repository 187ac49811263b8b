import { z } from 'zod';
import {
  RECORD_END,
  RECORD_FILE,
  RECORD_MANIFEST,
  endRecord,
  fileRecordHead,
  manifestRecord,
} from '../backup/payload';
import { HistoryError } from './historyError';

/**
 * What the history stream carries (docs/protocol.md §13.7): the backup
 * archive's records (docs/backup-format.md §5): a manifest, one file record
 * `history.db` (the snapshot, still SQLCipher-encrypted under its own key),
 * the end record.
 *
 * The receiver writes chunks as they come and must never put the manifest on
 * disk in the clear (it holds the snapshot key), so the manifest and the file
 * record's head must lie inside chunk 0 (a rule of this format: the manifest
 * is a few hundred bytes, a chunk at least 1 KiB); from chunk 1 on every byte
 * is either snapshot page bytes or the end record.
 */

export const HISTORY_FORMAT = 'parley-history';
export const HISTORY_DB_ENTRY = 'history.db';
const MAX_MANIFEST_BYTES = 900;

export const HistoryManifest = z
  .object({
    format: z.literal(HISTORY_FORMAT),
    version: z.literal(1),
    /** The PeerId of the device the history comes from (its attachments' first source). */
    sourcePeerId: z.string().min(1).max(128),
    /** The snapshot's SQLCipher key (base64, 32 bytes). */
    snapshotKey: z
      .string()
      .regex(/^[A-Za-z0-9+/]+={0,2}$/)
      .refine((s) => Buffer.from(s, 'base64').length === 32),
    conversations: z.number().int().min(0),
    messages: z.number().int().min(0),
    attachments: z.number().int().min(0),
    attachmentBytes: z.number().int().min(0),
    /** Size of the snapshot file that follows. */
    databaseBytes: z.number().int().min(1),
  })
  .strict();
export type HistoryManifest = z.infer<typeof HistoryManifest>;

/** The records before the snapshot's bytes (they must fit in chunk 0). */
export function payloadPrefix(manifest: HistoryManifest): Buffer {
  const prefix = Buffer.concat([
    manifestRecord(manifest),
    fileRecordHead(HISTORY_DB_ENTRY, manifest.databaseBytes),
  ]);
  if (prefix.length - 5 - fileRecordHead(HISTORY_DB_ENTRY, 0).length > MAX_MANIFEST_BYTES) {
    throw new RangeError('history manifest too large');
  }
  return prefix;
}

export const payloadSuffix = endRecord;

/** Total plaintext bytes of a stream carrying this manifest. */
export function payloadBytes(manifest: HistoryManifest): number {
  return payloadPrefix(manifest).length + manifest.databaseBytes + 1;
}

/** Where the snapshot lies in the plaintext, found in chunk 0. */
export interface PayloadLayout {
  manifest: HistoryManifest;
  /** Plaintext offset of the snapshot's first byte. */
  databaseStart: number;
}

const damaged = (what: string) =>
  new HistoryError('damaged', `The history from the other device is damaged (${what}).`);

/** Reads the manifest and the file head out of chunk 0's plaintext. */
export function readPayloadLayout(chunk0: Buffer, plaintextBytes: number): PayloadLayout {
  let at = 0;
  const need = (n: number) => {
    if (at + n > chunk0.length) throw damaged('the manifest does not fit in the first chunk');
  };
  need(5);
  if (chunk0[0] !== RECORD_MANIFEST) throw damaged('no manifest');
  const length = chunk0.readUInt32BE(1);
  at = 5;
  if (length > MAX_MANIFEST_BYTES) throw damaged('manifest too large');
  need(length);
  let raw: unknown;
  try {
    raw = JSON.parse(chunk0.subarray(at, at + length).toString('utf8'));
  } catch {
    throw damaged('unreadable manifest');
  }
  const parsed = HistoryManifest.safeParse(raw);
  if (!parsed.success) {
    const v = (raw as { version?: unknown } | null)?.version;
    if (typeof v === 'number' && v > 1) {
      throw new HistoryError('too_new', `The other device sent its history in a newer format (${v}).`);
    }
    throw damaged('invalid manifest');
  }
  at += length;
  need(3);
  if (chunk0[at] !== RECORD_FILE) throw damaged('no database record');
  const nameLength = chunk0.readUInt16BE(at + 1);
  at += 3;
  need(nameLength + 8);
  if (chunk0.subarray(at, at + nameLength).toString('utf8') !== HISTORY_DB_ENTRY)
    throw damaged('bad file name');
  at += nameLength;
  const size = Number(chunk0.readBigUInt64BE(at));
  at += 8;
  const manifest = parsed.data;
  if (size !== manifest.databaseBytes || at + size + 1 !== plaintextBytes) {
    throw damaged('sizes do not match the manifest');
  }
  return { manifest, databaseStart: at };
}

/**
 * The part of chunk `index`'s plaintext that is snapshot bytes, with its
 * offset in the snapshot file; checks the end record where the chunk holds it.
 */
export function databaseSlice(
  layout: PayloadLayout,
  chunkBytes: number,
  index: number,
  plain: Buffer,
): { offset: number; bytes: Buffer } {
  const start = index * chunkBytes;
  const end = start + plain.length;
  const dbEnd = layout.databaseStart + layout.manifest.databaseBytes;
  if (end > dbEnd && (dbEnd < start || plain[dbEnd - start] !== RECORD_END || end !== dbEnd + 1)) {
    throw damaged('no end record');
  }
  const from = Math.max(start, layout.databaseStart);
  const to = Math.min(end, dbEnd);
  if (to <= from) return { offset: 0, bytes: Buffer.alloc(0) };
  return { offset: from - layout.databaseStart, bytes: plain.subarray(from - start, to - start) };
}
