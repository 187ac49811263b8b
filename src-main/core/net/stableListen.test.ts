import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { portIsFree, tcpPortOf, withPreferredPort } from './stableListen';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function occupy(host: string): Promise<number> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve) =>
    server.listen({ host, port: 0 }, () => resolve((server.address() as { port: number }).port)),
  );
}

async function freePort(): Promise<number> {
  const port = await occupy('127.0.0.1');
  await new Promise((r) => servers.pop()?.close(r));
  return port;
}

describe('a remembered listen port', () => {
  it('replaces tcp/0 with the remembered port when it is free', async () => {
    const port = await freePort();
    expect(await withPreferredPort(['/ip4/127.0.0.1/tcp/0'], port)).toEqual([`/ip4/127.0.0.1/tcp/${port}`]);
  });

  it('keeps tcp/0 (a new port) when the remembered one is taken', async () => {
    const port = await occupy('127.0.0.1');
    expect(await portIsFree('127.0.0.1', port)).toBe(false);
    expect(await withPreferredPort(['/ip4/127.0.0.1/tcp/0'], port)).toEqual(['/ip4/127.0.0.1/tcp/0']);
  });

  it('leaves pinned ports, other transports and a missing or bad port alone', async () => {
    const port = await freePort();
    expect(await withPreferredPort(['/ip4/127.0.0.1/tcp/4001', '/ip4/127.0.0.1/udp/0'], port)).toEqual([
      '/ip4/127.0.0.1/tcp/4001',
      '/ip4/127.0.0.1/udp/0',
    ]);
    expect(await withPreferredPort(['/ip4/127.0.0.1/tcp/0'], null)).toEqual(['/ip4/127.0.0.1/tcp/0']);
    expect(await withPreferredPort(['/ip4/127.0.0.1/tcp/0'], 70_000)).toEqual(['/ip4/127.0.0.1/tcp/0']);
    expect(await withPreferredPort(['not an address'], port)).toEqual(['not an address']);
  });

  it('reads the port a node listens on from its addresses', () => {
    expect(
      tcpPortOf(['/ip4/127.0.0.1/tcp/4242/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK']),
    ).toBe(4242);
    expect(tcpPortOf([])).toBeNull();
  });
});
