import { randomBytes } from 'node:crypto';
import type { LinkHandler, LinkServerChannel } from '../../net/linkProtocol';
import { makePeer, type TestPeer, type TestPeerOptions } from '../../net/testing/netHarness';
import { LinkError } from '../linkFailure';
import { LinkHost, type GrantRequest, type LinkHostEvent } from '../linkHost';
import type { ListHead } from '../linkKeySchedule';
import {
  linkNewDevice,
  type LinkedDevice,
  type LinkNewDeviceOptions,
  type LinkNewEvent,
} from '../linkNewDevice';

/**
 * Two real nodes on 127.0.0.1 for linking tests: E with a LinkHost whose grant
 * is a fake (records the JoinBody, returns a body of the asked size), and N,
 * a bare node that links with scripted SAS answers. Only for tests.
 */
export interface ExistingSide {
  peer: TestPeer;
  host: LinkHost;
  events: LinkHostEvent[];
  grants: GrantRequest[];
  linked: { peer: string; kHistory: Uint8Array; transferId: Uint8Array; headHash: Uint8Array }[];
  /** What the next grant() does. */
  grantWith: { body: Uint8Array; refuse?: LinkError };
  devices: { count: number };
  clockOffset: { ms: number };
}

export const HEAD: ListHead = { seq: 0, hash: new Uint8Array(32).fill(5) };

/**
 * E; `wrap` may replace the handler the node serves with (a hostile transport
 * around the real one).
 */
export async function existingDevice(
  options: {
    limits?: ConstructorParameters<typeof LinkHost>[0]['limits'];
    wrap?: (handler: LinkHandler) => LinkHandler;
    netLimits?: TestPeerOptions['limits'];
  } = {},
): Promise<ExistingSide> {
  const peer = await makePeer({
    limits: options.netLimits,
    strangers: { maxPerHost: 16, maxConnections: 16 },
  });
  const events: LinkHostEvent[] = [];
  const grants: GrantRequest[] = [];
  const linked: ExistingSide['linked'] = [];
  const grantWith: ExistingSide['grantWith'] = { body: new Uint8Array(randomBytes(2000)) };
  const devices = { count: 1 };
  const clockOffset = { ms: 0 };
  const host = new LinkHost({
    peerId: peer.id,
    identityKey: new Uint8Array(32).fill(9),
    addresses: () => peer.node.addresses(),
    head: () => HEAD,
    activeDeviceCount: () => devices.count,
    grant: async (request) => {
      grants.push(request);
      if (grantWith.refuse !== undefined) throw grantWith.refuse;
      return grantWith.body;
    },
    onLinked: (l) => linked.push(l),
    clock: () => Date.now() + clockOffset.ms,
    limits: options.limits,
  });
  host.on((event) => events.push(event));
  peer.node.services.link.handle(options.wrap ? options.wrap(host.handler) : host.handler);
  await peer.node.start();
  return { peer, host, events, grants, linked, grantWith, devices, clockOffset };
}

export async function newDevice(): Promise<TestPeer> {
  const peer = await makePeer({ strangers: { maxPerHost: 16, maxConnections: 16 } });
  await peer.node.start();
  return peer;
}

export interface LinkRun {
  result: Promise<LinkedDevice>;
  events: LinkNewEvent[];
  accepted: Uint8Array[];
}

/** N links with `code`, answering the SAS with `match` (or a promise the test resolves). */
export function link(
  n: TestPeer,
  code: string,
  match: boolean | Promise<boolean> = true,
  extra: Partial<LinkNewDeviceOptions> = {},
): LinkRun {
  const events: LinkNewEvent[] = [];
  const accepted: Uint8Array[] = [];
  const result = linkNewDevice({
    node: n.node,
    codeText: code,
    clock: () => Date.now(),
    confirmSas: async () => match,
    join: () => new Uint8Array(Buffer.from('join body')),
    accept: async (grant) => {
      accepted.push(grant);
      return new Uint8Array(32).fill(1);
    },
    onEvent: (e) => events.push(e),
    resumes: { count: 3, pauseMs: 100 },
    ...extra,
  });
  result.catch(() => undefined);
  return { result, events, accepted };
}

/** The reason a link run failed with, or 'linked'. */
export async function outcome(run: LinkRun): Promise<string> {
  try {
    await run.result;
    return 'linked';
  } catch (err) {
    return err instanceof LinkError ? err.reason : `threw ${String(err)}`;
  }
}

/** Serves with the real handler but breaks the stream at the first grant frame, once. */
export function dropFirstGrant(handler: LinkHandler): LinkHandler {
  let dropped = false;
  return {
    accepting: () => handler.accepting(),
    serve: (peer, channel) => {
      const wrapped: LinkServerChannel = {
        receive: (t) => channel.receive(t),
        close: () => channel.close(),
        send: async (message) => {
          if (message.kind === 'grant' && !dropped) {
            dropped = true;
            throw new Error('connection lost (test)');
          }
          return channel.send(message);
        },
      };
      return handler.serve(peer, wrapped);
    },
  };
}
