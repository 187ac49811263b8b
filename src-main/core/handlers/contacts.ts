import { ContactsService } from '../contacts/contactsService';
import type { Store } from '../store/store';
import { ContactsPresenter } from './contactsPresenter';
import type { ContactsRequestName, HandlerDeps, HandlersFor } from './deps';

/** The profile's own identity key (safety numbers are computed from both keys). */
function selfIdentityKey(store: Store): Uint8Array {
  return new Uint8Array(store.self().publicKey);
}

/**
 * Handlers of contract/areas/contacts.ts. They work on the database alone
 * (nothing is sent), so they answer with networking off too; the node reads
 * blocking from the same database on every stream.
 */
export function contactsHandlers({ store }: HandlerDeps): HandlersFor<ContactsRequestName> {
  const service = (): ContactsPresenter => {
    const s = store();
    const contacts = new ContactsService({
      contacts: s.contacts,
      devices: s.devices,
      conversations: s.conversations,
      tx: s.tx,
      selfIdentityKey: () => selfIdentityKey(s),
      now: Date.now,
    });
    return new ContactsPresenter(contacts, s);
  };
  return {
    'contacts.get': ({ contactId }) => service().profile(contactId),
    'contacts.forConversation': ({ conversationId }) => service().forConversation(conversationId),
    'contacts.safetyNumber': ({ contactId }) => service().safetyNumber(contactId),
    'contacts.verify': ({ contactId, verified, qrData }) => service().verify(contactId, verified, qrData),
    'contacts.keyChange': ({ contactId, accept }) => service().keyChange(contactId, accept),
    'contacts.rename': ({ contactId, name }) => service().rename(contactId, name),
    'contacts.remove': ({ contactId }) => {
      service().remove(contactId);
      return {};
    },
    'contacts.block': ({ contactId, blocked }) => service().block(contactId, blocked),
    'contacts.export': () => ({ json: service().exportJson() }),
    'contacts.import': ({ json }) => service().importJson(json),
  };
}
