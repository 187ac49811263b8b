import { MessagePage, type MessageView } from '../../../src-shared/contract';
import { ParleyError } from '../../core/errors';
import type { CommandSpec } from '../commandSpec';
import { EXIT_OK, UsageError } from '../cliError';
import {
  contactName,
  findDm,
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
    'Prints "YYYY-MM-DD HH:MM sender: text" lines, oldest first. CONTACT is a contact name\n' +
    '(case-insensitive; a unique prefix is enough). Needs `parley node` running on the profile.',
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
      const contact = matchContact(await listContacts(node), who);
      const conversationId = await findDm(node, contact);
      if (conversationId === null) {
        if (values.json === true) io.stdout('[]\n');
        else io.stdout(`No conversation with ${printable(contactName(contact))} yet.\n`);
        return EXIT_OK;
      }
      const page = MessagePage.safeParse(
        await node.call('messages.page', { conversationId, at: { latest: true }, limit }),
      );
      if (!page.success)
        throw new ParleyError('INTERNAL', 'The node answered messages.page in an unexpected shape.');
      const { messages } = page.data;
      if (values.json === true) io.stdout(`${JSON.stringify(messages, null, 2)}\n`);
      else for (const m of messages) io.stdout(`${formatMessage(m)}\n`);
      return EXIT_OK;
    });
  },
};

/** `2024-03-01 14:05 Ada: hello` (local time); deleted and file messages say so instead of a body. */
export function formatMessage(m: MessageView): string {
  const body =
    m.deletedAt !== null || m.body === null
      ? '(deleted)'
      : m.kind === 'file' && m.body === ''
        ? '(file)'
        : printable(m.body);
  return `${localMinute(m.sentAt)} ${printable(m.sender.name)}: ${body}`;
}
