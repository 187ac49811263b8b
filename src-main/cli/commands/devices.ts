import { type DeviceView, DevicesView } from '../../../src-shared/contract/areas/devices';
import { ParleyError } from '../../core/errors';
import type { CommandSpec } from '../commandSpec';
import { CliFailure, EXIT_OK } from '../cliError';
import {
  localMinute,
  nodeProfileOption,
  printable,
  type NodeSession,
  withNode,
} from '../control/nodeSession';

/**
 * `parley devices [--json]` (issue 18, docs/protocol.md §13.10): this
 * person's devices as the running node's list says, this device first:
 * name (or platform), platform, when linked, when last seen, short id.
 */

const PLATFORM_WORDS: Record<DeviceView['platform'], string> = {
  linux: 'Linux',
  macos: 'macOS',
  windows: 'Windows',
  cli: 'CLI',
  other: 'Other',
};

export async function listOwnDevices(node: NodeSession): Promise<DeviceView[]> {
  const parsed = DevicesView.safeParse(await node.call('devices.list'));
  if (!parsed.success) throw new ParleyError('INTERNAL', 'The node answered with no device list.');
  return parsed.data.devices;
}

/** What a device is called on screen: its name, else its platform. */
export function deviceLabel(d: DeviceView): string {
  return d.name === null ? PLATFORM_WORDS[d.platform] : printable(d.name);
}

/**
 * The device an ID names: its whole PeerId, or the 8-character short id this
 * command prints (a PeerId's last 8 characters; every Ed25519 PeerId begins
 * with the same "12D3KooW", so a prefix would name nothing) or any longer
 * end of it. An ID that names several devices is refused, never guessed.
 */
export function matchDevice(devices: readonly DeviceView[], id: string): DeviceView {
  const want = id.trim();
  if (want.length < 8)
    throw new CliFailure(
      `"${printable(want)}" is too short: give the 8-character id that \`parley devices\` shows.`,
    );
  const exact = devices.find((d) => d.peerId === want);
  if (exact) return exact;
  const found = devices.filter((d) => d.peerId.endsWith(want) || d.peerId.startsWith(want));
  if (found.length === 1 && found[0]) return found[0];
  if (found.length === 0)
    throw new CliFailure(`None of your devices has the id ${printable(want)}. See \`parley devices\`.`);
  throw new CliFailure(
    `${printable(want)} names ${found.length} of your devices (${found.map((d) => d.shortId).join(', ')}): give more of the id.`,
  );
}

function line(d: DeviceView): string {
  const seen = d.thisDevice
    ? 'this device'
    : d.lastSeenAt === null
      ? 'never seen'
      : `seen ${localMinute(d.lastSeenAt)}`;
  return [
    d.thisDevice ? '*' : ' ',
    deviceLabel(d).padEnd(20),
    PLATFORM_WORDS[d.platform].padEnd(8),
    `linked ${localMinute(d.linkedAt)}`,
    seen.padEnd(22),
    d.shortId,
  ].join('  ');
}

export const devicesCommand: CommandSpec = {
  name: 'devices',
  summary: "List this person's devices (this one first)",
  details:
    'One device per line: name, platform, when it was linked, when it was last seen, and its short id\n' +
    '(the id `parley device remove` and `parley device rename` take). Needs `parley node` running.',
  options: [nodeProfileOption, { name: 'json', type: 'boolean', description: 'print the devices as JSON' }],
  async run(values, io) {
    return withNode(values, io, async (node) => {
      const devices = await listOwnDevices(node);
      if (values.json === true) io.stdout(`${JSON.stringify(devices, null, 2)}\n`);
      else if (devices.length === 0) io.stdout('This profile has no device list yet.\n');
      else for (const d of devices) io.stdout(`${line(d)}\n`);
      return EXIT_OK;
    });
  },
};
