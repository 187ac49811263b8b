import { afterEach, describe, expect, it } from 'vitest';
import { generateSealKeyPair, type SealKeyPair } from '../crypto/sealedBox';
import { generateDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import { ParleyNode } from '../net/parleyNode';
import { ConversationRepository } from '../store/repositories/conversationRepository';
import { MessageRepository } from '../store/repositories/messageRepository';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import { DeliveryService, type DeliveryDirectory, type InboundSink } from './deliveryService';
import { Outbox } from './outbox';
import { deliveryMigrations } from './schema';
import { SqliteMailboxStore } from './sqliteMailboxStore';

/** A device: database, node, delivery; a sink that records payload text in arrival order. */
interface Peer {
  id: string;
  key: Uint8Array;
  seal: SealKeyPair;
  t: TempDatabase;
  outbox: Outbox;
  received: string[];
  /** Sink failures still to come (a transient failure: no ack). */
  failures: number;
  node: ParleyNode | null;
  delivery: DeliveryService | null;
}

const peers: Peer[] = [];
const directory = new Map<string, { seal: Uint8Array; relays: string[] }>();

async function makePeer(): Promise<Peer> {
  const key = await generateDeviceKey();
  const t = tempDatabase(deliveryMigrations);
  const p: Peer = {
    id: peerIdOfDeviceKey(key),
    key,
    seal: generateSealKeyPair(),
    t,
    outbox: new Outbox(t.db, new MessageRepository(t.db)),
    received: [],
    failures: 0,
    node: null,
    delivery: null,
  };
  // Queues are per conversation: two to use.
  for (let i = 0; i < 2; i++) new ConversationRepository(t.db).create({ kind: 'group', createdAt: 0 });
  peers.push(p);
  return p;
}

async function online(p: Peer): Promise<void> {
  const store = new SqliteMailboxStore(p.t.db);
  const sink: InboundSink = {
    async receive(e, markSeen) {
      if (p.failures > 0) {
        p.failures--;
        throw new Error('transient');
      }
      p.t.db.transaction(() => {
        p.received.push(Buffer.from(e.payload).toString('utf8'));
        markSeen();
      })();
      return 'accepted';
    },
  };
  const dir: DeliveryDirectory = {
    sealPublicKey: (peer) => directory.get(peer)?.seal ?? null,
    relaysOf: (peer) => directory.get(peer)?.relays ?? [],
    isHolder: (peer) => directory.has(peer),
  };
  let delivery: DeliveryService | null = null;
  const node = await ParleyNode.create({
    deviceKey: p.key,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    access: { isBlocked: () => false, isKnown: () => true },
    onEnvelope: async (e) => {
      if (!delivery) throw new Error('not ready');
      return delivery.onEnvelope(e);
    },
    keyPackages: async () => null,
    onContactRequest: async () => 'rejected',
    mailboxStore: store,
    dialTimeoutMs: 1_000,
  });
  delivery = new DeliveryService({
    db: p.t.db,
    outbox: p.outbox,
    net: node,
    directory: dir,
    sink,
    sealSecretKey: p.seal.secretKey,
    mailboxStore: store,
    logger: silentLogger,
    now: Date.now,
    options: {
      backoff: { baseMs: 200, maxMs: 2_000, factor: 2 },
      sendTimeoutMs: 3_000,
      fetchIntervalMs: 1_000,
    },
  });
  await node.start();
  delivery.start();
  p.node = node;
  p.delivery = delivery;
}

async function offline(p: Peer): Promise<void> {
  await p.delivery?.stop();
  await p.node?.stop();
  p.node = null;
  p.delivery = null;
}

async function connect(a: Peer, b: Peer): Promise<void> {
  const addr = b.node?.addresses()[0];
  if (!addr || !a.node) throw new Error('offline');
  await a.node.connect(addr);
}

async function until(what: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function send(from: Peer, to: Peer, text: string, conversationId: number | null = null): void {
  from.outbox.enqueue({ conversationId, messageId: null, recipient: to.id, payload: Buffer.from(text) });
  from.delivery?.kick();
}

afterEach(async () => {
  for (const p of peers.splice(0)) {
    await offline(p);
    p.t.dispose();
  }
  directory.clear();
});

describe('DeliveryService over 127.0.0.1', () => {
  it('delivers in order, once, and marks delivered', async () => {
    const a = await makePeer();
    const b = await makePeer();
    await online(a);
    await online(b);
    await connect(a, b);
    for (let i = 0; i < 10; i++) send(a, b, `m${i}`);
    await until(() => a.outbox.counts().delivered === 10);
    expect(b.received).toEqual([...Array(10).keys()].map((i) => `m${i}`));
  });

  it('acks only after the sink committed: a failed handler is retried with the same id, committed once', async () => {
    const a = await makePeer();
    const b = await makePeer();
    await online(a);
    await online(b);
    await connect(a, b);
    b.failures = 2;
    send(a, b, 'once');
    await until(() => a.outbox.counts().delivered === 1);
    expect(b.received).toEqual(['once']);
    expect(b.failures).toBe(0);
    const seen = b.t.db.prepare('SELECT count(*) AS n FROM seen_envelopes').get() as { n: number };
    expect(seen.n).toBe(1);
  });

  it('holds for an offline recipient with its relay, hands over on return, exactly once and in order', async () => {
    const a = await makePeer();
    const b = await makePeer();
    const c = await makePeer();
    directory.set(a.id, { seal: a.seal.publicKey, relays: [b.id] });
    directory.set(b.id, { seal: b.seal.publicKey, relays: [a.id] });
    directory.set(c.id, { seal: c.seal.publicKey, relays: [a.id, b.id] });
    await online(a);
    await online(b);
    await online(c);
    await connect(a, b);
    await connect(a, c);
    await connect(b, c);
    send(a, c, 'hello');
    await until(() => c.received.length === 1);
    const cAddress = c.node?.addresses() ?? [];
    await offline(c);
    for (let i = 0; i < 5; i++) send(a, c, `a${i}`, 1);
    for (let i = 0; i < 3; i++) send(b, c, `b${i}`, 2);
    await until(() => a.outbox.counts().held === 5 && b.outbox.counts().held === 3);
    // A holds its own copy and deposited one with B; B holds its own (A is a relay too).
    const held = a.t.db.prepare(`SELECT held_by FROM outbox WHERE state = 'held'`).all() as {
      held_by: string;
    }[];
    expect(held.every((r) => r.held_by === b.id)).toBe(true);
    await offline(a);
    await online(c);
    expect(cAddress.length).toBeGreaterThan(0);
    await connect(c, b);
    await until(() => c.received.length === 9);
    expect(c.received[0]).toBe('hello');
    expect(c.received.filter((x) => x.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(c.received.filter((x) => x.startsWith('b'))).toEqual(['b0', 'b1', 'b2']);
    await until(() => b.outbox.counts().delivered === 3);
    await until(() => new SqliteMailboxStore(b.t.db).stats().items === 0);
    // A comes back: its own held copies are fetched by C as duplicates, and its outbox learns "delivered".
    await online(a);
    await connect(c, a);
    await until(() => a.outbox.counts().delivered === 6);
    await until(() => new SqliteMailboxStore(a.t.db).stats().items === 0);
    expect(c.received).toHaveLength(9);
  });
});
