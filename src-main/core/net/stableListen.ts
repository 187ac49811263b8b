import { createServer } from 'node:net';
import { multiaddr } from '@multiformats/multiaddr';

/**
 * A device keeps its listen port across restarts (issue 13, deliver 1). The
 * desktop app and the web shell ask for `tcp/0`; a new random port at every
 * start made every address contacts had stored stale, so two contacts that
 * restarted together never found each other again. The caller remembers the
 * port the node got the first time and asks for it again here; only when it
 * is taken (another program, a second profile) does the node fall back to a
 * new one, which its address record then tells contacts.
 */

/** A TCP listen address with port 0: the host to bind, and the address again with another port. */
interface AnyPortAddress {
  host: string;
  withPort(port: number): string;
}

function anyPort(address: string): AnyPortAddress | null {
  let components;
  try {
    components = multiaddr(address).getComponents();
  } catch {
    return null;
  }
  const [ip, tcp, ...rest] = components;
  if (ip === undefined || (ip.name !== 'ip4' && ip.name !== 'ip6') || ip.value === undefined) return null;
  if (tcp?.name !== 'tcp' || tcp.value !== '0') return null;
  const host = ip.value;
  const tail = rest.map((c) => (c.value === undefined ? `/${c.name}` : `/${c.name}/${c.value}`)).join('');
  return { host, withPort: (port) => `/${ip.name}/${host}/tcp/${port}${tail}` };
}

/** Resolves true when `port` can be bound on `host` right now (the probe is closed again at once). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    // exclusive: the probe must not share a handle with a cluster master.
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * `listen` with every `tcp/0` replaced by `preferredPort` where that port is
 * free on the address's host; the others stay `tcp/0` (a new port). Addresses
 * that name a port keep it: whoever pinned one meant it.
 */
export async function withPreferredPort(
  listen: readonly string[],
  preferredPort: number | null,
): Promise<string[]> {
  if (
    preferredPort === null ||
    !Number.isInteger(preferredPort) ||
    preferredPort <= 0 ||
    preferredPort > 65535
  )
    return [...listen];
  const out: string[] = [];
  for (const address of listen) {
    const any = anyPort(address);
    out.push(any && (await portIsFree(any.host, preferredPort)) ? any.withPort(preferredPort) : address);
  }
  return out;
}

/** The TCP port the node listens on (the first one), or null. */
export function tcpPortOf(addresses: readonly string[]): number | null {
  for (const address of addresses) {
    const match = /\/tcp\/(\d+)/.exec(address);
    const port = Number(match?.[1] ?? 0);
    if (port > 0 && port <= 65535) return port;
  }
  return null;
}
