import { createHash } from 'node:crypto';
import type { Contact, ContactRepository } from '../store/repositories/contactRepository';
import type { InviteRepository } from '../store/repositories/inviteRepository';
import type { Directory } from './directory';
import { decodeInvite } from './invite';
import { extractInviteLink } from './inviteText';

export interface InviteStatusDeps {
  invites: Pick<InviteRepository, 'find'>;
  directory: Pick<Directory, 'device'>;
  contacts: Pick<ContactRepository, 'byIdentityKey'>;
  /** This device: an invite naming another one is not ours to report on. */
  ownPeerId: string;
}

/** Where an invite stands, and the contact whose device used it (removed contacts too: the presenter decides). */
export interface InviteStatus {
  state: 'unknown' | 'open' | 'expired' | 'used';
  usedBy: Contact | null;
}

/**
 * Where one of this user's invites stands, so the "Add contact" dialog can
 * take a spent invite off the screen once the other side accepted it (issue
 * #17 item 18) instead of leaving a link that would only be refused. The
 * invite row keeps the PeerId that used it; the device directory names its
 * contact.
 */
export function inviteStatus(deps: InviteStatusDeps, link: string, now: number): InviteStatus {
  const invite = decodeInvite(extractInviteLink(link));
  if (!invite || invite.peerId !== deps.ownPeerId) return { state: 'unknown', usedBy: null };
  const row = deps.invites.find(new Uint8Array(createHash('sha256').update(invite.token).digest()));
  if (!row) return { state: 'unknown', usedBy: null };
  if (row.usedAt === null) return { state: row.expiresAt > now ? 'open' : 'expired', usedBy: null };
  const device = row.usedBy === null ? null : deps.directory.device(row.usedBy);
  const contact = device ? deps.contacts.byIdentityKey(device.identityKey) : null;
  return { state: 'used', usedBy: contact };
}
