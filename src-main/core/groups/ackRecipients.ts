import type { MlsGroupState } from '../mls';

/**
 * Who gets this device's commit acks (docs/protocol.md §10, "Acceptance").
 * In a group of up to ACK_FANOUT_LIMIT other devices: everyone, so every
 * member learns that the epoch settled and can commit the next change at
 * once. Beyond that, n members acking to n members costs n² envelopes per
 * commit (a million for a self-update in a 1,000-member group), so acks go
 * only to the owner's and admins' devices, who make the group's changes;
 * the other members accept the epoch when its window ends or the next
 * commit arrives, as before.
 */
export const ACK_FANOUT_LIMIT = 32;

export function ackRecipients(state: MlsGroupState, awaitingWelcome: readonly string[]): string[] {
  const waiting = new Set(awaitingWelcome);
  const others = state.members.filter((m) => !m.isSelf && !waiting.has(m.peerId));
  const chosen =
    others.length <= ACK_FANOUT_LIMIT
      ? others
      : others.filter((m) => m.role === 'owner' || m.role === 'admin');
  return [...new Set(chosen.map((m) => m.peerId))];
}
