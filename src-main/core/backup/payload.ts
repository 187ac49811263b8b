import { z } from 'zod';
import { BackupError } from './backupError';

/**
 * What the decrypted stream holds (docs/backup-format.md §4): records, each
 * starting with a type byte.
 *   1 manifest: u32 length ‖ UTF-8 JSON (Manifest below)
 *   2 file:     u16 path length ‖ UTF-8 path ‖ u64 size ‖ size bytes
 *   0 end
 * The manifest comes first and exactly once; `end` comes last.
 */
export const RECORD_END = 0;
export const RECORD_MANIFEST = 1;
export const RECORD_FILE = 2;

export const BACKUP_FORMAT = 'parley-backup';
export const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_PATH_BYTES = 1024;
/** The database snapshot inside the archive; attachments go under `attachments/`. */
export const DATABASE_ENTRY = 'parley.db';
export const ATTACHMENTS_DIR = 'attachments';

export const Manifest = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    version: z.literal(1),
    createdAt: z.string(),
    appVersion: z.string().max(64),
    /** The profile's profile.json as it was: the restored profile unlocks with the same passphrase. */
    profileHeader: z.string().max(16 * 1024),
    /** The database key (base64); the snapshot is encrypted with it. */
    dataKey: z
      .string()
      .regex(/^[A-Za-z0-9+/]+={0,2}$/)
      .refine((s) => Buffer.from(s, 'base64').length === 32),
    /** Files that follow and their total size, for progress and a completeness check. */
    files: z.number().int().min(1),
    bytes: z.number().int().min(0),
  })
  .strict();
export type Manifest = z.infer<typeof Manifest>;

/** A manifest record; the history stream (history/historyPayload.ts) writes its own manifest with it. */
export function manifestRecord(manifest: object): Buffer {
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const head = Buffer.alloc(5);
  head[0] = RECORD_MANIFEST;
  head.writeUInt32BE(json.length, 1);
  return Buffer.concat([head, json]);
}

export function fileRecordHead(path: string, size: number): Buffer {
  const name = Buffer.from(path, 'utf8');
  const head = Buffer.alloc(1 + 2 + name.length + 8);
  head[0] = RECORD_FILE;
  head.writeUInt16BE(name.length, 1);
  name.copy(head, 3);
  head.writeBigUInt64BE(BigInt(size), 3 + name.length);
  return head;
}

export const endRecord = (): Buffer => Buffer.from([RECORD_END]);

/**
 * Accepts only `parley.db` and plain relative paths under `attachments/`: a
 * crafted archive must not write outside the folder it is restored into.
 */
export function isSafeEntryPath(path: string): boolean {
  if (path === DATABASE_ENTRY) return true;
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) return false;
  const parts = path.split('/');
  if (parts.length < 2 || parts[0] !== ATTACHMENTS_DIR) return false;
  return parts
    .slice(1)
    .every(
      (p) => p.length > 0 && p !== '.' && p !== '..' && !/[\\\u0000-\u001f]/.test(p) && !/^[A-Za-z]:/.test(p),
    );
}

export interface PayloadSink {
  manifest(m: Manifest): Promise<void>;
  openFile(path: string, size: number): Promise<void>;
  data(bytes: Buffer): Promise<void>;
  closeFile(): Promise<void>;
}

/** Pulls exact byte counts out of a stream of chunk plaintexts. */
class Bytes {
  private current: Buffer = Buffer.alloc(0);
  private at = 0;

  constructor(private readonly source: AsyncIterator<Buffer, void, undefined>) {}

  /** Up to `max` bytes (at least one); throws when the stream ended. */
  async some(max: number): Promise<Buffer> {
    while (this.at >= this.current.length) {
      const next = await this.source.next();
      if (next.done) throw new BackupError('corrupt', 'This backup is damaged (its contents end early).');
      this.current = next.value;
      this.at = 0;
    }
    const n = Math.min(max, this.current.length - this.at);
    const out = this.current.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  async exact(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const part = await this.some(n - got);
      parts.push(part);
      got += part.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /** True when nothing is left (the source finished, i.e. its last chunk authenticated). */
  async done(): Promise<boolean> {
    while (this.at >= this.current.length) {
      const next = await this.source.next();
      if (next.done) return true;
      this.current = next.value;
      this.at = 0;
    }
    return false;
  }
}

/**
 * Reads every record and hands it to the sink. Returns the manifest once the
 * `end` record and the authenticated end of the stream were both reached and
 * the files match what the manifest announced.
 */
export async function readPayload(
  chunks: AsyncIterator<Buffer, void, undefined>,
  sink: PayloadSink,
): Promise<Manifest> {
  const bytes = new Bytes(chunks);
  const damaged = (what: string) => new BackupError('corrupt', `This backup is damaged (${what}).`);
  let manifest: Manifest | null = null;
  let files = 0;
  let total = 0;
  const seen = new Set<string>();
  for (;;) {
    const type = (await bytes.exact(1))[0];
    if (type === RECORD_END) break;
    if (type === RECORD_MANIFEST) {
      if (manifest) throw damaged('two manifests');
      const length = (await bytes.exact(4)).readUInt32BE(0);
      if (length > MAX_MANIFEST_BYTES) throw damaged('manifest too large');
      let raw: unknown;
      try {
        raw = JSON.parse((await bytes.exact(length)).toString('utf8'));
      } catch {
        throw damaged('unreadable manifest');
      }
      if (
        typeof raw === 'object' &&
        raw !== null &&
        typeof (raw as { version?: unknown }).version === 'number'
      ) {
        const v = (raw as { version: number }).version;
        if (v > 1) {
          throw new BackupError(
            'too_new',
            `This backup was written by a newer version of Parley (contents ${v}).`,
          );
        }
      }
      const parsed = Manifest.safeParse(raw);
      if (!parsed.success) throw damaged('invalid manifest');
      manifest = parsed.data;
      await sink.manifest(manifest);
      continue;
    }
    if (type !== RECORD_FILE || !manifest) throw damaged('unexpected record');
    const nameLength = (await bytes.exact(2)).readUInt16BE(0);
    const path = (await bytes.exact(nameLength)).toString('utf8');
    if (!isSafeEntryPath(path) || seen.has(path)) throw damaged('bad file name');
    seen.add(path);
    const size = Number((await bytes.exact(8)).readBigUInt64BE(0));
    if (!Number.isSafeInteger(size) || total + size > manifest.bytes)
      throw damaged('file larger than announced');
    await sink.openFile(path, size);
    let left = size;
    while (left > 0) {
      const part = await bytes.some(Math.min(left, 1024 * 1024));
      await sink.data(part);
      left -= part.length;
    }
    await sink.closeFile();
    files += 1;
    total += size;
  }
  if (!manifest) throw damaged('no manifest');
  if (!(await bytes.done())) throw damaged('data after the end record');
  if (files !== manifest.files || total !== manifest.bytes || !seen.has(DATABASE_ENTRY)) {
    throw damaged('files missing');
  }
  return manifest;
}
