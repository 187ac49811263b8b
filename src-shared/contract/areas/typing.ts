import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/**
 * Who is typing where (issue #7 item 3). This user's own typing state is the
 * `messages.typing` request; what others' devices said arrives here.
 */

export const typingRequests = {} as const satisfies RequestTable;

export const typingEvents = {
  /** Who is typing in a conversation changed (names; empty when nobody is). */
  'typing.changed': z.object({ conversationId: z.number().int(), names: z.array(z.string()) }),
} as const satisfies EventTable;
