import { ContactsService } from '../contacts/contactsService';
import type { Store } from '../store/store';
import type { Contact } from '../store/repositories/contactRepository';

type SyncContactFields = {
  op: 'upsert' | 'remove';
  localName?: string | null;
  verifiedAt?: number | null;
  blocked?: boolean;
};
import { ContactsPresenter } from './contactsPresenter';
import type { ContactsRequestName, HandlerDeps, HandlersFor } from './deps';
import { syncRecorder, type SyncRecorder } from './selfSyncRecorder';

/** The profile's own identity key (safety numbers are computed from both keys). */
function selfIdentityKey(store: Store): Uint8Array {
  return new Uint8Array(store.self().publicKey);
}

/**
 * Handlers of contract/areas/contacts.ts. They work on the database alone
 * (nothing is sent), so they answer with networking off too; the node reads
 * blocking from the same database on every stream.
 */
export function contactsHandlers(deps: HandlerDeps): HandlersFor<ContactsRequestName> {
  const { store } = deps;
  const record: SyncRecorder = syncRecorder(deps);
  /** Runs a change of a contact and, in its transaction, tells the other own devices (§13.6). */
  const synced = <T>(contactId: number, work: () => T, fields: (after: Contact) => SyncContactFields): T => {
    const s = store();
    return s.tx.run(() => {
      const result = work();
      const after = s.contacts.byId(contactId);
      if (after === null) return result;
      record(s, { type: 'sync.contact', identityKey: after.identityKey, ...fields(after) });
      return result;
    });
  };
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
    'contacts.verify': ({ contactId, verified, qrData }) =>
      synced(
        contactId,
        () => service().verify(contactId, verified, qrData),
        (c) => ({ op: 'upsert', verifiedAt: c.verifiedAt }),
      ),
    'contacts.keyChange': ({ contactId, accept }) => service().keyChange(contactId, accept),
    'contacts.rename': ({ contactId, name }) =>
      synced(
        contactId,
        () => service().rename(contactId, name),
        (c) => ({ op: 'upsert', localName: c.localName }),
      ),
    'contacts.remove': ({ contactId }) => {
      synced(
        contactId,
        () => service().remove(contactId),
        () => ({ op: 'remove' }),
      );
      return {};
    },
    'contacts.block': ({ contactId, blocked }) =>
      synced(
        contactId,
        () => service().block(contactId, blocked),
        (c) => ({ op: 'upsert', blocked: c.blocked }),
      ),
    'contacts.export': () => ({ json: service().exportJson() }),
    'contacts.import': ({ json }) => service().importJson(json),
  };
}
