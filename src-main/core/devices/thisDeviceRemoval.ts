import type { RemoveReason } from '../identity/deviceListEntry';
import type { Store } from '../store/store';

/**
 * This device was removed from its person's device list (docs/protocol.md
 * §13.8 step 4): when, by which device, and why. Kept in `settings`, because
 * the wipe deletes the device key the list names it by.
 */
export interface ThisDeviceRemoval {
  /** The removed device (this one, before its key was deleted). */
  peerId: string;
  /** The `remove` entry's time (ms). */
  at: number;
  /** The device that signed the entry (this one itself for `unlinked`). */
  by: string;
  /** The name the remover had in the list as held here, if any. */
  byName: string | null;
  reason: RemoveReason;
}

const KEY = 'devices.thisDeviceRemoved';
const REASONS: readonly RemoveReason[] = ['removed', 'replaced', 'unlinked'];

export function markThisDeviceRemoved(settings: Store['settings'], removal: ThisDeviceRemoval): void {
  settings.set(KEY, JSON.stringify(removal));
}

/** The removal of this device, or null while it is an active device (a damaged value reads as removed). */
export function thisDeviceRemoval(settings: Store['settings']): ThisDeviceRemoval | null {
  const raw = settings.get(KEY);
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<ThisDeviceRemoval>;
    return {
      peerId: typeof v.peerId === 'string' ? v.peerId : '',
      at: typeof v.at === 'number' ? v.at : 0,
      by: typeof v.by === 'string' ? v.by : '',
      byName: typeof v.byName === 'string' ? v.byName : null,
      reason: REASONS.includes(v.reason as RemoveReason) ? (v.reason as RemoveReason) : 'removed',
    };
  } catch {
    // A marker that does not parse still means "removed": the safe reading.
    return { peerId: '', at: 0, by: '', byName: null, reason: 'removed' };
  }
}

/** The repositories the wipe touches. */
export type WipeRepositories = Pick<
  Store,
  'groups' | 'resync' | 'keyPackages' | 'mlsDevice' | 'deviceSecrets' | 'identity' | 'tx'
>;

/**
 * §13.8 step 4: a removed device marks every conversation left and deletes
 * its MLS states, KeyPackages and keys (the identity private key too, if it
 * was device 0), in one transaction. Messages, contacts and files stay: the
 * local history remains readable (nobody can erase a disk remotely). Run
 * with messaging stopped, so nothing writes a group state back; safe to run
 * again (every unlock of a removed profile does).
 */
export function wipeRemovedDevice(repos: WipeRepositories, now: number): void {
  repos.tx.run(() => {
    repos.groups.markAllLeft(now);
    repos.resync.dropAllGroupStates();
    repos.keyPackages.clear();
    repos.mlsDevice.clear();
    repos.deviceSecrets.clear();
    repos.identity.forgetPrivateKey();
  });
}
