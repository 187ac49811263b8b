import { DeliveryService, type DeliveryOptions } from '../delivery/deliveryService';
import { Outbox } from '../delivery/outbox';
import { SqliteMailboxStore, type SqliteMailboxOptions } from '../delivery/sqliteMailboxStore';
import { FileService } from '../files/fileService';
import { FileTransfers } from '../files/fileTransfers';
import { KeyPackagePool, loadOrCreateDeviceIdentity, MlsStore, registerDeviceDirectory } from '../mls';
import { loadDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import { deviceClaimLists } from '../devices/deviceClaims';
import { DeviceLists } from '../devices/deviceLists';
import { DeviceListSync } from '../devices/deviceListSync';
import { outsideGroupsWiring, shownCertificate } from './outsideGroupsWiring';
import { ownCardIdentity } from './ownCardIdentity';
import { grantFromStore } from '../linking/grantSource';
import { LinkHost } from '../linking/linkHost';
import { replaceRestoredDevice } from '../devices/restoreReplacement';
import { ownDevice } from '../devices/ownDevice';
import { ParleyNode } from '../net/parleyNode';
import { parleyProtocols, type ParleyProtocolNode } from '../net/parleyProtocols';
import { tcpPortOf } from '../net/stableListen';
import type { Store } from '../store/store';
import { errorFields, silentLogger, type Logger } from '../util/logger';
import { AddressBook } from '../contacts/addressBook';
import { Directory } from '../contacts/directory';
import type { GroupOptions } from '../groups/groupOps';
import { MessagingService } from './messagingService';
import { NetworkFeatures } from '../presence/networkFeatures';
import { answerGroupInfo, resyncGroup, ResyncRunner } from '../groups/resync';
import { adoptOwnCard, ownCards } from '../contacts/ownProfile';
import { deviceIdentity, linkedMlsKeys, usesListedIdentity } from './linkedDevice';
import { Wakeup } from './wakeup';
import { loadOrCreateDeviceSecrets } from './deviceSecrets';
import { messagingNodeOptions, type MessagingNodeOptions } from './messagingNodeOptions';
import { cutOffRemovedDevices } from './revocationCutOff';
import { forgetOnRemove, removeGoneOwnDevices } from './revocationWiring';
import { addNewOwnDevices } from './ownDeviceAddWiring';
import { HistoryService } from '../history/historyService';
import { keepSelfGroup } from './selfGroupWiring';

/**
 * Wires identity, MLS, the node, delivery and messaging for one unlocked
 * profile. The caller (createCore, the CLI) owns the Store; this owns the
 * node and the services and stops them in reverse order.
 *
 * Everything is built once, in dependency order, with what it calls (no
 * late bindings): what the node's protocols call and that exists before the
 * node goes into the protocols map; the services built on the node
 * (messaging, delivery, files) then register their protocol handlers with
 * `node.services.x.handle()`, and the node starts only after that, so no
 * peer reaches a protocol before it can be served.
 */
export interface StartMessagingOptions {
  store: Store;
  /** The profile's identity key (raw public, PKCS#8 private) and display name. */
  identity: { publicKey: Uint8Array; privateKey: Uint8Array; displayName: string };
  node?: MessagingNodeOptions;
  delivery?: Partial<DeliveryOptions>;
  mailbox?: Partial<Omit<SqliteMailboxOptions, 'acceptsRecipient'>>;
  keyPackagePoolSize?: number;
  /** Group change timings (accept window, tick, self-update policy); tests shorten them. */
  groups?: GroupOptions;
  /** How often interrupted downloads are retried (default 15 s); tests shorten it. */
  files?: { retryMs?: number };
  /**
   * History on a linked device (issue 18, history/): the profile folder and a
   * second connection for its worker threads. Without it (tests of other
   * parts) the node answers no history requests.
   */
  history?: {
    profileDir: string;
    connection: () => { path: string; key: Buffer; nativeBinding?: string };
    retryMs?: number;
  };
  logger?: Logger;
  now?: () => number;
}

export interface RunningMessaging {
  service: MessagingService;
  node: ParleyProtocolNode;
  delivery: DeliveryService;
  outbox: Outbox;
  directory: Directory;
  mailbox: SqliteMailboxStore;
  files: FileService;
  /** Privacy settings, presence, nearby peers and the own profile card. */
  network: NetworkFeatures;
  /** Rejoins groups restored from a backup (groups/resync.ts). */
  resync: ResyncRunner;
  /** Signed address records, lookups through contacts, the LAN beacon key (issue 13). */
  addresses: AddressBook;
  /** Every person's device list, this profile's own first (issue 18, devices/). */
  devices: DeviceLists;
  /** How lists travel: the devices protocol's answers, heads, fetches and pushes. */
  deviceSync: DeviceListSync;
  /** "Link a new device": the code, the SAS, the grant (issue 18, linking/). */
  linking: LinkHost;
  /** History to and from a linked device (issue 18, history/); null without `history` options. */
  history: HistoryService | null;
  /** New own devices added to every conversation (§13.6 step 3); `settled` for tests and benches. */
  ownDeviceAdds: { settled(): Promise<void> };
  stop(): Promise<void>;
}

export async function startMessaging(options: StartMessagingOptions): Promise<RunningMessaging> {
  const { store } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const secrets = await loadOrCreateDeviceSecrets(store.deviceSecrets, now());
  const peerId = peerIdOfDeviceKey(secrets.deviceKey);
  // A linked device signs with a version 2 credential (§13.2, §13.6; runtime/linkedDevice.ts).
  const linked = usesListedIdentity(store, options.identity, peerId);
  const device0 = linked
    ? null
    : loadOrCreateDeviceIdentity(store.mlsDevice, options.identity, peerId, now());
  // Issue 18 (§13.11): the own device list, with entry 0 signed on the first start that has none.
  const own = ownDevice({
    identity: {
      publicKey: options.identity.publicKey,
      privateKey: linked ? null : options.identity.privateKey,
    },
    peerId,
    deviceKeyRaw: loadDeviceKey(secrets.deviceKey).raw,
    mls: device0 ?? linkedMlsKeys(store, peerId),
  });
  // §13.6: a person a co-member's commit names (a leaf, a pinned head) may be met in a group
  // first, not as a contact. While this device fetches that person's entries to judge such a
  // message (or a KeyPackage, a GroupInfo request), a first list is taken on first use, from
  // entry 0 signed by the identity key the message names (§13.3 rule 1), like that person's
  // version 1 leaf in the same commit, which the identity key's signature alone admits.
  const judging = new Map<string, number>();
  const fetchToJudge = async (from: string, identityKey: Uint8Array): Promise<void> => {
    const key = Buffer.from(identityKey).toString('hex');
    judging.set(key, (judging.get(key) ?? 0) + 1);
    try {
      await deviceSync.fetchEntries(from, identityKey);
    } finally {
      const n = (judging.get(key) ?? 1) - 1;
      if (n === 0) judging.delete(key);
      else judging.set(key, n);
    }
  };
  const deviceLists = new DeviceLists({
    repo: store.deviceLists,
    tx: store.tx,
    own,
    knows: (identityKey) =>
      store.contacts.byIdentityKey(identityKey) !== null ||
      judging.has(Buffer.from(identityKey).toString('hex')),
    logger,
    now,
    // §13.8: in the transaction that stores a `remove`, the device is forgotten.
    onRemove: forgetOnRemove(store, peerId, logger),
  });
  deviceLists.ensureOwnList();
  // §13.9 Replace: a restored device takes the place of the device its backup came from.
  replaceRestoredDevice({ lists: deviceLists, own, settings: store.settings, logger });
  const device = deviceIdentity(store, options.identity.publicKey, peerId, deviceLists, device0, now());
  // Proof that this PeerId is the person's device, for contact requests and hello: kind 1 by the
  // identity key on entry 0's device, else the kind 2 certificate its list entry carries (§13.6).
  const deviceCertificate = shownCertificate(deviceLists, options.identity, peerId, now());
  // §13.6: profile cards version 2 are signed by this device, as its own list names it.
  const ownIdentity = ownCardIdentity(options.identity, deviceLists, peerId, secrets.deviceKey);
  // §13.6: this device judges version 2 credentials against the lists it holds.
  const offDirectory = registerDeviceDirectory(device.signaturePublicKey, deviceLists);
  const pool = new KeyPackagePool(store.keyPackages, device, now);
  await pool.replenish(options.keyPackagePoolSize ?? 20);
  const mls = new MlsStore(store.mlsGroups, store.tx, now);
  const outbox = new Outbox(store, now, (recipient) => deviceLists.isRemovedDevice(recipient));
  const directory = new Directory(store, peerId, now);
  const network = new NetworkFeatures(store);
  const mailbox = new SqliteMailboxStore(store.mailbox, store.tx, {
    ...options.mailbox,
    // "Relay for contacts" off: this device holds for nobody (issue #5).
    acceptsRecipient: (recipient) => network.holdsForContacts() && directory.holdsFor(recipient),
  });
  // The port this profile listened on last time, so contacts' stored addresses stay right (issue 13).
  const addressRepo = store.addresses;
  const node = await ParleyNode.create(
    await messagingNodeOptions(options.node, {
      deviceKey: secrets.deviceKey,
      addresses: addressRepo,
      directory,
      network,
      logger,
    }),
    parleyProtocols({
      // §13.6: own devices add each other to every conversation, one KeyPackage each.
      keyPackages: {
        unlimitedFor: (peer) =>
          deviceLists.activeDevices(options.identity.publicKey).some((d) => d.peerId === peer),
      },
      presence: network.presence.hooks,
      hello: network.nearby.hooks,
      // Rejoining members (a profile restored on a new device) ask for the group's GroupInfo.
      groupInfo: (requester, groupId, credential) =>
        answerGroupInfo(
          {
            resync: store.resync,
            mls,
            directory,
            lists: deviceClaimLists(deviceLists, store.deviceLists),
            fetchDeviceEntries: fetchToJudge,
            logger,
          },
          requester,
          groupId,
          credential,
        ),
    }),
  );
  // §13.6 "Outside groups": devices in contact requests, invite answers and hello judged by their list.
  const outside = outsideGroupsWiring({
    identityKey: options.identity.publicKey,
    lists: deviceLists,
    sync: () => deviceSync,
    devices: () => node.services.devices,
    repo: store.deviceLists,
    now,
    logger,
  });
  // Device lists travel in address exchanges (heads) and over /parley/devices/1.0.0 (issue 18, §13.4).
  const deviceSync = new DeviceListSync({
    lists: deviceLists,
    node,
    devices: store.devices,
    addresses: addressRepo,
    recentlyContacted: outside.recentlyContacted,
    logger,
  });
  const addressBook = new AddressBook({
    heads: {
      local: (peer) => deviceSync.headsFor(peer),
      onHeads: (from, heads) => deviceSync.onHeads(from, heads),
    },
    repo: addressRepo,
    node,
    deviceKey: secrets.deviceKey,
    isOnline: (peer) => network.presence.isOnline(peer),
    onChange: () => network.connectivityChanged(),
    logger,
    now,
    refreshMs: options.node?.addressRefreshMs,
  });
  const self = { peerId, identityKey: options.identity.publicKey };
  const transfers = new FileTransfers({
    store,
    self,
    net: node,
    logger,
    now,
    ...(options.files?.retryMs ? { retryMs: options.files.retryMs } : {}),
  });
  // Messaging queues envelopes; delivery, built on top of it, listens and sends them.
  const queued = new Wakeup();
  const service = new MessagingService({
    store,
    mls,
    pool,
    device,
    outbox,
    directory,
    net: node,
    kick: () => queued.fire(),
    files: transfers,
    identity: { publicKey: options.identity.publicKey, displayName: options.identity.displayName },
    deviceCertificate,
    sealPublicKey: secrets.sealPublicKey,
    logger,
    now,
    keyPackagePoolSize: options.keyPackagePoolSize,
    groups: options.groups,
    profileCard: () => ownCards(store, ownIdentity, now()),
    deviceLists,
    adoptOwnCard: (card) => store.tx.run(() => adoptOwnCard(store, ownIdentity, card, now())),
    fetchDeviceEntries: fetchToJudge,
    ...outside,
  });
  network.bind({
    node,
    service,
    directory,
    identity: ownIdentity,
    deviceCertificate,
    outside,
    logger,
    now,
    reachableVia: (peer) => addressBook.reachability.through(peer),
  });
  const delivery = new DeliveryService({
    store,
    outbox,
    net: node,
    directory,
    sink: service,
    sealSecretKey: secrets.sealSecretKey,
    mailboxStore: mailbox,
    logger,
    now,
    options: options.delivery,
  });
  const files = new FileService({
    store,
    transfers,
    self,
    sendContent: (conversationId, content, row) => service.sendFileContent(conversationId, content, row),
    logger,
    now,
  });
  // Groups restored from a backup are rejoined by external commit (groups/resync.ts).
  const resyncDeps = {
    store,
    mls,
    outbox,
    device,
    fetchGroupInfo: (peer: string, groupId: Uint8Array, credential: Uint8Array) =>
      node.services.groupInfo.fetch(peer, groupId, credential),
    forget: (conversationId: number) => service.groups.sequencers.drop(conversationId),
    kick: () => delivery.kick(),
    isConnected: (peer: string) => node.isConnected(peer),
    announce: (conversationId: number) => service.groups.announce(conversationId),
    logger,
    now,
  };
  const resync = new ResyncRunner(resyncDeps);

  // The handlers of protocols whose callee is built on the node, before it starts.
  const { services } = node;
  services.address.handle(addressBook.hooks);
  node.beacon?.handle(addressBook.beaconHooks);
  services.deliver.handle((envelope) => delivery.onEnvelope(envelope));
  services.mailbox.handle({
    store: mailbox,
    // A contact holding for us says it has something new: fetch now, not at the next periodic fetch.
    onNotice: (holder) => {
      if (directory.isHolder(holder)) void delivery.fetchFrom(holder).catch(() => undefined);
    },
  });
  services.keyPackages.handle(service.keyPackageFor);
  services.contactRequests.handle((request) => service.requests.onRequest(request));
  services.files.handle(transfers.source);
  services.devices.handle(deviceSync.answer);
  // Issue 18 (§13.5): "Link a new device" answers new devices while its code is on screen.
  const linking = new LinkHost({
    peerId,
    identityKey: options.identity.publicKey,
    addresses: () => node.addresses(),
    head: () => deviceLists.headOf(options.identity.publicKey) ?? { seq: 0, hash: new Uint8Array(32) },
    activeDeviceCount: () => deviceLists.activeDevices(options.identity.publicKey).length,
    grant: grantFromStore({ store, lists: deviceLists, identityKey: options.identity.publicKey, now }),
    // §13.5 → §13.7: once N stored the grant, its history is offered under this exchange's keys
    // (linking/ and history/ do not know each other; this is where they meet).
    onLinked: (linked) => {
      if (!history) return;
      history
        .offerHistory({ kHistory: linked.kHistory, transferId: linked.transferId, peerId: linked.peer })
        .catch((err: unknown) => logger.log('warn', 'history.offer_failed', errorFields(err)));
    },
    clock: now,
  });
  services.link.handle(linking.handler);
  const history: HistoryService | null = options.history
    ? new HistoryService({
        transfers: store.historyTransfers,
        profileDir: options.history.profileDir,
        connection: options.history.connection,
        node,
        logger,
        now,
        // §13.7: served only while the requester is an active device of this person (devices/).
        isActiveOwnDevice: (peer) =>
          deviceLists.activeDevices(options.identity.publicKey).some((d) => d.peerId === peer),
        ...(options.history.retryMs ? { retryMs: options.history.retryMs } : {}),
      })
    : null;
  if (history) services.history.handle(history.sender.source);
  const offQueued = queued.on(() => delivery.kick());
  // Issue 18 (§13.8 step 2): removed own devices lose their leaves everywhere.
  const removals = removeGoneOwnDevices(
    deviceLists,
    { identityKey: options.identity.publicKey, peerId },
    {
      conversations: () => store.groups.open(),
      removeOwnDevices: (id, peers) => service.groups.removeOwnDevices(id, peers),
      logger,
    },
  );
  // §13.8 step 3: a removed device, anyone's, is relayed no more and hung up on.
  const cutOffs = cutOffRemovedDevices(deviceLists, node, {
    peerId,
    settled: () => deviceSync.settled(),
    logger,
  });

  // Issue 18 (§13.6 step 3): a new own device joins every conversation this device is in.
  const ownAdds = addNewOwnDevices({
    lists: deviceLists,
    own: { identityKey: options.identity.publicKey, peerId },
    adds: {
      // The self group adds own devices itself (groups/selfGroup.ts: the device listed first).
      conversations: () => store.groups.open().filter((id) => !store.conversations.isSelfGroup(id)),
      hasLeaf: (id, peer) =>
        service.groups.sequencers.get(id)?.seq.state.members.some((m) => m.peerId === peer) ?? false,
      fetchKeyPackage: (peer) => node.services.keyPackages.fetch(peer),
      verifier: device.signaturePublicKey,
      addOwnDevice: (id, peer, keyPackage) => service.groups.addOwnDevice(id, peer, keyPackage),
    },
    onPeer: (listener) => node.onPeer(listener),
    keepConnected: (peer) => node.keepConnected(peer, directory.device(peer)?.addresses ?? []),
    logger,
    ...(options.groups?.ownDeviceRetryMs ? { retryMs: options.groups.ownDeviceRetryMs } : {}),
  });

  let stopped = false;
  let offPeer: () => void = () => undefined;
  let selfGroup: { stop: () => Promise<void> } | null = null;
  // Stops whatever was started; also what a failed start runs, so no timer of a
  // half-started service outlives the database it reads (issue #14 item 5).
  const stopAll = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    offDirectory();
    offPeer();
    offQueued();
    await selfGroup?.stop();
    await ownAdds.stop();
    await removals.stop();
    await cutOffs.stop();
    await history?.stop();
    await resync.stop();
    await deviceSync.stop();
    await addressBook.stop();
    await network.stop();
    await files.stop();
    await delivery.stop();
    await service.stop();
    await node.stop();
  };
  try {
    await node.start();
    const port = tcpPortOf(node.addresses());
    if (port !== null) addressRepo.setListenPort(port);
    deviceSync.start();
    await addressBook.start();
    delivery.start();
    service.groups.start();
    network.start();
    files.start();
    for (const d of directory.contactDevices()) await node.keepConnected(d.peerId, d.addresses);
    // Issue 18 (§13.6): the person's other devices too (ownDeviceAddWiring.ts).
    await ownAdds.start();
    resync.start();
    history?.start();
    // A member's device coming online is asked at once (issue 13: restore rejoins at once).
    offPeer = node.onPeer(({ peerId: peer, connected }) => {
      if (!connected) return;
      resync.poke();
      // Issue 18 (§13.8): whoever we know may hold a removal of this device.
      deviceSync.onConnected(peer);
    });
    // Issue 18 (§13.6): the self group made, complete and its sync messages sent.
    selfGroup = keepSelfGroup({
      self: service.groups.self,
      lists: deviceLists,
      onPeer: (l) => node.onPeer(l),
    });
    // A device whose external commit lost (the sequencer's mustRejoin) rejoins the same way.
    service.groups.onMustRejoin((conversationId) => resyncGroup(resyncDeps, conversationId));
  } catch (err) {
    await stopAll().catch((stopErr: unknown) =>
      logger.log('warn', 'messaging.stop_after_failed_start', errorFields(stopErr)),
    );
    throw err;
  }

  return {
    service,
    node,
    delivery,
    outbox,
    directory,
    mailbox,
    files,
    network,
    resync,
    addresses: addressBook,
    devices: deviceLists,
    deviceSync,
    linking,
    history,
    ownDeviceAdds: ownAdds,
    stop: stopAll,
  };
}
