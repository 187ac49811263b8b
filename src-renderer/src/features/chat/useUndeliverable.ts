import { useAppStore } from '../../store/appStore';
import { readOnlyWords } from './readOnlyWords';

/**
 * Why nothing can be sent in a conversation any more ("You blocked Bob.",
 * "You left this group."), or null: a message still waiting there will not be
 * delivered, and its state says so (deliveryLabel).
 */
export function useUndeliverable(conversationId: number): string | null {
  return useAppStore((s) => {
    const c = s.conversations.find((x) => x.id === conversationId);
    return c?.readOnly ? readOnlyWords(c.readOnly, c.title) : null;
  });
}
