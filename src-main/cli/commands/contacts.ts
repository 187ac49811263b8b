import type { CommandSpec } from '../commandSpec';
import { EXIT_OK } from '../cliError';
import { contactName, listContacts, printable, nodeProfileOption, withNode } from '../control/nodeSession';

export const contactsCommand: CommandSpec = {
  name: 'contacts',
  summary: 'List the contacts of the running node',
  details: 'One name per line. Needs `parley node` running on the profile.',
  options: [nodeProfileOption, { name: 'json', type: 'boolean', description: 'print the contacts as JSON' }],
  async run(values, io) {
    return withNode(values, io, async (node) => {
      const contacts = await listContacts(node);
      if (values.json === true) io.stdout(`${JSON.stringify(contacts, null, 2)}\n`);
      else if (contacts.length === 0) io.stdout('No contacts yet. Share `parley invite`.\n');
      else for (const c of contacts) io.stdout(`${printable(contactName(c))}\n`);
      return EXIT_OK;
    });
  },
};
