import { devicesToAdd } from '../devices/devicesToAdd';
import { ParleyError } from '../errors';
import { peerTag } from '../net/protocolService';
import { errorFields } from '../util/logger';
import type { GroupContext } from './groupContext';

/**
 * One KeyPackage from each device of each person a conversation is made
 * with or a person is added (docs/protocol.md §13.6, "New conversations"):
 * every device active in that person's list (devices/devicesToAdd.ts), each
 * asked itself over `/parley/keypackage/1.0.0` and judged against the lists
 * (contacts/keyPackageExchange.ts). A KeyPackage is one-time and lives on
 * its device, so a device that is offline cannot give one: the conversation
 * is made with the devices that answered, and the others are added later by
 * their own person's devices (the own-device Add of §13.6, which any device
 * of that person may commit). A person none of whose devices answered stops
 * the whole (with that device's error, as when a person had one device);
 * this device's own other devices are welcome but never required.
 */

export interface PersonToAdd {
  identityKey: Uint8Array;
  /** Devices this profile knows for the person (`devices` rows), oldest first. */
  known: readonly string[];
  /** At least one of its devices must answer (a contact); false for this device's own person. */
  required: boolean;
}

export interface DeviceKeyPackage {
  peer: string;
  keyPackage: Uint8Array;
}

export async function peopleKeyPackages(
  ctx: GroupContext,
  people: readonly PersonToAdd[],
  /** Devices already in the group (an Add): not asked again. */
  present: ReadonlySet<string> = new Set(),
): Promise<DeviceKeyPackage[]> {
  const { keyPackages, devices, profile, logger } = ctx.deps;
  const asked = people.map((p) => ({
    person: p,
    peers: devicesToAdd(devices, p.identityKey, p.known, profile.peerId).filter((d) => !present.has(d)),
  }));
  const answers = await Promise.all(
    asked.map(async ({ person, peers }) => ({
      person,
      results: await Promise.allSettled(peers.map((peer) => keyPackages.fetch(peer))),
      peers,
    })),
  );
  const out: DeviceKeyPackage[] = [];
  for (const { person, results, peers } of answers) {
    const got: DeviceKeyPackage[] = [];
    results.forEach((r, i) => {
      const peer = peers[i] as string;
      if (r.status === 'fulfilled') got.push({ peer, keyPackage: r.value });
      else
        logger.log('info', 'messaging.device_not_added', { peer: peerTag(peer), ...errorFields(r.reason) });
    });
    if (got.length === 0 && person.required) {
      const first = results.find((r) => r.status === 'rejected');
      if (!first) throw new ParleyError('INVALID_PARAMS', 'That contact has no known device.');
      throw first.reason;
    }
    out.push(...got);
  }
  return out;
}
