import type { MlsDeviceIdentity } from '../../mls';
import type { InboundEnvelope } from '../../net/deliverProtocol';
import { ParleyNode } from '../../net/parleyNode';
import { parleyProtocols, type ParleyProtocolNode } from '../../net/parleyProtocols';
import type { RunningMessaging } from '../startMessaging';
import { listedPhone, type ListedPhone } from './listedPhone';

/**
 * Test helper for §13.6 "new conversations": a second device of a running
 * device's person, listed in its list (version 2 credential), with a node of
 * its own on 127.0.0.1 that hands out its KeyPackages over
 * `/parley/keypackage/1.0.0`, serves its person's list over
 * `/parley/devices/1.0.0` (as every device does for its own person) and
 * records what reaches it over `/parley/deliver/1.0.0` (the Welcome). It
 * runs no MLS: it is the other end that a contact's device fetches from and
 * sends to, until a really linked device runs (runtime/messagingHost.ts).
 */
export interface RunningPhone extends ListedPhone {
  /** Its MLS identity (version 2 credential). */
  identity: MlsDeviceIdentity;
  node: ParleyProtocolNode;
  /** Envelopes delivered to it, in order. */
  envelopes: InboundEnvelope[];
  /** KeyPackages it handed out. */
  served: number;
  stop(): Promise<void>;
  /** Starts it again with the same keys on a new port (a device that comes back). */
  restart(): Promise<RunningPhone>;
}

export async function runningPhone(
  owner: RunningMessaging,
  options: {
    /** What it hands out instead of its own packages (a hostile device). */
    keyPackage?: (own: Uint8Array) => Uint8Array;
    /** Whether it serves its person's list (default yes). */
    servesList?: boolean;
  } = {},
): Promise<RunningPhone> {
  const listed = await listedPhone(owner, 4);
  const packages = [...listed.more];
  const envelopes: InboundEnvelope[] = [];
  const lists = owner.devices;
  let served = 0;
  const start = async (): Promise<ParleyProtocolNode> => {
    const n = await ParleyNode.create(
      {
        deviceKey: listed.device.deviceKey,
        listen: ['/ip4/127.0.0.1/tcp/0'],
        access: { isBlocked: () => false, isKnown: () => true },
        inboundConnectionsPerSecond: 10_000,
      },
      parleyProtocols({
        keyPackages: {
          provide: async () => {
            const own = packages.shift();
            if (!own) return null;
            served += 1;
            return options.keyPackage ? options.keyPackage(own) : own;
          },
        },
        deliver: {
          onEnvelope: async (e) => {
            envelopes.push(e);
            return 'accepted';
          },
        },
        devices: (_peer, ask) =>
          options.servesList === false ||
          !Buffer.from(ask.identityKey).equals(Buffer.from(lists.ownIdentityKey))
            ? { status: 'refused', entries: [] }
            : { status: 'ok', entries: lists.encodingsAfter(ask.identityKey, ask.after?.seq ?? -1) },
      }),
    );
    await n.start();
    return n;
  };
  let node = await start();
  const phone: RunningPhone = {
    ...listed,
    get node() {
      return node;
    },
    envelopes,
    get served() {
      return served;
    },
    stop: () => node.stop(),
    restart: async () => {
      await node.stop().catch(() => undefined);
      node = await start();
      return phone;
    },
  };
  return phone;
}
