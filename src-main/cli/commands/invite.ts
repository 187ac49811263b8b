import { z } from 'zod';
import { ParleyError } from '../../core/errors';
import type { CommandSpec } from '../commandSpec';
import { EXIT_OK } from '../cliError';
import { nodeProfileOption, withNode } from '../control/nodeSession';

const Invite = z.object({ link: z.string() }).passthrough();

export const inviteCommand: CommandSpec = {
  name: 'invite',
  summary: 'Print a one-time invite from the running node',
  details:
    'Prints the invite link on stdout (one line), for example INVITE=$(parley invite). The other side runs\n' +
    '`parley accept INVITE` (or pastes it into the app). Needs `parley node` running on the profile.',
  options: [
    nodeProfileOption,
    { name: 'json', type: 'boolean', description: 'print {link, text, qrData} as JSON' },
  ],
  async run(values, io) {
    return withNode(values, io, async (node) => {
      const value = await node.call('contacts.createInvite');
      const invite = Invite.safeParse(value);
      if (!invite.success) throw new ParleyError('INTERNAL', 'The node answered with no invite link.');
      io.stdout(values.json === true ? `${JSON.stringify(invite.data, null, 2)}\n` : `${invite.data.link}\n`);
      return EXIT_OK;
    });
  },
};
