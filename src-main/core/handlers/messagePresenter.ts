import type { MessageView } from '../../../src-shared/contract';
import type { ProfileRepositories } from '../store/profileRepositories';
import type { Message } from '../store/repositories/types';
import { systemEventView } from '../store/systemEventView';

/**
 * The presenter of messages (contract MessageView): stored messages as the
 * UI shows them, keys as hex and the sender's name (our own, a contact's
 * local or published name, the name a group member who is not a contact
 * announced, or a short key for a stranger), and the holder by name. The
 * names are read once per page (SenderNameRepository).
 */
export function messageViews(
  repos: Pick<ProfileRepositories, 'identity' | 'senderNames'>,
  messages: Message[],
): MessageView[] {
  const self = repos.identity.get();
  const names = repos.senderNames.namesOfKeys([...new Set(messages.map((m) => m.senderKey.toString('hex')))]);
  const holders = repos.senderNames.holderNames([
    ...new Set(messages.flatMap((m) => (m.heldBy === null ? [] : [m.heldBy]))),
  ]);
  const selfHex = self?.publicKey.toString('hex');
  return messages.map((m) => {
    const key = m.senderKey.toString('hex');
    const isSelf = key === selfHex;
    return {
      id: m.id,
      conversationId: m.conversationId,
      uid: m.uid,
      sender: {
        key,
        self: isSelf,
        name: isSelf ? (self?.displayName ?? 'You') : (names.get(key) ?? `Unknown (${key.slice(0, 8)})`),
      },
      kind: m.kind,
      body: m.body,
      event: systemEventView(m.event, selfHex),
      replyToUid: m.replyToUid,
      sentAt: m.sentAt,
      editedAt: m.editedAt,
      deletedAt: m.deletedAt,
      expiresAt: m.expiresAt,
      state: m.state,
      heldBy: m.heldBy === null ? null : (holders.get(m.heldBy) ?? null),
      hasFile: m.hasFile,
    };
  });
}
