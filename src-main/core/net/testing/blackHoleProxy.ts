import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1 for tests: connections to it are piped to
 * `target`. `blackHole()` makes every connection open at that moment go
 * silent without closing (bytes are read and dropped, nothing is sent, no
 * FIN, no RST): what a dead NAT mapping, a pulled cable on the far side or a
 * peer that vanished looks like from here. New connections still get
 * through, so a redial works.
 */
export interface BlackHoleProxy {
  port: number;
  /** Connections forwarded so far. */
  accepted(): number;
  blackHole(): void;
  close(): Promise<void>;
}

export async function startBlackHoleProxy(target: { host: string; port: number }): Promise<BlackHoleProxy> {
  const pairs = new Set<{ inbound: Socket; outbound: Socket; dead: boolean }>();
  let count = 0;
  const server: Server = createServer((inbound) => {
    count += 1;
    const outbound = connect(target.port, target.host);
    const pair = { inbound, outbound, dead: false };
    pairs.add(pair);
    inbound.on('data', (chunk) => {
      if (!pair.dead) outbound.write(chunk);
    });
    outbound.on('data', (chunk) => {
      if (!pair.dead) inbound.write(chunk);
    });
    const end = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    // A black-holed connection never ends: its FIN, like its data, goes nowhere.
    inbound.on('end', () => !pair.dead && end());
    outbound.on('end', () => !pair.dead && end());
    inbound.on('error', end);
    outbound.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return {
    port: (server.address() as { port: number }).port,
    accepted: () => count,
    blackHole() {
      for (const pair of pairs) pair.dead = true;
    },
    async close() {
      for (const pair of pairs) {
        pair.inbound.destroy();
        pair.outbound.destroy();
      }
      pairs.clear();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
