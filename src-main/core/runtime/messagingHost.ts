import { linkStatusView } from '../handlers/devices';
import type { EventBus } from '../rpc/eventBus';
import { databaseError, ParleyError } from '../errors';
import { ListenError } from '../net/listenError';
import { preloadNodeModules } from '../net/preloadNodeModules';
import type { Store } from '../store/store';
import { errorFields, type Logger } from '../util/logger';
import type { ChangeFeed } from '../store/changeFeed';
import { bridgeNetworkEvents } from '../handlers/networkPresenter';
import type { HistoryProgress } from '../history/historyReceiver';
import { startMessaging, type RunningMessaging, type StartMessagingOptions } from './startMessaging';
import type { MessagingNodeOptions } from './messagingNodeOptions';
import { thisDeviceRemoval, wipeRemovedDevice } from '../devices/thisDeviceRemoval';

/** Why a removed device does not go online (§13.8); the renderer shows its own screen for it. */
export const REMOVED_DEVICE_PROBLEM =
  'This device was removed from your devices. It can no longer send or receive messages.';
/** How long a device that was just removed (or unlinked itself) waits for its pushes before stopping. */
const REMOVED_PUSH_WAIT_MS = 3_000;

/** The network options a shell passes to createCore; absent means no networking. */
export interface NetworkOptions {
  /** Multiaddrs to listen on, e.g. ['/ip4/127.0.0.1/tcp/0']. */
  listen?: string[];
  /** LAN discovery by mDNS (default off). */
  mdns?: boolean;
  /** Addresses other networks reach this device on (`parley node --public`): it relays for contacts. */
  publicAddresses?: string[];
  /**
   * Do not start the node on unlock; it starts on `goOnline()` (the user's
   * "Go online"). The web shell without an address to listen on starts so.
   */
  startOffline?: boolean;
  /** Test-only speed-ups (timeouts, backoff), passed through to startMessaging. */
  tuning?: Pick<StartMessagingOptions, 'delivery' | 'keyPackagePoolSize' | 'groups' | 'files'> & {
    node?: Omit<MessagingNodeOptions, 'listen' | 'mdns'>;
  };
}

/**
 * Runs messaging (node, delivery, MLS) for the unlocked profile inside
 * createCore: started on unlock, stopped before the database closes, and the
 * bridge events (`net.status`, `messages.changed`, `conversations.changed`,
 * `contacts.changed`) emitted from it. Start is asynchronous while unlock is
 * not, so requests wait for `running()`.
 */
/** Why networking did not start, in words for the user (a shell may print it and stop). */
export function startProblem(err: unknown): string {
  if (err instanceof ListenError) {
    const where = err.port !== null ? `port ${err.port}` : (err.address ?? 'the listen address');
    switch (err.reason) {
      case 'in-use':
        return `Parley could not go online: ${where} is in use by another program. Stop it, or choose another port.`;
      case 'denied':
        return `Parley could not go online: it may not listen on ${where} (ports below 1024 need administrator rights). Choose another port.`;
      case 'unavailable':
        return `Parley could not go online: this computer has no address ${err.address ?? ''}. Choose another listen address.`;
      default:
        return `Parley could not go online: it could not listen on ${where}.`;
    }
  }
  const storage = databaseError(err);
  if (storage) return `Parley could not go online. ${storage.message}`;
  // A refusal the core words itself (a linked device, §13.6) is shown as it is.
  if (err instanceof ParleyError && err.code === 'INVALID_STATE') return err.message;
  return 'Parley could not start networking. See the log for details.';
}

export class MessagingHost {
  private starting: Promise<RunningMessaging | null> | null = null;
  private store: Store | null = null;
  /** A node was started (or tried) since unlock; false while a startOffline shell waits for goOnline. */
  private launched = false;
  private failure: string | null = null;
  private warmedUp = false;
  private current: { messaging: RunningMessaging | null; feed: ChangeFeed; unsubscribe: () => void } | null =
    null;

  constructor(
    private readonly deps: {
      network?: NetworkOptions;
      bus: EventBus;
      logger: Logger;
      /** The profile folder and second connections, for history to and from a linked device (issue 18). */
      history?: {
        profileDir: string;
        connection: () => { path: string; key: Buffer; nativeBinding?: string };
        /** Tests shorten the wait between asks. */
        retryMs?: number;
      };
    },
  ) {}

  get enabled(): boolean {
    return this.deps.network !== undefined;
  }

  /**
   * The unlock screen is up, or an unlock has begun: a shell that goes online
   * at unlock loads the node's modules now (~0.5 s on 2 cores), while the user
   * types and the key derivation runs off this thread, rather than after
   * unlock while the home screen loads. Once per run; nothing for a shell that
   * starts offline (it may never go online) or without networking.
   */
  warmUp(): void {
    const network = this.deps.network;
    if (!network || network.startOffline || this.starting || this.warmedUp) return;
    this.warmedUp = true;
    // A node with public addresses holds no reservations, so never upgrades over WebRTC (nodeReach.ts).
    preloadNodeModules({ webrtc: !network.publicAddresses?.length }).catch((err: unknown) =>
      this.deps.logger.log('warn', 'messaging.preload_failed', errorFields(err)),
    );
  }

  /** Called when the profile was unlocked (the Store exists). */
  start(store: Store): void {
    if (this.starting) return;
    const feed = store.changeFeed((changes) => {
      for (const conversationId of changes.messages)
        this.deps.bus.emit('messages.changed', { conversationId });
      if (changes.conversations) this.deps.bus.emit('conversations.changed', {});
      if (changes.contacts) this.deps.bus.emit('contacts.changed', {});
    });
    feed.start();
    this.current = { messaging: null, feed, unsubscribe: () => undefined };
    this.store = store;
    this.starting = this.deps.network?.startOffline ? Promise.resolve(null) : this.launchLogged(store);
  }

  private launchLogged(store: Store): Promise<RunningMessaging | null> {
    this.launched = true;
    this.failure = null;
    return this.launch(store).catch((err: unknown) => {
      this.deps.logger.log('error', 'messaging.start_failed', errorFields(err));
      this.failure = startProblem(err);
      return null;
    });
  }

  /**
   * Starts the node if it is not running: the first time for a shell that
   * starts offline, or again after a start that failed. Waits for a start
   * already under way instead of starting a second node.
   */
  async goOnline(): Promise<RunningMessaging> {
    const running = await this.runningOrNull();
    if (running) return running;
    if (!this.enabled) throw new ParleyError('OFFLINE', 'Networking is turned off in this Parley.');
    const store = this.store;
    if (!this.current || !store) throw new ParleyError('LOCKED', 'Unlock Parley first.');
    const attempt = this.starting;
    const again = await attempt;
    if (again) return again;
    // Two clicks at once share one start: only the first replaces the settled attempt.
    if (this.starting === attempt) this.starting = this.launchLogged(store);
    return this.running();
  }

  private async launch(store: Store): Promise<RunningMessaging | null> {
    const network = this.deps.network;
    if (!network) return null;
    // §13.8 step 4: a removed device stays offline, and finishes its wipe if a stop cut it short.
    if (thisDeviceRemoval(store.settings) !== null) {
      wipeRemovedDevice(store, Date.now());
      throw new ParleyError('INVALID_STATE', REMOVED_DEVICE_PROBLEM);
    }
    const identity = store.identity.withPrivateKey();
    if (!identity) throw new ParleyError('INVALID_STATE', 'This profile has no identity.');
    // A linked device (no identity private key, docs/protocol.md §13.2) runs like any other with
    // its own version 2 credential (§13.6); its history (§13.7) resumes in its HistoryService.
    const messaging = await startMessaging({
      store,
      identity,
      node: {
        ...network.tuning?.node,
        listen: network.listen,
        mdns: network.mdns ?? false,
        ...(network.publicAddresses ? { publicAddresses: network.publicAddresses } : {}),
      },
      delivery: network.tuning?.delivery,
      keyPackagePoolSize: network.tuning?.keyPackagePoolSize,
      groups: network.tuning?.groups,
      files: network.tuning?.files,
      ...(this.deps.history ? { history: this.deps.history } : {}),
      logger: this.deps.logger,
    });
    const current = this.current;
    if (!current) {
      // Locked while starting.
      await messaging.stop();
      return null;
    }
    current.messaging = messaging;
    const offState = messaging.node.onConnectionState((state) => this.deps.bus.emit('net.status', state));
    // File progress and state changes (core/files) go to every shell as they happen.
    const offFiles = messaging.files.onEvent((e) =>
      e.event === 'files.progress'
        ? this.deps.bus.emit('files.progress', e.payload)
        : this.deps.bus.emit('files.changed', e.payload),
    );
    const offNetwork = bridgeNetworkEvents(messaging.network, this.deps.bus);
    const offHistory =
      messaging.history?.onProgress((p) => this.historyProgress(store, p)) ?? (() => undefined);
    // Issue 18: "Link a new device" moves on (a new device connected, a user answered, done, failed).
    const offLinking = messaging.linking.on(() =>
      this.deps.bus.emit('devices.linkProgress', linkStatusView(messaging.linking)),
    );
    // Device lists (issue 18): whose changed or forked, by contact (null: our own).
    const offDevices = messaging.devices.on((news) => {
      if (news.kind === 'thisDeviceRemoved') {
        this.retire(store, messaging);
        return;
      }
      const own = Buffer.from(news.identityKey).equals(Buffer.from(identity.publicKey));
      const contactId = own ? null : (store.contacts.byIdentityKey(news.identityKey)?.id ?? undefined);
      if (contactId === undefined) return;
      this.deps.bus.emit(news.kind === 'fork' ? 'devices.fork' : 'devices.changed', { contactId });
    });
    // §13.6: a device renamed on another own device (the change feed does not watch device names).
    const offSync = messaging.service.onSyncApplied((what) => {
      if (what === 'devices') this.deps.bus.emit('devices.changed', { contactId: null });
    });
    current.unsubscribe = () => {
      offSync();
      offState();
      offFiles();
      offNetwork();
      offHistory();
      offLinking();
      offDevices();
    };
    this.deps.bus.emit('net.status', messaging.node.connectionState());
    return messaging;
  }

  /**
   * History progress to the shells. The import writes on a worker's own connection, which the
   * change feed's triggers (this connection's) do not see: while it imports and when it is done,
   * the conversation list and every conversation's messages are told to refetch.
   */
  private historyProgress(store: Store, p: HistoryProgress): void {
    this.deps.bus.emit('devices.historyProgress', p);
    if (p.phase !== 'import' && p.phase !== 'done') return;
    this.deps.bus.emit('conversations.changed', {});
    this.deps.bus.emit('contacts.changed', {});
    for (const c of store.conversations.list({}))
      this.deps.bus.emit('messages.changed', { conversationId: c.id });
  }

  /**
   * This device was removed from its person's devices (§13.8 step 4; also
   * "Unlink this device"): once the entry has gone to the devices connected
   * now (bounded wait), the node stops, the keys and MLS states are wiped
   * and every shell is told. The profile stays unlocked, its history readable.
   */
  private retire(store: Store, messaging: RunningMessaging): void {
    const current = this.current;
    if (!current || current.messaging !== messaging) return;
    this.failure = REMOVED_DEVICE_PROBLEM;
    const done = (async () => {
      await Promise.race([
        messaging.deviceSync.settled(),
        new Promise((resolve) => setTimeout(resolve, REMOVED_PUSH_WAIT_MS).unref()),
      ]);
      current.unsubscribe();
      current.messaging = null;
      try {
        await messaging.stop();
      } catch (err) {
        this.deps.logger.log('warn', 'messaging.stop_failed', errorFields(err));
      }
      if (this.current === current) wipeRemovedDevice(store, Date.now());
      this.deps.bus.emit('net.status', { state: 'offline', peers: 0 });
      this.deps.bus.emit('devices.removed', {});
      return null;
    })();
    this.starting = done;
  }

  /** Stops the node and services; call before the database closes. Safe to call twice. */
  async stop(): Promise<void> {
    const starting = this.starting;
    const current = this.current;
    this.starting = null;
    this.current = null;
    this.store = null;
    this.launched = false;
    if (!current) return;
    current.feed.stop();
    await starting;
    current.unsubscribe();
    if (current.messaging) {
      try {
        await current.messaging.stop();
      } catch (err) {
        this.deps.logger.log('warn', 'messaging.stop_failed', errorFields(err));
      }
      this.deps.bus.emit('net.status', { state: 'offline', peers: 0 });
    }
  }

  /** Why networking failed to start since the last unlock, or null. */
  problem(): string | null {
    return this.failure;
  }

  /** The running messaging, or null (networking off, not unlocked, or failed to start). */
  async runningOrNull(): Promise<RunningMessaging | null> {
    return (await this.starting) ?? null;
  }

  /** The running messaging; OFFLINE when there is none. */
  async running(): Promise<RunningMessaging> {
    const m = await this.runningOrNull();
    if (m) return m;
    if (!this.enabled) throw new ParleyError('OFFLINE', 'Networking is turned off in this Parley.');
    if (!this.current) throw new ParleyError('LOCKED', 'Unlock Parley first.');
    if (!this.launched) throw new ParleyError('OFFLINE', 'Parley is offline. Choose “Go online” to connect.');
    throw new ParleyError(
      'OFFLINE',
      this.failure ?? 'Parley could not start networking. See the log for details.',
    );
  }
}
