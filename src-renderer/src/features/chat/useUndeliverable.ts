import { useAppStore } from '../../store/appStore';

/**
 * Why nothing can be sent in a conversation any more ("You blocked Bob.",
 * "You left this group."), or null: a message still waiting there will not be
 * delivered, and its state says so (deliveryLabel).
 */
export function useUndeliverable(conversationId: number): string | null {
  return useAppStore((s) => s.conversations.find((c) => c.id === conversationId)?.readOnly ?? null);
}
