import { mkdirSync } from 'node:fs';
import { ParleyError } from '../errors';
import { DisappearingSweeper } from './disappearingSweeper';
import type { Db } from './encryptedDatabase';
import { ProfileRepositories } from './profileRepositories';
import type { Logger } from '../util/logger';
import { ChangeFeed, type StoreChanges } from './changeFeed';

/**
 * The repositories (ProfileRepositories) and background housekeeping of one
 * unlocked profile.
 * Search sits above the store (it indexes the store's tables), so the
 * composition root (core.ts) builds it beside the store, not in here.
 */
export class Store extends ProfileRepositories {
  readonly sweeper: DisappearingSweeper;
  /** Where attachment bytes live (encrypted; core/files). */
  readonly attachmentsDir: string;

  constructor(
    readonly db: Db,
    options: { attachmentsDir: string; logger: Logger; now?: () => number },
  ) {
    super(db);
    mkdirSync(options.attachmentsDir, { recursive: true, mode: 0o700 });
    this.attachmentsDir = options.attachmentsDir;
    this.sweeper = new DisappearingSweeper({ db, ...options });
  }

  /**
   * This profile's own identity (its `identity` row): the key its messages
   * and roles are stored under, and the name it goes by. Read each time: the
   * name can change while unlocked.
   */
  self(): { publicKey: Buffer; displayName: string } {
    const row = this.identity.get();
    if (!row) throw new ParleyError('INVALID_STATE', 'This profile has no identity.');
    return row;
  }

  /** A feed of changes to the tables the UI shows, on this connection (changeFeed.ts); the caller starts and stops it. */
  changeFeed(onChanges: (changes: StoreChanges) => void): ChangeFeed {
    return new ChangeFeed(this.db, onChanges);
  }

  /** Background work of an unlocked profile; expired messages go right after unlock. */
  start(): void {
    void this.sweeper.start();
  }

  stop(): void {
    this.sweeper.stop();
  }
}
