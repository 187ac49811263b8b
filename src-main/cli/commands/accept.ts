import type { CommandSpec } from '../commandSpec';
import { EXIT_OK } from '../cliError';
import { contactName, listContacts, printable, nodeProfileOption, withNode } from '../control/nodeSession';

export const acceptCommand: CommandSpec = {
  name: 'accept',
  summary: 'Accept an invite through the running node',
  details:
    'Adds the inviter as a contact and starts a direct conversation with them. Both nodes must be able\n' +
    'to reach each other. Needs `parley node` running on the profile.',
  options: [nodeProfileOption],
  positionals: { name: 'INVITE', description: 'the invite link (parley://invite/…)', required: true },
  async run(values, io, positionals) {
    const invite = positionals.join('').trim();
    return withNode(values, io, async (node) => {
      const before = new Set((await listContacts(node)).map((c) => c.id));
      await node.call('contacts.acceptInvite', { invite });
      const added = (await listContacts(node)).filter((c) => !before.has(c.id));
      const names = added.map((c) => printable(contactName(c)));
      io.stdout(names.length > 0 ? `Added ${names.join(', ')} as a contact.\n` : 'Invite accepted.\n');
      return EXIT_OK;
    });
  },
};
