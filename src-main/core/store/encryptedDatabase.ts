import Database from 'better-sqlite3-multiple-ciphers';
import { chmodSync } from 'node:fs';
import { ParleyError, storageError } from '../errors';

export type Db = Database.Database;

export interface OpenOptions {
  /** Create a new, empty database; the file must not exist yet. */
  create: boolean;
  /**
   * Path to a better-sqlite3 native binding built for the running runtime.
   * Electron passes its own build here (its V8 ABI differs from Node's); plain
   * Node leaves it unset and loads the one in node_modules.
   */
  nativeBinding?: string;
}

/**
 * Opens (or creates) a database encrypted with SQLite3 Multiple Ciphers in
 * SQLCipher 4 format. The key is a raw 256-bit key (`x'…'`) already stretched
 * by Argon2id, so SQLCipher's own PBKDF2 is skipped. Every page of the main
 * file and of the WAL is encrypted; temp tables stay in memory so no plaintext
 * temp file is written.
 */
export function openEncryptedDatabase(file: string, key: Buffer, options: OpenOptions): Db {
  if (key.length !== 32) throw new ParleyError('INTERNAL', 'Database key must be 32 bytes.');
  let db: Db;
  try {
    db = new Database(file, {
      fileMustExist: !options.create,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SQLITE_CANTOPEN' && !options.create) {
      throw new ParleyError(
        'DATABASE_CORRUPT',
        'The encrypted database of this profile is missing. Restore the profile from a backup.',
        {
          cause: err,
        },
      );
    }
    throw storageError(err, 'open the database');
  }
  try {
    // Owner-only, like the profile folder: the file is encrypted, but its size and
    // timestamps are still nobody else's business. SQLite gives -wal/-shm the same mode.
    if (options.create) chmodSync(file, 0o600);
    db.pragma(`cipher = 'sqlcipher'`);
    db.pragma('legacy = 4');
    db.pragma(`key = "x'${key.toString('hex')}'"`);
    // The first read decrypts page 1: a wrong key or a damaged file fails here.
    db.prepare('SELECT count(*) AS n FROM sqlite_schema').get();
    // Freed pages can go back to the file system (PRAGMA incremental_vacuum,
    // store/walCheckpointer.ts): a relay's file follows what it holds. Only
    // possible before the first table; older databases are converted once on
    // unlock (workers/vacuumConvert.worker.ts).
    if (options.create) db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // NORMAL is durable in WAL mode for everything that committed before the last checkpoint-safe
    // sync; FULL makes every commit durable on its own, which the delivery acks rely on (DESIGN.md §2).
    db.pragma('synchronous = FULL');
    // Checkpoint every 8,192 pages (32 MiB of log) rather than SQLite's 1,000:
    // a checkpoint copies each page the log holds once, however often it was
    // rewritten, and a message rewrites the same hot index pages. At 1,000
    // pages checkpoints took a quarter of the time of sending a stream of
    // messages (bench/net.bench.ts); at 8,192, about nothing. The log is cut
    // back to 64 MiB after a checkpoint so it never keeps more disk than that.
    db.pragma('wal_autocheckpoint = 8192');
    db.pragma('journal_size_limit = 67108864');
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = ON');
    db.pragma('secure_delete = ON');
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (err) {
    db.close();
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new ParleyError(
        'DATABASE_CORRUPT',
        'The encrypted database of this profile is damaged and cannot be opened. Restore the profile from a backup.',
        { cause: err },
      );
    }
    throw storageError(err, 'open the database');
  }
}
