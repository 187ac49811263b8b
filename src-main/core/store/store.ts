import { mkdirSync } from 'node:fs';
import { ParleyError } from '../errors';
import { DisappearingSweeper } from './disappearingSweeper';
import type { Db } from './encryptedDatabase';
import { AttachmentRepository } from './repositories/attachmentRepository';
import { ContactRepository } from './repositories/contactRepository';
import { ConversationRepository } from './repositories/conversationRepository';
import { FileSettingsRepository } from './repositories/fileSettingsRepository';
import { MessageRepository } from './repositories/messageRepository';
import type { Logger } from '../util/logger';
import { MessageViews } from './messageViews';

/**
 * The repositories and background housekeeping of one unlocked profile.
 * Search sits above the store (it indexes the store's tables), so the
 * composition root (core.ts) builds it beside the store, not in here.
 */
export class Store {
  readonly conversations: ConversationRepository;
  readonly messages: MessageRepository;
  readonly contacts: ContactRepository;
  readonly attachments: AttachmentRepository;
  readonly fileSettings: FileSettingsRepository;
  readonly sweeper: DisappearingSweeper;
  readonly views: MessageViews;
  /** Where attachment bytes live (encrypted; core/files). */
  readonly attachmentsDir: string;

  constructor(
    readonly db: Db,
    options: { attachmentsDir: string; logger: Logger; now?: () => number },
  ) {
    mkdirSync(options.attachmentsDir, { recursive: true, mode: 0o700 });
    this.attachmentsDir = options.attachmentsDir;
    this.conversations = new ConversationRepository(db);
    this.messages = new MessageRepository(db);
    this.contacts = new ContactRepository(db);
    this.attachments = new AttachmentRepository(db);
    this.fileSettings = new FileSettingsRepository(db);
    this.sweeper = new DisappearingSweeper({ db, ...options });
    this.views = new MessageViews(db);
  }

  /**
   * This profile's own identity (its `identity` row): the key its messages
   * and roles are stored under, and the name it goes by. Read each time: the
   * name can change while unlocked.
   */
  self(): { publicKey: Buffer; displayName: string } {
    const row = this.db.prepare('SELECT public_key, display_name FROM identity WHERE id = 1').get() as
      { public_key: Buffer; display_name: string } | undefined;
    if (!row) throw new ParleyError('INVALID_STATE', 'This profile has no identity.');
    return { publicKey: row.public_key, displayName: row.display_name };
  }

  /** Background work of an unlocked profile; expired messages go right after unlock. */
  start(): void {
    void this.sweeper.start();
  }

  stop(): void {
    this.sweeper.stop();
  }
}
