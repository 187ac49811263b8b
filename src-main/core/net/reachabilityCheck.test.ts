import type { Connection, Libp2pEvents, TypedEventTarget } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../util/logger';
import { generateDeviceKey, peerIdOfDeviceKey } from './deviceKey';
import type { ReachAnswer } from './reachProtocol';
import { ReachabilityCheck, type CheckedAddressManager } from './reachabilityCheck';

/** Which of our addresses are asked about, of whom, and what an answer does (docs/protocol.md §14.1). */

const MAPPED = '/ip4/11.0.0.7/tcp/4001';

class FakeAddresses implements CheckedAddressManager {
  verified = new Set<string>();
  constructor(private readonly all: { address: string; type: string }[]) {}
  getAddresses(): Multiaddr[] {
    return this.all.filter((a) => this.verified.has(a.address)).map((a) => multiaddr(a.address));
  }
  getAddressesWithMetadata() {
    return this.all.map((a) => ({
      multiaddr: multiaddr(a.address),
      verified: this.verified.has(a.address),
      type: a.type,
    }));
  }
  confirmObservedAddr(addr: Multiaddr): void {
    this.verified.add(addr.toString());
  }
  removeObservedAddr(addr: Multiaddr): void {
    this.verified.delete(addr.toString());
  }
}

async function peer(): Promise<string> {
  return peerIdOfDeviceKey(await generateDeviceKey());
}

function connection(remote: string, address: string, limited = false): Connection {
  return {
    remotePeer: peerIdFromString(remote),
    remoteAddr: multiaddr(address),
    status: 'open',
    limits: limited ? { bytes: 1n } : undefined,
  } as unknown as Connection;
}

function setup(
  addresses: FakeAddresses,
  connections: Connection[],
  answer: (peer: string) => ReachAnswer,
  candidates: (peer: string) => boolean = () => true,
) {
  const asked: string[] = [];
  const changes: boolean[] = [];
  let now = 0;
  const check = new ReachabilityCheck(
    {
      addressManager: addresses,
      connectionManager: { getConnections: () => connections },
      events: new EventTarget() as unknown as TypedEventTarget<Libp2pEvents>,
    },
    {
      isCandidate: candidates,
      ask: async (conn) => {
        const p = conn.remotePeer.toString();
        asked.push(p);
        return answer(p);
      },
      onReachable: (r) => changes.push(r),
      logger: silentLogger,
      clock: () => now,
      checkMs: 60_000,
      retryMs: 60_000,
    },
  );
  check.start();
  return { check, asked, changes, advance: (ms: number) => (now += ms) };
}

describe('reachability check', () => {
  it('a contact that reaches the mapped port confirms it: the node is reachable', async () => {
    const addresses = new FakeAddresses([
      { address: '/ip4/10.0.1.2/tcp/4001', type: 'transport' },
      { address: MAPPED, type: 'ip-mapping' },
    ]);
    addresses.verified.add('/ip4/10.0.1.2/tcp/4001');
    const cy = await peer();
    const { check, asked, changes } = setup(addresses, [connection(cy, '/ip4/11.0.0.2/tcp/4001')], () => ({
      status: 'ok',
      address: MAPPED,
    }));
    await check.check();
    expect(asked).toEqual([cy]);
    expect(check.isReachable).toBe(true);
    expect(check.publicAddresses()).toEqual([MAPPED]);
    expect(changes).toEqual([true]);
    // Confirmed: nothing more to ask.
    await check.check();
    expect(asked).toEqual([cy]);
    check.stop();
  });

  it('asks only contacts on direct connections from another host, at most three', async () => {
    const addresses = new FakeAddresses([{ address: MAPPED, type: 'ip-mapping' }]);
    const [stranger, relayed, limited, sameHost, c1, c2, c3, c4] = await Promise.all(
      Array.from({ length: 8 }, () => peer()),
    );
    const conns = [
      connection(stranger ?? '', '/ip4/11.0.0.3/tcp/1'),
      connection(relayed ?? '', `/ip4/11.0.0.4/tcp/1/p2p/${c1}/p2p-circuit`),
      connection(limited ?? '', '/ip4/11.0.0.5/tcp/1', true),
      connection(sameHost ?? '', '/ip4/11.0.0.7/tcp/5555'),
      ...[c1, c2, c3, c4].map((c, i) => connection(c ?? '', `/ip4/11.0.0.${20 + i}/tcp/1`)),
    ];
    const { check, asked, changes } = setup(
      addresses,
      conns,
      () => ({ status: 'failed' }),
      (p) => p !== stranger,
    );
    await check.check();
    expect(asked).toEqual([c1, c2, c3]);
    expect(check.isReachable).toBe(false);
    expect(changes).toEqual([]);
    check.stop();
  });

  it('after a failure it waits before asking again; a refusal confirms nothing', async () => {
    const addresses = new FakeAddresses([{ address: MAPPED, type: 'ip-mapping' }]);
    const cy = await peer();
    let reply: ReachAnswer = { status: 'failed' };
    const { check, asked, advance } = setup(
      addresses,
      [connection(cy, '/ip4/11.0.0.2/tcp/4001')],
      () => reply,
    );
    await check.check();
    await check.check();
    expect(asked.length).toBe(1);
    advance(60_000);
    reply = { status: 'refused' };
    await check.check();
    expect(asked.length).toBe(2);
    expect(check.isReachable).toBe(false);
    advance(60_000);
    reply = { status: 'ok', address: MAPPED };
    await check.check();
    expect(check.isReachable).toBe(true);
    check.stop();
  });

  it('private addresses are never asked about', async () => {
    const addresses = new FakeAddresses([{ address: '/ip4/192.168.1.9/tcp/4001', type: 'transport' }]);
    const cy = await peer();
    const { check, asked } = setup(addresses, [connection(cy, '/ip4/11.0.0.2/tcp/4001')], () => ({
      status: 'ok',
      address: '/ip4/192.168.1.9/tcp/4001',
    }));
    await check.check();
    expect(asked).toEqual([]);
    check.stop();
  });
});
