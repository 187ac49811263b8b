/**
 * Parley's MLS (RFC 9420) layer over ts-mls 1.6.4. This file is the public
 * surface: everything exported here speaks Uint8Array, numbers, strings and
 * Parley's own types; ts-mls types stay inside src-main/core/mls.
 * See docs/protocol.md for the formats and rules.
 */
export { DEFAULT_SUITE, suiteById, suiteInfo, type MlsSuiteInfo, type MlsSuiteName } from './suites';
export { createDeviceIdentity, listedDeviceIdentity, type MlsDeviceIdentity } from './credentials';
export {
  registerDeviceDirectory,
  type DeviceDirectory,
  type DirectoryDevice,
  type MissingEntries,
} from './deviceDirectory';
export {
  GROUP_METADATA_EXTENSION,
  LAST_RESORT_EXTENSION,
  MAX_NAME_BYTES,
  type GroupKind,
  type Role,
} from './extensions';
export { MlsGroupState, type MlsMember } from './groupState';
export {
  addMembers,
  commitPending,
  createGroup,
  encrypt,
  exportRatchetTree,
  leave,
  proposeAdd,
  removeDevices,
  removeMembers,
  removeOwnDevices,
  rename,
  selfUpdate,
  setRole,
  startDm,
  type CommitOutcome,
  type Consumed,
  type CreateGroupOptions,
  type EncryptOutcome,
  type ProposalOutcome,
} from './groupEngine';
export { processMessage, type CommitChanges, type ProcessOutcome, type ProposalSummary } from './incoming';
export { joinGroup, welcomeKeyPackageRefs, type JoinKeyMaterial, type JoinOutcome } from './join';
export { generateKeyPackage, KEY_PACKAGE_LIFETIME_MS, type GeneratedKeyPackage } from './keyPackages';
export {
  DEFAULT_POOL_SIZE,
  KeyPackagePool,
  loadOrCreateDeviceIdentity,
  loadListedDeviceIdentity,
  type HandedOutKeyPackage,
  type PoolCounts,
} from './keyPackagePool';
export { MlsStore, type Persistable } from './mlsStore';
export { isMlsRejection, MlsRejection, type MlsRejectReason } from './rejection';
export { beats, GroupSequencer } from './sequencer';
export {
  DEFAULT_ACCEPT_MS,
  DEFAULT_LOG_SIZE,
  DEFAULT_MAX_HELD,
  MISSING_ENTRIES_WAIT_MS,
  type AppliedCommit,
  type DeliveredMessage,
  type ReceivedProposal,
  type ReleasedWelcome,
  type SequencerOptions,
  type SequencerParts,
  type SequencerRevisions,
  type SequencerUpdate,
} from './sequencerTypes';
export {
  intentFromJson,
  intentToJson,
  type CommitIntent,
  type IntentJson,
  type ProposalIntent,
} from './commitIntent';
export { ownPendingProposals, type CommitSummary } from './commitSummary';
export { stillWanted, keyPackageDevice } from './intents';
export { keyPackageCredential } from './keyPackageCredential';
export { exportGroupInfo, rejoinByExternalCommit, type RejoinOutcome } from './rejoin';
