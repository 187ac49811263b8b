import type { ContactRequestView } from '../../../src-shared/contract';
import type { PendingContactRequest } from '../contacts/contactRequests';
import type { Contact } from '../store/repositories/contactRepository';

const nameOf = (c: Contact): string => c.localName ?? c.displayName;
const fold = (s: string): string => s.normalize('NFKC').trim().toLocaleLowerCase();

/**
 * Pending contact requests as the UI shows them. A request is shown under a
 * contact's name only when it proved it is a device of that contact; one that
 * merely uses a contact's name is flagged so the UI can say it is someone
 * else (issue #14 item 2).
 */
export function contactRequestViews(
  contacts: readonly Contact[],
  pending: readonly PendingContactRequest[],
): ContactRequestView[] {
  const byId = new Map(contacts.map((c) => [c.id, c]));
  return pending.map((r) => {
    const contact = r.contactId === null ? undefined : byId.get(r.contactId);
    const namesake = contact
      ? undefined
      : contacts.find(
          (c) => fold(c.displayName) === fold(r.displayName) || fold(nameOf(c)) === fold(r.displayName),
        );
    return {
      id: r.id,
      name: contact ? nameOf(contact) : r.displayName,
      message: r.message,
      receivedAt: r.receivedAt,
      proven: r.proven,
      contactId: contact ? contact.id : null,
      sameNameAs: namesake ? nameOf(namesake) : null,
    };
  });
}
