import { MessagePage, type MessageView } from '../../../src-shared/contract';
import { systemLine } from '../../../src-renderer/src/features/chat/systemLine';
import type { ContactEntry } from '../control/nodeSession';
import { ParleyError } from '../../core/errors';
import type { CommandSpec } from '../commandSpec';
import { EXIT_OK, UsageError } from '../cliError';
import {
  contactName,
  findDmEntry,
  whyReadOnly,
  holderName,
  listContacts,
  localMinute,
  matchContact,
  printable,
  nodeProfileOption,
  withNode,
} from '../control/nodeSession';

const MAX_LIMIT = 200;

export const messagesCommand: CommandSpec = {
  name: 'messages',
  summary: 'Show the latest messages with a contact from the running node',
  details:
    'Prints "YYYY-MM-DD HH:MM sender: text" lines, oldest first; a message you sent ends with where it\n' +
    'is: (not sent yet), (sent), (held by NAME until CONTACT is online), (delivered), (read) or\n' +
    '(failed: not delivered). CONTACT is a contact name (case-insensitive; a unique prefix is enough).\n' +
    'Needs `parley node` running on the profile.',
  options: [
    nodeProfileOption,
    { name: 'with', type: 'string', value: 'CONTACT', description: 'whose conversation', required: true },
    {
      name: 'limit',
      type: 'string',
      value: 'N',
      description: `most messages, 1 to ${MAX_LIMIT} (default 50)`,
    },
    { name: 'json', type: 'boolean', description: 'print the messages as JSON' },
  ],
  async run(values, io) {
    const who = values.with;
    if (typeof who !== 'string' || who.trim() === '') throw new UsageError('--with needs a contact name.');
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT)) {
      throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}.`);
    }
    return withNode(values, io, async (node) => {
      const contacts = await listContacts(node);
      const contact = matchContact(contacts, who);
      const dm = await findDmEntry(node, contact);
      if (dm === null) {
        if (values.json === true) io.stdout('[]\n');
        else io.stdout(`No conversation with ${printable(contactName(contact))} yet.\n`);
        return EXIT_OK;
      }
      const page = MessagePage.safeParse(
        await node.call('messages.page', { conversationId: dm.id, at: { latest: true }, limit }),
      );
      if (!page.success)
        throw new ParleyError('INTERNAL', 'The node answered messages.page in an unexpected shape.');
      const { messages } = page.data;
      if (values.json === true) io.stdout(`${JSON.stringify(messages, null, 2)}\n`);
      else {
        const about: Delivery = { contacts, recipient: contact, readOnly: whyReadOnly(dm) };
        for (const m of messages) io.stdout(`${formatMessage(m, about)}\n`);
      }
      return EXIT_OK;
    });
  },
};

/** What a sent message's state is told against: who could hold it, for whom, and whether it still can go. */
export interface Delivery {
  contacts: readonly ContactEntry[];
  recipient: ContactEntry;
  /** Why the conversation cannot send any more (blocked, replaced by a restore…); null when it can. */
  readOnly: string | null;
}

/**
 * `2024-03-01 14:05 Ada: hello (delivered)` (local time); deleted and file
 * messages say so instead of a body. A sent message ends with its delivery
 * state, the CLI's version of the chat's ticks (issue #17 item 22).
 */
export function formatMessage(m: MessageView, about?: Delivery): string {
  // A group or timer change: the renderer's words (issue 16 item 5); no delivery state.
  if (m.event) return `${localMinute(m.sentAt)} ${printable(systemLine(m.event))}`;
  const body =
    m.deletedAt !== null || m.body === null
      ? '(deleted)'
      : m.kind === 'file' && m.body === ''
        ? '(file)'
        : printable(m.body);
  const line = `${localMinute(m.sentAt)} ${printable(m.sender.name)}: ${body}`;
  const state = m.sender.self && m.kind !== 'system' && about ? deliveryWords(m, about) : null;
  return state ? `${line} (${state})` : line;
}

/** The words for where a sent message is; null for states that belong to incoming messages. */
export function deliveryWords(m: Pick<MessageView, 'state' | 'heldBy'>, about: Delivery): string | null {
  const to = printable(contactName(about.recipient));
  switch (m.state) {
    case 'pending':
      // Nothing will take it from the outbox any more: say so rather than "sending" for ever.
      return about.readOnly ? `will not be delivered: ${printable(about.readOnly)}` : 'not sent yet';
    case 'sent':
      return 'sent';
    case 'held':
      return `held by ${holderName(about.contacts, m.heldBy)} until ${to} is online`;
    case 'delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'failed':
      return 'failed: not delivered';
    case 'received':
      return null;
  }
}
