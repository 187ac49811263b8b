import { ParleyError } from '../errors';
import { deviceChangeHandlers } from './deviceChanges';
import type { DeviceListRequestName, HandlerDeps, HandlersFor } from './deps';
import { devicesView, thisPeerId } from './devicesPresenter';

/**
 * Handlers of contract/areas/devices.ts, the device-list block (issue 18
 * part a): read from the stored lists, so they answer with networking off too.
 */
export function deviceListHandlers(deps: HandlerDeps): HandlersFor<DeviceListRequestName> {
  const { store } = deps;
  return {
    ...deviceChangeHandlers(deps),
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
