import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileStatus } from '../../../src-shared/contract';
// The policy alone, not the contract's index: unlocking needs none of its 20 area schemas.
import { passphraseProblem } from '../../../src-shared/contract/passphrase';
import { ParleyError, isParleyError, storageError } from '../errors';
import { generateIdentityKey } from '../identity/identityKey';
import { insertIdentity } from '../store/databaseMaintenance';
import { openEncryptedDatabase, type Db } from '../store/encryptedDatabase';
import type { ProfileRepositories } from '../store/profileRepositories';
import { IdentityRepository } from '../store/repositories/identityRepository';
import { SettingsRepository } from '../store/repositories/settingsRepository';
import {
  DEFAULT_KDF,
  deriveKek,
  newDataKey,
  newKdfParams,
  unwrapDataKey,
  wrapDataKey,
  type KdfCost,
} from '../store/keyDerivation';
import { migrate } from '../store/migrate';
import {
  PROFILE_HEADER_FILE,
  newProfileHeader,
  readProfileHeader,
  writeProfileHeader,
} from '../store/profileHeader';
import { writeFileAtomic } from '../util/atomicFile';
import { errorFields, type Logger } from '../util/logger';
import { ensureIncrementalVacuum } from './incrementalVacuum';
import type { Keychain } from './keychain';
import { deleteProfileFiles, removeDatabaseFiles } from './profileFiles';
import { linkedIdentity, type ProfileSeed } from './profileSeed';

/** One row of the settings table (a key and its JSON value), written when the profile is created. */
export interface InitialSetting {
  key: string;
  value: string;
}

export const DATABASE_FILE = 'parley.db';
/**
 * Present while a process has the database open; removed after a clean close
 * (which checkpoints the log into the database and deletes it). Found on the
 * next unlock it means an unclean stop (kill -9, power loss, crash).
 */
export const OPEN_MARKER_FILE = 'parley.db.open';
/** The data key sealed by the OS keychain, present only while "remember on this device" is on. */
export const DEVICE_KEY_FILE = 'device-key.bin';
const CREATING_SUFFIX = '.creating';
const EMPTY_DATABASE =
  'The database file of this profile is empty (0 bytes): its contents were lost. Restore the profile from a backup.';

export interface ProfileServiceOptions {
  dir: string;
  logger: Logger;
  now?: () => Date;
  /** Argon2id cost for new profiles; tests lower it, production keeps the default. */
  kdfCost?: KdfCost;
  nativeBinding?: string;
  keychain?: Keychain;
  onChange?: (status: ProfileStatus) => void;
}

/**
 * A profile folder: `profile.json` (KDF parameters, key check) and the
 * encrypted `parley.db`. This service owns the lifecycle none → unlocked ⇄
 * locked and is the only holder of the open database handle.
 */
export class ProfileService {
  private db: Db | null = null;
  private displayName: string | null = null;
  /** Held while unlocked for second connections (integrity check, backup snapshot); wiped on lock. */
  private dataKey: Buffer | null = null;
  /** A problem found after unlocking (background integrity check), shown until the next lock. */
  private problem: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ProfileServiceOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  private get headerPath(): string {
    return join(this.options.dir, PROFILE_HEADER_FILE);
  }

  private get databasePath(): string {
    return join(this.options.dir, DATABASE_FILE);
  }

  status(): ProfileStatus {
    if (this.db && this.displayName !== null) {
      // Read each time, not cached: Settings → Profile renames while unlocked.
      return {
        state: 'unlocked',
        displayName: new IdentityRepository(this.db).displayName() ?? this.displayName,
        ...this.rememberStatus(),
        ...(this.problem ? { problem: this.problem } : {}),
      };
    }
    try {
      readProfileHeader(this.headerPath);
    } catch (err) {
      if (isParleyError(err, 'NO_PROFILE')) return { state: 'none' };
      if (isParleyError(err)) return { state: 'damaged', problem: err.message };
      throw err;
    }
    if (!existsSync(this.databasePath) && !existsSync(this.databasePath + CREATING_SUFFIX)) {
      return {
        state: 'damaged',
        problem: 'The encrypted database of this profile is missing. Restore the profile from a backup.',
      };
    }
    if (this.databaseIsEmpty()) return { state: 'damaged', problem: EMPTY_DATABASE };
    return { state: 'locked', ...this.rememberStatus() };
  }

  /** The better-sqlite3 binding this service opens databases with (a restore opens the restored one). */
  get nativeBinding(): string | undefined {
    return this.options.nativeBinding;
  }

  /**
   * Re-reads the folder after its files were replaced underneath (a restore
   * from backup into this folder) and tells every window. Only while locked.
   */
  announce(): ProfileStatus {
    if (this.db) throw new ParleyError('INVALID_STATE', 'Lock Parley first.');
    this.emit();
    return this.status();
  }

  /** Tells every window the profile's status changed while unlocked (e.g. a new display name). */
  refresh(): void {
    if (this.db) this.emit();
  }

  private get deviceKeyPath(): string {
    return join(this.options.dir, DEVICE_KEY_FILE);
  }

  private rememberStatus(): { canRemember: boolean; remembered: boolean } {
    const canRemember = this.options.keychain?.isAvailable() ?? false;
    return { canRemember, remembered: canRemember && existsSync(this.deviceKeyPath) };
  }

  /**
   * Unlocks with the data key the OS keychain sealed for this device. When the
   * keychain can no longer open it (keyring reset, profile copied to another
   * machine) the sealed copy is dropped and the passphrase is needed.
   */
  unlockWithDevice(): Promise<ProfileStatus> {
    return this.serialize(async () => {
      if (this.db) throw new ParleyError('INVALID_STATE', 'Parley is already unlocked.');
      const keychain = this.options.keychain;
      if (!keychain?.isAvailable() || !existsSync(this.deviceKeyPath)) {
        throw new ParleyError(
          'INVALID_STATE',
          'This device does not remember the profile. Enter your passphrase.',
        );
      }
      readProfileHeader(this.headerPath);
      let dataKey: Buffer;
      try {
        dataKey = keychain.open(readFileSync(this.deviceKeyPath));
        if (dataKey.length !== 32) throw new Error('bad length');
      } catch {
        rmSync(this.deviceKeyPath, { force: true });
        throw new ParleyError(
          'INVALID_STATE',
          'This device can no longer unlock the profile on its own (the system keychain changed). Enter your passphrase.',
        );
      }
      await ensureIncrementalVacuum({
        path: this.databasePath,
        dataKey,
        empty: this.databaseIsEmpty(),
        nativeBinding: this.options.nativeBinding,
        logger: this.options.logger,
      });
      return this.open(dataKey);
    });
  }

  /** Turns "remember on this device" on or off while unlocked. */
  setRemember(remember: boolean): ProfileStatus {
    if (!this.db || !this.dataKey) throw new ParleyError('LOCKED', 'Unlock Parley first.');
    if (!remember) {
      rmSync(this.deviceKeyPath, { force: true });
    } else {
      const keychain = this.options.keychain;
      if (!keychain?.isAvailable()) {
        throw new ParleyError('INVALID_STATE', 'This system offers no keychain to remember the profile in.');
      }
      try {
        writeFileAtomic(this.deviceKeyPath, keychain.seal(this.dataKey));
      } catch (err) {
        throw storageError(err, 'remember the profile on this device');
      }
    }
    this.emit();
    return this.status();
  }

  /** The open database; LOCKED when the profile is not unlocked. */
  database(): Db {
    if (!this.db) throw new ParleyError('LOCKED', 'Unlock Parley first.');
    return this.db;
  }

  /** Where the database is and its key, for a second connection on a worker thread. */
  secondConnection(): { path: string; key: Buffer; nativeBinding?: string } {
    if (!this.db || !this.dataKey) throw new ParleyError('LOCKED', 'Unlock Parley first.');
    return {
      path: this.databasePath,
      key: Buffer.from(this.dataKey),
      ...(this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : {}),
    };
  }

  /** Records a problem found while unlocked and tells every window (earlier ones are kept). */
  reportProblem(problem: string): void {
    if (!this.db) return;
    if (this.problem?.includes(problem)) return;
    this.problem = this.problem ? `${this.problem} ${problem}` : problem;
    this.emit();
  }

  private get openMarkerPath(): string {
    return join(this.options.dir, OPEN_MARKER_FILE);
  }

  /**
   * After an unclean stop the write-ahead log holds whatever was committed
   * since the last checkpoint; SQLite replays it on open. If the log file is
   * gone (deleted, not copied with the database), that is lost, and no
   * integrity check can tell (issue #14 item 6): say so.
   */
  private lostLogProblem(): string | null {
    if (!existsSync(this.openMarkerPath) || existsSync(`${this.databasePath}-wal`)) return null;
    this.options.logger.log('warn', 'profile.wal_missing_after_unclean_stop', {});
    return (
      'Parley was stopped without closing its database, and the database log file (parley.db-wal) is ' +
      'gone. Anything saved in the last few seconds before that stop may be missing.'
    );
  }

  /**
   * `settings` are rows of the settings table written with the identity, before
   * the header makes the profile exist: a choice made at onboarding (say, not
   * discoverable) holds from the first start, with no moment at which a
   * half-created profile runs on the defaults.
   */
  create(
    displayName: string,
    passphrase: string,
    settings: readonly InitialSetting[] = [],
    seed?: ProfileSeed,
  ): Promise<ProfileStatus> {
    return this.serialize(async () => {
      const state = this.status().state;
      if (state !== 'none') {
        throw new ParleyError(
          'PROFILE_EXISTS',
          'A profile already exists in this folder. Unlock it instead; it is never overwritten.',
        );
      }
      const problem = passphraseProblem(passphrase);
      if (problem) throw new ParleyError('WEAK_PASSPHRASE', problem);

      const now = (this.options.now ?? (() => new Date()))();
      const kdf = newKdfParams(this.options.kdfCost ?? DEFAULT_KDF);
      const kek = await deriveKek(passphrase, kdf);
      const dataKey = newDataKey();
      const wrappedKey = wrapDataKey(dataKey, kek, kdf);
      kek.fill(0);
      const creating = this.databasePath + CREATING_SUFFIX;
      // Every repository of a profile, only for a linked device's first rows: a
      // process that only creates or unlocks (the CLI, a relay, the store bench)
      // does not load the 35 repositories (issue 16: +58 modules, +3-6 MB RSS).
      const Repositories: typeof ProfileRepositories | null = seed
        ? (await import('../store/profileRepositories')).ProfileRepositories
        : null;
      try {
        mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
        // Leftovers of a creation that never finished (no header was written), so nothing of the user's.
        removeDatabaseFiles(creating);
        const db = openEncryptedDatabase(creating, dataKey, {
          create: true,
          nativeBinding: this.options.nativeBinding,
        });
        try {
          migrate(db);
          const identity = seed ? linkedIdentity(seed) : generateIdentityKey();
          insertIdentity(db, { displayName, ...identity, createdAt: now.getTime() });
          const settingsRepo = new SettingsRepository(db);
          for (const { key, value } of settings) settingsRepo.set(key, value);
          const repos = seed && Repositories ? new Repositories(db) : null;
          if (seed && repos) repos.tx.run(() => seed.fill(repos));
          identity.privateKey.fill(0);
          db.pragma('wal_checkpoint(TRUNCATE)');
        } finally {
          db.close();
        }
        // The header goes last: until it exists the folder holds no profile, so a crash
        // anywhere above leaves a folder that onboarding simply starts again.
        writeProfileHeader(this.headerPath, newProfileHeader(kdf, wrappedKey, now));
        renameSync(creating, this.databasePath);
      } catch (err) {
        removeDatabaseFiles(creating);
        dataKey.fill(0);
        if (isParleyError(err)) throw err;
        throw storageError(err, 'create the profile');
      }
      this.options.logger.log('info', 'profile.created', {});
      return this.open(dataKey);
    });
  }

  unlock(passphrase: string, remember?: boolean): Promise<ProfileStatus> {
    return this.serialize(async () => {
      if (this.db) throw new ParleyError('INVALID_STATE', 'Parley is already unlocked.');
      const dataKey = await this.unwrap(passphrase);
      // A creation that wrote its header but crashed before the final rename.
      const creating = this.databasePath + CREATING_SUFFIX;
      if (!existsSync(this.databasePath) && existsSync(creating)) renameSync(creating, this.databasePath);
      await ensureIncrementalVacuum({
        path: this.databasePath,
        dataKey,
        empty: this.databaseIsEmpty(),
        nativeBinding: this.options.nativeBinding,
        logger: this.options.logger,
      });
      const status = this.open(dataKey);
      return remember === undefined ? status : this.setRemember(remember);
    });
  }

  /**
   * Re-wraps the data key under the new passphrase (fresh salt) and replaces the
   * header atomically: an interruption leaves the old header, which the old
   * passphrase still opens. The database itself is not rewritten.
   */
  changePassphrase(current: string, next: string): Promise<ProfileStatus> {
    return this.serialize(async () => {
      const problem = passphraseProblem(next);
      if (problem) throw new ParleyError('WEAK_PASSPHRASE', problem);
      const dataKey = await this.unwrap(current);
      try {
        const kdf = newKdfParams(this.options.kdfCost ?? DEFAULT_KDF);
        const kek = await deriveKek(next, kdf);
        const header = readProfileHeader(this.headerPath);
        const updated = { ...header, kdf, wrappedKey: wrapDataKey(dataKey, kek, kdf) };
        kek.fill(0);
        try {
          writeProfileHeader(this.headerPath, updated);
        } catch (err) {
          throw storageError(err, 'save the new passphrase');
        }
      } finally {
        dataKey.fill(0);
      }
      this.options.logger.log('info', 'profile.passphrase_changed', {});
      return this.status();
    });
  }

  private async unwrap(passphrase: string): Promise<Buffer> {
    const header = readProfileHeader(this.headerPath);
    const kek = await deriveKek(passphrase, header.kdf);
    const dataKey = unwrapDataKey(header.wrappedKey, kek, header.kdf);
    kek.fill(0);
    if (!dataKey) {
      this.options.logger.log('info', 'profile.unlock_refused', { reason: 'wrong_passphrase' });
      throw new ParleyError('WRONG_PASSPHRASE', 'That passphrase does not unlock this profile.');
    }
    return dataKey;
  }

  lock(): ProfileStatus {
    if (this.db) {
      try {
        this.db.close();
        // Closed cleanly: the log is in the database file and deleted.
        rmSync(this.openMarkerPath, { force: true });
      } catch (err) {
        this.options.logger.log('warn', 'profile.close_failed', errorFields(err));
      }
      this.db = null;
      this.displayName = null;
      this.dataKey?.fill(0);
      this.dataKey = null;
      this.problem = null;
      this.options.logger.log('info', 'profile.locked', {});
      this.emit();
    }
    return this.status();
  }

  /** Deletes this profile's files, leaving its folder (profileFiles.ts). Only while locked. */
  deleteFiles(keep: readonly string[]): ProfileStatus {
    if (this.db) throw new ParleyError('INVALID_STATE', 'Lock Parley first.');
    deleteProfileFiles(this.options.dir, this.headerPath, keep);
    this.options.logger.log('info', 'profile.deleted', {});
    this.emit();
    return this.status();
  }

  /**
   * A 0-byte database file (truncated by a full disk, a failed copy): SQLite
   * would happily open it as a new, empty database and the first write (even
   * turning on WAL mode) would put a schema into it. It is a damaged profile,
   * never a fresh one, and is not opened at all (issue #14 item 8).
   */
  private databaseIsEmpty(): boolean {
    try {
      return statSync(this.databasePath).size === 0;
    } catch {
      return false;
    }
  }

  private open(dataKey: Buffer): ProfileStatus {
    if (this.databaseIsEmpty()) {
      dataKey.fill(0);
      throw new ParleyError('DATABASE_CORRUPT', EMPTY_DATABASE);
    }
    const lostLog = this.lostLogProblem();
    let db: Db;
    try {
      db = openEncryptedDatabase(this.databasePath, dataKey, {
        create: false,
        nativeBinding: this.options.nativeBinding,
      });
    } catch (err) {
      dataKey.fill(0);
      throw err;
    }
    try {
      migrate(db);
      const name = new IdentityRepository(db).displayName();
      if (name === null) {
        throw new ParleyError(
          'DATABASE_CORRUPT',
          'This profile has no identity. Restore the profile from a backup.',
        );
      }
      this.db = db;
      this.displayName = name;
      this.dataKey = dataKey;
      this.problem = lostLog;
    } catch (err) {
      db.close();
      dataKey.fill(0);
      throw err;
    }
    try {
      writeFileSync(this.openMarkerPath, `${process.pid}\n`, { mode: 0o600 });
    } catch (err) {
      // A read-only folder: nothing can be written, so nothing can be lost either.
      this.options.logger.log('debug', 'profile.open_marker_failed', errorFields(err));
    }
    this.options.logger.log('info', 'profile.unlocked', {});
    this.emit();
    return this.status();
  }

  private emit(): void {
    this.options.onChange?.(this.status());
  }

  /** Create and unlock each await the KDF; two at once must not both open the database. */
  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
