import type { ReadOnlyReason, RestoreWaiting } from '../../../../src-shared/contract';

/** Up to three names, then how many more: "Ada", "Ada or Bob", "Ada, Bob, Carl or 2 other members". */
function whom({ waitingFor, others }: RestoreWaiting): string {
  if (waitingFor.length === 0) return 'a group member';
  if (others > 0)
    return `${waitingFor.join(', ')} or ${others === 1 ? 'one other member' : `${others} other members`}`;
  if (waitingFor.length === 1) return waitingFor[0] ?? '';
  return `${waitingFor.slice(0, -1).join(', ')} or ${waitingFor.at(-1) ?? ''}`;
}

/**
 * What the chat says instead of the composer when nothing can be sent any
 * more (ConversationSummary.readOnly), and what the CLI says beside a message
 * that will not be delivered. The core sends the reason as data (issue 16
 * item 5); `title` is the conversation's, the contact's name for a DM.
 */
export function readOnlyWords(reason: ReadOnlyReason, title: string): string {
  switch (reason.kind) {
    case 'left':
      return 'You left this group.';
    case 'removed':
      return 'You were removed from this group.';
    case 'replaced':
      return 'This profile was restored on another device, which took over this conversation.';
    case 'dmClosed':
      return 'This conversation has ended on this device.';
    case 'blocked':
      return `You blocked ${title}.`;
    case 'contactRemoved':
      return `You removed ${title} from your contacts.`;
    case 'restoring':
      return `Waiting for ${whom(reason)} to come online to finish restoring this conversation.`;
  }
}
