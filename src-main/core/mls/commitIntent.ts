import type { Role } from './extensions';
import {
  addMembers,
  commitPending,
  removeMembers,
  removeOwnDevices,
  rename,
  selfUpdate,
  setRole,
  type CommitOutcome,
} from './groupEngine';
import type { MlsGroupState } from './groupState';

/** What a commit of this member was for, so a losing one can be made again (docs/protocol.md §10). */
export type CommitIntent =
  | { readonly type: 'add'; readonly keyPackages: readonly Uint8Array[] }
  /** Devices of this device's own person (§13.6): any member may commit it, with the own head pinned. */
  | { readonly type: 'addOwnDevice'; readonly keyPackages: readonly Uint8Array[] }
  | { readonly type: 'remove'; readonly identityKeys: readonly Uint8Array[] }
  /** Other devices of this device's own person, removed from its list (§13.8). */
  | { readonly type: 'removeOwnDevice'; readonly peerIds: readonly string[] }
  | { readonly type: 'rename'; readonly name: string }
  | { readonly type: 'setRole'; readonly identityKey: Uint8Array; readonly role: Role }
  | { readonly type: 'selfUpdate' }
  | { readonly type: 'commitPending' };

/** What a proposal of this member asks for (RFC 9420 §12.1): its own removal, or an Add for an admin to commit. */
export type ProposalIntent =
  { readonly type: 'leave' } | { readonly type: 'add'; readonly keyPackage: Uint8Array };

/** A CommitIntent as JSON (byte fields base64), for persisting queued intents. */
export type IntentJson =
  | { type: 'add'; keyPackages: string[] }
  | { type: 'addOwnDevice'; keyPackages: string[] }
  | { type: 'remove'; identityKeys: string[] }
  | { type: 'removeOwnDevice'; peerIds: string[] }
  | { type: 'rename'; name: string }
  | { type: 'setRole'; identityKey: string; role: Role }
  | { type: 'selfUpdate' }
  | { type: 'commitPending' };

export function intentToJson(i: CommitIntent): IntentJson {
  const b = (x: Uint8Array) => Buffer.from(x).toString('base64');
  switch (i.type) {
    case 'add':
    case 'addOwnDevice':
      return { type: i.type, keyPackages: i.keyPackages.map(b) };
    case 'remove':
      return { type: 'remove', identityKeys: i.identityKeys.map(b) };
    case 'removeOwnDevice':
      return { type: i.type, peerIds: [...i.peerIds] };
    case 'setRole':
      return { type: 'setRole', identityKey: b(i.identityKey), role: i.role };
    default:
      return i;
  }
}

export function intentFromJson(i: IntentJson): CommitIntent {
  const u = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
  switch (i.type) {
    case 'add':
    case 'addOwnDevice':
      return { type: i.type, keyPackages: i.keyPackages.map(u) };
    case 'remove':
      return { type: 'remove', identityKeys: i.identityKeys.map(u) };
    case 'setRole':
      return { type: 'setRole', identityKey: u(i.identityKey), role: i.role };
    default:
      return i;
  }
}

/** Makes the commit an intent asks for on `state` (null: nothing to commit). */
export function runIntent(state: MlsGroupState, i: CommitIntent): Promise<CommitOutcome | null> {
  switch (i.type) {
    case 'add':
    case 'addOwnDevice':
      // addMembers pins the heads a linked or own device needs (commitProposals.ts).
      return addMembers(state, i.keyPackages);
    case 'remove':
      return removeMembers(state, i.identityKeys);
    case 'removeOwnDevice':
      return removeOwnDevices(state, i.peerIds);
    case 'rename':
      return rename(state, i.name);
    case 'setRole':
      return setRole(state, i.identityKey, i.role);
    case 'selfUpdate':
      return selfUpdate(state);
    case 'commitPending':
      return commitPending(state);
  }
}
