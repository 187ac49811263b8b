import { join, resolve } from 'node:path';
import type { AppInfo } from '../../src-shared/contract';
import { isParleyError, ParleyError, storageError } from './errors';
import { createHandlers } from './handlers';
import { HostFiles } from './host/hostFiles';
import type { HostShell } from './host/hostShell';
import { MessagingHost, type NetworkOptions } from './runtime/messagingHost';
import type { Keychain } from './profile/keychain';
import { secureProfileFolder } from './profile/profileFolder';
import { ProfileLock } from './profile/profileLock';
import { ProfileService } from './profile/profileService';
import { createDispatcher, type Dispatch } from './rpc/dispatcher';
import { EventBus, type EventListener } from './rpc/eventBus';
import { SearchIndexMaintainer } from './search/indexMaintenance';
import { SearchRepository } from './search/searchRepository';
import { Store } from './store/store';
import { errorFields, silentLogger, type Logger } from './util/logger';
import { WalCheckpointer } from './store/walCheckpointer';
import { checkIntegrity, type IntegrityInput, type IntegrityReport } from './workers/integrityCheck';
import { checkpointWal } from './workers/walCheckpoint';

export interface CoreOptions {
  profileDir: string;
  shell: AppInfo['shell'];
  version: string;
  logger?: Logger;
  /** Lower Argon2id cost for tests; production leaves it unset. */
  kdfCost?: { memoryKiB: number; iterations: number; parallelism: number };
  /** better-sqlite3 binding for the running runtime (Electron passes its own build). */
  nativeBinding?: string;
  /** The OS keychain for "remember on this device"; absent in the web shell and the CLI. */
  keychain?: Keychain;
  /**
   * The peer network. Absent: no node at all (messaging requests answer
   * OFFLINE). Shells pass it explicitly so tests and the web shell can pin
   * 127.0.0.1 and keep mDNS off.
   */
  network?: NetworkOptions;
  /** Native dialogs and login items of a desktop shell (Electron main); absent elsewhere. */
  host?: HostShell;
  /** The OS region format's locale for times (core/host/timeLocale.ts); absent: the renderer's default. */
  timeLocale?: string | null;
  /** Reads every page of the database after unlock; defaults to a worker thread (tests substitute it). */
  checkIntegrity?: (input: IntegrityInput) => Promise<IntegrityReport>;
  /** How long the database must be quiet before its log is checkpointed (default 2 s; tests shorten it). */
  checkpointQuietMs?: number;
}

export interface Core {
  dispatch: Dispatch;
  onEvent(listener: EventListener): () => void;
  readonly profile: ProfileService;
  /** The unlocked profile's repositories; LOCKED error when locked. */
  store(): Store;
  /** Files chosen by handle, uploads and one-time downloads (the web shell serves these). */
  readonly hostFiles: HostFiles;
  /** The node and services of the unlocked profile, once started (tests reach history/ through it). */
  readonly messaging: MessagingHost;
  /** Resolves when background work started by the last unlock (integrity check, networking start) has finished; for tests. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the Electron-free core for one profile folder. Every shell (Electron
 * main, `parley web`, the CLI) calls this and speaks to it only through
 * `dispatch` and `onEvent`. Holds the profile lock until `close()`.
 */
export function createCore(options: CoreOptions): Core {
  const profileDir = resolve(options.profileDir);
  const logger = options.logger ?? silentLogger;
  let lock: ProfileLock;
  try {
    // Made (or closed to) 0700, and refused when another user owns it (issue #14 item 3).
    secureProfileFolder(profileDir, logger);
    lock = ProfileLock.acquire(profileDir);
  } catch (err) {
    // A read-only or full disk, no permission: say so (issue #14 item 8), not "unexpected failure".
    if (isParleyError(err)) throw err;
    throw storageError(err, `open the profile folder ${profileDir}`);
  }
  const bus = new EventBus();
  const messaging = new MessagingHost({
    network: options.network,
    bus,
    logger,
    // Issue 18: history to and from a linked device runs its snapshot and import on workers.
    history: { profileDir, connection: () => profile.secondConnection() },
  });
  const hostFiles = new HostFiles();
  let store: Store | null = null;
  let checkpointer: WalCheckpointer | null = null;
  /** Full-text search over the unlocked store, and its index upkeep (search/). */
  let search: { repository: SearchRepository; maintainer: SearchIndexMaintainer } | null = null;
  let background: Promise<void> = Promise.resolve();
  const profile = new ProfileService({
    dir: profileDir,
    logger,
    kdfCost: options.kdfCost,
    nativeBinding: options.nativeBinding,
    keychain: options.keychain,
    onChange: (status) => {
      if (status.state === 'unlocked' && !store) {
        store = new Store(profile.database(), { attachmentsDir: join(profileDir, 'attachments'), logger });
        search = {
          repository: new SearchRepository(store.db),
          maintainer: new SearchIndexMaintainer(store.db, logger),
        };
        store.start();
        checkpointer = new WalCheckpointer({
          db: store.db,
          checkpoint: () => {
            const input = profile.secondConnection();
            return checkpointWal(input).finally(() => input.key.fill(0));
          },
          logger,
          ...(options.checkpointQuietMs !== undefined ? { quietMs: options.checkpointQuietMs } : {}),
        });
        checkpointer.start();
        search.maintainer.start();
        messaging.start(store);
        // Chained, not replaced: an earlier unlock's check may still be reading on its worker,
        // and close() must not release the profile while any worker holds a connection.
        background = Promise.all([background, verifyIntegrity()]).then(() => undefined);
      } else if (status.state !== 'unlocked' && store) {
        // Normally already stopped by lockProfile() before the database closed.
        void messaging.stop();
        void checkpointer?.stop();
        checkpointer = null;
        store.stop();
        search?.maintainer.stop();
        store = null;
        search = null;
      }
      bus.emit('profile.changed', status);
    },
  });

  /** Reads every page off the main thread; damage is reported, never silently ignored. */
  async function verifyIntegrity(): Promise<void> {
    const input = profile.secondConnection();
    try {
      const report = await (options.checkIntegrity ?? checkIntegrity)(input);
      if (!report.ok) {
        logger.log('error', 'store.integrity_failed', {
          problems: report.problems,
          errorCode: report.errorCode,
        });
        profile.reportProblem(
          "Parley found damage in this profile's database. Some messages may be unreadable. Restore from a backup if you have one.",
        );
      }
    } catch (err) {
      logger.log('warn', 'store.integrity_check_failed', errorFields(err));
    } finally {
      input.key.fill(0);
    }
  }
  const info: AppInfo = {
    name: 'Parley',
    version: options.version,
    shell: options.shell,
    profileDir,
    timeLocale: options.timeLocale ?? null,
  };
  const currentStore = (): Store => {
    if (!store) throw new ParleyError('LOCKED', 'Unlock Parley first.');
    return store;
  };
  const currentSearch = (): SearchRepository => {
    if (!search) throw new ParleyError('LOCKED', 'Unlock Parley first.');
    return search.repository;
  };
  /** Stops the node and services while the database is still open, then locks. */
  const lockProfile = async () => {
    await messaging.stop();
    // Its worker's connection must be closed first, so the app's close is the last and deletes the log.
    await checkpointer?.stop();
    checkpointer = null;
    return profile.lock();
  };
  const dispatch = createDispatcher(
    createHandlers({
      info,
      profile,
      store: currentStore,
      search: currentSearch,
      messaging,
      lock: lockProfile,
      bus,
      profileDir,
      logger,
      hostFiles,
      ...(options.host ? { hostShell: options.host } : {}),
    }),
    logger,
  );
  let closed = false;
  return {
    dispatch,
    profile,
    hostFiles,
    messaging,
    onEvent: (listener) => bus.on(listener),
    store: currentStore,
    idle: async () => {
      await background;
      await messaging.runningOrNull();
    },
    async close() {
      if (closed) return;
      closed = true;
      await background;
      await lockProfile();
      hostFiles.close();
      lock.release();
    },
  };
}
