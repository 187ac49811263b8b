import type { CliIo } from '../io';
import { CliFailure, EXIT_OK, UsageError } from '../cliError';
import { printable, withNode } from '../control/nodeSession';
import { deviceLabel, listOwnDevices, matchDevice } from './devices';

/**
 * `parley device remove ID` and `parley device rename ID NAME` (issue 18,
 * docs/protocol.md §13.8, §13.10), through the running node. Remove asks
 * first (it cannot be undone: a removed device never returns to the list,
 * §13.3 rule 3) unless --yes.
 */

type Values = Record<string, string | boolean | undefined>;

export async function removeDevice(values: Values, io: CliIo, id: string): Promise<number> {
  return withNode(values, io, async (node) => {
    const device = matchDevice(await listOwnDevices(node), id);
    if (device.thisDevice)
      throw new CliFailure('That is this device. Remove it from another of your devices instead.');
    const label = `${deviceLabel(device)} (${device.shortId})`;
    if (values.yes !== true) {
      if (!io.promptLine)
        throw new UsageError('No terminal to answer in: pass --yes to remove without asking.');
      const answer = await io.promptLine(
        `Remove ${label}? It will stop receiving messages and be removed from your conversations; ` +
          'it cannot be added back (link it again as a new device). [y/N] ',
      );
      if (!/^\s*y(es)?\s*$/i.test(answer)) {
        io.stdout('Nothing was removed.\n');
        return EXIT_OK;
      }
    }
    await node.call('devices.remove', { peerId: device.peerId });
    io.stdout(`Removed ${label}. Your contacts are told as they come online.\n`);
    return EXIT_OK;
  });
}

export async function renameDevice(values: Values, io: CliIo, id: string, name: string): Promise<number> {
  return withNode(values, io, async (node) => {
    const device = matchDevice(await listOwnDevices(node), id);
    await node.call('devices.rename', { peerId: device.peerId, name });
    const shown = name.trim();
    io.stdout(
      shown === ''
        ? `${device.shortId} has no name now.\n`
        : `${device.shortId} is now called ${printable(shown)}.\n`,
    );
    return EXIT_OK;
  });
}
