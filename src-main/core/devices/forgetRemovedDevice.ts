import type { Store } from '../store/store';

/** The repositories a removal touches on the devices that learn of it. */
export type RemovalRepositories = Pick<Store, 'outbox' | 'mailbox' | 'devices'>;

/**
 * What a device does when a person's list removes one of that person's
 * devices D (docs/protocol.md §13.8 steps 1 and 3), inside the transaction
 * that stores the `remove` entry: nothing still queued for D leaves (its
 * outbox rows go), nothing held for D is handed over (this device stops
 * relaying for it: the mailbox rows go, and `holdsFor` refuses new ones once
 * its `devices` row is gone), and D becomes unknown here, so of the node's
 * protocols only the ones open to strangers answer it (contact-request,
 * hello, groupinfo, and devices, which is how D learns it was removed).
 */
export function forgetRemovedDevice(
  repos: RemovalRepositories,
  peer: string,
): { outbox: number; held: number; known: boolean } {
  return {
    outbox: repos.outbox.deleteForRecipient(peer),
    held: repos.mailbox.deleteForRecipient(peer),
    known: repos.devices.delete(peer),
  };
}
