import { ParleyError } from '../errors';
import { loadDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import type { Store } from '../store/store';
import { ed25519SignerFromSeed } from '../util/ed25519';
import { errorFields, type Logger } from '../util/logger';
import type { DeviceLists, OwnDevice } from './deviceLists';

/**
 * §13.9 "Replace the old device" (issue 18): a profile restored from a
 * backup is a new device N (backup/restoredDevice.ts gives it a new device
 * key); the device the backup came from, D_old, is replaced. The restore
 * keeps D_old's device key here, in the restored (encrypted) database, only
 * until N's first start, which writes the two entries §13.9 names: `add(N)`
 * signed by D_old (the backup's authority is D_old's place in the list), then
 * `remove(D_old, reason 2 "replaced by a restore")` signed by N; then the key
 * is deleted. Contacts take both from the head (§13.4) and forget D_old; if
 * D_old still runs, it learns it was replaced and wipes itself (§13.8 step 4).
 */

const KEY = 'devices.restoreReplaces';

type Settings = Pick<Store['settings'], 'get' | 'set' | 'delete'>;

/** At restore: the device key of the device this backup came from (libp2p's protobuf form). */
export function recordReplacedDevice(settings: Settings, oldDeviceKey: Uint8Array): void {
  settings.set(KEY, JSON.stringify({ deviceKey: Buffer.from(oldDeviceKey).toString('base64') }));
}

/** Whether a restore still waits to write its entries (tests and the restore notice). */
export function replacementPending(settings: Settings): boolean {
  return settings.get(KEY) !== null;
}

export type ReplacementOutcome =
  /** No restore waits. */
  | 'none'
  /** Both entries are in the own list (or were already). */
  | 'replaced'
  /** The backup has no list (made before issue 18), or its device is not in it: nothing to replace. */
  | 'not-listed'
  /** The list refused the entries (its device was removed meanwhile, five devices, a fork): said in the log. */
  | 'refused';

function oldDeviceKey(settings: Settings): Uint8Array | null {
  const raw = settings.get(KEY);
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as { deviceKey?: unknown };
    if (typeof v.deviceKey !== 'string') return null;
    return new Uint8Array(Buffer.from(v.deviceKey, 'base64'));
  } catch {
    return null;
  }
}

/**
 * At start, after the own list was read (`ensureOwnList`): writes §13.9's
 * entries for a restore that waits, and forgets D_old's key whatever the
 * outcome (a key that could not sign now never will: the list only moves
 * on). Safe to run again after an interruption between the two entries.
 */
export function replaceRestoredDevice(input: {
  lists: DeviceLists;
  own: OwnDevice;
  settings: Settings;
  logger: Logger;
}): ReplacementOutcome {
  const { lists, own, settings, logger } = input;
  if (settings.get(KEY) === null) return 'none';
  const key = oldDeviceKey(settings);
  const outcome = key === null ? 'not-listed' : write(lists, own, key, logger);
  key?.fill(0);
  settings.delete(KEY);
  logger.log(outcome === 'refused' ? 'warn' : 'info', 'devices.restore_replace', { outcome });
  return outcome;
}

function write(lists: DeviceLists, own: OwnDevice, key: Uint8Array, logger: Logger): ReplacementOutcome {
  let oldPeerId: string;
  let oldSign: (m: Uint8Array) => Uint8Array;
  try {
    oldPeerId = peerIdOfDeviceKey(key);
    oldSign = ed25519SignerFromSeed(loadDeviceKey(key).raw);
  } catch (err) {
    logger.log('warn', 'devices.restore_replace_key_unreadable', errorFields(err));
    return 'not-listed';
  }
  const active = () => lists.activeDevices(own.identityKey).map((d) => d.peerId);
  const head = lists.headOf(own.identityKey);
  if (head === null) return 'not-listed';
  if (!lists.allDevices(own.identityKey).some((d) => d.peerId === oldPeerId)) return 'not-listed';
  try {
    if (!active().includes(own.peerId)) {
      lists.appendAdd({
        subjectPeerId: own.peerId,
        mlsSignatureKey: own.mlsSignatureKey,
        platform: own.platform,
        possession: lists.ownPossession(head.seq + 1, head.hash),
        signer: { peerId: oldPeerId, sign: oldSign },
      });
    }
    if (active().includes(oldPeerId)) lists.appendRemove(oldPeerId, 'replaced');
    return 'replaced';
  } catch (err) {
    if (!(err instanceof ParleyError)) throw err;
    logger.log('warn', 'devices.restore_replace_refused', errorFields(err));
    return 'refused';
  }
}
