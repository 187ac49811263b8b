import type { ThisDeviceView } from '../../../src-shared/contract/areas/devices';
import { thisDeviceRemoval } from '../devices/thisDeviceRemoval';
import { ParleyError } from '../errors';
import type { Store } from '../store/store';
import type { DeviceChangeRequestName, HandlerDeps, HandlersFor } from './deps';
import { devicesView, shortDeviceId, thisPeerId } from './devicesPresenter';
import { syncRecorder } from './selfSyncRecorder';

/** This device's standing (the removed screen's facts; the renderer writes the words). */
export function thisDeviceView(store: Store): ThisDeviceView {
  const removal = thisDeviceRemoval(store.settings);
  if (removal === null) return { removed: null };
  return {
    removed: {
      at: removal.at,
      reason: removal.reason,
      by: removal.by === '' ? null : { shortId: shortDeviceId(removal.by), name: removal.byName },
      personName: store.identity.displayName() ?? '',
    },
  };
}

/**
 * Handlers of contract/areas/devices.ts, the revocation block (issue 18 part
 * c, docs/protocol.md §13.8, §13.10): names are local (read from and written
 * to the stored own list, so they work offline); remove and unlink sign a
 * list entry, which needs the running device (its list and its node, which
 * pushes the entry to the own devices and contacts connected now).
 */
export function deviceChangeHandlers(deps: HandlerDeps): HandlersFor<DeviceChangeRequestName> {
  const { store } = deps;
  const record = syncRecorder(deps);
  /** The profile's identity key; a removed device changes nothing more. */
  const ownKey = (s: Store): Uint8Array => {
    const me = s.identity.get();
    if (!me) throw new ParleyError('INVALID_STATE', 'This profile has no identity.');
    if (thisDeviceRemoval(s.settings) !== null)
      throw new ParleyError('FORBIDDEN', 'This device was removed from your devices.');
    return me.publicKey;
  };
  const activeOwn = (s: Store, ik: Uint8Array, peerId: string) => {
    const d = s.deviceLists.devices(ik).find((x) => x.peerId === peerId && x.removedSeq === null);
    if (!d) throw new ParleyError('INVALID_PARAMS', 'That device is not one of your devices.');
    return d;
  };
  return {
    'devices.rename': async ({ peerId, name }) => {
      const s = store();
      const ik = ownKey(s);
      activeOwn(s, ik, peerId);
      const next = name === '' ? null : name;
      // §13.6: the other own devices show the new name too (sync.deviceName), in the rename's transaction.
      s.tx.run(() => {
        s.deviceLists.rename(peerId, next);
        record(s, { type: 'sync.deviceName', peerId, name: next });
      });
      deps.bus.emit('devices.changed', { contactId: null });
      return devicesView(s, ik, thisPeerId(s));
    },
    'devices.remove': async ({ peerId }) => {
      const s = store();
      const ik = ownKey(s);
      const self = thisPeerId(s);
      if (peerId === self)
        throw new ParleyError('INVALID_PARAMS', 'To remove the device you are on, use “Unlink this device”.');
      activeOwn(s, ik, peerId);
      const m = await deps.messaging.running();
      // In one transaction: the entry, the device marked removed, its queued rows gone (§13.8);
      // the list's news then pushes the entry to the devices connected now.
      m.devices.appendRemove(peerId, 'removed');
      deps.logger.log('info', 'devices.removed_by_user', {});
      return devicesView(s, ik, self);
    },
    'devices.unlink': async () => {
      const s = store();
      const ik = ownKey(s);
      activeOwn(s, ik, thisPeerId(s));
      const m = await deps.messaging.running();
      m.devices.appendRemove(m.node.peerId, 'unlinked');
      deps.logger.log('info', 'devices.unlinked_by_user', {});
      return thisDeviceView(s);
    },
    'devices.thisDevice': async () => thisDeviceView(store()),
  };
}
