import type { CommandSpec } from '../commandSpec';
import { EXIT_OK, UsageError } from '../cliError';
import {
  conversationIdOf,
  findDm,
  listContacts,
  matchContact,
  nodeProfileOption,
  withNode,
} from '../control/nodeSession';

export const sendCommand: CommandSpec = {
  name: 'send',
  summary: 'Send a message to a contact through the running node',
  details:
    'CONTACT is a contact name (case-insensitive; a unique prefix is enough). The direct conversation is\n' +
    'created if there is none yet. Put -- before a TEXT that starts with "-". Needs `parley node` running.',
  options: [
    nodeProfileOption,
    { name: 'to', type: 'string', value: 'CONTACT', description: 'who gets the message', required: true },
  ],
  positionals: { name: 'TEXT', description: 'the message (several words are joined)', required: true },
  async run(values, io, positionals) {
    const to = values.to;
    if (typeof to !== 'string' || to.trim() === '') throw new UsageError('--to needs a contact name.');
    const text = positionals.join(' ');
    return withNode(values, io, async (node) => {
      const contact = matchContact(await listContacts(node), to);
      const conversationId =
        (await findDm(node, contact)) ??
        conversationIdOf(await node.call('conversations.createDm', { contactId: contact.id }));
      await node.call('messages.send', { conversationId, text });
      return EXIT_OK;
    });
  },
};
