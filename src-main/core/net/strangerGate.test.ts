import type { Libp2p } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../util/logger';
import { MAX_CONNECTIONS } from './parleyNode';
import { StrangerGate, type GatedConnection, type PendingInbound } from './strangerGate';
import {
  befriend,
  envelopeId,
  makeDialOnlyNode,
  makePeer,
  waitFor,
  type TestPeer,
} from './testing/netHarness';

/**
 * Issue #14 item 1: strangers must not crowd out friends. A probe held 127
 * idle connections from throwaway PeerIds (one IP, just under libp2p's
 * per-host rate) and every new inbound connection was refused, contacts
 * included. These tests replay that flood against a real node on 127.0.0.1
 * and check the budget's rules on their own with fake connections.
 */

const peers: TestPeer[] = [];
const raws: Libp2p[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(raws.splice(0).map((r) => r.stop()));
  await Promise.all(peers.splice(0).map((p) => p.node.stop()));
});

async function started(options: Parameters<typeof makePeer>[0] = {}): Promise<TestPeer> {
  const peer = await makePeer(options);
  peers.push(peer);
  await peer.node.start();
  return peer;
}

/** `count` throwaway PeerIds each open one connection to `target` and leave it idle. */
async function flood(target: TestPeer, count: number): Promise<void> {
  const address = multiaddr(target.node.addresses()[0] ?? '');
  for (let i = 0; i < count; i += 16) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(16, count - i) }, async () => {
        const raw = await makeDialOnlyNode();
        raws.push(raw);
        await raw.start();
        // Refusals are the point: the flooder does not care.
        await raw.dial(address, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
        return raw;
      }),
    );
    expect(batch).toHaveLength(Math.min(16, count - i));
  }
}

function strangerConnections(target: TestPeer): number {
  return target.node
    .connections()
    .filter((c) => !target.known.has(c.peerId) && !target.pendingRequests.has(c.peerId)).length;
}

describe('a flood of idle stranger connections (one IP, throwaway PeerIds)', () => {
  it('leaves the node reachable for a contact, and holds only the per-host budget of strangers', async () => {
    // The probe's numbers: one more flooder than libp2p's old 128-connection table.
    const [target, contact] = await Promise.all([started(), started()]);
    await befriend(target, contact);
    await flood(target, 130);
    // The flooder keeps the budget of its host and nothing more.
    await waitFor(() => strangerConnections(target) <= 2, 5_000, 'the flood to be cut to the budget');
    // Each flooder was turned away at the handshake (too many at once from one host), closed as
    // soon as its connection opened over budget, or pruned later for a newer one.
    const m = target.node.metrics();
    expect(
      m.handshakesRefused + m.strangerConnectionsRefused + m.strangerConnectionsPruned,
    ).toBeGreaterThanOrEqual(120);

    // While it goes on, a contact dials in and its envelope is acknowledged.
    const more = flood(target, 20);
    const id = envelopeId();
    expect(await contact.node.services.deliver.send(target.id, id, new Uint8Array([1, 2, 3]))).toBe(
      'accepted',
    );
    await more;
    expect(target.received.map((e) => Buffer.from(e.envelopeId).toString('hex'))).toContain(
      Buffer.from(id).toString('hex'),
    );
  }, 60_000);

  it('still lets a new person send a contact request from the flooding host', async () => {
    // The probe: a new contact's `parley accept` was refused ("not reachable right now").
    const target = await started();
    await flood(target, 130);
    const newcomer = await started();
    await newcomer.node.addAddresses(target.id, target.node.addresses());
    const status = await newcomer.node.services.contactRequests.send(target.id, {
      displayName: 'Dana',
      identityKey: new Uint8Array(32).fill(7),
      message: 'hi',
    });
    expect(status).toBe('received');
    expect(target.contactRequests.map((r) => r.from)).toContain(newcomer.id);
  }, 60_000);

  it('closes a stranger connection that stays idle, and keeps idle contacts and pending requests', async () => {
    const [target, contact, requester, stranger] = await Promise.all([
      started({ strangers: { idleMs: 300 } }),
      started(),
      started(),
      started(),
    ]);
    await befriend(target, contact);
    target.pendingRequests.add(requester.id);
    for (const p of [contact, requester, stranger]) {
      await p.node.addAddresses(target.id, target.node.addresses());
      await p.node.connect(target.id);
    }
    await waitFor(
      () => [contact, requester, stranger].every((p) => target.node.isConnected(p.id)),
      5_000,
      'all three connected',
    );
    await waitFor(() => !target.node.isConnected(stranger.id), 5_000, 'the idle stranger to be closed');
    await new Promise((r) => setTimeout(r, 600));
    expect(target.node.isConnected(contact.id)).toBe(true);
    expect(target.node.isConnected(requester.id)).toBe(true);
  });

  it('keeps a contact reachable while one host holds handshakes open without speaking', async () => {
    const [target, contact] = await Promise.all([started(), started()]);
    await befriend(target, contact);
    const port = Number(target.node.addresses()[0]?.split('/')[4]);
    // libp2p keeps 10 handshakes in progress for everyone: 40 silent sockets filled it.
    for (let i = 0; i < 40; i++) {
      // From another loopback address: the limit is per host, and the contact dials from 127.0.0.1.
      const socket = tcpConnect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    await new Promise((r) => setTimeout(r, 200));
    await contact.node.connect(target.id);
    expect(await contact.node.services.deliver.send(target.id, envelopeId(), new Uint8Array([9]))).toBe(
      'accepted',
    );
    expect(target.node.metrics().handshakesRefused).toBeGreaterThan(0);
  });
});

describe('StrangerGate rules', () => {
  let clock = 0;
  let nextId = 0;
  const known = new Set<string>();
  const pending = new Set<string>();

  function gate(conns: FakeConnection[], limits = {}): StrangerGate {
    return new StrangerGate(
      {
        access: {
          isBlocked: () => false,
          isKnown: (p) => known.has(p),
          hasPendingRequest: (p) => pending.has(p),
        },
        connections: () => conns,
        logger: silentLogger,
        clock: () => clock,
      },
      { maxConnections: 3, maxPerHost: 2, idleMs: 1_000, maxPendingHandshakesPerHost: 2, ...limits },
    );
  }

  class FakeConnection implements GatedConnection {
    readonly id = String(nextId++);
    status = 'open';
    streams: unknown[] = [];
    readonly timeline = { open: clock };
    readonly remoteAddr: Multiaddr;
    readonly remotePeer: { toString(): string };
    constructor(
      peer: string,
      host: string,
      readonly direction: 'inbound' | 'outbound' = 'inbound',
    ) {
      this.remotePeer = { toString: () => peer };
      this.remoteAddr = multiaddr(`/ip4/${host}/tcp/4001`);
    }
    abort(): void {
      this.status = 'closed';
    }
  }

  function open(g: StrangerGate, conns: FakeConnection[], c: FakeConnection): void {
    conns.push(c);
    g.onOpen(c);
    clock += 10;
  }

  it('makes room by closing the oldest idle stranger of the same host first', () => {
    const conns: FakeConnection[] = [];
    const g = gate(conns);
    const [a, b, c] = [
      new FakeConnection('s1', '10.0.0.1'),
      new FakeConnection('s2', '10.0.0.1'),
      new FakeConnection('s3', '10.0.0.1'),
    ];
    open(g, conns, a);
    open(g, conns, b);
    open(g, conns, c);
    expect([a.status, b.status, c.status]).toEqual(['closed', 'open', 'open']);
  });

  it('closes the newcomer when every stranger in its scope is busy', () => {
    const conns: FakeConnection[] = [];
    const g = gate(conns);
    const a = new FakeConnection('s1', '10.0.0.1');
    const b = new FakeConnection('s2', '10.0.0.1');
    a.streams.push({});
    b.streams.push({});
    open(g, conns, a);
    open(g, conns, b);
    const c = new FakeConnection('s3', '10.0.0.1');
    open(g, conns, c);
    expect([a.status, b.status, c.status]).toEqual(['open', 'open', 'closed']);
    expect(g.metrics().strangerConnectionsRefused).toBe(1);
  });

  it('applies the total budget across hosts, and never counts contacts, pending requests or outbound dials', () => {
    known.add('friend');
    pending.add('asking');
    const conns: FakeConnection[] = [];
    const g = gate(conns);
    const friend = new FakeConnection('friend', '10.0.0.9');
    const asking = new FakeConnection('asking', '10.0.0.9');
    const ours = new FakeConnection('dialled', '10.0.0.8', 'outbound');
    for (const c of [friend, asking, ours]) open(g, conns, c);
    const strangers = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map(
      (h, i) => new FakeConnection(`s${i}`, h),
    );
    for (const s of strangers) open(g, conns, s);
    expect(strangers.map((s) => s.status)).toEqual(['closed', 'open', 'open', 'open']);
    expect([friend.status, asking.status, ours.status]).toEqual(['open', 'open', 'open']);
  });

  it('closes idle strangers in either direction after idleMs, and only them', () => {
    known.add('friend');
    const conns: FakeConnection[] = [];
    const g = gate(conns);
    const friend = new FakeConnection('friend', '10.0.0.9');
    const idle = new FakeConnection('idle', '10.0.0.1', 'outbound');
    const busy = new FakeConnection('busy', '10.0.0.2');
    busy.streams.push({});
    conns.push(friend, idle, busy);
    for (const c of conns) g.onOpen(c);
    clock += 999;
    g.sweep();
    expect(idle.status).toBe('open');
    clock += 100;
    g.sweep();
    expect([friend.status, idle.status, busy.status]).toEqual(['open', 'closed', 'open']);
    // A busy connection's idle time starts when its last stream is gone.
    busy.streams.length = 0;
    clock += 500;
    g.sweep();
    expect(busy.status).toBe('open');
    clock += 600;
    g.sweep();
    expect(busy.status).toBe('closed');
  });

  it('caps handshakes in progress per host and frees a slot when one ends', () => {
    const g = gate([]);
    const listeners: (() => void)[] = [];
    const pendingConn = (host: string): PendingInbound => ({
      remoteAddr: multiaddr(`/ip4/${host}/tcp/5000`),
      addEventListener: (_type, listener) => listeners.push(listener),
    });
    const first = pendingConn('10.0.0.1');
    expect(g.denyHandshake(first)).toBe(false);
    expect(g.denyHandshake(pendingConn('10.0.0.1'))).toBe(false);
    expect(g.denyHandshake(pendingConn('10.0.0.1'))).toBe(true);
    expect(g.denyHandshake(pendingConn('10.0.0.2'))).toBe(false);
    g.handshakeFinished(first);
    // Finishing twice (handshake done, then the socket closes) frees one slot, not two.
    listeners[0]?.();
    expect(g.denyHandshake(pendingConn('10.0.0.1'))).toBe(false);
    expect(g.denyHandshake(pendingConn('10.0.0.1'))).toBe(true);
    expect(g.metrics().handshakesRefused).toBe(2);
  });

  it('sets libp2p’s own ceiling far above the stranger budget', () => {
    expect(MAX_CONNECTIONS).toBeGreaterThanOrEqual(256);
  });
});
