import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSealKeyPair, type SealKeyPair } from '../crypto/sealedBox';
import { generateDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import { ParleyNode } from '../net/parleyNode';
import { parleyProtocols, type ParleyProtocolNode } from '../net/parleyProtocols';
import { ConversationRepository } from '../store/repositories/conversationRepository';
import { openEncryptedDatabase, type Db } from '../store/encryptedDatabase';
import { durabilityOf } from '../store/durability';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import type { DeliverStatus } from '../net/deliverProtocol';
import {
  DeliveryService,
  type DeliveryDirectory,
  type DeliveryNet,
  type InboundSink,
} from './deliveryService';
import { Outbox } from './outbox';
import { deliveryMigrations } from './schema';
import { SqliteMailboxStore } from './sqliteMailboxStore';
import { ProfileRepositories } from '../store/profileRepositories';
import { MailboxRepository } from '../store/repositories/mailboxRepository';
import { Transactor } from '../store/transactor';

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
  /** The sink fails once for this payload text. */
  failOn: string | null;
  node: ParleyProtocolNode | null;
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
    outbox: new Outbox(new ProfileRepositories(t.db)),
    received: [],
    failures: 0,
    failOn: null,
    node: null,
    delivery: null,
  };
  // Queues are per conversation: two to use.
  for (let i = 0; i < 2; i++) new ConversationRepository(t.db).create({ kind: 'group', createdAt: 0 });
  peers.push(p);
  return p;
}

async function online(p: Peer): Promise<void> {
  const store = new SqliteMailboxStore(new MailboxRepository(p.t.db), new Transactor(p.t.db));
  const sink: InboundSink = {
    async receive(e, markSeen) {
      if (p.failures > 0) {
        p.failures--;
        throw new Error('transient');
      }
      if (p.failOn !== null && Buffer.from(e.payload).toString('utf8') === p.failOn) {
        p.failOn = null;
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
  const node = await ParleyNode.create(
    {
      deviceKey: p.key,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      access: { isBlocked: () => false, isKnown: () => true },
      dialTimeoutMs: 1_000,
    },
    parleyProtocols({
      keyPackages: { provide: async () => null },
      contactRequests: { onRequest: async () => 'rejected' },
    }),
  );
  const delivery = new DeliveryService({
    store: new ProfileRepositories(p.t.db),
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
  node.services.deliver.handle((e) => delivery.onEnvelope(e));
  node.services.mailbox.handle({ store });
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
    await until(
      () => new SqliteMailboxStore(new MailboxRepository(b.t.db), new Transactor(b.t.db)).stats().items === 0,
    );
    // A comes back: its own held copies are fetched by C as duplicates, and its outbox learns "delivered".
    await online(a);
    await connect(c, a);
    await until(() => a.outbox.counts().delivered === 6);
    await until(
      () => new SqliteMailboxStore(new MailboxRepository(a.t.db), new Transactor(a.t.db)).stats().items === 0,
    );
    expect(c.received).toHaveLength(9);
  });

  it('never sends a new envelope straight to a recipient ahead of the older ones still held for it', async () => {
    // Issue 13 (order kept whatever the link does): C was away, so A holds a0..a2
    // for it (A is C's relay) with their next direct retry far off. C comes back,
    // and A writes a3 before its held ones are due. Before, a3 alone went
    // straight to C and arrived first; C got a0..a2 afterwards from A's mailbox.
    const a = await makePeer();
    const c = await makePeer();
    directory.set(a.id, { seal: a.seal.publicKey, relays: [c.id] });
    directory.set(c.id, { seal: c.seal.publicKey, relays: [a.id] });
    await online(a);
    for (let i = 0; i < 3; i++) send(a, c, `a${i}`, 1);
    await until(() => a.outbox.counts().held === 3);
    a.t.db.prepare(`UPDATE outbox SET next_attempt_at = ? WHERE state = 'held'`).run(Date.now() + 3_600_000);
    await online(c);
    // A learns where C is (a record, a beacon) but is not connected: a3's send dials,
    // once A's memory of C being unreachable (at most 200 ms here) has passed.
    await a.node?.addAddresses(c.id, c.node?.addresses() ?? []);
    await new Promise((r) => setTimeout(r, 500));
    send(a, c, 'a3', 1);
    await until(() => c.received.length >= 4);
    expect(c.received).toEqual(['a0', 'a1', 'a2', 'a3']);
    await until(() => a.outbox.counts().delivered === 4);
  });

  it('pipelines a long queue in order and exactly once, also past a failure in its middle', async () => {
    const a = await makePeer();
    const b = await makePeer();
    await online(a);
    await online(b);
    await connect(a, b);
    // m70 fails once: it and every later envelope of its run go unacked and come
    // again, and none of those may be committed before it (order per queue).
    b.failOn = 'm70';
    for (let i = 0; i < 200; i++) send(a, b, `m${i}`, 1);
    await until(() => a.outbox.counts().delivered === 200);
    expect(b.failOn).toBeNull();
    expect(b.received).toEqual([...Array(200).keys()].map((i) => `m${i}`));
  });
});

/**
 * Group commit, driven without a network: envelopes handed to onEnvelope the
 * way the deliver protocol does, a second connection to the same database file
 * telling what is committed (it sees nothing of an open transaction).
 */
describe('DeliveryService batch commit', () => {
  interface Direct {
    t: TempDatabase;
    delivery: DeliveryService;
    other: Db;
    /** Payload texts the sink processed while an outer (batch) transaction was open. */
    inBatch: string[];
    rolledBack: number;
    sink: { fail: (text: string) => 'throw' | 'poison' | null };
    committed(text: string): boolean;
    send(text: string, id?: Uint8Array): Promise<DeliverStatus>;
  }
  const opened: Direct[] = [];
  afterEach(() => {
    for (const d of opened.splice(0)) {
      d.other.close();
      d.t.dispose();
    }
  });

  function direct(): Direct {
    const t = tempDatabase(deliveryMigrations);
    new ConversationRepository(t.db).create({ kind: 'group', createdAt: 0 });
    t.db.exec('CREATE TABLE received (text TEXT NOT NULL)');
    const d: Direct = {
      t,
      other: openEncryptedDatabase(t.path, t.key, { create: false }),
      inBatch: [],
      rolledBack: 0,
      sink: { fail: () => null },
      committed: (text) => d.other.prepare('SELECT 1 FROM received WHERE text = ?').get(text) !== undefined,
      send: (text, id = new Uint8Array(randomBytes(16))) =>
        d.delivery.onEnvelope({ from: 'peer', envelopeId: id, payload: Buffer.from(text) }),
      delivery: null as unknown as DeliveryService,
    };
    const sink: InboundSink = {
      async receive(e, markSeen) {
        const text = Buffer.from(e.payload).toString('utf8');
        // Something asynchronous, as MLS processing is.
        await new Promise((r) => setImmediate(r));
        if (t.db.inTransaction) d.inBatch.push(text);
        const fail = d.sink.fail(text);
        t.db.transaction(() => {
          t.db.prepare('INSERT INTO received (text) VALUES (?)').run(text);
          if (fail === 'throw') throw new Error('transient');
          if (fail === 'poison') {
            // Breaks only the COMMIT of the enclosing transaction (a deferred
            // foreign key): stands in for a disk that fails at the commit.
            t.db.pragma('defer_foreign_keys = ON');
            t.db
              .prepare(
                `INSERT INTO outbox (envelope_id, conversation_id, recipient, payload, created_at, next_attempt_at, state)
               VALUES ('poison', 999, 'x', x'00', 0, 0, 'pending')`,
              )
              .run();
          }
          markSeen();
        })();
        return 'accepted';
      },
      rolledBack() {
        d.rolledBack++;
      },
    };
    const net: DeliveryNet = {
      peerId: 'self',
      services: {
        deliver: { sendMany: async () => ({ statuses: [] }) },
        mailbox: {
          deposit: async () => 'rejected',
          fetch: async () => ({ more: false }),
          ack: async () => 0,
        } as unknown as DeliveryNet['services']['mailbox'],
      },
      isConnected: () => false,
      connectedPeers: () => [],
      onPeer: () => () => undefined,
    };
    d.delivery = new DeliveryService({
      store: new ProfileRepositories(t.db),
      outbox: new Outbox(new ProfileRepositories(t.db)),
      net,
      directory: { sealPublicKey: () => null, relaysOf: () => [], isHolder: () => false },
      sink,
      sealSecretKey: generateSealKeyPair().secretKey,
      mailboxStore: new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db)),
      logger: silentLogger,
      now: Date.now,
    });
    opened.push(d);
    return d;
  }

  it('commits a burst in batch transactions and acks each envelope only once its batch committed', async () => {
    const d = direct();
    const texts = [...Array(50).keys()].map((i) => `e${i}`);
    const acked = await Promise.all(
      texts.map((text) => d.send(text).then((status) => ({ status, committedAtAck: d.committed(text) }))),
    );
    expect(acked.every((x) => x.status === 'accepted' && x.committedAtAck)).toBe(true);
    // The first went alone (nothing else waiting), the rest were batched.
    expect(d.inBatch.length).toBeGreaterThan(40);
    expect(d.t.db.inTransaction).toBe(false);
  });

  it('a failing envelope in a batch is not acked and leaves nothing; the rest commit', async () => {
    const d = direct();
    d.sink.fail = (text) => (text === 'e3' ? 'throw' : null);
    const ids = [...Array(8).keys()].map(() => new Uint8Array(randomBytes(16)));
    const results = await Promise.allSettled(ids.map((id, i) => d.send(`e${i}`, id)));
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(d.committed('e3')).toBe(false);
    expect(d.committed('e4')).toBe(true);
    // Offered again (same id), it commits once.
    d.sink.fail = () => null;
    expect(await d.send('e3', ids[3])).toBe('accepted');
    expect(await d.send('e3', ids[3])).toBe('duplicate');
    expect(d.other.prepare(`SELECT count(*) AS n FROM received WHERE text = 'e3'`).get()).toEqual({ n: 1 });
  });

  it('a batch that cannot commit acks none of its envelopes, keeps none, and says so to the sink', async () => {
    const d = direct();
    d.sink.fail = (text) => (text === 'e4' ? 'poison' : null);
    const ids = [...Array(8).keys()].map(() => new Uint8Array(randomBytes(16)));
    const results = await Promise.allSettled(ids.map((id, i) => d.send(`e${i}`, id)));
    // e0 found the queue empty and went alone; e1..e7 shared the batch that failed.
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'accepted' });
    expect(results.slice(1).every((r) => r.status === 'rejected')).toBe(true);
    expect(d.rolledBack).toBe(1);
    expect(d.committed('e0')).toBe(true);
    for (let i = 1; i < 8; i++) expect(d.committed(`e${i}`)).toBe(false);
    expect(d.t.db.inTransaction).toBe(false);
    // Nothing was lost: offered again, each commits exactly once.
    d.sink.fail = () => null;
    const again = await Promise.all(ids.map((id, i) => d.send(`e${i}`, id)));
    expect(again).toEqual(['duplicate', ...Array(7).fill('accepted')]);
    expect(d.other.prepare('SELECT count(*) AS n FROM received').get()).toEqual({ n: 8 });
  });
});

describe('DeliveryService and lazily durable sends', () => {
  it('puts nothing on the wire before the commits it depends on are on disk', async () => {
    const t = tempDatabase(deliveryMigrations);
    try {
      new ConversationRepository(t.db).create({ kind: 'group', createdAt: 0 });
      const outbox = new Outbox(new ProfileRepositories(t.db));
      const marks = () => (t.db.prepare('SELECT n FROM durability_mark').get() as { n: number }).n;
      const seen: { pending: boolean; marks: number; count: number }[] = [];
      const net: DeliveryNet = {
        peerId: 'self',
        services: {
          deliver: {
            sendMany: async (_peer, items) => {
              seen.push({ pending: durabilityOf(t.db).pending, marks: marks(), count: items.length });
              return { statuses: items.map(() => 'accepted' as const) };
            },
          },
          mailbox: {} as unknown as DeliveryNet['services']['mailbox'],
        },
        isConnected: () => true,
        connectedPeers: () => [],
        onPeer: () => () => undefined,
      };
      const delivery = new DeliveryService({
        store: new ProfileRepositories(t.db),
        outbox,
        net,
        directory: { sealPublicKey: () => null, relaysOf: () => [], isHolder: () => false },
        sink: { receive: async () => 'rejected' },
        sealSecretKey: generateSealKeyPair().secretKey,
        mailboxStore: new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db)),
        logger: silentLogger,
        now: Date.now,
      });
      // A burst of sends committed the way messaging commits them: lazily.
      for (let i = 0; i < 5; i++) {
        durabilityOf(t.db).lazy(() =>
          t.db.transaction(() =>
            outbox.enqueue({
              conversationId: 1,
              messageId: null,
              recipient: 'peer',
              payload: Buffer.from(`m${i}`),
            }),
          )(),
        );
      }
      expect(durabilityOf(t.db).pending).toBe(true);
      delivery.start();
      await until(() => outbox.counts().delivered === 5);
      await delivery.stop();
      // One sync before the run went out, covering all five.
      expect(seen[0]).toEqual({ pending: false, marks: 1, count: 5 });
      expect(seen.every((s) => !s.pending)).toBe(true);
    } finally {
      t.dispose();
    }
  });
});
