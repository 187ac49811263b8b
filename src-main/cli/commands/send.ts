import { resolve } from 'node:path';
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
    'created if there is none yet. Put -- before a TEXT that starts with "-". With --file PATH the file is\n' +
    'sent (encrypted, in chunks; TEXT then follows it as a message). Needs `parley node` running.',
  options: [
    nodeProfileOption,
    { name: 'to', type: 'string', value: 'CONTACT', description: 'who gets the message', required: true },
    { name: 'file', type: 'string', value: 'PATH', description: 'a file to send' },
  ],
  positionals: { name: 'TEXT', description: 'the message (several words are joined)' },
  async run(values, io, positionals) {
    const to = values.to;
    if (typeof to !== 'string' || to.trim() === '') throw new UsageError('--to needs a contact name.');
    const text = positionals.join(' ');
    const file = typeof values.file === 'string' && values.file !== '' ? resolve(values.file) : null;
    if (text === '' && file === null) throw new UsageError('Give a TEXT to send, or --file PATH.');
    return withNode(values, io, async (node) => {
      const contact = matchContact(await listContacts(node), to);
      const conversationId =
        (await findDm(node, contact)) ??
        conversationIdOf(await node.call('conversations.createDm', { contactId: contact.id }));
      if (file !== null) await node.call('files.sendPath', { conversationId, path: file });
      if (text !== '') await node.call('messages.send', { conversationId, text });
      return EXIT_OK;
    });
  },
};
