import type { ReadOnlyReason, SystemEvent } from '../../../../src-shared/contract';
import type { StoredSystemEvent } from '../systemEvent';

/** Row shapes the repositories hand out: plain data, no SQLite types, safe to send over the bridge once mapped. */
export type ConversationKind = 'dm' | 'group';
export type NotifyMode = 'all' | 'mentions' | 'muted';
export type MessageState = 'pending' | 'sent' | 'held' | 'delivered' | 'read' | 'received' | 'failed';
export type MessageKind = 'text' | 'file' | 'system';

export interface ConversationSummary {
  id: number;
  kind: ConversationKind;
  /** Group name, or the DM contact's local or published name. */
  title: string;
  lastActivityAt: number;
  unreadCount: number;
  notify: NotifyMode;
  disappearAfterMs: number | null;
  /** Why nothing can be sent here any more (the renderer words it); null when it is writable. */
  readOnly: ReadOnlyReason | null;
  lastMessage: {
    id: number;
    preview: string;
    sentAt: number;
    outgoing: boolean;
    deleted: boolean;
    /** For a system row: what it says (the preview is empty then). */
    event: SystemEvent | null;
  } | null;
}

export interface Message {
  id: number;
  conversationId: number;
  uid: string;
  senderKey: Buffer;
  outgoing: boolean;
  kind: MessageKind;
  /** null when deleted for everyone. */
  body: string | null;
  replyToUid: string | null;
  sentAt: number;
  receivedAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  expiresAt: number | null;
  state: MessageState;
  heldBy: string | null;
  hasFile: boolean;
  /** What a system row says (store/systemEvent.ts); null for other rows, and for one this build cannot read. */
  event: StoredSystemEvent | null;
}

/** A place in a conversation's timeline; pages are cut at cursors (keyset pagination). */
export interface TimelineCursor {
  sentAt: number;
  id: number;
}
