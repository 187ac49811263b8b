import type {
  ContactProfile,
  ImportCounts,
  SafetyNumberView,
} from '../../../src-shared/contract/areas/contacts';
import type { InviteStatusView } from '../../../src-shared/contract';
import {
  devicesByIdentityKey,
  type ContactSafetyNumber,
  type ContactsService,
  type ImportResult,
} from '../contacts/contactsService';
import { parseAddresses } from '../contacts/directory';
import type { InviteStatus } from '../contacts/inviteStatus';
import type { Contact } from '../store/repositories/contactRepository';
import type { Store } from '../store/store';

/**
 * The presenter of contacts (contract/areas/contacts.ts): ContactsService
 * and the invite status hand out domain objects (a Contact, a safety number,
 * import counts); the views the renderer sees are made here, at the api
 * level, with the devices and the DM the profile shows.
 */

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A contact as the profile panel shows it: names, keys, trust, devices and the DM. */
export function contactProfileView(
  repos: Pick<Store, 'devices' | 'conversations'>,
  c: Contact,
): ContactProfile {
  const devices = (devicesByIdentityKey(repos.devices).get(hex(c.identityKey)) ?? []).map((d) => ({
    peerId: d.peerId,
    addresses: parseAddresses(d.addresses),
  }));
  const dm = repos.conversations.dmOfContact(c.id);
  return {
    id: c.id,
    name: c.localName ?? c.displayName,
    displayName: c.displayName,
    localName: c.localName,
    identityKey: hex(c.identityKey),
    verified: c.verifiedAt !== null,
    verifiedAt: c.verifiedAt,
    blocked: c.blocked,
    keyChanged: c.pendingKeyChange !== null,
    pendingKeyChange: c.pendingKeyChange
      ? { identityKey: hex(c.pendingKeyChange.identityKey), at: c.pendingKeyChange.at }
      : null,
    previousIdentityKey: c.previousIdentityKey ? hex(c.previousIdentityKey) : null,
    keyChangedAt: c.keyChangedAt,
    devices,
    dm: dm !== null ? { conversationId: dm, readOnly: c.blocked || c.removedAt !== null } : null,
  };
}

export function safetyNumberView(s: ContactSafetyNumber): SafetyNumberView {
  return {
    digits: s.number.digits,
    groups: s.number.groups,
    qrData: s.number.qrData,
    forNewKey: s.forNewKey,
  };
}

export function importCountsView(r: ImportResult): ImportCounts {
  return { added: r.added, updated: r.updated, skipped: r.skipped };
}

/** Where an invite stands; who used it is named only while they are a contact. */
export function inviteStatusView(status: InviteStatus): InviteStatusView {
  const contact = status.usedBy;
  return {
    state: status.state,
    usedBy:
      contact && contact.removedAt === null
        ? { contactId: contact.id, name: contact.localName ?? contact.displayName }
        : null,
  };
}

/** ContactsService with every answer mapped to its view: what the contacts handlers return. */
export class ContactsPresenter {
  constructor(
    private readonly service: ContactsService,
    private readonly repos: Pick<Store, 'devices' | 'conversations'>,
  ) {}

  profile(id: number): ContactProfile {
    return this.view(this.service.profile(id));
  }

  forConversation(conversationId: number): ContactProfile | null {
    const c = this.service.forConversation(conversationId);
    return c ? this.view(c) : null;
  }

  safetyNumber(id: number): SafetyNumberView {
    return safetyNumberView(this.service.safetyNumber(id));
  }

  verify(id: number, verified: boolean, qrData?: string): ContactProfile {
    return this.view(this.service.verify(id, verified, qrData));
  }

  keyChange(id: number, accept: boolean): ContactProfile {
    return this.view(this.service.keyChange(id, accept));
  }

  rename(id: number, name: string | null): ContactProfile {
    return this.view(this.service.rename(id, name));
  }

  block(id: number, blocked: boolean): ContactProfile {
    return this.view(this.service.block(id, blocked));
  }

  remove(id: number): void {
    this.service.remove(id);
  }

  exportJson(): string {
    return this.service.exportJson();
  }

  importJson(text: string): ImportCounts {
    return importCountsView(this.service.importJson(text));
  }

  private view(c: Contact): ContactProfile {
    return contactProfileView(this.repos, c);
  }
}
