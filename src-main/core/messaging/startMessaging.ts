import { generateSealKeyPair } from '../crypto/sealedBox';
import { DeliveryService, type DeliveryOptions } from '../delivery/deliveryService';
import { Outbox } from '../delivery/outbox';
import { SqliteMailboxStore, type SqliteMailboxOptions } from '../delivery/sqliteMailboxStore';
import { KeyPackagePool, loadOrCreateDeviceIdentity, MlsStore } from '../mls';
import type { BackoffConfig } from '../net/backoff';
import { generateDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import { ParleyNode, type MdnsOptions } from '../net/parleyNode';
import type { Db } from '../store/encryptedDatabase';
import type { Store } from '../store/store';
import { silentLogger, type Logger } from '../util/logger';
import { Directory } from './directory';
import { MessagingService } from './messagingService';

/**
 * Wires identity, MLS, the node, delivery and messaging for one unlocked
 * profile. The caller (createCore, the CLI) owns the Store; this owns the
 * node and the services and stops them in reverse order.
 */
export interface StartMessagingOptions {
  store: Store;
  /** The profile's identity key (raw public, PKCS#8 private) and display name. */
  identity: { publicKey: Uint8Array; privateKey: Uint8Array; displayName: string };
  node?: {
    listen?: string[];
    mdns?: boolean | MdnsOptions;
    dialTimeoutMs?: number;
    dialGraceMs?: number;
    reconnect?: Partial<BackoffConfig>;
  };
  delivery?: Partial<DeliveryOptions>;
  mailbox?: Partial<Omit<SqliteMailboxOptions, 'acceptsRecipient'>>;
  keyPackagePoolSize?: number;
  logger?: Logger;
  now?: () => number;
}

export interface RunningMessaging {
  service: MessagingService;
  node: ParleyNode;
  delivery: DeliveryService;
  outbox: Outbox;
  directory: Directory;
  mailbox: SqliteMailboxStore;
  stop(): Promise<void>;
}

interface SecretsRow {
  device_key: Buffer;
  seal_secret: Buffer;
  seal_public: Buffer;
}

/** This device's network key and seal key pair, created on first start. */
export async function loadOrCreateDeviceSecrets(
  db: Db,
  now: number,
): Promise<{ deviceKey: Uint8Array; sealSecretKey: Uint8Array; sealPublicKey: Uint8Array }> {
  const row = db
    .prepare('SELECT device_key, seal_secret, seal_public FROM device_secrets WHERE id = 1')
    .get() as SecretsRow | undefined;
  if (row) {
    return {
      deviceKey: new Uint8Array(row.device_key),
      sealSecretKey: new Uint8Array(row.seal_secret),
      sealPublicKey: new Uint8Array(row.seal_public),
    };
  }
  const deviceKey = await generateDeviceKey();
  const seal = generateSealKeyPair();
  db.prepare(
    'INSERT INTO device_secrets (id, device_key, seal_secret, seal_public, created_at) VALUES (1, ?, ?, ?, ?)',
  ).run(Buffer.from(deviceKey), Buffer.from(seal.secretKey), Buffer.from(seal.publicKey), now);
  return { deviceKey, sealSecretKey: seal.secretKey, sealPublicKey: seal.publicKey };
}

export async function startMessaging(options: StartMessagingOptions): Promise<RunningMessaging> {
  const { store } = options;
  const db = store.db;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const secrets = await loadOrCreateDeviceSecrets(db, now());
  const peerId = peerIdOfDeviceKey(secrets.deviceKey);
  const device = loadOrCreateDeviceIdentity(db, options.identity, peerId, now());
  const pool = new KeyPackagePool(db, device, now);
  await pool.replenish(options.keyPackagePoolSize ?? 20);
  const mls = new MlsStore(db, now);
  const outbox = new Outbox(db, store.messages, now);
  const directory = new Directory(db, peerId, now);
  const mailbox = new SqliteMailboxStore(db, {
    ...options.mailbox,
    acceptsRecipient: (recipient) => directory.holdsFor(recipient),
  });

  // The node needs its handlers at construction and the services need the
  // node: the handlers reach the services through these late bindings.
  let service: MessagingService | null = null;
  let delivery: DeliveryService | null = null;
  const node = await ParleyNode.create({
    deviceKey: secrets.deviceKey,
    listen: options.node?.listen,
    mdns: options.node?.mdns,
    dialTimeoutMs: options.node?.dialTimeoutMs,
    dialGraceMs: options.node?.dialGraceMs,
    reconnect: options.node?.reconnect,
    access: directory,
    mailboxStore: mailbox,
    logger,
    onEnvelope: async (e) => {
      if (!delivery) throw new Error('delivery not started');
      return delivery.onEnvelope(e);
    },
    keyPackages: async (requester) => (service ? service.keyPackageFor(requester) : null),
    onContactRequest: async (r) => (service ? service.onContactRequest(r) : 'rejected'),
  });
  const running = new MessagingService({
    db,
    store,
    mls,
    pool,
    device,
    outbox,
    directory,
    net: node,
    kick: () => delivery?.kick(),
    identity: { publicKey: options.identity.publicKey, displayName: options.identity.displayName },
    sealPublicKey: secrets.sealPublicKey,
    logger,
    now,
    keyPackagePoolSize: options.keyPackagePoolSize,
  });
  const deliveryService = new DeliveryService({
    db,
    outbox,
    net: node,
    directory,
    sink: running,
    sealSecretKey: secrets.sealSecretKey,
    mailboxStore: mailbox,
    logger,
    now,
    options: options.delivery,
  });
  service = running;
  delivery = deliveryService;
  await node.start();
  deliveryService.start();
  for (const d of directory.contactDevices()) await node.keepConnected(d.peerId, d.addresses);

  let stopped = false;
  return {
    service: running,
    node,
    delivery: deliveryService,
    outbox,
    directory,
    mailbox,
    async stop() {
      if (stopped) return;
      stopped = true;
      await deliveryService.stop();
      await running.stop();
      await node.stop();
    },
  };
}
