import { addressProtocol, type AddressHooks } from './addressProtocol';
import { contactRequestProtocol, type ContactRequestInit } from './contactRequestProtocol';
import { deliverProtocol, type DeliverInit } from './deliverProtocol';
import { devicesProtocol, type DevicesHandler } from './devicesProtocol';
import { fileProtocol, type FileInit } from './fileProtocol';
import { groupInfoProtocol, type GroupInfoHandler } from './groupInfoProtocol';
import { helloProtocol, type HelloHooks } from './helloProtocol';
import { historyProtocol, type HistoryInit } from './historyProtocol';
import { keyPackageProtocol, type KeyPackageInit } from './keyPackageProtocol';
import { linkProtocol, type LinkHandler } from './linkProtocol';
import { mailboxProtocol, type MailboxInit } from './mailboxProtocol';
import type { ParleyNode } from './parleyNode';
import { presenceProtocol, type PresenceHooks } from './presenceProtocol';
import { reachProtocol, type ReachInit } from './reachProtocol';

/**
 * Parley's protocols, composed as one services map for ParleyNode.create, the
 * way a libp2p node is given `services: { identify: identify(), ping: ping() }`.
 * Adding a protocol: its own file (a ProtocolService and its factory) and one
 * line here. The order is the start order (stop is the reverse).
 *
 * Each init carries the handler its protocol calls when that already exists
 * where the node is composed; handlers of services built on top of the node
 * (delivery, files, contact requests) are registered with
 * `node.services.x.handle(...)` before the node starts.
 */
export interface ParleyProtocolsInit {
  deliver?: DeliverInit;
  keyPackages?: KeyPackageInit;
  mailbox?: MailboxInit;
  presence?: PresenceHooks;
  contactRequests?: ContactRequestInit;
  hello?: HelloHooks;
  files?: FileInit;
  groupInfo?: GroupInfoHandler;
  address?: AddressHooks;
  reach?: ReachInit;
  link?: LinkHandler;
  history?: HistoryInit;
  devices?: DevicesHandler;
}

export function parleyProtocols(init: ParleyProtocolsInit = {}) {
  return {
    deliver: deliverProtocol(init.deliver),
    keyPackages: keyPackageProtocol(init.keyPackages),
    mailbox: mailboxProtocol(init.mailbox),
    presence: presenceProtocol(init.presence),
    contactRequests: contactRequestProtocol(init.contactRequests),
    hello: helloProtocol(init.hello),
    files: fileProtocol(init.files),
    groupInfo: groupInfoProtocol(init.groupInfo),
    address: addressProtocol(init.address),
    reach: reachProtocol(init.reach),
    link: linkProtocol(init.link),
    history: historyProtocol(init.history),
    devices: devicesProtocol(init.devices),
  };
}

/** The services of a node composed from parleyProtocols(): `node.services.deliver`, … */
export type ParleyProtocols = {
  [K in keyof ReturnType<typeof parleyProtocols>]: ReturnType<ReturnType<typeof parleyProtocols>[K]>;
};

/** A node composed from parleyProtocols(): what the runtime and the domain services hold. */
export type ParleyProtocolNode = ParleyNode<ParleyProtocols>;
