import { NetStatus, ProfileStatus } from '../../../src-shared/contract';
import { isParleyError } from '../../core/errors';
import type { CommandSpec } from '../commandSpec';
import { EXIT_OK } from '../cliError';
import { printable, nodeProfileOption, withNode } from '../control/nodeSession';

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'Show the state of the running node',
  details:
    'Profile, network state, peer count, PeerId and addresses. Needs `parley node` running on the profile.',
  options: [
    nodeProfileOption,
    { name: 'json', type: 'boolean', description: 'print {profile, net} as JSON' },
  ],
  async run(values, io) {
    return withNode(values, io, async (node) => {
      const profile = ProfileStatus.parse(await node.call('profile.status'));
      let net: NetStatus | null = null;
      try {
        net = NetStatus.parse(await node.call('net.status'));
      } catch (err) {
        // A node whose core has no network still answers for its profile.
        if (!isParleyError(err, 'UNKNOWN_REQUEST')) throw err;
      }
      if (values.json === true) {
        io.stdout(`${JSON.stringify({ profileDir: node.profileDir, profile, net }, null, 2)}\n`);
        return EXIT_OK;
      }
      const who = profile.displayName ? ` as ${printable(profile.displayName)}` : '';
      io.stdout(`Profile: ${node.profileDir} (${profile.state}${who})\n`);
      if (!net) {
        io.stdout('Network: not available in this build\n');
        return EXIT_OK;
      }
      io.stdout(`Network: ${net.state}, ${net.peers} ${net.peers === 1 ? 'peer' : 'peers'}\n`);
      io.stdout(`PeerId: ${net.peerId ?? '(none)'}\n`);
      io.stdout(`Addresses:\n${net.addresses.map((a) => `  ${printable(a)}\n`).join('') || '  (none)\n'}`);
      return EXIT_OK;
    });
  },
};
