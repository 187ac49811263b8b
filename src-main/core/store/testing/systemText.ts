import { systemLine } from '../../../../src-renderer/src/features/chat/systemLine';
import type { Message } from '../repositories/types';
import { systemEventView } from '../systemEventView';

/**
 * A stored system row in the words the user sees: the row holds a
 * structured event, the renderer's presenter words it (with "You" for the
 * profile whose identity key is `selfKey`). Tests of the core assert the
 * lines through this, so they check what a user reads.
 */
export function systemText(m: Message, selfKey: Uint8Array): string {
  const view = systemEventView(m.event, Buffer.from(selfKey).toString('hex'));
  return view ? systemLine(view) : (m.body ?? '');
}
