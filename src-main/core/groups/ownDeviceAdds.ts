import { ParleyError } from '../errors';
import { keyPackageDevice } from '../mls';
import { errorFields, type Logger } from '../util/logger';
import type { GroupAck } from './groupContext';

/** A device of this person as its list names it (docs/protocol.md §13.3). */
export interface OwnListedDevice {
  peerId: string;
  mlsSignatureKey: Uint8Array;
}

/** What adding a new own device to every conversation needs (§13.6). */
export interface OwnDeviceAddsDeps {
  /** Conversations with a group state that this device has not left (groups and DMs). */
  conversations: () => number[];
  /** The device already has a leaf in the conversation (another own device added it, or we did). */
  hasLeaf: (conversationId: number, peerId: string) => boolean;
  /** A one-time KeyPackage from the device over /parley/keypackage/1.0.0; null when it has none. */
  fetchKeyPackage: (peerId: string) => Promise<Uint8Array | null>;
  /** The device's MLS signature key, as this device judges credentials (mls/deviceDirectory.ts). */
  verifier: Uint8Array;
  identityKey: Uint8Array;
  /** The device as the own list has it now; null once it is no longer active there. */
  activeDevice: (peerId: string) => OwnListedDevice | null;
  addOwnDevice: (conversationId: number, peerId: string, keyPackage: Uint8Array) => Promise<GroupAck>;
  logger: Logger;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * §13.6: a KeyPackage fetched for a new own device is used only when its
 * credential is certified (version 2: by the own list's entry at its
 * `added_seq`), names this very PeerId and this person, and its leaf key is
 * the MLS signature key the list has for that device while it is active.
 * Anything else is refused with INVALID_STATE (nothing is committed).
 */
export function checkOwnDeviceKeyPackage(
  deps: Pick<OwnDeviceAddsDeps, 'verifier' | 'identityKey' | 'activeDevice'>,
  peerId: string,
  keyPackage: Uint8Array,
): void {
  const listed = deps.activeDevice(peerId);
  if (!listed) throw new ParleyError('INVALID_STATE', 'That device is not one of your active devices.');
  const d = keyPackageDevice(keyPackage, deps.verifier);
  if (
    !d ||
    d.peerId !== peerId ||
    !same(d.identityKey, deps.identityKey) ||
    !same(d.signatureKey, listed.mlsSignatureKey)
  ) {
    throw new ParleyError('INVALID_STATE', 'That device handed out a KeyPackage that is not its own.');
  }
}

/**
 * §13.6 step 3 (own side): once the own list has a new active device, this
 * device adds it to every conversation it is in: one checked KeyPackage
 * per conversation, an `addOwnDevice` commit through the §10 sequencer
 * (queued behind an epoch not yet accepted; lost → remade minus what the
 * winner did). One conversation at a time; a conversation already holding
 * the device's leaf is skipped, so a run after a restart or a second own
 * device doing the same finds less to do. A commit that fails is logged and
 * the others go on; when the device cannot be reached (or hands out a bad
 * KeyPackage) the run stops and the caller tries again later. Returns the
 * conversations it committed or queued an Add in, and whether it finished.
 */
export async function addOwnDeviceEverywhere(
  deps: OwnDeviceAddsDeps,
  peerId: string,
  skip: ReadonlySet<number> = new Set(),
  check: typeof checkOwnDeviceKeyPackage = checkOwnDeviceKeyPackage,
): Promise<{ added: number[]; finished: boolean }> {
  const added: number[] = [];
  for (const conversationId of deps.conversations()) {
    if (skip.has(conversationId) || deps.hasLeaf(conversationId, peerId)) continue;
    if (deps.activeDevice(peerId) === null) return { added, finished: true };
    let keyPackage: Uint8Array | null;
    try {
      keyPackage = await deps.fetchKeyPackage(peerId);
      if (keyPackage === null) throw new ParleyError('INVALID_STATE', 'That device has no KeyPackage.');
      check(deps, peerId, keyPackage);
    } catch (err) {
      deps.logger.log('info', 'groups.own_device_unreachable', errorFields(err));
      return { added, finished: false };
    }
    try {
      await deps.addOwnDevice(conversationId, peerId, keyPackage);
      added.push(conversationId);
    } catch (err) {
      deps.logger.log('warn', 'groups.own_device_add_failed', { conversationId, ...errorFields(err) });
    }
  }
  deps.logger.log('info', 'groups.own_device_added', { conversations: added.length });
  return { added, finished: true };
}
