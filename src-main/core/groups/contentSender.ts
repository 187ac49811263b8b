import { randomBytes } from 'node:crypto';
import { assertDmWritable } from '../contacts/contactsService';
import { CONTENT_VERSION, encodeContent, MAX_TEXT_CHARS, type Content } from '../content/content';
import { mentionsForText } from '../content/richMessaging';
import { ParleyError } from '../errors';
import type { Message } from '../store/repositories/types';
import type { GroupContext } from './groupContext';
import type { GroupSendQueue } from './groupSendQueue';

/**
 * Application content out: the one place that checks whether the user may
 * still write to a conversation (a blocked or removed contact's DM is
 * read-only; profiles still go out) before the content is encrypted and
 * queued through the group's send queue.
 */
export class ContentSender {
  constructor(
    private readonly ctx: GroupContext,
    private readonly queue: Pick<GroupSendQueue, 'send'>,
  ) {}

  /**
   * Encrypts content for a conversation and queues one envelope per other
   * device, with the new state and the caller's row in one transaction.
   * `row` gets the number of recipient devices and returns the message id.
   */
  async sendContent(
    conversationId: number,
    content: Content,
    row?: (recipients: number) => number | null,
  ): Promise<number | null> {
    const { conversations } = this.ctx.deps.store;
    // The self group carries own devices' profiles and sync (selfGroup.ts), never what a user writes (§13.6).
    if (content.type !== 'profile' && conversations.isSelfGroup(conversationId))
      throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
    // A blocked or removed contact's DM is read-only for everything the user sends (profiles still go out).
    if (content.type !== 'profile') assertDmWritable(conversations, conversationId);
    // Through the sequencer: a send in an epoch not yet accepted is kept to resend after a switch.
    return this.queue.send(conversationId, encodeContent(content), row);
  }

  /** Sends a text: MLS-encrypted once, one envelope per other device, stored 'pending' with it. */
  async sendText(
    conversationId: number,
    text: string,
    options: { replyToUid?: string; mentions?: string[] } = {},
  ): Promise<Message> {
    const { store, identity, now } = this.ctx.deps;
    if (text.length === 0 || text.length > MAX_TEXT_CHARS) {
      throw new ParleyError('INVALID_PARAMS', `A message is 1 to ${MAX_TEXT_CHARS} characters.`);
    }
    const uid = randomBytes(16).toString('hex');
    const sentAt = now();
    const content: Content = {
      v: CONTENT_VERSION,
      type: 'text',
      uid,
      sentAt,
      body: text,
      ...(options.replyToUid ? { replyToUid: options.replyToUid } : {}),
      ...(options.mentions?.length
        ? { mentions: mentionsForText(this.ctx.deps, conversationId, options.mentions) }
        : {}),
    };
    const messageId = await this.sendContent(conversationId, content, (recipients) => {
      return store.messages.insert({
        conversationId,
        uid,
        senderKey: Buffer.from(identity.publicKey),
        outgoing: true,
        body: text,
        replyToUid: options.replyToUid ?? null,
        mentions: content.mentions ?? null,
        sentAt,
        receivedAt: sentAt,
        state: recipients > 0 ? 'pending' : 'delivered',
      }).id;
    });
    const message = messageId === null ? null : store.messages.get(messageId);
    if (!message) throw new ParleyError('INTERNAL', 'The message was not stored.');
    return message;
  }
}
