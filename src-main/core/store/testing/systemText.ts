import { systemLine } from '../../../../src-renderer/src/features/chat/systemLine';
import type { Message } from '../repositories/types';
import { parseSystemEvent } from '../systemEvent';
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

/** A raw row's words: its body, or for a system row its event (`messages.event` JSON) in the renderer's words. */
export function rowText(row: { body: string | null; event: string | null }, selfKey?: Uint8Array): string {
  const view = systemEventView(
    parseSystemEvent(row.event),
    selfKey ? Buffer.from(selfKey).toString('hex') : undefined,
  );
  return view ? systemLine(view) : (row.body ?? '');
}
