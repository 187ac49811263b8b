import { z } from 'zod';
import { MessageView } from '../store';
import { HostHandle } from './host';
import type { EventTable, RequestTable } from './table';

/**
 * Files: send, receive, progress, save (issue #6 item 2, issue #7 item 4).
 *
 * A file message is a `messages` row of kind 'file' (body = the file name);
 * what the UI needs about its bytes is a FileView, fetched with
 * `files.forMessages` for the rows that have `hasFile`, and kept fresh by the
 * `files.progress` / `files.changed` events. Bytes never cross the bridge in
 * one piece: the renderer stages a file in 512 KiB chunks (base64) and
 * reads one back in ranges; only the CLI can pass paths (handlers/files.ts).
 */

/**
 * Largest chunk one `files.stageChunk` or `files.read` carries (decoded
 * bytes): its base64 (4/3) plus the JSON around it must fit one WebSocket
 * frame of the web shell (WS_MAX_FRAME_BYTES, 1 MiB).
 */
export const FILE_BRIDGE_CHUNK_BYTES = 512 * 1024;
/** Upper bound for any file Parley sends or accepts (the settings can only lower it). */
export const FILE_MAX_BYTES = 2 * 1024 * 1024 * 1024;
/** A thumbnail is a small JPEG/PNG/WebP carried inside the MLS message. */
export const FILE_THUMBNAIL_MAX_BYTES = 32 * 1024;
export const FILE_NAME_MAX_LENGTH = 255;

const Id = z.number().int().nonnegative();
/** Standard base64 (RFC 4648 §4), what the renderer's btoa/atob speak. */
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Expected base64.');
const FileName = z
  .string()
  .trim()
  .min(1, 'A file needs a name.')
  .max(FILE_NAME_MAX_LENGTH, `A file name is at most ${FILE_NAME_MAX_LENGTH} characters.`);
const Mime = z
  .string()
  .max(127)
  .regex(/^[\w.+-]+\/[\w.+-]+$/, 'Not a media type.');

export const FileState = z.enum(['pending', 'transferring', 'complete', 'failed', 'cancelled']);
export type FileState = z.infer<typeof FileState>;

export const FileView = z.object({
  attachmentId: Id,
  messageId: Id,
  conversationId: Id,
  name: z.string(),
  size: z.number().int().nonnegative(),
  mime: z.string(),
  /** 'outgoing' when this device sent it. */
  direction: z.enum(['outgoing', 'incoming']),
  /**
   * Incoming: pending (not downloaded; `files.download` starts it),
   * transferring, complete (hash verified), failed (see `error`), cancelled.
   * Outgoing: complete while it is offered, cancelled once the sender withdrew it.
   */
  state: FileState,
  /** Incoming: verified bytes so far. Outgoing: the most any recipient has fetched. */
  bytesDone: z.number().int().nonnegative(),
  /** A data: URL of the thumbnail (images), or null. */
  thumbnail: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** Why it failed, in words for the user. */
  error: z.string().nullable(),
});
export type FileView = z.infer<typeof FileView>;

export const FileSettings = z.object({
  /** Files larger than this are refused before anything is downloaded. */
  maxReceiveBytes: z.number().int().min(1024).max(FILE_MAX_BYTES),
  /** Files up to this travel inside the MLS message (so mailboxes relay them). */
  inlineMaxBytes: z
    .number()
    .int()
    .min(0)
    .max(128 * 1024),
  /** Incoming files up to this download by themselves; larger ones on request. */
  autoDownloadMaxBytes: z.number().int().min(0).max(FILE_MAX_BYTES),
});
export type FileSettings = z.infer<typeof FileSettings>;

const Thumbnail = z
  .object({
    /** JPEG, PNG or WebP bytes, base64, ≤ 32 KiB decoded. */
    data: Base64.max(Math.ceil(FILE_THUMBNAIL_MAX_BYTES / 3) * 4),
    width: z.number().int().min(1).max(65_535),
    height: z.number().int().min(1).max(65_535),
  })
  .strict();

export const filesRequests = {
  /** Sends a file from a path on this machine (CLI only). Comes back as the message row. */
  'files.sendPath': {
    params: z
      .object({
        conversationId: Id,
        path: z.string().min(1).max(4096),
        name: FileName.optional(),
        mime: Mime.optional(),
      })
      .strict(),
    result: MessageView,
  },
  /** Sends a file chosen with a native dialog (`host.pickFiles`). Comes back as the message row. */
  'files.sendHandle': {
    params: z.object({ conversationId: Id, handle: HostHandle }).strict(),
    result: MessageView,
  },
  /** Writes the decrypted file where a save dialog (`host.pickSaveTarget`) pointed. */
  'files.saveToHandle': {
    params: z.object({ attachmentId: Id, handle: HostHandle }).strict(),
    result: z.object({ name: z.string() }),
  },
  /**
   * A one-time URL (web shell) from which the browser downloads the decrypted
   * file, streamed: nothing is written to disk in the clear.
   */
  'files.prepareDownload': {
    params: z.object({ attachmentId: Id }).strict(),
    result: z.object({ url: z.string() }),
  },
  /** Starts staging a file from the renderer: its bytes follow in `files.stageChunk`. */
  'files.stageBegin': {
    params: z
      .object({
        name: FileName,
        size: z.number().int().nonnegative().max(FILE_MAX_BYTES),
        mime: Mime,
      })
      .strict(),
    result: z.object({ stageId: z.string(), chunkBytes: z.number().int() }),
  },
  /** The next chunk (in order, `offset` = bytes staged so far) of a staged file. */
  'files.stageChunk': {
    params: z
      .object({
        stageId: z.string().max(64),
        offset: z.number().int().nonnegative(),
        /**
         * The bytes: raw where the transport carries bytes (Electron IPC's
         * structured clone, the web shell's binary frames), base64 over JSON
         * lines (the CLI's control socket).
         */
        data: z.union([
          Base64.max(Math.ceil(FILE_BRIDGE_CHUNK_BYTES / 3) * 4),
          z.instanceof(Uint8Array).refine((b) => b.length <= FILE_BRIDGE_CHUNK_BYTES, 'Chunk too large.'),
        ]),
      })
      .strict(),
    result: z.object({ received: z.number().int() }),
  },
  /** All bytes staged: encrypt, store and send it into the conversation. */
  'files.stageCommit': {
    params: z
      .object({ stageId: z.string().max(64), conversationId: Id, thumbnail: Thumbnail.optional() })
      .strict(),
    result: MessageView,
  },
  /** Drops a staged file that will not be sent. */
  'files.stageCancel': {
    params: z.object({ stageId: z.string().max(64) }).strict(),
    result: z.object({}),
  },
  /** The file info of these messages (those without a file are left out). */
  'files.forMessages': {
    params: z.object({ messageIds: z.array(Id).max(200) }).strict(),
    result: z.array(FileView),
  },
  /** Starts (or resumes) downloading an incoming file. */
  'files.download': { params: z.object({ attachmentId: Id }).strict(), result: FileView },
  /** Stops a download (partial bytes are dropped) or withdraws an outgoing file. */
  'files.cancel': { params: z.object({ attachmentId: Id }).strict(), result: FileView },
  /** Writes the decrypted file to a path on this machine (CLI only). */
  'files.saveTo': {
    params: z.object({ attachmentId: Id, path: z.string().min(1).max(4096) }).strict(),
    result: z.object({ path: z.string() }),
  },
  /** A range of a complete file's plaintext, for the renderer to build a Blob (save, viewer). */
  'files.read': {
    params: z
      .object({
        attachmentId: Id,
        offset: z.number().int().nonnegative(),
        length: z.number().int().min(1).max(FILE_BRIDGE_CHUNK_BYTES),
      })
      .strict(),
    result: z.object({ data: Base64, eof: z.boolean() }),
  },
  'files.getSettings': { params: z.object({}).strict(), result: FileSettings },
  'files.setSettings': { params: FileSettings.partial().strict(), result: FileSettings },
} as const satisfies RequestTable;

export const filesEvents = {
  /** Bytes moved: a download (`receive`) or a recipient fetching from us (`send`). */
  'files.progress': z.object({
    attachmentId: Id,
    messageId: Id,
    conversationId: Id,
    bytesDone: z.number().int().nonnegative(),
    bytesTotal: z.number().int().nonnegative(),
    direction: z.enum(['send', 'receive']),
  }),
  /** A file's state changed (complete, failed, cancelled, a new incoming file). */
  'files.changed': z.object({ attachmentId: Id, messageId: Id, conversationId: Id, state: FileState }),
} as const satisfies EventTable;
