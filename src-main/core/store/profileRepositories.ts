import { durabilityOf, type Durability } from './durability';
import type { Db } from './encryptedDatabase';
import { AttachmentRepository } from './repositories/attachmentRepository';
import { AddressRepository } from './repositories/addressRepository';
import { ContactDeviceRepository } from './repositories/contactDeviceRepository';
import { ContactRepository } from './repositories/contactRepository';
import { ContactRequestRepository } from './repositories/contactRequestRepository';
import { ConversationRepository } from './repositories/conversationRepository';
import { LinkGrantRepository } from './repositories/linkGrantRepository';
import { DeviceListRepository } from './repositories/deviceListRepository';
import { DeviceRepository } from './repositories/deviceRepository';
import { DeviceSecretsRepository } from './repositories/deviceSecretsRepository';
import { FileSettingsRepository } from './repositories/fileSettingsRepository';
import { GroupMemberRepository } from './repositories/groupMemberRepository';
import { GroupRepository } from './repositories/groupRepository';
import { HistoryTransferRepository } from './repositories/historyTransferRepository';
import { IdentityRepository } from './repositories/identityRepository';
import { InviteRepository } from './repositories/inviteRepository';
import { KeyPackageRepository } from './repositories/keyPackageRepository';
import { MailboxRepository } from './repositories/mailboxRepository';
import { MemberRepository } from './repositories/memberRepository';
import { MessageExtrasRepository } from './repositories/messageExtrasRepository';
import { MessageRepository } from './repositories/messageRepository';
import { MlsDeviceRepository } from './repositories/mlsDeviceRepository';
import { MlsGroupRepository } from './repositories/mlsGroupRepository';
import { NotificationRepository } from './repositories/notificationRepository';
import { OutboxRepository } from './repositories/outboxRepository';
import { PendingContentRepository } from './repositories/pendingContentRepository';
import { ResyncRepository } from './repositories/resyncRepository';
import { RestoreNoticeRepository } from './repositories/restoreNoticeRepository';
import { SeenEnvelopeRepository } from './repositories/seenEnvelopeRepository';
import { SenderNameRepository } from './repositories/senderNameRepository';
import { SequencerRepository } from './repositories/sequencerRepository';
import { SettingsRepository } from './repositories/settingsRepository';
import { SyncStateRepository } from './repositories/syncStateRepository';
import { TimerRepository } from './repositories/timerRepository';
import { Transactor } from './transactor';

/**
 * Every repository of one profile database, one per table group, and the
 * Transactor that lets a service write through several in one transaction.
 * Services receive these, never the connection: SQL lives here
 * (lint/sqlInStore.js). Store adds the unlocked profile's housekeeping; a
 * database that is not the running profile's (a restore being prepared)
 * gets just these.
 */
export class ProfileRepositories {
  readonly conversations: ConversationRepository;
  readonly messages: MessageRepository;
  readonly contacts: ContactRepository;
  readonly attachments: AttachmentRepository;
  readonly fileSettings: FileSettingsRepository;
  readonly devices: DeviceRepository;
  readonly deviceSecrets: DeviceSecretsRepository;
  readonly contactRequests: ContactRequestRepository;
  readonly invites: InviteRepository;
  readonly identity: IdentityRepository;
  readonly settings: SettingsRepository;
  readonly keyPackages: KeyPackageRepository;
  readonly mlsDevice: MlsDeviceRepository;
  readonly mlsGroups: MlsGroupRepository;
  readonly mailbox: MailboxRepository;
  readonly members: MemberRepository;
  readonly seenEnvelopes: SeenEnvelopeRepository;
  readonly notifications: NotificationRepository;
  readonly timers: TimerRepository;
  readonly pendingContent: PendingContentRepository;
  readonly messageExtras: MessageExtrasRepository;
  /** Groups restored from a backup that wait to be rejoined (groups/resync.ts). */
  readonly resync: ResyncRepository;
  readonly restoreNotices: RestoreNoticeRepository;
  /** Envelopes waiting for their recipients (delivery/outbox.ts keeps the rules). */
  readonly outbox: OutboxRepository;
  /** Signed address records, the listen port, public addresses (issue 13, 19). */
  readonly addresses: AddressRepository;
  /** Group conversations, their members and the sequencers' bookkeeping (groups/). */
  readonly groups: GroupRepository;
  readonly groupMembers: GroupMemberRepository;
  readonly sequencers: SequencerRepository;
  /** Names of senders and holders, for message views (handlers/messagePresenter.ts). */
  readonly senderNames: SenderNameRepository;
  /** Every person's device list, its devices and forks (issue 18; devices/ keeps the rules). */
  readonly deviceLists: DeviceListRepository;
  /** History transfers to and from a linked device (issue 18; history/ keeps the rules). */
  readonly historyTransfers: HistoryTransferRepository;
  /** What a link's grant reads and writes (issue 18, linking/). */
  readonly linkGrant: LinkGrantRepository;
  /** Own devices' sync: stamps and the sync messages not sent yet (issue 18, §13.6). */
  readonly syncState: SyncStateRepository;
  /** Runs work across repositories in one transaction. */
  readonly tx: Transactor;

  private readonly durabilityOf: () => Durability;
  private readonly contactDevicesOf: (selfPeerId: string) => ContactDeviceRepository;

  constructor(db: Db) {
    this.conversations = new ConversationRepository(db);
    this.messages = new MessageRepository(db);
    this.contacts = new ContactRepository(db);
    this.attachments = new AttachmentRepository(db);
    this.fileSettings = new FileSettingsRepository(db);
    this.devices = new DeviceRepository(db);
    this.deviceSecrets = new DeviceSecretsRepository(db);
    this.contactRequests = new ContactRequestRepository(db);
    this.invites = new InviteRepository(db);
    this.identity = new IdentityRepository(db);
    this.settings = new SettingsRepository(db);
    this.keyPackages = new KeyPackageRepository(db);
    this.mlsDevice = new MlsDeviceRepository(db);
    this.mlsGroups = new MlsGroupRepository(db);
    this.mailbox = new MailboxRepository(db);
    this.members = new MemberRepository(db);
    this.seenEnvelopes = new SeenEnvelopeRepository(db);
    this.notifications = new NotificationRepository(db);
    this.timers = new TimerRepository(db);
    this.pendingContent = new PendingContentRepository(db);
    this.messageExtras = new MessageExtrasRepository(db);
    this.resync = new ResyncRepository(db);
    this.restoreNotices = new RestoreNoticeRepository(db);
    this.outbox = new OutboxRepository(db);
    this.addresses = new AddressRepository(db);
    this.groups = new GroupRepository(db);
    this.groupMembers = new GroupMemberRepository(db);
    this.sequencers = new SequencerRepository(db);
    this.senderNames = new SenderNameRepository(db);
    this.deviceLists = new DeviceListRepository(db);
    this.historyTransfers = new HistoryTransferRepository(db);
    this.linkGrant = new LinkGrantRepository(db);
    this.syncState = new SyncStateRepository(db);
    this.contactDevicesOf = (selfPeerId) => new ContactDeviceRepository(db, selfPeerId);
    this.tx = new Transactor(db);
    this.durabilityOf = () => durabilityOf(db);
  }

  /** Contacts' devices as seen from this device (`selfPeerId` is never one of a contact's). */
  contactDevices(selfPeerId: string): ContactDeviceRepository {
    return this.contactDevicesOf(selfPeerId);
  }

  /**
   * The connection's lazy-commit barrier (durability.ts): sync before
   * anything leaves. Made on first use, as before: it keeps the connection's
   * `synchronous` setting of that moment.
   */
  get durability(): Durability {
    return this.durabilityOf();
  }
}
