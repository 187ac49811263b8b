import type { Directory } from '../contacts/directory';
import type { KeyPackageExchange } from '../contacts/keyPackageExchange';
import type { OwnCards } from '../contacts/ownProfile';
import type { InboundContent } from '../content/inboundContent';
import type { Outbox } from '../delivery/outbox';
import type { PersonDevicesSource } from '../devices/devicesToAdd';
import type { KeyPackagePool, MlsDeviceIdentity, MlsStore } from '../mls';
import type { ContactDeviceRepository } from '../store/repositories/contactDeviceRepository';
import type { GroupRepository } from '../store/repositories/groupRepository';
import type { GroupMemberRepository } from '../store/repositories/groupMemberRepository';
import type { SequencerRepository } from '../store/repositories/sequencerRepository';
import type { Store } from '../store/store';
import type { BackgroundTasks } from '../util/backgroundTasks';
import type { KeyedMutex } from '../util/keyedMutex';
import type { Logger } from '../util/logger';
import type { GroupSequencers } from './groupSequencers';
import type { GroupChangeLog } from './groupChangeLog';

export interface GroupOptions {
  /** The sequencer's accept window (docs/protocol.md §10). */
  acceptMs?: number;
  tickMs?: number;
  selfUpdateAfterMs?: number;
  selfUpdateAfterMessages?: number;
  /** How long messages of a later epoch may wait for their commit before this device rejoins. */
  stallMs?: number;
  /** How long an own-device Add that could not reach the new device waits to try again (§13.6). */
  ownDeviceRetryMs?: number;
}

/** What this device announces of itself (lower layers: the profile card, the seal key, the node). */
export interface ProfileSource {
  /** The user's current signed profile cards (contacts/ownProfile.ts); without them no card is sent. */
  card(): OwnCards | undefined;
  sealPublicKey: Uint8Array;
  /** This device's PeerId. */
  peerId: string;
  /** Where this device listens now. */
  addresses(): string[];
}

/**
 * What group code is given: lower layers only (store, MLS, the outbox, the
 * directory of devices, contacts' KeyPackages, the inbound content router),
 * never a closure over the service that composes it (issue 16 item 1).
 */
/** The tables group code reads and writes, each behind its repository (store/repositories/). */
export interface GroupRepositories {
  groups: GroupRepository;
  members: GroupMemberRepository;
  sequencers: SequencerRepository;
  /** Contacts' devices, and which conversations are DMs with a contact. */
  contacts: ContactDeviceRepository;
}

export interface GroupOpsDeps {
  store: Store;
  repos: GroupRepositories;
  mls: MlsStore;
  outbox: Outbox;
  /** Contacts' devices: whom a relayed Welcome can go to; members' devices are recorded here. */
  directory: Pick<Directory, 'isHolder' | 'upsertDevice' | 'ownRelays' | 'checkIdentity'>;
  /** This device in MLS, and its one-time KeyPackages (a Welcome is for one of them). */
  device: MlsDeviceIdentity;
  pool: KeyPackagePool;
  /** One-time KeyPackages of the devices being added, and the pool's top-up (contacts/keyPackageExchange.ts). */
  keyPackages: Pick<KeyPackageExchange, 'fetch' | 'replenish'>;
  /** People's device lists: which of their devices a new conversation or an Add takes in (§13.6). */
  devices: PersonDevicesSource;
  /** What a decrypted application message does (content/inboundContent.ts). */
  inbound: Pick<InboundContent, 'apply'>;
  /** This device's profile as announced to groups (groups/profileAnnouncer.ts). */
  profile: ProfileSource;
  /** Wakes the delivery loop after envelopes were queued. */
  kick: () => void;
  logger: Logger;
  now: () => number;
  /** The per-conversation lock every group step runs under. */
  lock: KeyedMutex;
  identity: { publicKey: Uint8Array; displayName: string };
  /** Background work awaited on stop. */
  background: BackgroundTasks;
  /**
   * Fetches a person's device-list entries from a peer (devices/, §13.6), for
   * a message whose version 2 credential names entries not held yet.
   */
  fetchDeviceEntries?: (from: string, identityKey: Uint8Array) => Promise<void>;
  options?: GroupOptions;
}

/** What an operation did: committed now, or proposed/queued for later. */
export interface GroupAck {
  committed: boolean;
}

/** What the parts of GroupOps share: its dependencies, the cached sequencers and the group's change log. */
export interface GroupContext {
  readonly deps: GroupOpsDeps;
  readonly sequencers: GroupSequencers;
  readonly changeLog: GroupChangeLog;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
