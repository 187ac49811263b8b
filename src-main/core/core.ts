import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppInfo } from '../../src-preload/contract';
import { createHandlers } from './handlers';
import { ProfileLock } from './profile/profileLock';
import { ProfileService } from './profile/profileService';
import { createDispatcher, type Dispatch } from './rpc/dispatcher';
import { EventBus, type EventListener } from './rpc/eventBus';
import { silentLogger, type Logger } from './util/logger';

export interface CoreOptions {
  profileDir: string;
  shell: AppInfo['shell'];
  version: string;
  logger?: Logger;
  /** Lower Argon2id cost for tests; production leaves it unset. */
  kdfCost?: { memoryKiB: number; iterations: number; parallelism: number };
  /** better-sqlite3 binding for the running runtime (Electron passes its own build). */
  nativeBinding?: string;
}

export interface Core {
  dispatch: Dispatch;
  onEvent(listener: EventListener): () => void;
  readonly profile: ProfileService;
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
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  const lock = ProfileLock.acquire(profileDir);
  const bus = new EventBus();
  const profile = new ProfileService({
    dir: profileDir,
    logger,
    kdfCost: options.kdfCost,
    nativeBinding: options.nativeBinding,
    onChange: (status) => bus.emit('profile.changed', status),
  });
  const info: AppInfo = { name: 'Parley', version: options.version, shell: options.shell, profileDir };
  const dispatch = createDispatcher(createHandlers({ info, profile }), logger);
  let closed = false;
  return {
    dispatch,
    profile,
    onEvent: (listener) => bus.on(listener),
    async close() {
      if (closed) return;
      closed = true;
      profile.lock();
      lock.release();
    },
  };
}
