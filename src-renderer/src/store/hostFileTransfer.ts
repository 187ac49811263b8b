import type { HostFile } from '../../../src-shared/contract/areas/host';
import { api } from '../api/client';

/**
 * Moving files between the browser and the core without paths (issue #15
 * item 5): a file the user chose in the page is uploaded over the bridge and
 * becomes a handle; a file for the user is saved through the browser's own
 * download. The desktop app uses native dialogs instead (api.pick*).
 */

/** Chunk requests in flight per upload (the core takes them in order; see host.uploadChunk). */
const IN_FLIGHT = 1;

/** Uploads a file chosen in the page; `onProgress` gets the bytes the core has. Resolves with its handle. */
export async function uploadForHandle(file: File, onProgress: (done: number) => void): Promise<HostFile> {
  const { uploadId, chunkBytes } = await api.uploadBegin(file.name || 'backup', file.size);
  try {
    const pending: Promise<{ received: number }>[] = [];
    for (let offset = 0; offset < file.size;) {
      const piece = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
      if (piece.length === 0) throw new Error('The file got shorter while it was read.');
      const sent = api.uploadChunk(uploadId, offset, piece);
      sent.catch(() => undefined);
      pending.push(sent);
      offset += piece.length;
      if (pending.length >= IN_FLIGHT) onProgress((await pending.shift()!).received);
    }
    for (const p of pending) onProgress((await p).received);
    return await api.uploadFinish(uploadId);
  } catch (err) {
    void api.uploadCancel(uploadId).catch(() => undefined);
    throw err;
  }
}

/** Hands a one-time download URL of the web shell to the browser, which saves it like any download. */
export function browserDownload(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}
