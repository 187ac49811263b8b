import type { ConversationSummary } from '../../../../src-shared/contract';
import { useAppStore } from '../../store/appStore';
import { PopupMenu, type PopupMenuGroup } from './PopupMenu';
import { NOTIFY_OPTIONS, TIMER_OPTIONS } from './timerChoices';

/**
 * The context menu of a conversation in the list (right-click, Shift+F10 or
 * the Menu key): notifications, disappearing messages, mark read, leave.
 */
export function ConversationMenu({
  conversation,
  at,
  onClose,
}: {
  conversation: ConversationSummary;
  at: { x: number; y: number };
  onClose(): void;
}) {
  const setNotify = useAppStore((s) => s.setConversationNotify);
  const setTimer = useAppStore((s) => s.setConversationTimer);
  const markRead = useAppStore((s) => s.markConversationReadById);
  const leave = useAppStore((s) => s.leaveConversationById);
  const markAllRead = useAppStore((s) => s.markAllConversationsRead);
  const othersUnread = useAppStore((s) =>
    s.conversations.some((c) => c.id !== conversation.id && c.unreadCount > 0),
  );
  const id = conversation.id;

  const groups: PopupMenuGroup[] = [
    {
      label: 'Notifications',
      radio: true,
      items: NOTIFY_OPTIONS.map((o) => ({
        id: `notify-${o.mode}`,
        label: o.label,
        checked: conversation.notify === o.mode,
        onSelect: () => void setNotify(id, o.mode),
      })),
    },
    {
      label: 'Disappearing messages',
      radio: true,
      items: TIMER_OPTIONS.map((o) => ({
        id: `timer-${o.ms ?? 'off'}`,
        label: o.label,
        checked: conversation.disappearAfterMs === o.ms,
        onSelect: () => void setTimer(id, o.ms),
      })),
    },
    {
      label: 'Conversation',
      items: [
        ...(conversation.unreadCount > 0
          ? [{ id: 'mark-read', label: 'Mark as read', onSelect: () => void markRead(id) }]
          : []),
        ...(othersUnread
          ? [
              {
                id: 'mark-all-read',
                label: 'Mark all conversations as read',
                onSelect: () => void markAllRead(),
              },
            ]
          : []),
        ...(conversation.kind === 'group'
          ? [{ id: 'leave', label: 'Leave group', danger: true, onSelect: () => void leave(id) }]
          : []),
      ],
    },
  ].filter((g) => g.items.length > 0);

  return (
    <PopupMenu
      label={`${conversation.title}: conversation menu`}
      testId="conversation-menu"
      groups={groups}
      at={at}
      onClose={onClose}
    />
  );
}
