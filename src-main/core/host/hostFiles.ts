import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ParleyError } from '../errors';

/**
 * Files the user chose, by opaque handle (contract/areas/host.ts): the core
 * keeps the path, a renderer only ever holds the handle. Also the browser's
 * side of the web shell: uploads that become handles, and one-time downloads.
 *
 * A handle says what it may be used for (read a chosen file, write where a
 * save dialog pointed, write into a chosen folder), lives for an hour and
 * only in this process. Uploaded bytes and archives made for download live in
 * a private temporary folder (0700) that is removed on close.
 */
export type HostFileUse = 'read' | 'write' | 'folder';

export interface HostEntry {
  path: string;
  name: string;
  size: number;
  use: HostFileUse;
}

/** Something the browser may download once: streamed, then `cleanup`. */
export interface HostDownload {
  name: string;
  size: number;
  mime: string;
  open(): AsyncIterable<Uint8Array>;
  cleanup?(): void;
}

interface Stored extends HostEntry {
  temporary: boolean;
  expiresAt: number;
}

interface Upload {
  name: string;
  size: number;
  path: string;
  fd: number;
  received: number;
  expiresAt: number;
}

const HANDLE_TTL_MS = 60 * 60_000;
const DOWNLOAD_TTL_MS = 10 * 60_000;
const UPLOAD_IDLE_MS = 15 * 60_000;
/** Bounds what one (possibly hostile) page can make the core remember. */
const MAX_ENTRIES = 256;

const newId = () => randomBytes(16).toString('hex');

export class HostFiles {
  private readonly entries = new Map<string, Stored>();
  private readonly downloads = new Map<string, HostDownload & { expiresAt: number }>();
  private readonly uploads = new Map<string, Upload>();
  private temp: string | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** A handle for a path the user chose (a dialog, an upload). */
  add(path: string, use: HostFileUse, options: { temporary?: boolean } = {}): HostEntry & { handle: string } {
    this.sweep();
    if (this.entries.size >= MAX_ENTRIES) {
      throw new ParleyError('INVALID_STATE', 'Too many files are waiting; try again in a moment.');
    }
    let size = 0;
    if (use === 'read') {
      try {
        const info = statSync(path);
        if (!info.isFile()) throw new ParleyError('INVALID_PARAMS', 'That is not a file.');
        size = info.size;
      } catch (err) {
        if (err instanceof ParleyError) throw err;
        throw new ParleyError('INVALID_PARAMS', 'That file cannot be read.', { cause: err });
      }
    }
    const handle = newId();
    const entry: Stored = {
      path,
      name: basename(path),
      size,
      use,
      temporary: options.temporary ?? false,
      expiresAt: this.now() + HANDLE_TTL_MS,
    };
    this.entries.set(handle, entry);
    return { handle, path, name: entry.name, size, use };
  }

  /** The path behind a handle, if it may be used this way. */
  use(handle: string, use: HostFileUse): HostEntry {
    this.sweep();
    const entry = this.entries.get(handle);
    if (!entry || entry.use !== use) {
      throw new ParleyError('INVALID_PARAMS', 'That file choice is no longer valid; choose the file again.');
    }
    return { path: entry.path, name: entry.name, size: entry.size, use: entry.use };
  }

  /** Forgets a handle; an uploaded file is deleted. */
  release(handle: string): void {
    const entry = this.entries.get(handle);
    if (!entry) return;
    this.entries.delete(handle);
    if (entry.temporary) rmSync(entry.path, { force: true });
  }

  /** A private folder for uploads and archives made for download. */
  tempDir(): string {
    this.temp ??= mkdtempSync(join(tmpdir(), 'parley-host-'));
    return this.temp;
  }

  /** Registers a one-time download; returns its token (the URL path's last part). */
  offerDownload(download: HostDownload): string {
    this.sweep();
    if (this.downloads.size >= MAX_ENTRIES) {
      download.cleanup?.();
      throw new ParleyError('INVALID_STATE', 'Too many downloads are waiting; try again in a moment.');
    }
    const token = newId();
    this.downloads.set(token, { ...download, expiresAt: this.now() + DOWNLOAD_TTL_MS });
    return token;
  }

  /** Takes a download once: a second request for the same token gets nothing. */
  takeDownload(token: string): HostDownload | null {
    this.sweep();
    const download = this.downloads.get(token);
    if (!download) return null;
    this.downloads.delete(token);
    return download;
  }

  uploadBegin(name: string, size: number): string {
    this.sweep();
    if (this.uploads.size >= 8) throw new ParleyError('INVALID_STATE', 'Too many uploads at once.');
    const id = newId();
    const path = join(
      this.tempDir(),
      `${id}-${basename(name)
        .replace(/[^\w.-]+/g, '_')
        .slice(0, 100)}`,
    );
    const fd = openSync(path, 'wx', 0o600);
    this.uploads.set(id, { name, size, path, fd, received: 0, expiresAt: this.now() + UPLOAD_IDLE_MS });
    return id;
  }

  uploadChunk(id: string, offset: number, bytes: Uint8Array): number {
    const upload = this.upload(id);
    if (offset !== upload.received) {
      throw new ParleyError('INVALID_PARAMS', `Expected the bytes at ${upload.received}, got ${offset}.`);
    }
    if (upload.received + bytes.length > upload.size) {
      this.uploadCancel(id);
      throw new ParleyError(
        'INVALID_PARAMS',
        'More bytes than the file size announced; the upload was dropped.',
      );
    }
    for (let done = 0; done < bytes.length;) done += writeSync(upload.fd, bytes, done, bytes.length - done);
    upload.received += bytes.length;
    upload.expiresAt = this.now() + UPLOAD_IDLE_MS;
    return upload.received;
  }

  uploadFinish(id: string): { handle: string; name: string; size: number } {
    const upload = this.upload(id);
    if (upload.received !== upload.size) {
      throw new ParleyError('INVALID_PARAMS', `Only ${upload.received} of ${upload.size} bytes arrived.`);
    }
    fdatasyncSync(upload.fd);
    closeSync(upload.fd);
    this.uploads.delete(id);
    const added = this.add(upload.path, 'read', { temporary: true });
    return { handle: added.handle, name: upload.name, size: added.size };
  }

  uploadCancel(id: string): void {
    const upload = this.uploads.get(id);
    if (!upload) return;
    this.uploads.delete(id);
    closeSync(upload.fd);
    rmSync(upload.path, { force: true });
  }

  /** Deletes every temporary file (on core close). */
  close(): void {
    for (const id of [...this.uploads.keys()]) this.uploadCancel(id);
    for (const handle of [...this.entries.keys()]) this.release(handle);
    for (const download of this.downloads.values()) download.cleanup?.();
    this.downloads.clear();
    if (this.temp) rmSync(this.temp, { recursive: true, force: true });
    this.temp = null;
  }

  private upload(id: string): Upload {
    this.sweep();
    const upload = this.uploads.get(id);
    if (!upload) throw new ParleyError('INVALID_PARAMS', 'That upload is gone; choose the file again.');
    return upload;
  }

  private sweep(): void {
    const now = this.now();
    for (const [handle, entry] of this.entries) if (entry.expiresAt <= now) this.release(handle);
    for (const [token, download] of this.downloads) {
      if (download.expiresAt > now) continue;
      this.downloads.delete(token);
      download.cleanup?.();
    }
    for (const [id, upload] of this.uploads) if (upload.expiresAt <= now) this.uploadCancel(id);
  }
}
