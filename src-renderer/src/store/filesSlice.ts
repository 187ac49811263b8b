import type { StateCreator } from 'zustand';
import type { ErrorPayload, EventPayload } from '../../../src-shared/contract';
import {
  FILE_BRIDGE_CHUNK_BYTES,
  type FileSettings,
  type FileView,
} from '../../../src-shared/contract/areas/files';
import type { HostFile } from '../../../src-shared/contract/areas/host';
import { api, toErrorPayload } from '../api/client';
import { fromBase64, safeMime } from '../features/files/fileFormat';
import { makeThumbnail } from '../features/files/thumbnail';
import type { AppState } from './appStore';
import { browserDownload } from './hostFileTransfer';

/**
 * Files in the chat (issue #7 item 4): file info of loaded messages, live
 * progress, uploads being staged from this window, and the image viewer.
 * Bytes cross the bridge in 512 KiB pieces: raw bytes up (binary frames in
 * the web shell), base64 down.
 */

/** A file this window is handing to the core (staging), before it becomes a message. */
export interface Upload {
  id: string;
  conversationId: number;
  name: string;
  size: number;
  staged: number;
  error: string | null;
  /** The user chose Cancel: staging stops before its next piece. */
  cancelling: boolean;
}

/** Where the file info of a message stands: waiting for the next batch, or asked. */
export type FileInfoRequest = 'queued' | 'asked';

/** File info is asked for in batches of at most this many messages. */
const FILE_INFO_BATCH = 200;

export interface FilesSlice {
  /** File info by message id. */
  files: Record<number, FileView>;
  /** File info asked for or about to be (each message once, until its file changes). */
  fileInfoRequests: Record<number, FileInfoRequest>;
  uploads: Upload[];
  /** Counts this window's uploads, for their ids. */
  uploadSerial: number;
  /** The image open in the viewer (a message id), or null. */
  viewerMessageId: number | null;
  fileError: ErrorPayload | null;
  fileSettings: FileSettings | null;
  /** Asks for the file info of these messages (batched, each asked once until it changes). */
  requestFiles(messageIds: number[]): void;
  applyFileProgress(p: EventPayload<'files.progress'>): void;
  applyFileChanged(c: EventPayload<'files.changed'>): void;
  /** Stages and sends each file into the conversation, one after the other. */
  sendFiles(conversationId: number, files: File[]): Promise<void>;
  cancelUpload(id: string): void;
  dismissUpload(id: string): void;
  downloadFile(attachmentId: number): Promise<void>;
  cancelFile(attachmentId: number): Promise<void>;
  /** The whole plaintext as a Blob (for save and the viewer); the caller revokes any URL it makes. */
  fileBlob(messageId: number): Promise<Blob>;
  /** Saves with a native save dialog (desktop app) or the browser's download (web shell). */
  saveFile(messageId: number): Promise<void>;
  /** The desktop app's attach button: a native open dialog, the files sent by handle. */
  attachWithDialog(conversationId: number): Promise<void>;
  openViewer(messageId: number): void;
  closeViewer(): void;
  dismissFileError(): void;
  loadFileSettings(): Promise<void>;
  saveFileSettings(change: Partial<FileSettings>): Promise<boolean>;
}

/** Chunk requests one upload keeps in flight (each 512 KiB). */
const UPLOAD_CHUNKS_IN_FLIGHT = 4;

export const createFilesSlice: StateCreator<AppState, [], [], FilesSlice> = (set, get) => {
  const put = (views: FileView[]) =>
    set((s) => {
      const files = { ...s.files };
      for (const v of views) files[v.messageId] = v;
      return { files };
    });
  const patchUpload = (id: string, change: Partial<Upload>) =>
    set((s) => ({ uploads: s.uploads.map((u) => (u.id === id ? { ...u, ...change } : u)) }));
  const fail = (err: unknown) => set({ fileError: toErrorPayload(err) });

  const queued = (requests: Record<number, FileInfoRequest>) =>
    Object.keys(requests)
      .map(Number)
      .filter((id) => requests[id] === 'queued');
  const markRequests = (ids: number[], to: FileInfoRequest | null) =>
    set((s) => {
      const fileInfoRequests = { ...s.fileInfoRequests };
      for (const id of ids) {
        if (to === null) delete fileInfoRequests[id];
        else fileInfoRequests[id] = to;
      }
      return { fileInfoRequests };
    });

  /** Asks for one batch of queued file info; a flush is scheduled exactly while something is queued. */
  async function flush(): Promise<void> {
    const ids = queued(get().fileInfoRequests).slice(0, FILE_INFO_BATCH);
    if (ids.length === 0) return;
    markRequests(ids, 'asked');
    if (queued(get().fileInfoRequests).length > 0) queueMicrotask(() => void flush());
    try {
      put(await api.filesForMessages(ids));
    } catch {
      // Asked again the next time the rows render.
      markRequests(ids, null);
    }
  }

  /** Shows a new upload in the list; returns its id. */
  function addUpload(conversationId: number, name: string, size: number): string {
    const id = `u${get().uploadSerial + 1}`;
    set((s) => ({
      uploadSerial: s.uploadSerial + 1,
      uploads: [...s.uploads, { id, conversationId, name, size, staged: 0, error: null, cancelling: false }],
    }));
    return id;
  }

  async function sendOne(conversationId: number, file: File): Promise<void> {
    const id = addUpload(conversationId, file.name || 'file', file.size);
    const cancelled = () => get().uploads.find((u) => u.id === id)?.cancelling === true;
    let stageId: string | null = null;
    try {
      const thumbnail = await makeThumbnail(file);
      const begun = await api.stageFileBegin(file.name || 'file', file.size, safeMime(file.type));
      stageId = begun.stageId;
      // A few chunks in flight, so reading the next slice overlaps the core sealing the last
      // one (the core parks a chunk that overtakes another: FileService.stageChunk).
      const inFlight: Promise<{ received: number }>[] = [];
      let staged = 0;
      const settleOne = async () => {
        const next = inFlight.shift();
        if (!next) return;
        staged = Math.max(staged, (await next).received);
        patchUpload(id, { staged });
      };
      for (let offset = 0; offset < file.size;) {
        if (cancelled()) throw new Error('cancelled');
        const piece = new Uint8Array(await file.slice(offset, offset + begun.chunkBytes).arrayBuffer());
        if (piece.length === 0) throw new Error('The file got shorter while it was read.');
        const sent = api.stageFileChunk(stageId, offset, piece);
        // Awaited in turn below; if an earlier one fails, the rest must not surface as unhandled.
        sent.catch(() => undefined);
        inFlight.push(sent);
        offset += piece.length;
        if (inFlight.length >= UPLOAD_CHUNKS_IN_FLIGHT) await settleOne();
      }
      while (inFlight.length > 0) await settleOne();
      if (cancelled()) throw new Error('cancelled');
      const message = await api.stageFileCommit(stageId, conversationId, thumbnail);
      stageId = null;
      set((s) => ({ uploads: s.uploads.filter((u) => u.id !== id) }));
      get().requestFiles([message.id]);
      void get().refreshMessages(conversationId);
    } catch (err) {
      if (stageId !== null) void api.stageFileCancel(stageId).catch(() => undefined);
      if (cancelled()) {
        set((s) => ({ uploads: s.uploads.filter((u) => u.id !== id) }));
        return;
      }
      patchUpload(id, { error: toErrorPayload(err).message });
    }
  }

  return {
    files: {},
    fileInfoRequests: {},
    uploads: [],
    uploadSerial: 0,
    viewerMessageId: null,
    fileError: null,
    fileSettings: null,

    requestFiles(messageIds) {
      const requests = get().fileInfoRequests;
      const fresh = messageIds.filter((id) => requests[id] === undefined);
      if (fresh.length === 0) return;
      // Something queued means its flush is already on the way.
      const idle = queued(requests).length === 0;
      markRequests(fresh, 'queued');
      if (idle) queueMicrotask(() => void flush());
    },

    applyFileProgress(p) {
      const current = get().files[p.messageId];
      if (!current) {
        get().requestFiles([p.messageId]);
        return;
      }
      if (p.bytesDone <= current.bytesDone && current.state !== 'pending') return;
      put([
        {
          ...current,
          bytesDone: p.bytesDone,
          state: p.direction === 'receive' && current.state === 'pending' ? 'transferring' : current.state,
        },
      ]);
    },

    applyFileChanged(c) {
      // Queued: the batch about to go reads it as it is now. Asked: the answer may predate the change.
      if (get().fileInfoRequests[c.messageId] === 'queued') return;
      markRequests([c.messageId], null);
      get().requestFiles([c.messageId]);
    },

    async sendFiles(conversationId, files) {
      for (const file of files) await sendOne(conversationId, file);
    },

    cancelUpload(id) {
      patchUpload(id, { cancelling: true });
    },

    dismissUpload(id) {
      set((s) => ({ uploads: s.uploads.filter((u) => u.id !== id) }));
    },

    async downloadFile(attachmentId) {
      try {
        put([await api.downloadFile(attachmentId)]);
      } catch (err) {
        fail(err);
      }
    },

    async cancelFile(attachmentId) {
      try {
        put([await api.cancelFile(attachmentId)]);
      } catch (err) {
        fail(err);
      }
    },

    async fileBlob(messageId) {
      const view = get().files[messageId];
      if (!view) throw new Error('unknown file');
      const parts: Uint8Array<ArrayBuffer>[] = [];
      const step = FILE_BRIDGE_CHUNK_BYTES;
      for (let offset = 0; offset < view.size; offset += step) {
        const { data, eof } = await api.readFile(view.attachmentId, offset, step);
        parts.push(fromBase64(data));
        if (eof) break;
      }
      return new Blob(parts, { type: view.mime });
    },

    async saveFile(messageId) {
      const view = get().files[messageId];
      if (!view) return;
      try {
        if (get().appInfo?.shell === 'electron') {
          // A native save dialog; the core writes the file there and this window never sees the path.
          const target = await api.pickSaveTarget('file', view.name);
          if (target) await api.saveFileToHandle(view.attachmentId, target.handle);
          return;
        }
        // The web shell streams the decrypted file to the browser's download (nothing in memory here).
        const { url } = await api.prepareFileDownload(view.attachmentId);
        browserDownload(url, view.name);
      } catch (err) {
        fail(err);
      }
    },

    async attachWithDialog(conversationId) {
      let chosen: HostFile[];
      try {
        chosen = await api.pickFiles('attachments', true);
      } catch (err) {
        fail(err);
        return;
      }
      for (const file of chosen) {
        const id = addUpload(conversationId, file.name, file.size);
        try {
          const message = await api.sendFileHandle(conversationId, file.handle);
          set((s) => ({ uploads: s.uploads.filter((u) => u.id !== id) }));
          get().requestFiles([message.id]);
          void get().refreshMessages(conversationId);
        } catch (err) {
          patchUpload(id, { error: toErrorPayload(err).message });
        }
      }
    },

    openViewer(messageId) {
      set({ viewerMessageId: messageId });
    },

    closeViewer() {
      set({ viewerMessageId: null });
    },

    dismissFileError() {
      set({ fileError: null });
    },

    async loadFileSettings() {
      try {
        set({ fileSettings: await api.fileSettings() });
      } catch (err) {
        fail(err);
      }
    },

    async saveFileSettings(change) {
      try {
        set({ fileSettings: await api.setFileSettings(change), fileError: null });
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    },
  };
};
