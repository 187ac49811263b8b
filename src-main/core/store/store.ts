import { mkdirSync } from 'node:fs';
import { ParleyError } from '../errors';
import { DisappearingSweeper } from './disappearingSweeper';
import type { Db } from './encryptedDatabase';
import { AttachmentRepository } from './repositories/attachmentRepository';
import { ContactRepository } from './repositories/contactRepository';
import { ContactRequestRepository } from './repositories/contactRequestRepository';
import { DeviceRepository } from './repositories/deviceRepository';
import { IdentityRepository } from './repositories/identityRepository';
import { InviteRepository } from './repositories/inviteRepository';
import { KeyPackageRepository } from './repositories/keyPackageRepository';
import { MlsDeviceRepository } from './repositories/mlsDeviceRepository';
import { MlsGroupRepository } from './repositories/mlsGroupRepository';
import { SettingsRepository } from './repositories/settingsRepository';
import { Transactor } from './transactor';
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
  readonly devices: DeviceRepository;
  readonly contactRequests: ContactRequestRepository;
  readonly invites: InviteRepository;
  readonly identity: IdentityRepository;
  readonly settings: SettingsRepository;
  readonly keyPackages: KeyPackageRepository;
  readonly mlsDevice: MlsDeviceRepository;
  readonly mlsGroups: MlsGroupRepository;
  /** Runs work across repositories in one transaction. */
  readonly tx: Transactor;
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
    this.devices = new DeviceRepository(db);
    this.contactRequests = new ContactRequestRepository(db);
    this.invites = new InviteRepository(db);
    this.identity = new IdentityRepository(db);
    this.settings = new SettingsRepository(db);
    this.keyPackages = new KeyPackageRepository(db);
    this.mlsDevice = new MlsDeviceRepository(db);
    this.mlsGroups = new MlsGroupRepository(db);
    this.tx = new Transactor(db);
    this.sweeper = new DisappearingSweeper({ db, ...options });
    this.views = new MessageViews(db);
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

  /** Background work of an unlocked profile; expired messages go right after unlock. */
  start(): void {
    void this.sweeper.start();
  }

  stop(): void {
    this.sweeper.stop();
  }
}
