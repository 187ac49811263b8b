import { ParleyError } from '../errors';
import { peerIdOfDeviceKey } from '../net/deviceKey';
import type { Store } from '../store/store';
import type { DeviceListRequestName, HandlerDeps, HandlersFor } from './deps';
import { devicesView } from './devicesPresenter';

/** This device's PeerId, or '' before its first start made a device key (nothing is "this device" then). */
function thisPeerId(store: Store): string {
  const secrets = store.deviceSecrets.get();
  return secrets ? peerIdOfDeviceKey(secrets.deviceKey) : '';
}

/**
 * Handlers of contract/areas/devices.ts, the device-list block (issue 18
 * part a): read from the stored lists, so they answer with networking off too.
 */
export function deviceListHandlers({ store }: HandlerDeps): HandlersFor<DeviceListRequestName> {
  return {
    'devices.list': async () => {
      const s = store();
      const me = s.identity.get();
      if (!me) throw new ParleyError('INVALID_STATE', 'This profile has no identity.');
      return devicesView(s, me.publicKey, thisPeerId(s));
    },
    'devices.ofContact': async ({ contactId }) => {
      const s = store();
      const contact = s.contacts.byId(contactId);
      if (!contact) throw new ParleyError('INVALID_PARAMS', 'That contact is not in your contacts.');
      return devicesView(s, contact.identityKey, thisPeerId(s));
    },
  };
}
