import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/**
 * Files on the machine the core runs on, without the renderer ever naming a
 * path (issue #15 items 4 and 5). The renderer renders other people's content
 * and is treated as compromisable (DESIGN.md §3): were it allowed to pass
 * paths, it could read any file and send it away, or write anywhere.
 *
 * - Electron: a native open, save or folder dialog runs in the main process;
 *   the core keeps the chosen path and the renderer gets an opaque handle
 *   (`host.pick*`), which requests such as `files.sendHandle` or
 *   `backup.create` take instead of a path.
 * - Web shell: a file chosen in the browser is uploaded over the tab's
 *   authenticated socket (`host.upload*`, bytes in binary frames) and becomes
 *   a handle the same way; a file for the user (a backup, a received file)
 *   is handed to the browser as a one-time download URL.
 * - CLI: paths, as before (the control socket is owner-only).
 *
 * Plus the desktop conventions that need the shell: start at login, and
 * invite links (`parley://`) that opened the app.
 */

/** An opaque, unguessable name for a file the user chose; valid for this run, for a while. */
export const HostHandle = z.string().regex(/^[0-9a-f]{32}$/, 'Not a file handle.');
export type HostHandle = z.infer<typeof HostHandle>;

export const HostFile = z.object({
  handle: HostHandle,
  /** The file's own name, for display (never its folder). */
  name: z.string(),
  size: z.number().int().nonnegative(),
});
export type HostFile = z.infer<typeof HostFile>;

export const HostTarget = z.object({ handle: HostHandle, name: z.string() });
export type HostTarget = z.infer<typeof HostTarget>;

/** What a dialog is for: its title, default folder and file filters follow from it. */
export const OpenPurpose = z.enum(['attachments', 'avatar', 'backup']);
export type OpenPurpose = z.infer<typeof OpenPurpose>;
export const SavePurpose = z.enum(['backup', 'file']);
export type SavePurpose = z.infer<typeof SavePurpose>;

/** Largest piece of one upload chunk or one read (as for files.stageChunk). */
export const HOST_CHUNK_BYTES = 512 * 1024;
const Bytes = z.union([
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Expected base64.')
    .max(Math.ceil(HOST_CHUNK_BYTES / 3) * 4),
  z.instanceof(Uint8Array).refine((b) => b.length <= HOST_CHUNK_BYTES, 'Chunk too large.'),
]);
const UploadId = z.string().regex(/^[0-9a-f]{32}$/);
const FileName = z.string().trim().min(1).max(255);

export const StartAtLogin = z.object({
  /** This shell can start Parley at login (the desktop app). */
  supported: z.boolean(),
  enabled: z.boolean(),
});
export type StartAtLogin = z.infer<typeof StartAtLogin>;

export const hostRequests = {
  /** A native open dialog (desktop app only). Empty when the user cancelled. */
  'host.pickFiles': {
    params: z.object({ purpose: OpenPurpose, multiple: z.boolean().optional() }).strict(),
    result: z.object({ files: z.array(HostFile) }),
  },
  /** A native save dialog (desktop app only). `target` is null when the user cancelled. */
  'host.pickSaveTarget': {
    params: z.object({ purpose: SavePurpose, suggestedName: FileName }).strict(),
    result: z.object({ target: HostTarget.nullable() }),
  },
  /** A native folder dialog (desktop app only), for scheduled backups. */
  'host.pickFolder': {
    params: z.object({ purpose: z.enum(['backups']) }).strict(),
    result: z.object({ folder: HostTarget.nullable() }),
  },
  /** Bytes of a chosen file, e.g. an avatar picked with a native dialog to crop it. */
  'host.readFile': {
    params: z
      .object({
        handle: HostHandle,
        offset: z.number().int().nonnegative(),
        length: z.number().int().min(1).max(HOST_CHUNK_BYTES),
      })
      .strict(),
    result: z.object({ data: z.string(), eof: z.boolean() }),
  },
  /** Starts taking a file chosen in a browser (a backup archive to restore or verify). */
  'host.uploadBegin': {
    params: z
      .object({
        name: FileName,
        size: z
          .number()
          .int()
          .nonnegative()
          .max(64 * 1024 ** 3),
      })
      .strict(),
    result: z.object({ uploadId: UploadId, chunkBytes: z.number().int() }),
  },
  /** The bytes at `offset`, in order (raw in binary frames, base64 elsewhere). */
  'host.uploadChunk': {
    params: z.object({ uploadId: UploadId, offset: z.number().int().nonnegative(), data: Bytes }).strict(),
    result: z.object({ received: z.number().int() }),
  },
  /** All bytes are there: the upload becomes a handle. */
  'host.uploadFinish': { params: z.object({ uploadId: UploadId }).strict(), result: HostFile },
  /** Drops an upload (and its bytes). */
  'host.uploadCancel': { params: z.object({ uploadId: UploadId }).strict(), result: z.object({}) },
  /** Whether Parley starts when the user logs in. */
  'host.getStartAtLogin': { params: z.object({}).strict(), result: StartAtLogin },
  'host.setStartAtLogin': { params: z.object({ enabled: z.boolean() }).strict(), result: StartAtLogin },
} as const satisfies RequestTable;

export const hostEvents = {
  /**
   * A `parley://invite/…` link opened the app (from the browser, another app,
   * or the command line). The renderer shows Add contact with it filled in
   * and asks before accepting; nothing is accepted by the link alone.
   */
  'host.openInvite': z.object({ link: z.string().max(4096) }),
} as const satisfies EventTable;
