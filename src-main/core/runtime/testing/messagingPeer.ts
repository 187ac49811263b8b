import { afterEach } from 'vitest';
import { join } from 'node:path';
import { deliveryMigrations } from '../../delivery/schema';
import { generateIdentityKey } from '../../identity/identityKey';
import { tempDatabase, type TempDatabase } from '../../store/testing/tempDatabase';
import { Store } from '../../store/store';
import type { Message } from '../../store/repositories/types';
import { silentLogger } from '../../util/logger';
import type { GroupOptions } from '../../groups/groupOps';
import { startMessaging, type RunningMessaging, type StartMessagingOptions } from '../startMessaging';
import type { MessagingNodeOptions } from '../messagingNodeOptions';

/**
 * A whole messaging peer for tests: a real encrypted database, a real node on
 * 127.0.0.1, fast retry timings. It can go offline and come back on the same
 * port with the same database, like an app that was closed and reopened.
 */
export interface MessagingPeer {
  name: string;
  identity: { publicKey: Buffer; privateKey: Buffer; displayName: string };
  t: TempDatabase;
  store: Store;
  port: number;
  m: RunningMessaging | null;
  online(): Promise<RunningMessaging>;
  offline(): Promise<void>;
  running(): RunningMessaging;
  /** This peer's conversation with another (DM), or null. */
  dmWith(other: MessagingPeer): number | null;
  contactId(other: MessagingPeer): number | null;
  groups(): number[];
  messages(conversationId: number): Message[];
  dispose(): Promise<void>;
}

/** Extra options for a test peer (group timings: short accept windows and ticks). */
export interface MessagingPeerOptions {
  groups?: GroupOptions;
  /**
   * Listen on tcp/0 at every start, as the desktop app and the web shell ask
   * (instead of the harness pinning the port it got the first time).
   */
  anyPort?: boolean;
  /** The IPv4 address to listen on (default 127.0.0.1; a namespace rig uses 0.0.0.0). */
  host?: string;
  /** Delivery options over the harness's fast defaults. */
  delivery?: StartMessagingOptions['delivery'];
  /** The TCP port of the first start (default: any; later starts reuse the one it got). */
  port?: number;
  /** Node options over the harness's fast defaults (mDNS, heartbeat, …); never `listen`. */
  node?: Omit<MessagingNodeOptions, 'listen'>;
  logger?: StartMessagingOptions['logger'];
  /**
   * An existing profile database and its identity instead of a fresh one (a
   * linked device's profile, made by the real link; runtime/testing/linkedPeer.ts).
   */
  existing?: { t: TempDatabase; identity: MessagingPeer['identity'] };
}

/**
 * For a test file: a maker of peers that are all disposed after each test
 * (stopped, databases closed and deleted), however the test ended.
 */
export function peerPool(): (name: string, options?: MessagingPeerOptions) => MessagingPeer {
  const peers: MessagingPeer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.dispose();
  });
  return (name, options) => {
    const p = makeMessagingPeer(name, options);
    peers.push(p);
    return p;
  };
}

export function makeMessagingPeer(name: string, options: MessagingPeerOptions = {}): MessagingPeer {
  const t = options.existing?.t ?? tempDatabase(deliveryMigrations);
  const store = new Store(t.db, { attachmentsDir: join(t.dir, 'attachments'), logger: silentLogger });
  const peer: MessagingPeer = {
    name,
    identity: options.existing?.identity ?? {
      ...generateIdentityKey(),
      displayName: name,
    },
    t,
    store,
    port: options.port ?? 0,
    m: null,
    async online() {
      if (peer.m) return peer.m;
      const m = await startMessaging({
        store,
        identity: peer.identity,
        node: {
          listen: [`/ip4/${options.host ?? '127.0.0.1'}/tcp/${options.anyPort ? 0 : peer.port}`],
          dialTimeoutMs: 1_000,
          dialGraceMs: 100,
          reconnect: { baseMs: 100, maxMs: 500 },
          addressRefreshMs: 500,
          ...options.node,
        },
        delivery: {
          backoff: { baseMs: 100, maxMs: 1_000, factor: 2 },
          sendTimeoutMs: 5_000,
          fetchIntervalMs: 500,
          ...options.delivery,
        },
        keyPackagePoolSize: 3,
        ...(options.groups ? { groups: options.groups } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
      const address = m.node.addresses()[0] ?? '';
      peer.port = Number(/\/tcp\/(\d+)/.exec(address)?.[1] ?? 0);
      peer.m = m;
      return m;
    },
    async offline() {
      const m = peer.m;
      peer.m = null;
      await m?.stop();
    },
    running() {
      if (!peer.m) throw new Error(`${name} is offline`);
      return peer.m;
    },
    contactId(other) {
      const r = t.db
        .prepare('SELECT id FROM contacts WHERE identity_key = ?')
        .get(other.identity.publicKey) as { id: number } | undefined;
      return r?.id ?? null;
    },
    dmWith(other) {
      const contact = peer.contactId(other);
      const r = t.db
        .prepare(`SELECT id FROM conversations WHERE kind = 'dm' AND contact_id = ?`)
        .get(contact) as { id: number } | undefined;
      return r?.id ?? null;
    },
    groups() {
      return (
        t.db.prepare(`SELECT id FROM conversations WHERE kind = 'group' ORDER BY id`).all() as {
          id: number;
        }[]
      ).map((r) => r.id);
    },
    messages(conversationId) {
      return (
        t.db.prepare('SELECT id FROM messages WHERE conversation_id = ? ORDER BY id').all(conversationId) as {
          id: number;
        }[]
      )
        .map((r) => store.messages.get(r.id))
        .filter((m): m is Message => m !== null);
    },
    async dispose() {
      await peer.offline();
      store.stop();
      t.dispose();
    },
  };
  return peer;
}

/** Polls until `what` holds; bounded. */
export async function until(what: () => boolean, ms = 20_000, label = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
